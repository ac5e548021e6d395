/* test_workflow.c — the request state machine against an independent
 * transcription of SPEC §2.
 *
 * The expectation below is written from the SPEC, not derived from the table
 * under test: states and actions by their keys, roles as lists of role keys.
 * Every (state x action x role) combination, including ROLE_NONE and roles
 * out of range, is run through wf_apply and compared with it: the allowed
 * ones must land on the right state with the right steps, every other one
 * must be refused with the exact kind and code. Walks through the procedure
 * then check that steps 1..7 are each started and completed in order.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/actions.h"
#include "core/workflow.h"

/* ---- The expectation, from SPEC §2 ---- */

static const struct {
	enum wf_state s;
	const char *key, *status, *phase;
	int step;          /* the step running in that state */
	const char *party; /* whom it waits on; NULL = nobody */
	bool terminal;
} state_facts[] = {
	{WF_DRAFT, "draft", "draft", NULL, 1, "pd", false},
	{WF_SUBMITTED, "submitted", "submitted", NULL, 2, "sekretariat", false},
	{WF_AWAITING_DISPOSITION, "awaiting_disposition", "awaiting_disposition", NULL, 2, "kepala_dinas", false},
	{WF_DISPOSED, "disposed", "disposed", NULL, 3, "kabid_iai", false},
	{WF_IN_DISCUSSION_AWAL, "in_discussion_awal", "in_discussion", "awal", 4, "kasi_ai_tim_spbe", false},
	{WF_IN_DISCUSSION_LANJUTAN, "in_discussion_lanjutan", "in_discussion", "lanjutan", 5, "kasi_ai_tim_spbe",
	 false},
	{WF_IN_DISCUSSION_FINAL, "in_discussion_final", "in_discussion", "final", 6, "kasi_ai_tim_spbe", false},
	{WF_AWAITING_PD_COMPLETION, "awaiting_pd_completion", "awaiting_pd_completion", NULL, 4, "pd", false},
	{WF_AGREED, "agreed", "agreed", NULL, 7, "kepala_dinas", false},
	{WF_COMPLETED, "completed", "completed", NULL, 0, NULL, true},
	{WF_WITHDRAWN, "withdrawn", "withdrawn", NULL, 0, NULL, true},
	{WF_REJECTED, "rejected", "rejected", NULL, 0, NULL, true},
};
#define NSTATES (sizeof state_facts / sizeof state_facts[0])

static const struct {
	enum wf_action a;
	const char *key;
} action_facts[] = {
	{WF_SUBMIT, "submit"},
	{WF_REGISTER, "register"},
	{WF_DISPOSE, "dispose"},
	{WF_DERIVE, "derive"},
	{WF_RECORD_AWAL, "record_awal"},
	{WF_RECORD_AWAL_INCOMPLETE, "record_awal_incomplete"},
	{WF_PD_COMPLETE, "pd_complete"},
	{WF_RECORD_LANJUTAN, "record_lanjutan"},
	{WF_RECORD_FINAL, "record_final"},
	{WF_SIGN_BA_COMPLETE, "sign_ba_complete"},
	{WF_ISSUE_ST, "issue_st"},
	{WF_WITHDRAW, "withdraw"},
	{WF_REJECT, "reject"},
	{WF_UNDO_DISPOSE, "undo_dispose"},
	{WF_UNDO_DERIVE, "undo_derive"},
};
#define NACTIONS (sizeof action_facts / sizeof action_facts[0])

/* Every legal move: from, action, to, the roles allowed, the step completed,
 * the step started, whether the open step is cancelled. */
static const struct move_fact {
	const char *from, *action, *to, *roles;
	int completes, starts;
	bool closes;
	int reopens;
} moves[] = {
	{"draft", "submit", "submitted", "pd integration", 1, 2, false, 0},
	{"submitted", "register", "awaiting_disposition", "sekretariat", 0, 0, false, 0},
	{"awaiting_disposition", "dispose", "disposed", "kepala_dinas", 2, 3, false, 0},
	{"disposed", "derive", "in_discussion_awal", "kabid_iai", 3, 4, false, 0},
	{"in_discussion_awal", "record_awal", "in_discussion_lanjutan", "kasi_ai tim_spbe", 4, 5, false, 0},
	{"in_discussion_awal", "record_awal_incomplete", "awaiting_pd_completion", "kasi_ai tim_spbe", 0, 0, false, 0},
	{"awaiting_pd_completion", "pd_complete", "in_discussion_awal", "pd integration", 0, 0, false, 0},
	{"in_discussion_lanjutan", "record_lanjutan", "in_discussion_final", "kasi_ai tim_spbe", 5, 6, false, 0},
	{"in_discussion_final", "record_final", "agreed", "kasi_ai tim_spbe", 6, 7, false, 0},
	{"agreed", "sign_ba_complete", "completed", "kepala_dinas pd", 7, 0, false, 0},
	{"agreed", "issue_st", "completed", "kepala_dinas", 7, 0, false, 0},
	{"disposed", "undo_dispose", "awaiting_disposition", "kepala_dinas", 0, 0, false, 2},
	{"in_discussion_awal", "undo_derive", "disposed", "kabid_iai", 0, 0, false, 3},

	{"draft", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"submitted", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"awaiting_disposition", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"disposed", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"in_discussion_awal", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"in_discussion_lanjutan", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"in_discussion_final", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"awaiting_pd_completion", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},
	{"agreed", "withdraw", "withdrawn", "pd integration", 0, 0, true, 0},

	/* the Kabid acts on the Kepala Dinas's disposition: he rejects only after step 2 */
	{"submitted", "reject", "rejected", "kepala_dinas", 0, 0, true, 0},
	{"awaiting_disposition", "reject", "rejected", "kepala_dinas", 0, 0, true, 0},
	{"disposed", "reject", "rejected", "kepala_dinas kabid_iai", 0, 0, true, 0},
	{"in_discussion_awal", "reject", "rejected", "kepala_dinas kabid_iai", 0, 0, true, 0},
	{"in_discussion_lanjutan", "reject", "rejected", "kepala_dinas kabid_iai", 0, 0, true, 0},
	{"in_discussion_final", "reject", "rejected", "kepala_dinas kabid_iai", 0, 0, true, 0},
	{"awaiting_pd_completion", "reject", "rejected", "kepala_dinas kabid_iai", 0, 0, true, 0},
	{"agreed", "reject", "rejected", "kepala_dinas kabid_iai", 0, 0, true, 0},
};
#define NMOVES (sizeof moves / sizeof moves[0])

/* 11 procedure moves with 18 role grants, 2 disposition withdrawals x 1,
 * 9 withdrawals x 2, 8 rejections: 2 by the Kepala Dinas alone, 6 x 2. */
#define ALLOWED_TRIPLES 52

/* Roles tried: every enum value, and two out of range. */
static const int roles_tried[] = {
	ROLE_NONE, ROLE_ADMIN, ROLE_KEPALA_DINAS, ROLE_SEKRETARIAT, ROLE_KABID_IAI, ROLE_KASI_AI,
	ROLE_TIM_SPBE, ROLE_PD, ROLE_INTEGRATION, ROLE_AUDITOR, ROLE_COUNT, 40,
};
#define NROLES (sizeof roles_tried / sizeof roles_tried[0])

static bool listed(const char *words, const char *word)
{
	if (!word)
		return false;
	size_t n = strlen(word);
	for (const char *p = strstr(words, word); p; p = strstr(p + 1, word))
		if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static const char *state_name(int s)
{
	for (size_t i = 0; i < NSTATES; i++)
		if ((int)state_facts[i].s == s)
			return state_facts[i].key;
	return NULL;
}

static const char *action_name(int a)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if ((int)action_facts[i].a == a)
			return action_facts[i].key;
	return NULL;
}

static enum wf_state state_of(const char *key)
{
	for (size_t i = 0; i < NSTATES; i++)
		if (strcmp(state_facts[i].key, key) == 0)
			return state_facts[i].s;
	ck_abort_msg("state key '%s' missing from the expectation", key);
	return WF_STATE_COUNT;
}

static const struct move_fact *expected_move(const char *from, const char *action)
{
	for (size_t i = 0; i < NMOVES; i++)
		if (strcmp(moves[i].from, from) == 0 && strcmp(moves[i].action, action) == 0)
			return &moves[i];
	return NULL;
}

/* ---- Keys, status, phase, steps, parties ---- */

START_TEST(test_state_keys)
{
	ck_assert_uint_eq(NSTATES, WF_STATE_COUNT);
	for (size_t i = 0; i < NSTATES; i++) {
		enum wf_state s = state_facts[i].s;
		ck_assert_str_eq(wf_state_key(s), state_facts[i].key);
		ck_assert_int_eq(wf_state_parse(state_facts[i].key), s);
		ck_assert_int_eq(wf_state_parse(wf_state_key(s)), s);
		ck_assert_str_eq(wf_state_status(s), state_facts[i].status);
		if (state_facts[i].phase)
			ck_assert_str_eq(wf_state_phase(s), state_facts[i].phase);
		else
			ck_assert_ptr_null(wf_state_phase(s));
	}
	const char *unknown[] = {"", "Draft", "in_discussion", "awal", "in_discussion(awal)", "closed", " draft"};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		ck_assert_int_eq(wf_state_parse(unknown[i]), WF_STATE_COUNT);
	ck_assert_int_eq(wf_state_parse(NULL), WF_STATE_COUNT);
	ck_assert_ptr_null(wf_state_key(WF_STATE_COUNT));
	ck_assert_ptr_null(wf_state_status(WF_STATE_COUNT));
	ck_assert_ptr_null(wf_state_phase(WF_STATE_COUNT));
	ck_assert_ptr_null(wf_state_key((enum wf_state)-1));
}
END_TEST

START_TEST(test_action_keys)
{
	ck_assert_uint_eq(NACTIONS, WF_ACTION_COUNT);
	for (size_t i = 0; i < NACTIONS; i++) {
		ck_assert_str_eq(wf_action_key(action_facts[i].a), action_facts[i].key);
		ck_assert_int_eq(wf_action_parse(action_facts[i].key), action_facts[i].a);
	}
	const char *unknown[] = {"", "SUBMIT", "approve", "record", "sign_ba", "submit "};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		ck_assert_int_eq(wf_action_parse(unknown[i]), WF_ACTION_COUNT);
	ck_assert_int_eq(wf_action_parse(NULL), WF_ACTION_COUNT);
	ck_assert_ptr_null(wf_action_key(WF_ACTION_COUNT));
	ck_assert_ptr_null(wf_action_key((enum wf_action)-1));
}
END_TEST

START_TEST(test_state_facts)
{
	for (size_t i = 0; i < NSTATES; i++) {
		enum wf_state s = state_facts[i].s;
		ck_assert_msg(wf_step_of_state(s) == state_facts[i].step, "step of %s", state_facts[i].key);
		ck_assert_msg(wf_is_terminal(s) == state_facts[i].terminal, "terminal %s", state_facts[i].key);
		ck_assert_msg(wf_is_open(s) == !state_facts[i].terminal, "open %s", state_facts[i].key);
		ck_assert_msg(wf_state_waits_on_pd(s) == (s == WF_AWAITING_PD_COMPLETION), "waits on pd %s",
			      state_facts[i].key);
		enum wf_party p = wf_waiting_party(s);
		if (state_facts[i].party)
			ck_assert_msg(wf_party_key(p) && strcmp(wf_party_key(p), state_facts[i].party) == 0,
				      "party of %s", state_facts[i].key);
		else
			ck_assert_msg(p == WF_PARTY_NONE, "party of %s", state_facts[i].key);
	}
	ck_assert_int_eq(wf_waiting_party(WF_DRAFT), WF_PARTY_PD);
	ck_assert_int_eq(wf_waiting_party(WF_AWAITING_PD_COMPLETION), WF_PARTY_PD);
	ck_assert_int_eq(wf_waiting_party(WF_SUBMITTED), WF_PARTY_SEKRETARIAT);
	ck_assert_int_eq(wf_waiting_party(WF_AWAITING_DISPOSITION), WF_PARTY_KEPALA_DINAS);
	ck_assert_int_eq(wf_waiting_party(WF_DISPOSED), WF_PARTY_KABID);
	ck_assert_int_eq(wf_waiting_party(WF_IN_DISCUSSION_FINAL), WF_PARTY_KASI_TEAM);
	ck_assert_int_eq(wf_waiting_party(WF_AGREED), WF_PARTY_KEPALA_DINAS);
	ck_assert_ptr_null(wf_party_key(WF_PARTY_NONE));
	ck_assert_ptr_null(wf_party_key(WF_PARTY_COUNT));
	ck_assert_int_eq(wf_waiting_party(WF_STATE_COUNT), WF_PARTY_NONE);
	ck_assert_int_eq(wf_step_of_state(WF_STATE_COUNT), 0);
	ck_assert(!wf_is_open(WF_STATE_COUNT));
	ck_assert(!wf_is_terminal(WF_STATE_COUNT));
}
END_TEST

/* ---- Every (state x action x role), one state per loop iteration ---- */

START_TEST(test_every_combination)
{
	enum wf_state s = state_facts[_i].s;
	const char *from = state_facts[_i].key;
	for (size_t ai = 0; ai < NACTIONS; ai++) {
		enum wf_action a = action_facts[ai].a;
		const char *act = action_facts[ai].key;
		const struct move_fact *m = expected_move(from, act);
		for (size_t ri = 0; ri < NROLES; ri++) {
			enum role who = (enum role)roles_tried[ri];
			const char *rn = (who > ROLE_NONE && who < ROLE_COUNT) ? role_name(who) : NULL;
			size_t nrows;
			const struct wf_transition *t = wf_table(&nrows); /* non-NULL: a refusal must reset it */
			struct err e;
			err_clear(&e);
			bool ok = wf_apply(s, a, who, &t, &e);
			if (state_facts[_i].terminal) {
				ck_assert_msg(!ok, "%s %s role %d allowed from a terminal state", from, act, who);
				ck_assert_int_eq(e.kind, ERR_CONFLICT);
				ck_assert_str_eq(e.code, "request.closed");
			} else if (!m) {
				ck_assert_msg(!ok, "%s %s role %d allowed without a move", from, act, who);
				ck_assert_int_eq(e.kind, ERR_CONFLICT);
				ck_assert_str_eq(e.code, "request.invalid_transition");
			} else if (!listed(m->roles, rn)) {
				ck_assert_msg(!ok, "%s %s allowed to role %d", from, act, who);
				ck_assert_int_eq(e.kind, ERR_FORBIDDEN);
				ck_assert_str_eq(e.code, "request.role_not_allowed");
			} else {
				ck_assert_msg(ok, "%s %s refused to %s: %s %s", from, act, rn, e.code, e.detail);
				ck_assert_int_eq(e.kind, ERR_NONE);
				ck_assert_ptr_nonnull(t);
				ck_assert_int_eq(t->from, s);
				ck_assert_int_eq(t->action, a);
				ck_assert_msg(t->to == state_of(m->to), "%s %s lands on %s", from, act,
					      wf_state_key(t->to));
				ck_assert_msg(t->completes_step == m->completes, "%s %s completes %d", from, act,
					      t->completes_step);
				ck_assert_msg(t->starts_step == m->starts, "%s %s starts %d", from, act, t->starts_step);
				ck_assert_msg(t->closes_open_step == m->closes, "%s %s closes", from, act);
				ck_assert_msg(t->reopens_step == m->reopens, "%s %s reopens %d", from, act, t->reopens_step);
				continue;
			}
			ck_assert_ptr_null(t);
			ck_assert_msg(e.detail[0] != '\0', "%s %s: no detail", from, act);
		}
	}
}
END_TEST

/* The number of allowed (state, action, role) triples is exactly the
 * expectation's: nothing extra is allowed anywhere. */
START_TEST(test_allowed_count)
{
	int n = 0;
	for (size_t i = 0; i < NMOVES; i++)
		for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
			n += listed(moves[i].roles, role_name((enum role)r));
	ck_assert_int_eq(n, ALLOWED_TRIPLES);
	int seen = 0;
	for (int s = 0; s < WF_STATE_COUNT; s++)
		for (int a = 0; a < WF_ACTION_COUNT; a++)
			for (int r = 0; r <= ROLE_COUNT; r++) {
				struct err e;
				err_clear(&e);
				seen += wf_apply((enum wf_state)s, (enum wf_action)a, (enum role)r, NULL, &e);
			}
	ck_assert_int_eq(seen, ALLOWED_TRIPLES);
}
END_TEST

START_TEST(test_table_shape)
{
	size_t n;
	const struct wf_transition *t = wf_table(&n);
	ck_assert_uint_eq(n, NMOVES);
	for (size_t i = 0; i < n; i++) {
		const char *from = wf_state_key(t[i].from), *act = wf_action_key(t[i].action);
		ck_assert_ptr_nonnull(from);
		ck_assert_ptr_nonnull(act);
		ck_assert_msg(expected_move(from, act) != NULL, "row %zu (%s, %s) not in the SPEC", i, from, act);
		for (size_t j = i + 1; j < n; j++)
			ck_assert_msg(t[i].from != t[j].from || t[i].action != t[j].action, "rows %zu and %zu repeat", i,
				      j);
		ck_assert_msg(t[i].roles != 0 && (t[i].roles & ~(((1u << ROLE_COUNT) - 1) & ~1u)) == 0,
			      "row %zu roles", i);
		ck_assert_ptr_eq(wf_transition_find(t[i].from, t[i].action), &t[i]);
	}
	ck_assert_ptr_null(wf_transition_find(WF_DRAFT, WF_REJECT));
	ck_assert_ptr_null(wf_transition_find(WF_COMPLETED, WF_WITHDRAW));
}
END_TEST

/* The step numbers of each row agree with the step running in its states. */
START_TEST(test_steps_agree_with_states)
{
	size_t n;
	const struct wf_transition *t = wf_table(&n);
	for (size_t i = 0; i < n; i++) {
		int sf = wf_step_of_state(t[i].from), st = wf_step_of_state(t[i].to);
		const char *k = wf_action_key(t[i].action);
		if (t[i].closes_open_step) {
			ck_assert_msg(t[i].completes_step == 0 && t[i].starts_step == 0, "%s row moves steps", k);
			ck_assert(wf_is_terminal(t[i].to));
		} else if (t[i].reopens_step) {
			ck_assert_msg(t[i].reopens_step == st && st == sf - 1, "%s reopens %d going %d -> %d", k,
				      t[i].reopens_step, sf, st);
			ck_assert(t[i].completes_step == 0 && t[i].starts_step == 0);
		} else if (t[i].completes_step) {
			ck_assert_msg(t[i].completes_step == sf, "%s completes %d but %d runs", k, t[i].completes_step, sf);
			ck_assert_msg(t[i].starts_step == st, "%s starts %d, %d runs after", k, t[i].starts_step, st);
		} else {
			ck_assert_msg(t[i].starts_step == 0, "%s starts without completing", k);
			ck_assert_msg(sf == st, "%s changes step %d -> %d silently", k, sf, st);
		}
	}
}
END_TEST

START_TEST(test_every_step_completed_and_started)
{
	size_t n;
	const struct wf_transition *t = wf_table(&n);
	for (int k = 1; k <= 7; k++) {
		int completing = 0, starting = 0;
		for (size_t i = 0; i < n; i++) {
			if (t[i].completes_step == k) {
				completing++;
				ck_assert_int_eq(t[i].starts_step, k < 7 ? k + 1 : 0);
			}
			if (t[i].starts_step == k) {
				starting++;
				ck_assert_int_eq(t[i].completes_step, k - 1);
			}
		}
		ck_assert_msg(completing > 0, "no move completes step %d", k);
		ck_assert_msg(k == 1 || starting > 0, "no move starts step %d", k);
	}
}
END_TEST

START_TEST(test_terminal_states_are_dead_ends)
{
	size_t n;
	const struct wf_transition *t = wf_table(&n);
	for (size_t i = 0; i < NSTATES; i++) {
		if (!state_facts[i].terminal)
			continue;
		for (size_t j = 0; j < n; j++)
			ck_assert_msg(t[j].from != state_facts[i].s, "row leaves %s", state_facts[i].key);
		for (int r = ROLE_NONE; r < ROLE_COUNT; r++) {
			enum wf_action out[WF_ACTION_COUNT];
			ck_assert_uint_eq(wf_allowed_actions(state_facts[i].s, (enum role)r, out, WF_ACTION_COUNT), 0);
		}
	}
}
END_TEST

/* ---- Refusals: order and messages ---- */

START_TEST(test_refusals)
{
	struct err e;
	const struct wf_transition *t;

	err_clear(&e);
	ck_assert(!wf_apply(WF_AWAITING_DISPOSITION, WF_SUBMIT, ROLE_PD, &t, &e));
	ck_assert_int_eq(e.kind, ERR_CONFLICT);
	ck_assert_str_eq(e.code, "request.invalid_transition");
	ck_assert_str_eq(e.detail, "Cannot submit a request that is awaiting_disposition.");

	/* The state is judged before the role: an auditor gets 409 here too. */
	err_clear(&e);
	ck_assert(!wf_apply(WF_IN_DISCUSSION_AWAL, WF_REGISTER, ROLE_AUDITOR, &t, &e));
	ck_assert_int_eq(e.kind, ERR_CONFLICT);
	ck_assert_str_eq(e.detail, "Cannot register a request that is in_discussion (awal).");

	err_clear(&e);
	ck_assert(!wf_apply(WF_DRAFT, WF_SUBMIT, ROLE_AUDITOR, &t, &e));
	ck_assert_int_eq(e.kind, ERR_FORBIDDEN);
	ck_assert_str_eq(e.code, "request.role_not_allowed");
	ck_assert_str_eq(e.detail, "The role auditor may not submit a request that is draft.");

	err_clear(&e);
	ck_assert(!wf_apply(WF_DRAFT, WF_SUBMIT, ROLE_NONE, &t, &e));
	ck_assert_int_eq(e.kind, ERR_FORBIDDEN);

	err_clear(&e);
	ck_assert(!wf_apply(WF_WITHDRAWN, WF_WITHDRAW, ROLE_PD, &t, &e));
	ck_assert_int_eq(e.kind, ERR_CONFLICT);
	ck_assert_str_eq(e.code, "request.closed");
	ck_assert_str_eq(e.detail, "The request is withdrawn; it accepts no further actions.");

	/* Out of range enums. */
	const struct {
		int s, a;
	} bad[] = {{WF_STATE_COUNT, WF_SUBMIT}, {WF_DRAFT, WF_ACTION_COUNT}, {-1, WF_SUBMIT}, {WF_DRAFT, -1},
		   {WF_COMPLETED, WF_ACTION_COUNT}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		t = wf_table(&(size_t){0});
		ck_assert(!wf_apply((enum wf_state)bad[i].s, (enum wf_action)bad[i].a, ROLE_PD, &t, &e));
		ck_assert_int_eq(e.kind, ERR_INVALID);
		ck_assert_str_eq(e.code, "request.invalid_action");
		ck_assert_ptr_null(t);
	}

	/* out may be NULL. */
	err_clear(&e);
	ck_assert(wf_apply(WF_DRAFT, WF_SUBMIT, ROLE_INTEGRATION, NULL, &e));
	ck_assert_int_eq(e.kind, ERR_NONE);
}
END_TEST

/* ---- Allowed-action lists ---- */

static void check_allowed(enum wf_state s, enum role who, const char *want)
{
	enum wf_action out[WF_ACTION_COUNT];
	size_t n = wf_allowed_actions(s, who, out, WF_ACTION_COUNT);
	char got[256] = "";
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, action_name(out[i]));
	}
	ck_assert_msg(strcmp(got, want) == 0, "%s as %d: got '%s', want '%s'", state_name(s), who, got, want);
}

START_TEST(test_allowed_actions)
{
	check_allowed(WF_DRAFT, ROLE_PD, "submit withdraw");
	check_allowed(WF_DRAFT, ROLE_INTEGRATION, "submit withdraw");
	check_allowed(WF_DRAFT, ROLE_KEPALA_DINAS, "");
	check_allowed(WF_SUBMITTED, ROLE_SEKRETARIAT, "register");
	check_allowed(WF_SUBMITTED, ROLE_KABID_IAI, "");
	check_allowed(WF_AWAITING_DISPOSITION, ROLE_KABID_IAI, "");
	check_allowed(WF_AWAITING_DISPOSITION, ROLE_KEPALA_DINAS, "dispose reject");
	check_allowed(WF_DISPOSED, ROLE_KABID_IAI, "derive reject");
	check_allowed(WF_DISPOSED, ROLE_KEPALA_DINAS, "reject undo_dispose");
	check_allowed(WF_IN_DISCUSSION_AWAL, ROLE_KABID_IAI, "reject undo_derive");
	check_allowed(WF_IN_DISCUSSION_AWAL, ROLE_KASI_AI, "record_awal record_awal_incomplete");
	check_allowed(WF_IN_DISCUSSION_AWAL, ROLE_TIM_SPBE, "record_awal record_awal_incomplete");
	check_allowed(WF_IN_DISCUSSION_AWAL, ROLE_PD, "withdraw");
	check_allowed(WF_AWAITING_PD_COMPLETION, ROLE_PD, "pd_complete withdraw");
	check_allowed(WF_AWAITING_PD_COMPLETION, ROLE_KASI_AI, "");
	check_allowed(WF_IN_DISCUSSION_FINAL, ROLE_TIM_SPBE, "record_final");
	check_allowed(WF_AGREED, ROLE_KEPALA_DINAS, "sign_ba_complete issue_st reject");
	check_allowed(WF_AGREED, ROLE_PD, "sign_ba_complete withdraw");
	check_allowed(WF_AGREED, ROLE_KABID_IAI, "reject");
	check_allowed(WF_COMPLETED, ROLE_KEPALA_DINAS, "");
	check_allowed(WF_STATE_COUNT, ROLE_PD, "");
	for (int s = 0; s < WF_STATE_COUNT; s++) {
		check_allowed((enum wf_state)s, ROLE_AUDITOR, "");
		check_allowed((enum wf_state)s, ROLE_ADMIN, "");
		check_allowed((enum wf_state)s, ROLE_NONE, "");
	}
	/* max bounds the output. */
	enum wf_action one[1];
	ck_assert_uint_eq(wf_allowed_actions(WF_AGREED, ROLE_KEPALA_DINAS, one, 1), 1);
	ck_assert_int_eq(one[0], WF_SIGN_BA_COMPLETE);
	ck_assert_uint_eq(wf_allowed_actions(WF_AGREED, ROLE_KEPALA_DINAS, one, 0), 0);
}
END_TEST

/* ---- Walks through the procedure ---- */

struct walk_move {
	enum wf_action a;
	enum role who;
	enum wf_state to;
};

/* Applies the moves from draft, checking at every move that the step it
 * completes is the one running, that the next one starts at once, and that
 * the running step matches the state; returns how many steps completed, in
 * order, into done[]. */
static int walk(const struct walk_move *m, size_t n, int done[8])
{
	enum wf_state s = WF_DRAFT;
	int running = 1, ndone = 0;
	for (size_t i = 0; i < n; i++) {
		const struct wf_transition *t;
		struct err e;
		err_clear(&e);
		ck_assert_msg(wf_apply(s, m[i].a, m[i].who, &t, &e), "move %zu (%s from %s): %s", i,
			      action_name(m[i].a), state_name(s), e.detail);
		ck_assert_msg(t->to == m[i].to, "move %zu lands on %s", i, state_name(t->to));
		if (t->completes_step) {
			ck_assert_int_eq(t->completes_step, running);
			ck_assert_int_lt(ndone, 8);
			done[ndone++] = t->completes_step;
			running = t->starts_step;
		} else {
			ck_assert_int_eq(t->starts_step, 0);
		}
		s = t->to;
		ck_assert_msg(wf_step_of_state(s) == running, "in %s step %d runs, table says %d", state_name(s),
			      running, wf_step_of_state(s));
	}
	ck_assert_int_eq(s, WF_COMPLETED);
	ck_assert_int_eq(running, 0);
	return ndone;
}

static void check_all_seven(const int *done, int ndone)
{
	ck_assert_int_eq(ndone, 7);
	for (int k = 0; k < 7; k++)
		ck_assert_int_eq(done[k], k + 1);
}

START_TEST(test_walk_berita_acara)
{
	const struct walk_move m[] = {
		{WF_SUBMIT, ROLE_PD, WF_SUBMITTED},
		{WF_REGISTER, ROLE_SEKRETARIAT, WF_AWAITING_DISPOSITION},
		{WF_DISPOSE, ROLE_KEPALA_DINAS, WF_DISPOSED},
		{WF_DERIVE, ROLE_KABID_IAI, WF_IN_DISCUSSION_AWAL},
		{WF_RECORD_AWAL, ROLE_KASI_AI, WF_IN_DISCUSSION_LANJUTAN},
		{WF_RECORD_LANJUTAN, ROLE_TIM_SPBE, WF_IN_DISCUSSION_FINAL},
		{WF_RECORD_FINAL, ROLE_KASI_AI, WF_AGREED},
		{WF_SIGN_BA_COMPLETE, ROLE_PD, WF_COMPLETED},
	};
	int done[8];
	check_all_seven(done, walk(m, sizeof m / sizeof m[0], done));
}
END_TEST

START_TEST(test_walk_incomplete_twice)
{
	const struct walk_move m[] = {
		{WF_SUBMIT, ROLE_INTEGRATION, WF_SUBMITTED},
		{WF_REGISTER, ROLE_SEKRETARIAT, WF_AWAITING_DISPOSITION},
		{WF_DISPOSE, ROLE_KEPALA_DINAS, WF_DISPOSED},
		{WF_DERIVE, ROLE_KABID_IAI, WF_IN_DISCUSSION_AWAL},
		{WF_RECORD_AWAL_INCOMPLETE, ROLE_KASI_AI, WF_AWAITING_PD_COMPLETION},
		{WF_PD_COMPLETE, ROLE_PD, WF_IN_DISCUSSION_AWAL},
		{WF_RECORD_AWAL_INCOMPLETE, ROLE_TIM_SPBE, WF_AWAITING_PD_COMPLETION},
		{WF_PD_COMPLETE, ROLE_INTEGRATION, WF_IN_DISCUSSION_AWAL},
		{WF_RECORD_AWAL, ROLE_TIM_SPBE, WF_IN_DISCUSSION_LANJUTAN},
		{WF_RECORD_LANJUTAN, ROLE_KASI_AI, WF_IN_DISCUSSION_FINAL},
		{WF_RECORD_FINAL, ROLE_TIM_SPBE, WF_AGREED},
		{WF_SIGN_BA_COMPLETE, ROLE_KEPALA_DINAS, WF_COMPLETED},
	};
	int done[8];
	check_all_seven(done, walk(m, sizeof m / sizeof m[0], done));
}
END_TEST

START_TEST(test_walk_surat_tugas)
{
	const struct walk_move m[] = {
		{WF_SUBMIT, ROLE_PD, WF_SUBMITTED},
		{WF_REGISTER, ROLE_SEKRETARIAT, WF_AWAITING_DISPOSITION},
		{WF_DISPOSE, ROLE_KEPALA_DINAS, WF_DISPOSED},
		{WF_DERIVE, ROLE_KABID_IAI, WF_IN_DISCUSSION_AWAL},
		{WF_RECORD_AWAL, ROLE_KASI_AI, WF_IN_DISCUSSION_LANJUTAN},
		{WF_RECORD_LANJUTAN, ROLE_KASI_AI, WF_IN_DISCUSSION_FINAL},
		{WF_RECORD_FINAL, ROLE_KASI_AI, WF_AGREED},
		{WF_ISSUE_ST, ROLE_KEPALA_DINAS, WF_COMPLETED},
	};
	int done[8];
	check_all_seven(done, walk(m, sizeof m / sizeof m[0], done));
}
END_TEST

/* SOP step 1: a submission carries the letter and the business process. */
START_TEST(test_submit_needs_documents)
{
	const char *missing[4];
	ck_assert_uint_eq(wf_submit_missing(NULL, 0, missing, 4), 2);
	ck_assert_str_eq(missing[0], "surat_permohonan");
	ck_assert_str_eq(missing[1], "proses_bisnis");
	const char *some[] = {"lainnya", "proses_bisnis"};
	ck_assert_uint_eq(wf_submit_missing(some, 2, missing, 4), 1);
	ck_assert_str_eq(missing[0], "surat_permohonan");
	const char *all[] = {"proses_bisnis", "lainnya", "surat_permohonan"};
	ck_assert_uint_eq(wf_submit_missing(all, 3, missing, 4), 0);
}
END_TEST

/* A completion answers every item the discussion marked incomplete. */
START_TEST(test_completion_answers_every_item)
{
	ck_assert_int_eq(wf_checklist_index("alur_sistem"), 0);
	ck_assert_int_eq(wf_checklist_index("proses_bisnis_terkait"), 5);
	ck_assert_int_eq(wf_checklist_index("nope"), -1);
	ck_assert_int_eq(wf_checklist_index(NULL), -1);
	for (int i = 0; i < WF_CHECKLIST_ITEMS; i++)
		ck_assert_int_eq(wf_checklist_index(wf_checklist_key(i)), i);
	ck_assert_ptr_null(wf_checklist_key(6));
	unsigned validasi = 1u << wf_checklist_index("mekanisme_validasi"), alur = 1u << 0;
	ck_assert_uint_eq(wf_completion_unanswered(validasi, alur), validasi);
	ck_assert_uint_eq(wf_completion_unanswered(validasi | alur, alur), validasi);
	ck_assert_uint_eq(wf_completion_unanswered(validasi, validasi | alur), 0);
	ck_assert_uint_eq(wf_completion_unanswered(0, 0), 0);
}
END_TEST

/* Whose desk an agreed request is on. */
START_TEST(test_agreed_waiting)
{
	enum wf_party who[2];
	struct wf_ba_progress ba = {0};
	ck_assert_uint_eq(wf_agreed_waiting(&ba, who), 1);
	ck_assert_int_eq(who[0], WF_PARTY_KASI_TEAM);
	ba.sent = true;
	ck_assert_uint_eq(wf_agreed_waiting(&ba, who), 2);
	ck_assert_int_eq(who[0], WF_PARTY_KEPALA_DINAS);
	ck_assert_int_eq(who[1], WF_PARTY_PD);
	ba.kepala_dinas_signed = true;
	ck_assert_uint_eq(wf_agreed_waiting(&ba, who), 1);
	ck_assert_int_eq(who[0], WF_PARTY_PD);
	ba.kepala_dinas_signed = false;
	ba.pd_signed = true;
	ck_assert_uint_eq(wf_agreed_waiting(&ba, who), 1);
	ck_assert_int_eq(who[0], WF_PARTY_KEPALA_DINAS);
}
END_TEST

/* Every desk has a key that parses back to it (and fits): each state but
 * agreed once, agreed once per Berita Acara progress; its parties are the
 * state's waiting party, or wf_agreed_waiting's in agreed. */
START_TEST(test_desks)
{
	struct wf_desk d, back;
	char key[WF_DESK_KEY_MAX];
	int per_state[WF_STATE_COUNT] = {0};
	size_t n = 0;
	for (; wf_desk_at(n, &d); n++) {
		wf_desk_key(&d, key);
		ck_assert_msg(strlen(key) + 1 < WF_DESK_KEY_MAX, "key %s is cut", key);
		ck_assert_msg(wf_desk_parse(key, &back), "%s does not parse", key);
		ck_assert_int_eq(back.state, d.state);
		ck_assert(back.ba.sent == d.ba.sent && back.ba.kepala_dinas_signed == d.ba.kepala_dinas_signed &&
			  back.ba.pd_signed == d.ba.pd_signed);
		per_state[d.state]++;
		enum wf_party who[2], want[2];
		size_t k = wf_desk_parties(&d, who);
		if (d.state == WF_AGREED) {
			ck_assert_uint_eq(k, wf_agreed_waiting(&d.ba, want));
			for (size_t i = 0; i < k; i++)
				ck_assert_int_eq(who[i], want[i]);
		} else {
			ck_assert_str_eq(key, wf_state_key(d.state));
			ck_assert_uint_eq(k, wf_waiting_party(d.state) != WF_PARTY_NONE);
			if (k)
				ck_assert_int_eq(who[0], wf_waiting_party(d.state));
		}
	}
	ck_assert_uint_eq(n, WF_STATE_COUNT - 1 + 8);
	for (int s = 0; s < WF_STATE_COUNT; s++)
		ck_assert_int_eq(per_state[s], s == WF_AGREED ? 8 : 1);
	ck_assert(wf_desk_parse("agreed:100", &d) && d.state == WF_AGREED && d.ba.sent && !d.ba.pd_signed);
	ck_assert(!wf_desk_parse("agreed", &d));
	ck_assert(!wf_desk_parse("agreed:2", &d));
	ck_assert(!wf_desk_parse(NULL, &d));
	ck_assert_int_eq(d.state, WF_STATE_COUNT);
}
END_TEST

/* The Kabid may not reject before the Kepala Dinas disposed (SOP step 3
 * follows the disposition); after it he may. */
START_TEST(test_kabid_rejects_only_after_the_disposition)
{
	struct err e;
	err_clear(&e);
	ck_assert(!wf_apply(WF_SUBMITTED, WF_REJECT, ROLE_KABID_IAI, NULL, &e));
	ck_assert_str_eq(e.code, "request.role_not_allowed");
	err_clear(&e);
	ck_assert(!wf_apply(WF_AWAITING_DISPOSITION, WF_REJECT, ROLE_KABID_IAI, NULL, &e));
	ck_assert_str_eq(e.code, "request.role_not_allowed");
	err_clear(&e);
	ck_assert(wf_apply(WF_AWAITING_DISPOSITION, WF_REJECT, ROLE_KEPALA_DINAS, NULL, &e));
	ck_assert(wf_apply(WF_DISPOSED, WF_REJECT, ROLE_KABID_IAI, NULL, &e));
}
END_TEST

/* What a client is offered: the allowed moves whose route the role may use,
 * never the moves no route performs directly, plus issue_st after completion. */
START_TEST(test_offered_actions)
{
	for (int st = 0; st < WF_STATE_COUNT; st++)
		for (int r = ROLE_NONE; r < ROLE_COUNT; r++) {
			enum wf_action all[WF_ACTION_COUNT], off[WF_ACTION_COUNT];
			size_t na = wf_allowed_actions((enum wf_state)st, (enum role)r, all, WF_ACTION_COUNT);
			size_t no = wf_offered_actions((enum wf_state)st, (enum role)r, off, WF_ACTION_COUNT);
			size_t expect = 0;
			for (size_t i = 0; i < na; i++) {
				enum action route = wf_action_route(all[i]);
				if (route != ACT_COUNT && authz_allowed((enum role)r, route))
					ck_assert_int_eq(off[expect++], all[i]);
			}
			if (st == WF_COMPLETED && r == ROLE_KEPALA_DINAS)
				ck_assert_int_eq(off[expect++], WF_ISSUE_ST);
			ck_assert_uint_eq(no, expect);
			for (size_t i = 0; i < no; i++)
				ck_assert(off[i] != WF_SIGN_BA_COMPLETE && off[i] != WF_UNDO_DISPOSE && off[i] != WF_UNDO_DERIVE);
		}
	enum wf_action off[WF_ACTION_COUNT];
	ck_assert_uint_eq(wf_offered_actions(WF_AWAITING_DISPOSITION, ROLE_KEPALA_DINAS, off, WF_ACTION_COUNT), 2);
	ck_assert_int_eq(off[0], WF_DISPOSE);
	ck_assert_int_eq(off[1], WF_REJECT);
	ck_assert_uint_eq(wf_offered_actions(WF_AGREED, ROLE_AUDITOR, off, WF_ACTION_COUNT), 0);
	ck_assert_int_eq(wf_action_route(WF_RECORD_FINAL), ACT_DISCUSSION_WRITE);
	ck_assert_int_eq(wf_action_route(WF_ACTION_COUNT), ACT_COUNT);
	ck_assert(wf_accepts_surat_tugas(WF_AGREED) && wf_accepts_surat_tugas(WF_COMPLETED));
	ck_assert(!wf_accepts_surat_tugas(WF_IN_DISCUSSION_FINAL));
}
END_TEST

/* Whose turn: each waiting party is some roles' to act for, and only the
 * roles the state machine lets act there. */
START_TEST(test_party_roles)
{
	ck_assert(wf_party_includes(WF_PARTY_PD, ROLE_PD) && wf_party_includes(WF_PARTY_PD, ROLE_INTEGRATION));
	ck_assert(wf_party_includes(WF_PARTY_KASI_TEAM, ROLE_KASI_AI) && wf_party_includes(WF_PARTY_KASI_TEAM, ROLE_TIM_SPBE));
	ck_assert(!wf_party_includes(WF_PARTY_NONE, ROLE_ADMIN) && !wf_party_includes(WF_PARTY_KABID, ROLE_KASI_AI));
	ck_assert(!wf_party_includes(WF_PARTY_COUNT, ROLE_PD) && !wf_party_includes(WF_PARTY_PD, ROLE_COUNT));
	/* a state someone is waited on in is open (its step runs: the list walks open steps for it) */
	for (int st = 0; st < WF_STATE_COUNT; st++)
		if (wf_waiting_party((enum wf_state)st) != WF_PARTY_NONE)
			ck_assert(wf_is_open((enum wf_state)st));
	/* a state waiting on a party offers a move to each of its roles (who is waited on can act) */
	for (int st = 0; st < WF_STATE_COUNT; st++)
		for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
			if (wf_party_includes(wf_waiting_party((enum wf_state)st), (enum role)r)) {
				enum wf_action all[WF_ACTION_COUNT];
				ck_assert_msg(wf_allowed_actions((enum wf_state)st, (enum role)r, all, WF_ACTION_COUNT) > 0,
					      "%s waits on %s, who can do nothing", wf_state_key((enum wf_state)st),
					      role_name((enum role)r));
			}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workflow");
	TCase *keys = tcase_create("keys");
	tcase_add_test(keys, test_state_keys);
	tcase_add_test(keys, test_action_keys);
	tcase_add_test(keys, test_state_facts);
	suite_add_tcase(s, keys);

	TCase *table = tcase_create("table");
	tcase_add_loop_test(table, test_every_combination, 0, (int)NSTATES);
	tcase_add_test(table, test_allowed_count);
	tcase_add_test(table, test_table_shape);
	tcase_add_test(table, test_steps_agree_with_states);
	tcase_add_test(table, test_every_step_completed_and_started);
	tcase_add_test(table, test_terminal_states_are_dead_ends);
	tcase_add_test(table, test_refusals);
	tcase_add_test(table, test_allowed_actions);
	tcase_add_test(table, test_offered_actions);
	tcase_add_test(table, test_party_roles);
	suite_add_tcase(s, table);

	TCase *walks = tcase_create("walks");
	tcase_add_test(walks, test_walk_berita_acara);
	tcase_add_test(walks, test_walk_incomplete_twice);
	tcase_add_test(walks, test_walk_surat_tugas);
	suite_add_tcase(s, walks);
	TCase *rules = tcase_create("rules");
	tcase_add_test(rules, test_submit_needs_documents);
	tcase_add_test(rules, test_completion_answers_every_item);
	tcase_add_test(rules, test_agreed_waiting);
	tcase_add_test(rules, test_desks);
	tcase_add_test(rules, test_kabid_rejects_only_after_the_disposition);
	suite_add_tcase(s, rules);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
