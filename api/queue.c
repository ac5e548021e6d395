/* queue.c — GET /api/v1/me/queue: what waits on the caller now, grouped by
 * kind, with counts for badges, in one query.
 *
 * Whose turn a request is comes from core/workflow.c alone: the states
 * passed to SQL are those whose wf_waiting_party the caller acts for
 * (wf_party_includes), so a new rule there moves the queues with it. Each
 * state's group is named for what the caller does there (to_register,
 * to_dispose, ...); the three discussion phases share one group. Beside the
 * requests: dispositions addressed to the caller (unread first), Berita
 * Acara awaiting the caller's signature, and Surat Tugas naming the caller.
 * An agency-bound caller (a pd user) sees only its agency's requests. */
#include <stdlib.h>
#include <string.h>

#include "api/input.h"
#include "api/offer.h"
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

/* Adds the aggregate from (count, items) to group g. */
static void merge(json_t *g, json_t *from)
{
	json_int_t n = json_integer_value(json_object_get(g, "count")) +
		       json_integer_value(json_object_get(from, "count"));
	json_object_set_new(g, "count", json_integer(n));
	json_t *items = json_object_get(g, "items"), *more = json_object_get(from, "items");
	size_t i;
	json_t *it;
	json_array_foreach(more, i, it)
		if (json_array_size(items) < QUEUE_ITEMS)
			json_array_append(items, it);
}

static bool get_queue(struct api_ctx *c, struct err *e)
{
	struct db_queue_query q = {
		.user_id = c->who.subject,
		.states = api_states_waiting_on_role(c->arena, c->who.role),
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
	for (int s = 0; s < WF_STATE_COUNT; s++) {
		if (!state_groups[s] || !wf_party_includes(wf_waiting_party((enum wf_state)s), c->who.role))
			continue;
		json_t *g = group(groups, state_groups[s]), *agg = json_object_get(reqs, wf_state_key((enum wf_state)s));
		if (agg)
			merge(g, agg);
	}
	merge(group(groups, "signatures"), json_object_get(raw, "signatures"));
	merge(group(groups, "surat_tugas"), json_object_get(raw, "surat_tugas"));
	json_int_t total = 0;
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g)
		total += json_integer_value(json_object_get(g, "count"));
	json_decref(raw);
	api_reply_json(c, 200, json_pack("{s:I, s:o}", "total", total, "groups", groups));
	return true;
}

const struct route api_queue_routes[] = {
	{"GET", "/api/v1/me/queue", get_queue, ACT_QUEUE_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{0},
};
