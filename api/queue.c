/* queue.c — GET /api/v1/me/queue: what waits on the caller now, grouped by
 * kind, with counts for badges, in one query.
 *
 * Whose turn a request is comes from core/workflow.c alone: the desks
 * passed to SQL are those where a party the caller acts for
 * (wf_party_includes) is among wf_desk_parties, so a new rule there moves
 * the queues with it (in agreed the Berita Acara's progress decides: the
 * Kasi until it is sent, then each signatory not yet signed). Each desk's
 * group is named for what the caller does in its state (to_register,
 * to_dispose, ...); the three discussion phases share one group. Beside the
 * requests: dispositions addressed to the caller (unread first), Berita
 * Acara awaiting the caller's signature, and Surat Tugas naming the caller.
 * An agency-bound caller (a pd user) sees only its agency's requests.
 * A Plh/Plt also sees, for each delegation in force, the principal's items
 * of the acts lent (each such item names its delegation_id and acting_for),
 * so the acting official finds what waits on the position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/clock.h"
#include "api/input.h"
#include "api/offer.h"
#include "core/actions.h"
#include "core/delegation.h"
#include "core/tz.h"
#include "db/delegations.h"
#include "db/queue.h"

#define QUEUE_ITEMS 50

/* The group of the requests waiting in a state, named for the act due. */
static const char *const state_groups[WF_STATE_COUNT] = {
	[WF_DRAFT] = "to_submit",
	[WF_SUBMITTED] = "to_register",
	[WF_AWAITING_DISPOSITION] = "to_dispose",
	[WF_DISPOSED] = "to_derive",
	[WF_IN_DISCUSSION_AWAL] = "to_discuss",
	[WF_IN_DISCUSSION_LANJUTAN] = "to_discuss",
	[WF_IN_DISCUSSION_FINAL] = "to_discuss",
	[WF_AWAITING_PD_COMPLETION] = "to_complete",
	[WF_AGREED] = "to_conclude",
};

static const char *open_states(struct arena *a)
{
	char *out = arena_strdup(a, "{");
	for (int s = 0; s < WF_STATE_COUNT; s++)
		if (wf_is_open((enum wf_state)s))
			out = arena_printf(a, "%s%s%s", out, out[1] ? "," : "", wf_state_key((enum wf_state)s));
	return arena_printf(a, "%s}", out);
}

/* True when a party role acts for is among those waited on at desk d. */
static bool desk_waits_on(const struct wf_desk *d, enum role role)
{
	enum wf_party who[2];
	size_t n = wf_desk_parties(d, who);
	for (size_t i = 0; i < n; i++)
		if (wf_party_includes(who[i], role))
			return true;
	return false;
}

/* The group named kind in groups, created (count 0, no items) when absent. */
static json_t *group(json_t *groups, const char *kind)
{
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g)
		if (strcmp(json_string_value(json_object_get(g, "kind")), kind) == 0)
			return g;
	g = json_pack("{s:s, s:i, s:[]}", "kind", kind, "count", 0, "items");
	json_array_append_new(groups, g);
	return g;
}

/* The deadline of a queue item as text ("9999" for none: last); UTC
 * instants of one format sort as text. */
static const char *item_due(json_t *it)
{
	const char *due = json_string_value(json_object_get(json_object_get(it, "request"), "due_at"));
	return due ? due : "9999";
}

/* Adds the aggregate from (count, items) to group g: the counts add up and
 * the items are merged, the first QUEUE_ITEMS kept. A group of requests
 * (to_register, ..., each list earliest deadline first) stays in that
 * order; the others (dispositions, signatures, surat_tugas, in orders of
 * their own) get the new items after theirs. */
static void merge(json_t *g, json_t *from)
{
	json_int_t n = json_integer_value(json_object_get(g, "count")) +
		       json_integer_value(json_object_get(from, "count"));
	json_object_set_new(g, "count", json_integer(n));
	const char *kind = json_string_value(json_object_get(g, "kind"));
	bool by_due = false;
	for (int st = 0; st < WF_STATE_COUNT && !by_due; st++)
		by_due = state_groups[st] && strcmp(state_groups[st], kind) == 0;
	json_t *have = json_object_get(g, "items"), *more = json_object_get(from, "items");
	json_t *out = json_array();
	size_t i = 0, k = 0, nh = json_array_size(have), nm = json_array_size(more);
	while (json_array_size(out) < QUEUE_ITEMS && (i < nh || k < nm)) {
		bool take_more = i == nh || (by_due && k < nm && strcmp(item_due(json_array_get(more, k)),
									 item_due(json_array_get(have, i))) < 0);
		json_array_append(out, take_more ? json_array_get(more, k++) : json_array_get(have, i++));
	}
	json_object_set_new(g, "items", out);
}

/* The act a queue group waits for, for the delegations that lend it. */
static unsigned act_of_group(const char *kind)
{
	static const struct {
		const char *kind;
		unsigned acts;
	} map[] = {{"to_register", DACT_REGISTER}, {"to_dispose", DACT_DISPOSE},
		   {"to_derive", DACT_DERIVE},     {"dispositions", DACT_DERIVE},
		   {"signatures", DACT_SIGN_BA},   {"to_conclude", DACT_SIGN_BA | DACT_ISSUE_ST}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].kind, kind) == 0)
			return map[i].acts;
	return 0;
}

/* Adds group agg (kind) of a principal's queue to groups, each item tagged
 * and offering only the actions the delegation lends. */
static void merge_acting(json_t *groups, const char *kind, json_t *agg, enum position pos, unsigned acts,
			 json_t *tag)
{
	if (!agg || !(act_of_group(kind) & acts))
		return;
	size_t i, k;
	json_t *it, *a;
	json_array_foreach(json_object_get(agg, "items"), i, it) {
		json_object_update(it, tag);
		json_t *lent = json_array();
		json_array_foreach(json_object_get(it, "allowed_actions"), k, a)
			if (deleg_act_of_action(wf_action_route(wf_action_parse(json_string_value(a))), pos) & acts)
				json_array_append(lent, a);
		json_object_set_new(it, "allowed_actions", lent);
	}
	merge(group(groups, kind), agg);
}

/* The principals' queues of the delegations in force whose delegate is the
 * caller, merged into groups. */
static bool acting_groups(struct api_ctx *c, json_t *groups, struct err *e)
{
	struct db_rows d;
	if (!db_delegations_in_force(e, c->arena, c->who.subject, api_services.timezone, &d))
		return false;
	for (int k = 0; k < d.n; k++) {
		enum position pos = pos_parse(db_rows_get(&d, k, 1));
		enum role role = pos_role(pos);
		unsigned acts = 0;
		char buf[128];
		snprintf(buf, sizeof buf, "%s", db_rows_get(&d, k, 4));
		for (char *save = NULL, *t = strtok_r(buf, "{},", &save); t; t = strtok_r(NULL, "{},", &save))
			acts |= dact_parse(t);
		struct db_queue_query q = {
			.user_id = db_rows_get(&d, k, 3),
			.desks = api_desks_waiting_on_role(c->arena, role),
			.agency_id = pos == POS_KEPALA_PD ? db_rows_get(&d, k, 2) : NULL,
			.open_states = open_states(c->arena),
			.actions_map = api_actions_map(c->arena, role),
			.submit_types = api_submit_types(c->arena),
			.limit = QUEUE_ITEMS,
		};
		const char *text;
		if (!db_queue_read(e, c->arena, &q, &text))
			return false;
		json_t *raw = json_loads(text, 0, NULL);
		const char *principal = db_rows_get(&d, k, 6);
		json_t *user = principal ? json_loads(principal, 0, NULL) : NULL;
		json_t *tag = json_pack("{s:s, s:{s:s, s:s?, s:o, s:s?, s:s}}", "delegation_id", db_rows_get(&d, k, 0),
					"acting_for", "position", db_rows_get(&d, k, 1), "user_id", db_rows_get(&d, k, 3),
					"user", user ? user : json_null(), "agency_id", db_rows_get(&d, k, 2), "kind",
					db_rows_get(&d, k, 5));
		merge_acting(groups, "dispositions", json_object_get(raw, "dispositions"), pos, acts, tag);
		json_t *reqs = json_object_get(raw, "requests");
		struct wf_desk desk;
		char key[WF_DESK_KEY_MAX];
		for (size_t i = 0; wf_desk_at(i, &desk); i++)
			if (state_groups[desk.state] && desk_waits_on(&desk, role)) {
				wf_desk_key(&desk, key);
				merge_acting(groups, state_groups[desk.state], json_object_get(reqs, key), pos, acts, tag);
			}
		merge_acting(groups, "signatures", json_object_get(raw, "signatures"), pos, acts, tag);
		json_decref(tag);
		json_decref(raw);
	}
	return true;
}

/* An instant as the cards write it ("YYYY-MM-DDTHH:MM:SSZ") in epoch
 * seconds; 0 for NULL or another shape. */
static int64_t card_instant(const char *s)
{
	int y, mo, d, hh, mm, ss;
	char z;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &hh, &mm, &ss, &z) != 7 || z != 'Z')
		return 0;
	return tz_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* Gives each card its time left to the deadline on its step's clock
 * (core/sla.c's sla_remaining: office seconds on the working clocks;
 * negative once late), measured to now or, for a paused clock, to the
 * pause's start; null without a deadline or a clock. now: the database's. */
static bool add_time_left(struct api_ctx *c, json_t *groups, int64_t now, struct err *e)
{
	struct calendar cal;
	if (!api_calendar(c, &cal, e))
		return false;
	size_t i, k;
	json_t *g, *it;
	json_array_foreach(groups, i, g) {
		json_array_foreach(json_object_get(g, "items"), k, it) {
			json_t *card = json_object_get(it, "request");
			struct sla_step_policy p = {0};
			int64_t due = card_instant(json_string_value(json_object_get(card, "due_at")));
			int64_t paused = card_instant(json_string_value(json_object_get(card, "paused_since")));
			const char *clock = json_string_value(json_object_get(card, "clock"));
			bool known = due && clock && cal_clock_from_name(clock, &p.clock);
			json_object_set_new(card, "remaining_working_seconds",
					    known ? json_integer(sla_remaining(&cal, &p, paused ? paused : now, due))
						  : json_null());
		}
	}
	return true;
}

static bool get_queue(struct api_ctx *c, struct err *e)
{
	struct db_queue_query q = {
		.user_id = c->who.subject,
		.desks = api_desks_waiting_on_role(c->arena, c->who.role),
		.agency_id = authz_agency_bound(&c->who) ? c->who.agency_id : NULL,
		.open_states = open_states(c->arena),
		.actions_map = api_actions_map(c->arena, c->who.role),
		.submit_types = api_submit_types(c->arena),
		.limit = QUEUE_ITEMS,
	};
	const char *text;
	if (!db_queue_read(e, c->arena, &q, &text))
		return false;
	json_t *raw = json_loads(text, 0, NULL);
	if (!raw)
		return err_set(e, ERR_INTERNAL, "internal", "An internal error occurred.");
	json_t *groups = json_array();
	merge(group(groups, "dispositions"), json_object_get(raw, "dispositions"));
	json_object_set(group(groups, "dispositions"), "unread",
			json_object_get(json_object_get(raw, "dispositions"), "unread"));
	json_t *reqs = json_object_get(raw, "requests");
	struct wf_desk desk;
	char key[WF_DESK_KEY_MAX];
	for (size_t i = 0; wf_desk_at(i, &desk); i++) {
		if (!state_groups[desk.state] || !desk_waits_on(&desk, c->who.role))
			continue;
		wf_desk_key(&desk, key);
		json_t *g = group(groups, state_groups[desk.state]), *agg = json_object_get(reqs, key);
		if (agg)
			merge(g, agg);
	}
	merge(group(groups, "signatures"), json_object_get(raw, "signatures"));
	merge(group(groups, "surat_tugas"), json_object_get(raw, "surat_tugas"));
	int64_t now = json_integer_value(json_object_get(raw, "now"));
	json_decref(raw);
	if ((!c->acting.delegation_id && !acting_groups(c, groups, e)) || !add_time_left(c, groups, now, e)) {
		json_decref(groups);
		return false;
	}
	json_int_t total = 0;
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g)
		total += json_integer_value(json_object_get(g, "count"));
	api_reply_json(c, 200, json_pack("{s:I, s:o}", "total", total, "groups", groups));
	return true;
}

const struct route api_queue_routes[] = {
	{"GET", "/api/v1/me/queue", get_queue, ACT_QUEUE_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{0},
};
