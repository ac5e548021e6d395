/* offer.c — see offer.h. Everything here is a loop over the states of
 * core/workflow.c; the answers are small (a dozen states). */
#include "api/offer.h"

#include "api/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *offered(enum wf_state s, enum role who)
{
	enum wf_action acts[WF_ACTION_COUNT];
	size_t n = wf_offered_actions(s, who, acts, WF_ACTION_COUNT);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_string(wf_action_key(acts[i])));
	return list;
}

/* Dumps o (consumed) into the arena. */
static const char *to_arena(struct arena *a, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	const char *copy = arena_strdup(a, text);
	free(text);
	return copy;
}

/* The party a request at desk d is said to wait on (the first of them). */
static enum wf_party first_party(const struct wf_desk *d)
{
	enum wf_party who[2];
	return wf_desk_parties(d, who) ? who[0] : WF_PARTY_NONE;
}

enum wf_party api_desk_party(const char *desk)
{
	struct wf_desk d;
	return wf_desk_parse(desk, &d) ? first_party(&d) : WF_PARTY_NONE;
}

const char *api_waiting_map(struct arena *a)
{
	json_t *m = json_object();
	struct wf_desk d;
	char key[WF_DESK_KEY_MAX];
	for (size_t i = 0; wf_desk_at(i, &d); i++) {
		const char *party = wf_party_key(first_party(&d));
		wf_desk_key(&d, key);
		if (party)
			json_object_set_new(m, key, json_string(party));
	}
	return to_arena(a, m);
}

const char *api_submit_types(struct arena *a)
{
	const char *types[8];
	size_t n = wf_submit_missing(NULL, 0, types, 8);
	char *out = arena_strdup(a, "{");
	for (size_t i = 0; i < n; i++)
		out = arena_printf(a, "%s%s%s", out, i ? "," : "", types[i]); /* [a-z_] only */
	return arena_printf(a, "%s}", out);
}

/* The state's offer refined by what it does not say (DB_OFFER_REFINED):
 * asked of the database only when it holds submit or derive (ask). The
 * offer as JSON text (acts when not asked), or NULL (e set) when the
 * look-up fails. */
static const char *refine(struct api_ctx *c, const struct db_request *r, const char *acts, bool ask, struct err *e)
{
	if (!ask)
		return acts;
	const char *out = NULL;
	if (!db_request_offer_refine(e, c->arena, r->id, acts, api_submit_types(c->arena), c->who.subject, &out))
		return NULL;
	if (!out) {
		err_set(e, ERR_INTERNAL, "internal", "An internal error occurred.");
		return NULL;
	}
	return out;
}

const char *api_actions_map(struct arena *a, enum role who)
{
	json_t *m = json_object();
	for (int s = 0; s < WF_STATE_COUNT; s++)
		json_object_set_new(m, wf_state_key((enum wf_state)s), offered((enum wf_state)s, who));
	return to_arena(a, m);
}

/* "{a,b}" of the desks where keep(one of the desk's parties) holds. */
static const char *desks_where(struct arena *a, bool (*keep)(enum wf_party, int), int arg)
{
	char *out = arena_strdup(a, "{");
	struct wf_desk d;
	char key[WF_DESK_KEY_MAX];
	for (size_t i = 0; wf_desk_at(i, &d); i++) {
		enum wf_party who[2];
		size_t n = wf_desk_parties(&d, who);
		if (!(n > 0 && keep(who[0], arg)) && !(n > 1 && keep(who[1], arg)))
			continue;
		wf_desk_key(&d, key);
		out = arena_printf(a, "%s%s%s", out, out[1] ? "," : "", key);
	}
	return arena_printf(a, "%s}", out);
}

static bool party_is(enum wf_party p, int want)
{
	return p != WF_PARTY_NONE && (int)p == want;
}

static bool party_of_role(enum wf_party p, int who)
{
	return wf_party_includes(p, (enum role)who);
}

const char *api_desks_waiting_on_role(struct arena *a, enum role who)
{
	return desks_where(a, party_of_role, (int)who);
}

const char *api_desks_waiting_on(struct arena *a, enum wf_party p)
{
	return desks_where(a, party_is, (int)p);
}

enum wf_party api_party_parse(const char *key)
{
	for (int p = WF_PARTY_NONE + 1; key && p < WF_PARTY_COUNT; p++)
		if (strcmp(wf_party_key((enum wf_party)p), key) == 0)
			return (enum wf_party)p;
	return WF_PARTY_NONE;
}

/* The closing brace of the JSON object text s (after trailing white
 * space), or NULL when s is not shaped as an object. */
static const char *object_end(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	if (*s != '{')
		return NULL;
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end - s >= 2 && end[-1] == '}' ? end - 1 : NULL;
}

/* The request's JSON (built by PostgreSQL) with the two members appended
 * as text: no parse and dump per answer. The keys and values come from
 * core/'s tables (identifiers, nothing to escape) or from PostgreSQL's
 * JSON (the refined offer). */
const char *api_request_view(struct api_ctx *c, const struct db_request *r, struct err *e)
{
	const char *close = object_end(r->json);
	if (!close)
		return r->json;
	enum wf_state s = wf_state_parse(r->state);
	const char *party = wf_party_key(api_desk_party(r->desk));
	/* a machine client limited to its own requests is offered nothing on
	 * the others */
	enum client_scope scope;
	if (!api_write_scope(c, &scope, e))
		return NULL;
	bool may_act = authz_may_act_on(&c->who, scope, r->client_id);
	enum wf_action acts[WF_ACTION_COUNT];
	size_t n = may_act ? wf_offered_actions(s, c->who.role, acts, WF_ACTION_COUNT) : 0;
	size_t alen = 3;
	bool ask = false;
	/* a request created by this call has no documents: it is not offered
	 * submit, and nothing is left to ask the database */
	if (r->fresh) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (acts[i] != WF_SUBMIT)
				acts[k++] = acts[i];
		n = k;
	}
	for (size_t i = 0; i < n; i++) {
		alen += strlen(wf_action_key(acts[i])) + 3;
		ask = ask || acts[i] == WF_SUBMIT || acts[i] == WF_DERIVE;
	}
	char *list = arena_alloc(c->arena, alen), *l = list;
	l += sprintf(l, "[");
	for (size_t i = 0; i < n; i++)
		l += sprintf(l, "%s\"%s\"", i ? "," : "", wf_action_key(acts[i]));
	sprintf(l, "]");
	const char *offer = refine(c, r, list, ask, e);
	if (!offer)
		return NULL;
	size_t head = (size_t)(close - r->json);
	size_t len = head + 48 + (party ? strlen(party) : 0) + strlen(offer);
	char *out = arena_alloc(c->arena, len), *p = out;
	memcpy(p, r->json, head);
	p += head;
	/* an empty object "{}" takes no separating comma */
	const char *q = close;
	while (q > r->json && (q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\t' || q[-1] == '\r'))
		q--;
	bool empty = q > r->json && q[-1] == '{';
	p += sprintf(p, "%s\"waiting_on\":", empty ? "" : ",");
	p += party ? sprintf(p, "\"%s\"", party) : sprintf(p, "null");
	sprintf(p, ",\"allowed_actions\":%s}", offer);
	return out;
}

bool api_reply_request(struct api_ctx *c, int status, const struct db_request *r, struct err *e)
{
	const char *view = api_request_view(c, r, e);
	if (!view)
		return false;
	api_reply_json_text(c, status, view);
	return true;
}
