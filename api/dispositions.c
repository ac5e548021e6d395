/* dispositions.c — step 2's disposition by the Kepala Dinas (to the Kabid)
 * and step 3's derived disposition by the Kabid (to the Kasi), read
 * receipts, and withdrawal of an unread disposition by its author.
 *
 * Creating one is a state-machine action (dispose / derive) applied through
 * api_request_apply in the same transaction, so the disposition, the step
 * instances and the audit row commit together. The chain is answered as a
 * tree (each disposition with its children).
 */
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "api/workflow.h"
#include "core/validate.h"
#include "db/dispositions.h"

#define MAX_RECIPIENTS 10

static const char *const kinds[] = {"tindak_lanjuti", "untuk_diketahui", "koordinasikan", "pelajari",
				    "siapkan_bahan", NULL};

/* Reads to_user_ids: 1..MAX_RECIPIENTS distinct UUIDs. */
static int read_recipients(json_t *b, const char **ids, struct err *e)
{
	json_t *list = json_object_get(b, "to_user_ids");
	if (!list)
		return err_field(e, "to_user_ids", "required", "Name at least one recipient."), 0;
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_RECIPIENTS)
		return err_field(e, "to_user_ids", "invalid", "An array of 1 to %d user ids.", MAX_RECIPIENTS), 0;
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *id = json_string_value(v);
		if (!id || !val_is_uuid(id))
			return err_field(e, "to_user_ids", "invalid", "Every recipient is a user id (UUID)."), 0;
		for (int k = 0; k < n; k++)
			if (strcmp(ids[k], id) == 0)
				return err_field(e, "to_user_ids", "duplicate", "A recipient is listed twice."), 0;
		ids[n++] = id;
	}
	return n;
}

/* Who may receive: a disposition goes to the Kabid (with others of the
 * field as needed), a derived one to the Kasi (with the team). */
static bool check_recipients(struct api_ctx *c, bool derived, const char *const *ids, int n, struct err *e)
{
	const char *roles[MAX_RECIPIENTS];
	if (!db_users_roles(e, c->arena, ids, n, roles))
		return false;
	const char *lead = derived ? "kasi_ai" : "kabid_iai";
	bool has_lead = false;
	for (int i = 0; i < n; i++) {
		if (!roles[i])
			return err_field(e, "to_user_ids", "unknown", "No active user %s.", ids[i]);
		bool allowed = derived ? (!strcmp(roles[i], "kasi_ai") || !strcmp(roles[i], "tim_spbe"))
				       : (!strcmp(roles[i], "kabid_iai") || !strcmp(roles[i], "kasi_ai") ||
					  !strcmp(roles[i], "tim_spbe") || !strcmp(roles[i], "sekretariat"));
		if (!allowed)
			return err_field(e, "to_user_ids", "role", "User %s (%s) cannot receive this disposition.", ids[i],
					 roles[i]);
		has_lead |= strcmp(roles[i], lead) == 0;
	}
	if (!has_lead)
		return err_field(e, "to_user_ids", "missing_lead", derived ? "A derived disposition goes to a kasi_ai."
									    : "A disposition goes to a kabid_iai.");
	return true;
}

/* The parent of a derived disposition: live, of this request, to the caller. */
static bool check_parent(struct api_ctx *c, const char *request_id, const char *parent_id, struct err *e)
{
	struct db_disposition p;
	bool found, mine;
	if (!db_disposition_get(e, c->arena, parent_id, false, &p, &found))
		return false;
	if (!found || strcmp(p.request_id, request_id) != 0 || p.withdrawn)
		return err_field(e, "parent_id", "unknown", "No live disposition of this request has this id.");
	/* a Plh/Plt of the Kabid follows up what was addressed to the Kabid (a
	 * vacant post: to whoever held it) */
	const char *to = c->acting.delegation_id ? c->acting.principal_id : c->who.subject;
	if (!to)
		return true;
	if (!db_disposition_is_recipient(e, parent_id, to, &mine))
		return false;
	if (!mine)
		return err_field(e, "parent_id", "not_recipient", "You can only follow up a disposition addressed to you.");
	return true;
}

static const char *const fields[] = {"to_user_ids", "instruction_kind", "instruction", "parent_id", NULL};

static bool create_disposition(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_request_load(c, 0, true, &r, e) || !api_if_match(c, r.version, false, e))
		return false;
	json_t *b = api_body(c);
	const char *kind, *instruction, *parent_id, *ids[MAX_RECIPIENTS];
	api_only_fields(b, "", fields, e);
	int n = read_recipients(b, ids, e);
	bool kind_ok = false;
	if (api_in_str(b, "instruction_kind", API_REQUIRED, 32, &kind, e))
		for (const char *const *k = kinds; *k; k++)
			kind_ok |= strcmp(*k, kind) == 0;
	if (kind && !kind_ok)
		err_field(e, "instruction_kind", "invalid",
			  "One of tindak_lanjuti, untuk_diketahui, koordinasikan, pelajari, siapkan_bahan.");
	api_in_str(b, "instruction", API_REQUIRED | API_MULTILINE, 2000, &instruction, e);
	api_in_uuid(b, "parent_id", API_NULLABLE, &parent_id, e);
	if (e->kind)
		return false;
	enum wf_action action = parent_id ? WF_DERIVE : WF_DISPOSE;
	/* the state machine first: wrong state or role is answered as such */
	const struct wf_transition *t;
	if (!wf_apply(wf_state_parse(r.state), action, c->who.role, &t, e))
		return false;
	if (!check_recipients(c, parent_id != NULL, ids, n, e) || (parent_id && !check_parent(c, r.id, parent_id, e)))
		return false;
	struct db_disposition d;
	if (!db_disposition_insert(e, c->arena, r.id, parent_id, c->who.subject, kind, instruction, ids, n,
				   c->acting.delegation_id, &d))
		return false;
	struct api_move_extra x = {.audit_after = arena_printf(c->arena, "{\"disposition_id\": \"%s\"}", d.id)};
	if (!api_request_apply(c, &r, action, &x, e))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/dispositions/%s", d.id));
	api_reply_json_text(c, 201, d.json);
	return true;
}

/* Nests each disposition under its parent: the answer is the forest of roots. */
static json_t *as_tree(json_t *flat)
{
	json_t *roots = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(flat, i, d)
		json_object_set_new(d, "children", json_array());
	json_array_foreach(flat, i, d) {
		const char *parent = json_string_value(json_object_get(d, "parent_id"));
		json_t *home = roots;
		size_t k;
		json_t *p;
		json_array_foreach(flat, k, p)
			if (parent && strcmp(parent, json_string_value(json_object_get(p, "id"))) == 0)
				home = json_object_get(p, "children");
		json_array_append(home, d);
	}
	return roots;
}

static bool list_dispositions(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	const char *json;
	if (!api_request_load(c, 0, false, &r, e) || !db_disposition_list(e, c->arena, r.id, &json))
		return false;
	json_t *flat = json_loads(json, 0, NULL);
	if (!flat)
		return err_set(e, ERR_INTERNAL, "internal", "An internal error occurred.");
	json_t *tree = as_tree(flat);
	json_decref(flat);
	api_reply_json(c, 200, json_pack("{s:o, s:n}", "items", tree, "next_cursor"));
	return true;
}

static bool load_disposition(struct api_ctx *c, bool lock, struct db_disposition *d, struct err *e)
{
	const char *id;
	bool found;
	if (!api_param_uuid(c, 0, "disposition.not_found", &id, e) ||
	    !db_disposition_get(e, c->arena, id, lock, d, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "disposition.not_found", "No such disposition.");
	return true;
}

static bool get_disposition(struct api_ctx *c, struct err *e)
{
	struct db_disposition d;
	if (!load_disposition(c, false, &d, e))
		return false;
	api_reply_json_text(c, 200, d.json);
	return true;
}

static bool mark_read(struct api_ctx *c, struct err *e)
{
	struct db_disposition d;
	bool recipient;
	bool first;
	/* the lock orders a receipt against a withdrawal of the same disposition */
	if (!api_no_fields(c, e) || !load_disposition(c, true, &d, e))
		return false;
	if (d.withdrawn)
		return err_set(e, ERR_CONFLICT, "disposition.withdrawn", "This disposition was withdrawn.");
	if (!db_disposition_mark_read(e, d.id, c->who.subject, &recipient, &first))
		return false;
	if (!recipient)
		return err_set(e, ERR_FORBIDDEN, "disposition.not_recipient", "Only a recipient can mark it read.");
	if (first && !api_request_change(c, "disposition.read", "disposition", d.id, d.request_id, NULL, NULL, NULL, e))
		return false;
	bool found;
	if (!db_disposition_get(e, c->arena, d.id, false, &d, &found))
		return false;
	api_reply_json_text(c, 200, d.json);
	return true;
}

static bool withdraw_disposition(struct api_ctx *c, struct err *e)
{
	struct db_disposition d;
	struct db_request r;
	if (!api_no_fields(c, e) || !load_disposition(c, false, &d, e))
		return false;
	/* lock the request first, then re-read the disposition under that lock */
	bool found;
	if (!api_request_load_id(c, d.request_id, true, &r, e) || !api_if_match(c, r.version, false, e) ||
	    !db_disposition_get(e, c->arena, d.id, true, &d, &found))
		return false;
	/* receipts committed while we waited for the lock: a fresh statement sees them */
	if (!db_disposition_get(e, c->arena, d.id, false, &d, &found))
		return false;
	if (strcmp(d.from_user_id, c->who.subject) != 0)
		return err_set(e, ERR_FORBIDDEN, "disposition.not_author", "Only its author can withdraw a disposition.");
	if (d.withdrawn)
		return err_set(e, ERR_CONFLICT, "disposition.withdrawn", "This disposition is already withdrawn.");
	if (d.any_read || d.has_children)
		return err_set(e, ERR_CONFLICT, "disposition.already_read",
			       "A disposition that was read or followed up cannot be withdrawn.");
	struct api_move_extra x = {.audit_after = arena_printf(c->arena, "{\"disposition_id\": \"%s\"}", d.id)};
	if (!db_disposition_withdraw(e, d.id) ||
	    !api_request_apply(c, &r, d.parent_id ? WF_UNDO_DERIVE : WF_UNDO_DISPOSE, &x, e) ||
	    !db_disposition_get(e, c->arena, d.id, false, &d, &found))
		return false;
	api_reply_json_text(c, 200, d.json);
	return true;
}

const struct route api_dispositions_routes[] = {
	{"GET", "/api/v1/requests/{id}/dispositions", list_dispositions, ACT_DISPOSITION_READ, API_TX_READ,
	 API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/requests/{id}/dispositions", create_disposition, ACT_DISPOSITION_WRITE, API_TX_WRITE,
	 API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/dispositions/{id}", get_disposition, ACT_DISPOSITION_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/dispositions/{id}/read", mark_read, ACT_DISPOSITION_RECEIPT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/dispositions/{id}/withdraw", withdraw_disposition, ACT_DISPOSITION_WRITE, API_TX_WRITE,
	 API_BODY_JSON, 0, NULL},
	{0},
};
