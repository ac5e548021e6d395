/* discussions.c — steps 4-6: the initial, follow-up and final discussions,
 * and the PD's completion rounds between initial discussions.
 *
 * Recording a discussion is the state-machine action of its phase: an
 * initial discussion whose checklist has any item "incomplete" sends the
 * request to the PD (awaiting_pd_completion; step 4 goes on), otherwise it
 * completes step 4; the follow-up completes step 5; the final one, with the
 * agreed scope and milestones, completes step 6 and the request is agreed.
 * Every round is kept (discussions.round, completions).
 */
#include <string.h>

#include "api/common.h"
#include "api/discussions.h"
#include "api/input.h"
#include "api/workflow.h"
#include "core/validate.h"
#include "db/discussions.h"
#include "db/dispositions.h"

#define MAX_ATTENDEES 100
#define MAX_FOLLOW_UPS 50
#define MAX_FEATURES 100
#define MAX_MILESTONES 50

static const char *const checklist_items[] = {"alur_sistem", "data_input_output", "mekanisme_validasi",
					      "role_pengguna", "mekanisme_pelaporan", "proses_bisnis_terkait", NULL};

static bool is_item(const char *key)
{
	for (const char *const *k = checklist_items; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/* The helpers below read one structured field, add field errors named like
 * "attendees[2].name", and return normalised JSON text (NULL when absent or
 * bad). */

static const char *dump(struct api_ctx *c, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	const char *copy = arena_strdup(c->arena, text);
	free(text);
	return copy;
}

static const char *read_attendees(struct api_ctx *c, json_t *b, bool required, struct err *e)
{
	json_t *list = json_object_get(b, "attendees");
	if (!list) {
		if (required)
			err_field(e, "attendees", "required", "List who attended.");
		return NULL;
	}
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_ATTENDEES)
		return err_field(e, "attendees", "invalid", "An array of 1 to %d attendees.", MAX_ATTENDEES), NULL;
	const char *ids[MAX_ATTENDEES];
	int nids = 0;
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		char prefix[48];
		snprintf(prefix, sizeof prefix, "attendees[%zu]", i);
		if (!json_is_object(a)) {
			err_field(e, prefix, "invalid", "An attendee is {\"user_id\"} or {\"name\", \"position\", \"agency\"}.");
			continue;
		}
		static const char *const user_keys[] = {"user_id", NULL};
		static const char *const guest_keys[] = {"name", "position", "agency", NULL};
		const char *v;
		bool user = json_object_get(a, "user_id") != NULL;
		api_only_fields(a, prefix, user ? user_keys : guest_keys, e);
		int mark = e->nfields;
		if (user) {
			if (api_in_uuid(a, "user_id", API_REQUIRED, &v, e))
				ids[nids++] = v;
		} else {
			api_in_str(a, "name", API_REQUIRED, 200, &v, e);
			api_in_str(a, "position", API_OPTIONAL | API_EMPTY_OK, 200, &v, e);
			api_in_str(a, "agency", API_OPTIONAL | API_EMPTY_OK, 200, &v, e);
		}
		api_err_scope(e, mark, prefix);
	}
	if (e->kind)
		return NULL;
	const char *roles[MAX_ATTENDEES];
	if (nids && !db_users_roles(e, c->arena, ids, nids, roles))
		return NULL;
	for (int k = 0; k < nids; k++)
		if (!roles[k])
			return err_field(e, "attendees", "unknown", "No active user %s.", ids[k]), NULL;
	return dump(c, list);
}

/* The six-item checklist; *incomplete tells whether any item is incomplete. */
static const char *read_checklist(struct api_ctx *c, json_t *b, bool *incomplete, struct err *e)
{
	json_t *cl = json_object_get(b, "checklist");
	*incomplete = false;
	if (!json_is_object(cl))
		return err_field(e, "checklist", cl ? "invalid" : "required",
				 "The initial discussion records the six-item checklist."), NULL;
	const char *key;
	json_t *item;
	json_object_foreach(cl, key, item) {
		if (!is_item(key))
			err_field(e, "checklist", "unknown_item", "'%s' is not a checklist item.", key);
	}
	for (const char *const *k = checklist_items; *k; k++) {
		char name[64];
		snprintf(name, sizeof name, "checklist.%s", *k);
		item = json_object_get(cl, *k);
		if (!json_is_object(item)) {
			err_field(e, name, "required", "Every item: {\"status\": complete|incomplete|not_applicable, \"note\"}.");
			continue;
		}
		static const char *const keys[] = {"status", "note", NULL};
		const char *status, *note;
		api_only_fields(item, name, keys, e);
		int mark = e->nfields;
		if (api_in_str(item, "status", API_REQUIRED, 20, &status, e) && strcmp(status, "complete") &&
		    strcmp(status, "incomplete") && strcmp(status, "not_applicable"))
			err_field(e, "status", "invalid_status", "status is complete, incomplete or not_applicable.");
		bool is_incomplete = status && strcmp(status, "incomplete") == 0;
		api_in_str(item, "note", (is_incomplete ? API_REQUIRED : API_EMPTY_OK) | API_MULTILINE, 2000, &note, e);
		api_err_scope(e, mark, name);
		*incomplete |= is_incomplete;
	}
	return e->kind ? NULL : dump(c, cl);
}

static const char *read_follow_ups(struct api_ctx *c, json_t *b, struct err *e)
{
	json_t *list = json_object_get(b, "follow_ups");
	if (!list)
		return NULL;
	if (!json_is_array(list) || json_array_size(list) > MAX_FOLLOW_UPS)
		return err_field(e, "follow_ups", "invalid", "An array of at most %d items.", MAX_FOLLOW_UPS), NULL;
	size_t i;
	json_t *f;
	json_array_foreach(list, i, f) {
		char name[48];
		snprintf(name, sizeof name, "follow_ups[%zu]", i);
		static const char *const keys[] = {"item", "due_date", NULL};
		const char *v;
		if (!json_is_object(f)) {
			err_field(e, name, "invalid", "A follow-up is {\"item\", \"due_date\"}.");
			continue;
		}
		api_only_fields(f, name, keys, e);
		int mark = e->nfields;
		api_in_str(f, "item", API_REQUIRED | API_MULTILINE, 500, &v, e);
		if (api_in_str(f, "due_date", API_REQUIRED, 10, &v, e))
			val_date(e, "due_date", v);
		api_err_scope(e, mark, name);
	}
	return e->kind ? NULL : dump(c, list);
}

/* The final agreement: scope {summary, features[]} and milestones. */
const char *api_read_scope(struct api_ctx *c, json_t *b, struct err *e)
{
	json_t *scope = json_object_get(b, "scope");
	if (!json_is_object(scope))
		return err_field(e, "scope", scope ? "invalid" : "required",
				 "The final discussion records the agreed scope {\"summary\", \"features\"}."), NULL;
	static const char *const keys[] = {"summary", "features", NULL};
	const char *summary;
	api_only_fields(scope, "scope", keys, e);
	int mark = e->nfields;
	api_in_str(scope, "summary", API_REQUIRED | API_MULTILINE, 10000, &summary, e);
	api_err_scope(e, mark, "scope");
	json_t *features = json_object_get(scope, "features");
	if (!json_is_array(features) || json_array_size(features) == 0 || json_array_size(features) > MAX_FEATURES)
		return err_field(e, "scope.features", "invalid", "An array of 1 to %d features or modules.",
				 MAX_FEATURES), NULL;
	size_t i;
	json_t *f;
	json_array_foreach(features, i, f)
		if (!json_is_string(f) || !val_text(e, "scope.features", json_string_value(f), 500, false, false))
			return err_field(e, "scope.features", "invalid", "Each feature is a line of text."), NULL;
	return e->kind ? NULL : dump(c, scope);
}

const char *api_read_milestones(struct api_ctx *c, json_t *list, struct err *e)
{
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_MILESTONES)
		return err_field(e, "milestones", list ? "invalid" : "required", "An array of 1 to %d milestones.",
				 MAX_MILESTONES), NULL;
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) {
		char name[48];
		snprintf(name, sizeof name, "milestones[%zu]", i);
		static const char *const keys[] = {"name", "start", "end", NULL};
		const char *n, *start = NULL, *end = NULL;
		if (!json_is_object(m)) {
			err_field(e, name, "invalid", "A milestone is {\"name\", \"start\", \"end\"}.");
			continue;
		}
		api_only_fields(m, name, keys, e);
		int mark = e->nfields;
		api_in_str(m, "name", API_REQUIRED, 200, &n, e);
		if (api_in_str(m, "start", API_REQUIRED, 10, &start, e) && !val_date(e, "start", start))
			start = NULL;
		if (api_in_str(m, "end", API_REQUIRED, 10, &end, e) && !val_date(e, "end", end))
			end = NULL;
		api_err_scope(e, mark, name);
		if (start && end && strcmp(start, end) > 0)
			err_field(e, name, "order", "A milestone ends on or after its start.");
	}
	return e->kind ? NULL : dump(c, list);
}

static const char *expected_output[] = {"dokumen_awal", "laporan_lanjutan", "dokumen_kesepakatan"};

static int phase_index(const char *phase)
{
	return !strcmp(phase, "awal") ? 0 : !strcmp(phase, "lanjutan") ? 1 : !strcmp(phase, "final") ? 2 : -1;
}

static bool check_output_document(struct api_ctx *c, const char *request_id, int phase, const char *doc_id,
				  struct err *e)
{
	const char *type;
	if (!doc_id)
		return true;
	if (!db_document_type_of(e, c->arena, request_id, doc_id, &type))
		return false;
	if (!type || strcmp(type, expected_output[phase]) != 0)
		return err_field(e, "output_document_id", "invalid", "Name a %s document of this request.",
				 expected_output[phase]);
	return true;
}

/* Fields common to recording and editing. */
static void read_common(struct api_ctx *c, json_t *b, bool create, struct db_discussion_fields *f, struct err *e)
{
	if (api_in_str(b, "held_at", create ? API_REQUIRED : API_OPTIONAL, 40, &f->held_at, e))
		val_timestamp(e, "held_at", f->held_at);
	f->set_place = api_in_str(b, "place", API_NULLABLE, 300, &f->place, e);
	f->set_online_link = api_in_str(b, "online_link", API_NULLABLE, 500, &f->online_link, e);
	f->attendees = read_attendees(c, b, create, e);
	api_in_str(b, "minutes", API_MULTILINE | API_EMPTY_OK, 20000, &f->minutes, e);
	api_in_str(b, "decisions", API_MULTILINE | API_EMPTY_OK, 10000, &f->decisions, e);
	f->follow_ups = read_follow_ups(c, b, e);
	f->set_output = api_in_uuid(b, "output_document_id", API_NULLABLE, &f->output_document_id, e);
}

static const char *const create_fields[] = {"phase", "held_at", "place", "online_link", "attendees", "minutes",
					    "decisions", "checklist", "follow_ups", "output_document_id", "scope",
					    "milestones", NULL};

static bool create_discussion(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_request_load(c, 0, true, &r, e) || !api_if_match(c, r.version, false, e))
		return false;
	json_t *b = api_body(c);
	const char *phase;
	api_only_fields(b, "", create_fields, e);
	int pi = -1;
	if (api_in_str(b, "phase", API_REQUIRED, 10, &phase, e) && (pi = phase_index(phase)) < 0)
		err_field(e, "phase", "invalid", "One of awal, lanjutan, final.");
	if (e->kind)
		return false;
	/* the request must be in this phase: a wrong phase is a state conflict */
	char expect[40];
	snprintf(expect, sizeof expect, "in_discussion_%s", phase);
	if (wf_is_terminal(wf_state_parse(r.state)))
		return err_set(e, ERR_CONFLICT, "request.closed", "The request is %s; its records are final.", r.state);
	if (strcmp(r.state, expect) != 0)
		return err_set(e, ERR_CONFLICT, "discussion.wrong_phase",
			       "The request is %s; a %s discussion cannot be recorded now.", r.state, phase);
	struct db_discussion_fields f = {0};
	bool incomplete = false;
	read_common(c, b, true, &f, e);
	if (pi == 0)
		f.checklist = read_checklist(c, b, &incomplete, e);
	else if (json_object_get(b, "checklist"))
		err_field(e, "checklist", "not_allowed", "Only the initial discussion has the checklist.");
	if (pi == 2) {
		f.scope = api_read_scope(c, b, e);
		f.milestones = api_read_milestones(c, json_object_get(b, "milestones"), e);
	} else if (json_object_get(b, "scope") || json_object_get(b, "milestones")) {
		err_field(e, "scope", "not_allowed", "Scope and milestones belong to the final discussion.");
	}
	if (e->kind || !check_output_document(c, r.id, pi, f.output_document_id, e))
		return false;
	enum wf_action action = pi == 0 ? (incomplete ? WF_RECORD_AWAL_INCOMPLETE : WF_RECORD_AWAL)
				: pi == 1 ? WF_RECORD_LANJUTAN : WF_RECORD_FINAL;
	const struct wf_transition *t;
	if (!wf_apply(wf_state_parse(r.state), action, c->who.role, &t, e))
		return false;
	struct db_discussion d;
	if (!db_discussion_insert(e, c->arena, r.id, phase, &f, c->who.subject, &d))
		return false;
	struct api_move_extra x = {.audit_after = arena_printf(c->arena, "{\"discussion_id\": \"%s\"}", d.id)};
	if (!api_request_apply(c, &r, action, &x, e))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/discussions/%s", d.id));
	api_set_etag(c, d.version);
	api_reply_json_text(c, 201, d.json);
	return true;
}

static bool list_discussions(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	const char *json;
	if (!api_request_load(c, 0, false, &r, e) || !db_discussion_list(e, c->arena, r.id, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

static bool load_discussion(struct api_ctx *c, bool lock, struct db_discussion *d, struct err *e)
{
	const char *id;
	bool found;
	if (!api_param_uuid(c, 0, "discussion.not_found", &id, e) ||
	    !db_discussion_get(e, c->arena, id, lock, d, &found))
		return false;
	if (!found || !authz_agency_visible(&c->who, d->agency_id))
		return err_set(e, ERR_NOT_FOUND, "discussion.not_found", "No such discussion.");
	return true;
}

static bool get_discussion(struct api_ctx *c, struct err *e)
{
	struct db_discussion d;
	if (!load_discussion(c, false, &d, e))
		return false;
	api_set_etag(c, d.version);
	api_reply_json_text(c, 200, d.json);
	return true;
}

static const char *const patch_fields[] = {"held_at", "place", "online_link", "attendees", "minutes", "decisions",
					   "follow_ups", "output_document_id", NULL};

static bool patch_discussion(struct api_ctx *c, struct err *e)
{
	struct db_discussion d;
	struct db_request r;
	if (!load_discussion(c, true, &d, e) || !api_if_match(c, d.version, true, e) ||
	    !api_request_load_id(c, d.request_id, false, &r, e))
		return false;
	if (wf_is_terminal(wf_state_parse(r.state)))
		return err_set(e, ERR_CONFLICT, "request.closed", "The request is %s; its records are final.", r.state);
	json_t *b = api_body(c);
	struct db_discussion_fields f = {0};
	api_only_fields(b, "", patch_fields, e);
	read_common(c, b, false, &f, e);
	if (e->kind || !check_output_document(c, d.request_id, phase_index(d.phase), f.output_document_id, e))
		return false;
	const char *before = d.json;
	if (!db_discussion_update(e, c->arena, d.id, &f, &d) ||
	    !api_request_change(c, "discussion.update", "discussion", d.id, d.request_id, before, d.json, NULL, e))
		return false;
	api_set_etag(c, d.version);
	api_reply_json_text(c, 200, d.json);
	return true;
}

static const char *const completion_fields[] = {"notes", "item_documents", "document_ids", NULL};

/* The items discussion d's checklist marked incomplete, as a bitmask. */
static unsigned incomplete_items(const struct db_discussion *d)
{
	unsigned mask = 0;
	json_t *doc = json_loads(d->json, 0, NULL), *item;
	const char *key;
	json_object_foreach(json_object_get(doc, "checklist"), key, item) {
		const char *status = json_string_value(json_object_get(item, "status"));
		int i = wf_checklist_index(key);
		if (i >= 0 && status && strcmp(status, "incomplete") == 0)
			mask |= 1u << i;
	}
	json_decref(doc);
	return mask;
}

/* A completion must address every item the last initial discussion marked
 * incomplete, each with a non-blank note or at least one document of its own
 * in item_documents (document_ids holds documents that support the round as
 * a whole): one field error notes.<item> per item left unanswered. */
static bool answers_every_item(struct api_ctx *c, const struct db_discussion *d, json_t *notes, json_t *item_docs,
			       struct err *e)
{
	unsigned answered = 0;
	const char *key;
	json_t *v;
	json_object_foreach(notes, key, v) {
		const char *text = json_string_value(v);
		int i = wf_checklist_index(key);
		if (i >= 0 && text && text[strspn(text, " \t\r\n")])
			answered |= 1u << i;
	}
	json_object_foreach(item_docs, key, v) {
		int i = wf_checklist_index(key);
		if (i >= 0 && json_array_size(v) > 0)
			answered |= 1u << i;
	}
	unsigned left = wf_completion_unanswered(incomplete_items(d), answered);
	if (!left)
		return true;
	err_set(e, ERR_UNPROCESSABLE, "completion.items_missing",
		"The initial discussion marked items incomplete that this completion does not address.");
	for (int i = 0; i < WF_CHECKLIST_ITEMS; i++)
		if (left & (1u << i))
			err_field(e, arena_printf(c->arena, "notes.%s", wf_checklist_key(i)), "required",
				  "The discussion marked %s incomplete: say how it is now complete, or attach a document"
				  " for it in item_documents.%s.",
				  wf_checklist_key(i), wf_checklist_key(i));
	return false;
}

#define MAX_COMPLETION_DOCS 20 /* document ids in one completion, all lists together */

/* Appends the ids of list (a JSON array, checked) to the uuid[] literal
 * being built in *ids (*n of them so far); errors on field. */
static void collect_doc_ids(struct api_ctx *c, json_t *list, const char *field, char **ids, int *n, struct err *e)
{
	if (!json_is_array(list)) {
		err_field(e, field, "invalid", "An array of document ids.");
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *id = json_string_value(v);
		if (!id || !val_is_uuid(id)) {
			err_field(e, field, "invalid", "Every entry is a document id.");
			return;
		}
		if (++*n > MAX_COMPLETION_DOCS) {
			err_field(e, field, "too_many", "At most %d document ids in one completion.", MAX_COMPLETION_DOCS);
			return;
		}
		*ids = arena_printf(c->arena, "%s%s%s", *ids, *n > 1 ? "," : "", id);
	}
}

static bool complete_request(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_request_load(c, 0, true, &r, e) || !api_if_match(c, r.version, false, e))
		return false;
	const struct wf_transition *t;
	if (!wf_apply(wf_state_parse(r.state), WF_PD_COMPLETE, c->who.role, &t, e))
		return false;
	json_t *b = api_body(c);
	api_only_fields(b, "", completion_fields, e);
	json_t *notes = json_object_get(b, "notes"), *item_docs = json_object_get(b, "item_documents");
	if (notes && !json_is_object(notes))
		err_field(e, "notes", "invalid", "An object with a note for each checklist item you completed.");
	if (item_docs && !json_is_object(item_docs))
		err_field(e, "item_documents", "invalid", "An object: checklist item -> the ids of its documents.");
	if (json_object_size(notes) == 0 && json_object_size(item_docs) == 0 && !e->kind)
		err_field(e, "notes", notes ? "invalid" : "required",
			  "An object with a note for each checklist item you completed (or item_documents).");
	const char *key;
	json_t *v;
	json_object_foreach(notes, key, v) {
		char name[64];
		snprintf(name, sizeof name, "notes.%s", key);
		if (!is_item(key))
			err_field(e, name, "unknown_item", "Not a checklist item.");
		else if (!json_is_string(v))
			err_field(e, name, "type", "Must be a string.");
		else
			val_text(e, name, json_string_value(v), 5000, false, true);
	}
	char *ids = arena_strdup(c->arena, "");
	int nids = 0;
	json_object_foreach(item_docs, key, v) {
		const char *name = arena_printf(c->arena, "item_documents.%.40s", key);
		if (!is_item(key))
			err_field(e, name, "unknown_item", "Not a checklist item.");
		else
			collect_doc_ids(c, v, name, &ids, &nids, e);
	}
	int item_ids = nids;
	json_t *docs = json_object_get(b, "document_ids");
	if (docs)
		collect_doc_ids(c, docs, "document_ids", &ids, &nids, e);
	if (e->kind)
		return false;
	/* every id named is one of this request's documents: one look-up */
	const char *missing = "";
	if (nids && !db_documents_not_of(e, c->arena, r.id, arena_printf(c->arena, "{%s}", ids), &missing))
		return false;
	if (*missing)
		return err_field(e, item_ids ? "item_documents" : "document_ids", "unknown",
				 "Not documents of this request: %.180s.", missing);
	/* document_ids as the uuid[] literal of its own entries */
	const char *doc_array = "{}";
	if (docs) {
		const char *own = ids;
		for (int k = 0; k < item_ids; k++)
			own = strchr(own, ',') ? strchr(own, ',') + 1 : own + strlen(own);
		doc_array = arena_printf(c->arena, "{%s}", own);
	}
	struct db_discussion d;
	bool found;
	const char *json;
	if (!db_discussion_latest(e, c->arena, r.id, "awal", &d, &found))
		return false;
	if (!found)
		return err_set(e, ERR_CONFLICT, "request.invalid_transition", "There is no initial discussion to answer.");
	if (!answers_every_item(c, &d, notes, item_docs, e))
		return false;
	if (!db_completion_insert(e, c->arena, r.id, d.id, notes ? dump(c, notes) : "{}", doc_array,
				  item_docs ? dump(c, item_docs) : "{}", c->who.subject, &json))
		return false;
	struct api_move_extra x = {.audit_after = arena_printf(c->arena, "{\"discussion_id\": \"%s\"}", d.id)};
	if (!api_request_apply(c, &r, WF_PD_COMPLETE, &x, e))
		return false;
	api_set_etag(c, r.version);
	api_reply_json_text(c, 201, json);
	return true;
}

static bool list_completions(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	const char *json;
	if (!api_request_load(c, 0, false, &r, e) || !db_completion_list(e, c->arena, r.id, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

const struct route api_discussions_routes[] = {
	{"GET", "/api/v1/requests/{id}/discussions", list_discussions, ACT_DISCUSSION_READ, API_TX_READ,
	 API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/requests/{id}/discussions", create_discussion, ACT_DISCUSSION_WRITE, API_TX_WRITE,
	 API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/discussions/{id}", get_discussion, ACT_DISCUSSION_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"PATCH", "/api/v1/discussions/{id}", patch_discussion, ACT_DISCUSSION_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/requests/{id}/completion", complete_request, ACT_REQUEST_ACT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/requests/{id}/completions", list_completions, ACT_DISCUSSION_READ, API_TX_READ,
	 API_BODY_NONE, 0, NULL},
	{0},
};
