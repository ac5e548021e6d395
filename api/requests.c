/* requests.c — permohonan: intake (by a PD or the e-office), draft edits,
 * the transitions of steps 1-2 that need no record of their own (submit,
 * register, withdraw, reject), the list, the timeline and the audit trail.
 *
 * E-office intake is idempotent by eoffice_ref: a second submission with a
 * reference the same client already used creates nothing and answers 200
 * with the existing request (201 only for a new one). A resubmission that
 * names another kind or agency is another request under a used reference:
 * 409 request.eoffice_ref_conflict. One that differs only in its text
 * (title, description, letter) answers 200 with the stored request and
 * names the differing fields in the Eoffice-Ref-Differs header.
 *
 * Submission (SOP step 1) needs the letter and the business-process
 * document attached (core/workflow.c wf_submit_missing): the e-office
 * creates the draft, uploads both, then submits.
 */
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "api/offer.h"
#include "api/workflow.h"
#include "core/numfmt.h"
#include "core/validate.h"
#include "db/agencies.h"
#include "db/audit.h"
#include "db/documents.h"

static bool kind_ok(const char *kind, struct err *e)
{
	if (strcmp(kind, "pembangunan") && strcmp(kind, "pengembangan") && strcmp(kind, "integrasi"))
		return err_field(e, "kind", "invalid", "One of pembangunan, pengembangan, integrasi.");
	return true;
}

static void read_letter(json_t *b, struct db_request_fields *f, struct err *e)
{
	f->set_letter_number = api_in_str(b, "letter_number", API_NULLABLE, 100, &f->letter_number, e);
	if ((f->set_letter_date = api_in_str(b, "letter_date", API_NULLABLE, 10, &f->letter_date, e)) && f->letter_date)
		val_date(e, "letter_date", f->letter_date);
}

/* The agency a new request belongs to: the caller's own when bound to one,
 * else the one named in the body (which must exist and be active). */
static bool intake_agency(struct api_ctx *c, const char *named, const char **agency, struct err *e)
{
	if (authz_agency_bound(&c->who)) {
		if (named && strcmp(named, c->who.agency_id) != 0)
			return err_field(e, "agency_id", "not_allowed", "You may only submit for your own agency.");
		*agency = c->who.agency_id;
		return true;
	}
	if (!named)
		return err_field(e, "agency_id", "required", "Name the agency this request comes from.");
	bool active;
	if (!db_agency_is_active(e, named, &active))
		return false;
	if (!active)
		return err_field(e, "agency_id", "unknown", "No such active agency.");
	*agency = named;
	return true;
}

/* SOP step 1: refuses (422 request.documents_missing, one field error per
 * missing type) a submission without its letter and business-process
 * document. */
static bool submission_ready(struct api_ctx *c, const struct db_request *r, struct err *e)
{
	const char **types, *missing[4];
	size_t n;
	/* a locked read brought them; a request created by this call has none */
	if (r->doc_types || r->fresh)
		db_document_types_parse(c->arena, r->doc_types ? r->doc_types : "", &types, &n);
	else if (!db_document_types(e, c->arena, r->id, &types, &n))
		return false;
	size_t m = wf_submit_missing(types, n, missing, 4);
	if (m == 0)
		return true;
	err_set(e, ERR_UNPROCESSABLE, "request.documents_missing",
		"A request is submitted with its letter (surat_permohonan) and its business-process document "
		"(proses_bisnis); upload what is missing to /api/v1/requests/%s/documents first.",
		r->id);
	for (size_t i = 0; i < m; i++)
		err_field(e, arena_printf(c->arena, "documents.%s", missing[i]), "required",
			  "No %s document is attached.", missing[i]);
	return false;
}

/* Equal as texts, NULL and "" alike (description defaults to ""). */
static bool same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* An e-office resubmission under a reference the client already used: the
 * stored request answers. Another kind or agency is another request (409);
 * other differences are named in a header, the stored values stand. */
static bool answer_resubmission(struct api_ctx *c, const struct db_request *r, const struct db_request_fields *f,
				const char *agency, struct err *e)
{
	json_t *doc = json_loads(r->json, 0, NULL);
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	bool kind_differs = !same_text(kind, f->kind), agency_differs = !same_text(r->agency_id, agency);
	if (kind_differs || agency_differs) {
		json_decref(doc);
		err_set(e, ERR_CONFLICT, "request.eoffice_ref_conflict",
			"This eoffice_ref already names request %s, of another %s; use a new reference for a new "
			"request.",
			r->id, kind_differs ? "kind" : "agency");
		if (kind_differs)
			err_field(e, "kind", "differs", "The request under this eoffice_ref is of another kind.");
		if (agency_differs)
			err_field(e, "agency_id", "differs", "The request under this eoffice_ref is of another agency.");
		snprintf(e->location, sizeof e->location, "/api/v1/requests/%s", r->id);
		return false;
	}
	static const char *const text_fields[] = {"title", "description", "letter_number", "letter_date"};
	const char *sent[] = {f->title, f->description, f->letter_number, f->letter_date};
	bool sent_it[] = {true, f->description != NULL, f->set_letter_number, f->set_letter_date};
	const char *differs = "";
	for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++)
		if (sent_it[i] && !same_text(json_string_value(json_object_get(doc, text_fields[i])), sent[i]))
			differs = arena_printf(c->arena, "%s%s%s", differs, *differs ? ", " : "", text_fields[i]);
	json_decref(doc);
	if (*differs)
		api_set_header(c, "Eoffice-Ref-Differs", differs);
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/requests/%s", r->id));
	api_set_etag(c, r->version);
	return api_reply_request(c, 200, r, e);
}

static const char *const create_fields[] = {"kind", "title", "description", "channel", "letter_number",
					    "letter_date", "eoffice_ref", "agency_id", "submit", NULL};

static bool create_request(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	struct db_request_fields f = {0};
	const char *named_agency, *agency = NULL;
	bool submit = false, machine = c->who.role == ROLE_INTEGRATION;
	api_only_fields(b, "", create_fields, e);
	if (api_in_str(b, "kind", API_REQUIRED, 32, &f.kind, e))
		kind_ok(f.kind, e);
	api_in_str(b, "title", API_REQUIRED, 200, &f.title, e);
	api_in_str(b, "description", API_MULTILINE | API_EMPTY_OK, 10000, &f.description, e);
	read_letter(b, &f, e);
	api_in_uuid(b, "agency_id", API_NULLABLE, &named_agency, e);
	api_in_bool(b, "submit", API_OPTIONAL, &submit, e);
	if (api_in_str(b, "channel", API_OPTIONAL, 16, &f.channel, e) &&
	    strcmp(f.channel, machine ? "e_office" : "tertulis") != 0 &&
	    (machine || strcmp(f.channel, "e_office") != 0))
		err_field(e, "channel", "invalid", machine ? "The e-office submits with channel e_office."
							   : "One of tertulis, e_office.");
	if (api_in_str(b, "eoffice_ref", machine ? API_REQUIRED : API_OPTIONAL, 128, &f.eoffice_ref, e) && !machine)
		err_field(e, "eoffice_ref", "not_allowed", "Only the e-office sets eoffice_ref.");
	if (!f.channel)
		f.channel = machine ? "e_office" : "tertulis";
	if (e->kind || !intake_agency(c, named_agency, &agency, e))
		return false;
	struct db_request r;
	if (machine) {
		bool found;
		if (!db_request_by_eoffice_ref(e, c->arena, c->who.subject, f.eoffice_ref, &r, &found))
			return false;
		if (found)
			return answer_resubmission(c, &r, &f, agency, e);
	}
	if (!api_request_create(c, &f, agency, machine ? c->who.subject : NULL, &r, e)) {
		/* a concurrent submission of the same eoffice_ref won: run again and
		 * answer with the request it created */
		if (machine && e->kind == ERR_CONFLICT)
			return err_set(e, ERR_RETRY, "db.retry", "A concurrent submission used this eoffice_ref.");
		return false;
	}
	if (submit && (!submission_ready(c, &r, e) || !api_request_apply(c, &r, WF_SUBMIT, NULL, e)))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/requests/%s", r.id));
	api_set_etag(c, r.version);
	return api_reply_request(c, 201, &r, e);
}

static bool get_request(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_request_load(c, 0, false, &r, e))
		return false;
	api_set_etag(c, r.version);
	const char *inm = api_header(c, "If-None-Match");
	if (inm && strcmp(inm, arena_printf(c->arena, "\"%d\"", r.version)) == 0) {
		api_reply_bytes(c, 304, NULL, NULL, 0);
		return true;
	}
	return api_reply_request(c, 200, &r, e);
}

static const char *const patch_fields[] = {"kind", "title", "description", "letter_number", "letter_date", NULL};

static bool patch_request(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_request_load(c, 0, true, &r, e) || !api_if_match(c, r.version, true, e))
		return false;
	if (strcmp(r.state, "draft") != 0)
		return err_set(e, ERR_CONFLICT, "request.not_draft", "Only a draft can be edited; this request is %s.",
			       r.state);
	json_t *b = api_body(c);
	struct db_request_fields f = {0};
	api_only_fields(b, "", patch_fields, e);
	if (api_in_str(b, "kind", API_OPTIONAL, 32, &f.kind, e))
		kind_ok(f.kind, e);
	api_in_str(b, "title", API_OPTIONAL, 200, &f.title, e);
	api_in_str(b, "description", API_MULTILINE | API_EMPTY_OK, 10000, &f.description, e);
	read_letter(b, &f, e);
	if (e->kind)
		return false;
	const char *before = r.json;
	if (!db_request_update_fields(e, c->arena, r.id, &f, c->who.subject, &r) ||
	    !api_request_change(c, "request.update", "request", r.id, r.id, before, r.json, NULL, e))
		return false;
	api_set_etag(c, r.version);
	return api_reply_request(c, 200, &r, e);
}

/* Reads the optional or required "reason" of withdraw / reject. */
static bool read_reason(struct api_ctx *c, bool required, const char **reason, struct err *e)
{
	static const char *const fields[] = {"reason", NULL};
	json_t *b = api_body(c);
	api_only_fields(b, "", fields, e);
	api_in_str(b, "reason", required ? API_REQUIRED | API_MULTILINE : API_MULTILINE, 2000, reason, e);
	return e->kind == ERR_NONE;
}

static bool answer_moved(struct api_ctx *c, const struct db_request *r, struct err *e)
{
	api_set_etag(c, r->version);
	return api_reply_request(c, 200, r, e);
}

/* The shape of every simple transition: load and lock, check If-Match,
 * apply, answer the updated request. */
static bool transition(struct api_ctx *c, enum wf_action action, struct api_move_extra *x, struct db_request *r,
		       struct err *e)
{
	return api_request_apply(c, r, action, x, e) && answer_moved(c, r, e);
}

static bool load_for_action(struct api_ctx *c, struct db_request *r, struct err *e)
{
	return api_request_load(c, 0, true, r, e) && api_if_match(c, r->version, false, e);
}

static bool submit_request(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	/* the state and the role are checked before the documents */
	return api_no_fields(c, e) && load_for_action(c, &r, e) &&
	       wf_apply(wf_state_parse(r.state), WF_SUBMIT, c->who.role, NULL, e) && submission_ready(c, &r, e) &&
	       transition(c, WF_SUBMIT, NULL, &r, e);
}

static bool register_request(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_no_fields(c, e) || !load_for_action(c, &r, e))
		return false;
	/* refuse before taking a number, so a refused call leaves no trace */
	const struct wf_transition *t;
	if (!wf_apply(wf_state_parse(r.state), WF_REGISTER, c->who.role, &t, e))
		return false;
	int seq, year, month;
	char number[160];
	if (!db_number_next(e, "agenda", api_services.timezone, &seq, &year, &month))
		return false;
	if (!numfmt_render(api_services.agenda_format, seq, year, month, number, sizeof number))
		return err_set(e, ERR_INTERNAL, "internal", "The agenda number format does not fit.");
	struct api_move_extra x = {.agenda_number = number};
	x.audit_after = arena_printf(c->arena, "{\"agenda_number\": \"%s\"}", number);
	return transition(c, WF_REGISTER, &x, &r, e);
}

static bool withdraw_request(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	const char *reason;
	if (!read_reason(c, false, &reason, e) || !load_for_action(c, &r, e))
		return false;
	struct api_move_extra x = {.closing_reason = reason};
	return transition(c, WF_WITHDRAW, &x, &r, e);
}

static bool reject_request(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	const char *reason;
	if (!read_reason(c, true, &reason, e) || !load_for_action(c, &r, e))
		return false;
	struct api_move_extra x = {.closing_reason = reason};
	return transition(c, WF_REJECT, &x, &r, e);
}

static const char *const list_params[] = {"status", "phase", "step", "agency_id", "overdue", "from", "to", "q",
					  "eoffice_ref", "sla_state", "waiting_on", "updated_since", "sort", "limit", "cursor", NULL};
static const char *const count_params[] = {"status", "phase", "step", "agency_id", "overdue", "from", "to", "q",
					   "eoffice_ref", "sla_state", "waiting_on", "updated_since", NULL};
static const char *const statuses[] = {"draft", "submitted", "awaiting_disposition", "disposed", "in_discussion",
				       "awaiting_pd_completion", "agreed", "completed", "withdrawn", "rejected",
				       NULL};

static bool one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return true;
	return false;
}

/* Reads the filters the list and the counts share, scoped to the caller:
 * a filter can narrow a bound caller's view, never widen it (*empty is set
 * when the filter names another agency: the answer is empty). */
static bool read_filter(struct api_ctx *c, struct db_request_filter *f, bool *empty, struct err *e)
{
	static const char *const phases[] = {"awal", "lanjutan", "final", NULL};
	static const char *const bools[] = {"true", "false", NULL};
	static const char *const open_states[] = {"on_time", "warning", "breached", "paused", NULL};
	*f = (struct db_request_filter){.tz = api_services.timezone};
	f->status = api_query(c, "status");
	f->phase = api_query(c, "phase");
	f->agency_id = api_query(c, "agency_id");
	f->from = api_query(c, "from");
	f->to = api_query(c, "to");
	f->q = api_query(c, "q");
	f->eoffice_ref = api_query(c, "eoffice_ref");
	f->sla_state = api_query(c, "sla_state");
	f->updated_since = api_query(c, "updated_since");
	const char *step = api_query(c, "step"), *overdue = api_query(c, "overdue");
	const char *waiting = api_query(c, "waiting_on");
	if (f->status && !one_of(f->status, statuses))
		err_field(e, "status", "invalid", "Not a request status.");
	if (f->phase && !one_of(f->phase, phases))
		err_field(e, "phase", "invalid", "One of awal, lanjutan, final.");
	if (step && (strlen(step) != 1 || step[0] < '1' || step[0] > '7'))
		err_field(e, "step", "invalid", "A step from 1 to 7.");
	if (overdue && !one_of(overdue, bools))
		err_field(e, "overdue", "invalid", "true or false.");
	if (f->agency_id && !val_is_uuid(f->agency_id))
		err_field(e, "agency_id", "invalid", "Must be a UUID.");
	if (f->from)
		val_date(e, "from", f->from);
	if (f->to)
		val_date(e, "to", f->to);
	if (f->q)
		val_text(e, "q", f->q, 100, false, false);
	if (f->eoffice_ref)
		val_text(e, "eoffice_ref", f->eoffice_ref, 128, false, false);
	if (f->sla_state && !one_of(f->sla_state, open_states))
		err_field(e, "sla_state", "invalid", "One of on_time, warning, breached, paused.");
	if (f->updated_since)
		val_timestamp(e, "updated_since", f->updated_since);
	if (waiting) {
		enum wf_party party = api_party_parse(waiting);
		if (party == WF_PARTY_NONE)
			err_field(e, "waiting_on", "invalid",
				  "One of pd, sekretariat, kepala_dinas, kabid_iai, kasi_ai_tim_spbe.");
		else {
			f->desks = api_desks_waiting_on(c->arena, party);
			f->states_open = true; /* a state someone is waited on in is open */
		}
	}
	if (e->kind)
		return false;
	/* an e-office reference is unique per client: a client finds its own */
	if (f->eoffice_ref && c->who.role == ROLE_INTEGRATION)
		f->client_id = c->who.subject;
	f->step = step ? step[0] - '0' : 0;
	f->overdue = overdue && strcmp(overdue, "true") == 0;
	*empty = false;
	if (authz_agency_bound(&c->who)) {
		if (f->agency_id && strcmp(f->agency_id, c->who.agency_id) != 0)
			*empty = true;
		f->agency_id = c->who.agency_id;
	}
	return true;
}

static bool list_requests(struct api_ctx *c, struct err *e)
{
	struct db_request_filter f;
	int limit;
	bool empty;
	const char **cursor, *sort = api_query(c, "sort");
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 2, &cursor, e);
	if (sort && strcmp(sort, "created_at") != 0 && strcmp(sort, "due_at") != 0)
		err_field(e, "sort", "invalid", "created_at (newest first) or due_at (earliest deadline first).");
	if (!read_filter(c, &f, &empty, e))
		return false;
	f.sort_due = sort && strcmp(sort, "due_at") == 0;
	if (cursor) {
		f.after_key = cursor[0];
		f.after_id = cursor[1];
		if (!val_is_uuid(f.after_id))
			return err_field(e, "cursor", "invalid", "This cursor was not made by this server.");
	}
	if (empty) {
		api_reply_items(c, "[]");
		return true;
	}
	f.waiting_map = api_waiting_map(c->arena);
	f.actions_map = api_actions_map(c->arena, c->who.role);
	f.caller_id = c->who.subject;
	f.submit_types = api_submit_types(c->arena);
	enum client_scope scope;
	if (!api_write_scope(c, &scope, e))
		return false;
	if (scope == CLIENT_SCOPE_OWN)
		f.acts_only_for_client = c->who.subject;
	struct db_page page;
	if (!db_request_list(e, c->arena, &f, limit, &page))
		return false;
	api_reply_page(c, &page, 2);
	return true;
}

static bool count_requests(struct api_ctx *c, struct err *e)
{
	struct db_request_filter f;
	bool empty;
	const char *json;
	if (!read_filter(c, &f, &empty, e))
		return false;
	if (empty) {
		api_reply_json_text(c, 200, "{\"total\": 0, \"by_status\": {}, \"by_sla_state\": {}}");
		return true;
	}
	if (!db_request_counts(e, c->arena, &f, &json))
		return false;
	api_reply_json_text(c, 200, json);
	return true;
}

static const char *const audit_params[] = {"limit", "cursor", NULL};

static bool get_audit(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	int limit;
	const char **cursor;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 1, &cursor, e);
	if (cursor && strspn(cursor[0], "0123456789") != strlen(cursor[0]))
		err_field(e, "cursor", "invalid", "This cursor was not made by this server.");
	if (e->kind || !api_request_load(c, 0, false, &r, e))
		return false;
	struct db_page page;
	if (!db_audit_list(e, c->arena, r.id, cursor ? cursor[0] : NULL, limit, &page))
		return false;
	api_reply_page(c, &page, 1);
	return true;
}

const struct route api_requests_routes[] = {
	{"GET", "/api/v1/requests", list_requests, ACT_REQUEST_READ, API_TX_READ, API_BODY_NONE, 0, list_params},
	{"POST", "/api/v1/requests", create_request, ACT_REQUEST_CREATE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/requests/counts", count_requests, ACT_REQUEST_READ, API_TX_READ, API_BODY_NONE, 0, count_params},
	{"GET", "/api/v1/requests/{id}", get_request, ACT_REQUEST_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"PATCH", "/api/v1/requests/{id}", patch_request, ACT_REQUEST_EDIT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/requests/{id}/submit", submit_request, ACT_REQUEST_ACT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/requests/{id}/register", register_request, ACT_REQUEST_ACT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/requests/{id}/withdraw", withdraw_request, ACT_REQUEST_ACT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/requests/{id}/reject", reject_request, ACT_REQUEST_ACT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/requests/{id}/audit", get_audit, ACT_REQUEST_READ, API_TX_READ, API_BODY_NONE, 0, audit_params},
	{0},
};
