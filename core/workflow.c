/* workflow.c — the transition table and the lookups over it.
 *
 * The table below is the SPEC's state diagram transcribed row by row; the
 * withdraw and reject rows are spelled out per state rather than generated,
 * so the whole machine can be read (and reviewed against the SOP) in one
 * place. Every function here is a lookup over constant arrays indexed by the
 * enums; anything out of range answers NULL, 0 or false instead of reading
 * past an array.
 */
#include "core/workflow.h"

#include <stdio.h>
#include <string.h>

#define R(x) (1u << (x))
#define PD_SIDE (R(ROLE_PD) | R(ROLE_INTEGRATION))
#define DISCUSSION_LEADS (R(ROLE_KASI_AI) | R(ROLE_TIM_SPBE))
#define REJECTERS (R(ROLE_KEPALA_DINAS) | R(ROLE_KABID_IAI))
/* Before step 2 is done only the Kepala Dinas has the request: the Kabid
 * acts on the Kepala Dinas's disposition (SOP step 3), so he may reject only
 * once it exists. */
#define REJECTERS_STEP2 R(ROLE_KEPALA_DINAS)

static const struct {
	const char *key;
	const char *status;
	const char *phase;
	int step;
	enum wf_party waits_on;
	bool terminal;
} states[WF_STATE_COUNT] = {
	[WF_DRAFT] = {"draft", "draft", NULL, 1, WF_PARTY_PD, false},
	[WF_SUBMITTED] = {"submitted", "submitted", NULL, 2, WF_PARTY_SEKRETARIAT, false},
	[WF_AWAITING_DISPOSITION] = {"awaiting_disposition", "awaiting_disposition", NULL, 2,
				     WF_PARTY_KEPALA_DINAS, false},
	[WF_DISPOSED] = {"disposed", "disposed", NULL, 3, WF_PARTY_KABID, false},
	[WF_IN_DISCUSSION_AWAL] = {"in_discussion_awal", "in_discussion", "awal", 4, WF_PARTY_KASI_TEAM, false},
	[WF_IN_DISCUSSION_LANJUTAN] = {"in_discussion_lanjutan", "in_discussion", "lanjutan", 5,
				       WF_PARTY_KASI_TEAM, false},
	[WF_IN_DISCUSSION_FINAL] = {"in_discussion_final", "in_discussion", "final", 6, WF_PARTY_KASI_TEAM,
				    false},
	[WF_AWAITING_PD_COMPLETION] = {"awaiting_pd_completion", "awaiting_pd_completion", NULL, 4, WF_PARTY_PD,
				       false},
	[WF_AGREED] = {"agreed", "agreed", NULL, 7, WF_PARTY_KEPALA_DINAS, false},
	[WF_COMPLETED] = {"completed", "completed", NULL, 0, WF_PARTY_NONE, true},
	[WF_WITHDRAWN] = {"withdrawn", "withdrawn", NULL, 0, WF_PARTY_NONE, true},
	[WF_REJECTED] = {"rejected", "rejected", NULL, 0, WF_PARTY_NONE, true},
};

static const char *const action_keys[WF_ACTION_COUNT] = {
	[WF_SUBMIT] = "submit",
	[WF_REGISTER] = "register",
	[WF_DISPOSE] = "dispose",
	[WF_DERIVE] = "derive",
	[WF_RECORD_AWAL] = "record_awal",
	[WF_RECORD_AWAL_INCOMPLETE] = "record_awal_incomplete",
	[WF_PD_COMPLETE] = "pd_complete",
	[WF_RECORD_LANJUTAN] = "record_lanjutan",
	[WF_RECORD_FINAL] = "record_final",
	[WF_SIGN_BA_COMPLETE] = "sign_ba_complete",
	[WF_ISSUE_ST] = "issue_st",
	[WF_WITHDRAW] = "withdraw",
	[WF_REJECT] = "reject",
	[WF_UNDO_DISPOSE] = "undo_dispose",
	[WF_UNDO_DERIVE] = "undo_derive",
};

static const char *const party_keys[WF_PARTY_COUNT] = {
	[WF_PARTY_NONE] = NULL,
	[WF_PARTY_PD] = "pd",
	[WF_PARTY_SEKRETARIAT] = "sekretariat",
	[WF_PARTY_KEPALA_DINAS] = "kepala_dinas",
	[WF_PARTY_KABID] = "kabid_iai",
	[WF_PARTY_KASI_TEAM] = "kasi_ai_tim_spbe",
};

/* The machine. Columns: from, action, to, roles, completes step, starts
 * step, closes the open step (cancelled). */
static const struct wf_transition table[] = {
	/* Step 1 completes at submission; step 2 (obtain the disposition) starts. */
	{WF_DRAFT, WF_SUBMIT, WF_SUBMITTED, PD_SIDE, 1, 2, false, 0},
	/* The secretariat registers the letter: still step 2. */
	{WF_SUBMITTED, WF_REGISTER, WF_AWAITING_DISPOSITION, R(ROLE_SEKRETARIAT), 0, 0, false, 0},
	{WF_AWAITING_DISPOSITION, WF_DISPOSE, WF_DISPOSED, R(ROLE_KEPALA_DINAS), 2, 3, false, 0},
	{WF_DISPOSED, WF_DERIVE, WF_IN_DISCUSSION_AWAL, R(ROLE_KABID_IAI), 3, 4, false, 0},
	{WF_IN_DISCUSSION_AWAL, WF_RECORD_AWAL, WF_IN_DISCUSSION_LANJUTAN, DISCUSSION_LEADS, 4, 5, false, 0},
	/* An incomplete checklist sends the request to the PD; step 4 keeps running, its clock pauses. */
	{WF_IN_DISCUSSION_AWAL, WF_RECORD_AWAL_INCOMPLETE, WF_AWAITING_PD_COMPLETION, DISCUSSION_LEADS, 0, 0,
	 false, 0},
	{WF_AWAITING_PD_COMPLETION, WF_PD_COMPLETE, WF_IN_DISCUSSION_AWAL, PD_SIDE, 0, 0, false, 0},
	{WF_IN_DISCUSSION_LANJUTAN, WF_RECORD_LANJUTAN, WF_IN_DISCUSSION_FINAL, DISCUSSION_LEADS, 5, 6, false, 0},
	{WF_IN_DISCUSSION_FINAL, WF_RECORD_FINAL, WF_AGREED, DISCUSSION_LEADS, 6, 7, false, 0},
	/* Step 7 ends with the berita acara fully signed (the last signature may be
	 * either party's) or with the surat tugas. */
	{WF_AGREED, WF_SIGN_BA_COMPLETE, WF_COMPLETED, R(ROLE_KEPALA_DINAS) | R(ROLE_PD), 7, 0, false, 0},
	{WF_AGREED, WF_ISSUE_ST, WF_COMPLETED, R(ROLE_KEPALA_DINAS), 7, 0, false, 0},
	/* An unread disposition withdrawn by its author takes the request back:
	 * the step it completed runs again. */
	{WF_DISPOSED, WF_UNDO_DISPOSE, WF_AWAITING_DISPOSITION, R(ROLE_KEPALA_DINAS), 0, 0, false, 2},
	{WF_IN_DISCUSSION_AWAL, WF_UNDO_DERIVE, WF_DISPOSED, R(ROLE_KABID_IAI), 0, 0, false, 3},

	/* The PD may withdraw from every open state. */
	{WF_DRAFT, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_SUBMITTED, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_AWAITING_DISPOSITION, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_DISPOSED, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_IN_DISCUSSION_AWAL, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_IN_DISCUSSION_LANJUTAN, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_IN_DISCUSSION_FINAL, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_AWAITING_PD_COMPLETION, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},
	{WF_AGREED, WF_WITHDRAW, WF_WITHDRAWN, PD_SIDE, 0, 0, true, 0},

	/* The Kepala Dinas may reject every open state but a draft (which was
	 * never submitted to him); the Kabid only once the Kepala Dinas has
	 * disposed the request to him (step 2 done). */
	{WF_SUBMITTED, WF_REJECT, WF_REJECTED, REJECTERS_STEP2, 0, 0, true, 0},
	{WF_AWAITING_DISPOSITION, WF_REJECT, WF_REJECTED, REJECTERS_STEP2, 0, 0, true, 0},
	{WF_DISPOSED, WF_REJECT, WF_REJECTED, REJECTERS, 0, 0, true, 0},
	{WF_IN_DISCUSSION_AWAL, WF_REJECT, WF_REJECTED, REJECTERS, 0, 0, true, 0},
	{WF_IN_DISCUSSION_LANJUTAN, WF_REJECT, WF_REJECTED, REJECTERS, 0, 0, true, 0},
	{WF_IN_DISCUSSION_FINAL, WF_REJECT, WF_REJECTED, REJECTERS, 0, 0, true, 0},
	{WF_AWAITING_PD_COMPLETION, WF_REJECT, WF_REJECTED, REJECTERS, 0, 0, true, 0},
	{WF_AGREED, WF_REJECT, WF_REJECTED, REJECTERS, 0, 0, true, 0},
};

#define NROWS (sizeof table / sizeof table[0])

static bool state_ok(enum wf_state s)
{
	return (unsigned)s < WF_STATE_COUNT;
}

static bool action_ok(enum wf_action a)
{
	return (unsigned)a < WF_ACTION_COUNT;
}

static bool role_in(unsigned roles, enum role who)
{
	return who > ROLE_NONE && who < ROLE_COUNT && (roles & R(who)) != 0;
}

const char *wf_state_key(enum wf_state s)
{
	return state_ok(s) ? states[s].key : NULL;
}

enum wf_state wf_state_parse(const char *key)
{
	if (!key)
		return WF_STATE_COUNT;
	for (int s = 0; s < WF_STATE_COUNT; s++)
		if (strcmp(states[s].key, key) == 0)
			return (enum wf_state)s;
	return WF_STATE_COUNT;
}

const char *wf_state_status(enum wf_state s)
{
	return state_ok(s) ? states[s].status : NULL;
}

const char *wf_state_phase(enum wf_state s)
{
	return state_ok(s) ? states[s].phase : NULL;
}

const char *wf_action_key(enum wf_action a)
{
	return action_ok(a) ? action_keys[a] : NULL;
}

enum wf_action wf_action_parse(const char *key)
{
	if (!key)
		return WF_ACTION_COUNT;
	for (int a = 0; a < WF_ACTION_COUNT; a++)
		if (strcmp(action_keys[a], key) == 0)
			return (enum wf_action)a;
	return WF_ACTION_COUNT;
}

const char *wf_party_key(enum wf_party p)
{
	return (unsigned)p < WF_PARTY_COUNT ? party_keys[p] : NULL;
}

bool wf_is_open(enum wf_state s)
{
	return state_ok(s) && !states[s].terminal;
}

bool wf_is_terminal(enum wf_state s)
{
	return state_ok(s) && states[s].terminal;
}

bool wf_state_waits_on_pd(enum wf_state s)
{
	return s == WF_AWAITING_PD_COMPLETION;
}

int wf_step_of_state(enum wf_state s)
{
	return state_ok(s) ? states[s].step : 0;
}

enum wf_party wf_waiting_party(enum wf_state s)
{
	return state_ok(s) ? states[s].waits_on : WF_PARTY_NONE;
}

const struct wf_transition *wf_table(size_t *n)
{
	*n = NROWS;
	return table;
}

const struct wf_transition *wf_transition_find(enum wf_state from, enum wf_action a)
{
	for (size_t i = 0; i < NROWS; i++)
		if (table[i].from == from && table[i].action == a)
			return &table[i];
	return NULL;
}

/* "awaiting_disposition", or "in_discussion (awal)" for a discussion phase. */
static void describe(enum wf_state s, char *buf, size_t len)
{
	const char *phase = wf_state_phase(s);
	if (phase)
		snprintf(buf, len, "%s (%s)", wf_state_status(s), phase);
	else
		snprintf(buf, len, "%s", wf_state_status(s));
}

bool wf_apply(enum wf_state from, enum wf_action a, enum role who, const struct wf_transition **out,
	      struct err *e)
{
	char state[48];
	if (out)
		*out = NULL;
	if (!state_ok(from) || !action_ok(a))
		return err_set(e, ERR_INVALID, "request.invalid_action", "Unknown workflow action or state.");
	describe(from, state, sizeof state);
	if (states[from].terminal)
		return err_set(e, ERR_CONFLICT, "request.closed", "The request is %s; it accepts no further actions.",
			       state);
	const struct wf_transition *t = wf_transition_find(from, a);
	if (!t)
		return err_set(e, ERR_CONFLICT, "request.invalid_transition", "Cannot %s a request that is %s.",
			       action_keys[a], state);
	if (!role_in(t->roles, who)) {
		const char *rn = role_name(who);
		return err_set(e, ERR_FORBIDDEN, "request.role_not_allowed",
			       "The role %s may not %s a request that is %s.", rn ? rn : "(none)", action_keys[a],
			       state);
	}
	if (out)
		*out = t;
	return true;
}

size_t wf_allowed_actions(enum wf_state from, enum role who, enum wf_action out[], size_t max)
{
	size_t n = 0;
	for (int a = 0; a < WF_ACTION_COUNT && n < max; a++) {
		const struct wf_transition *t = wf_transition_find(from, (enum wf_action)a);
		if (t && role_in(t->roles, who))
			out[n++] = (enum wf_action)a;
	}
	return n;
}

/* ---- what a submission and a completion must carry ------------------------ */

static const char *const submit_documents[] = {"surat_permohonan", "proses_bisnis"};
#define NSUBMIT_DOCS (sizeof submit_documents / sizeof submit_documents[0])

size_t wf_submit_missing(const char *const *have, size_t nhave, const char *out[], size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < NSUBMIT_DOCS; i++) {
		bool found = false;
		for (size_t k = 0; k < nhave && !found; k++)
			found = have[k] && strcmp(have[k], submit_documents[i]) == 0;
		if (!found && n < max)
			out[n++] = submit_documents[i];
	}
	return n;
}

static const char *const checklist_keys[WF_CHECKLIST_ITEMS] = {
	"alur_sistem", "data_input_output", "mekanisme_validasi", "role_pengguna", "mekanisme_pelaporan",
	"proses_bisnis_terkait",
};

const char *wf_checklist_key(int i)
{
	return i >= 0 && i < WF_CHECKLIST_ITEMS ? checklist_keys[i] : NULL;
}

int wf_checklist_index(const char *key)
{
	for (int i = 0; key && i < WF_CHECKLIST_ITEMS; i++)
		if (strcmp(checklist_keys[i], key) == 0)
			return i;
	return -1;
}

unsigned wf_completion_unanswered(unsigned incomplete, unsigned answered)
{
	return incomplete & ~answered & ((1u << WF_CHECKLIST_ITEMS) - 1);
}

/* ---- whose desk a request in `agreed` is on ------------------------------- */

size_t wf_agreed_waiting(const struct wf_ba_progress *ba, enum wf_party out[2])
{
	if (!ba->sent) {
		out[0] = WF_PARTY_KASI_TEAM; /* the Kasi drafts and sends the Berita Acara */
		return 1;
	}
	size_t n = 0;
	if (!ba->kepala_dinas_signed)
		out[n++] = WF_PARTY_KEPALA_DINAS;
	if (!ba->pd_signed)
		out[n++] = WF_PARTY_PD;
	return n;
}

/* ---- desks ------------------------------------------------------------------ */

bool wf_desk_at(size_t i, struct wf_desk *out)
{
	*out = (struct wf_desk){0};
	if (i < WF_AGREED) {
		out->state = (enum wf_state)i;
		return true;
	}
	if (i + 1 < WF_STATE_COUNT) { /* the states after agreed */
		out->state = (enum wf_state)(i + 1);
		return true;
	}
	size_t bits = i + 1 - WF_STATE_COUNT;
	if (bits >= 8)
		return false;
	out->state = WF_AGREED;
	out->ba = (struct wf_ba_progress){.sent = bits & 4, .kepala_dinas_signed = bits & 2, .pd_signed = bits & 1};
	return true;
}

void wf_desk_key(const struct wf_desk *d, char buf[WF_DESK_KEY_MAX])
{
	const char *state = wf_state_key(d->state);
	if (d->state == WF_AGREED)
		snprintf(buf, WF_DESK_KEY_MAX, "%s:%d%d%d", state, d->ba.sent, d->ba.kepala_dinas_signed,
			 d->ba.pd_signed);
	else
		snprintf(buf, WF_DESK_KEY_MAX, "%s", state ? state : "");
}

bool wf_desk_parse(const char *key, struct wf_desk *out)
{
	char k[WF_DESK_KEY_MAX];
	for (size_t i = 0; key && wf_desk_at(i, out); i++) {
		wf_desk_key(out, k);
		if (strcmp(k, key) == 0)
			return true;
	}
	*out = (struct wf_desk){.state = WF_STATE_COUNT};
	return false;
}

size_t wf_desk_parties(const struct wf_desk *d, enum wf_party out[2])
{
	if (d->state == WF_AGREED)
		return wf_agreed_waiting(&d->ba, out);
	out[0] = wf_waiting_party(d->state);
	return out[0] != WF_PARTY_NONE;
}
