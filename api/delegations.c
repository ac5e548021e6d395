/* delegations.c — Plh and Plt: POST/GET /delegations, GET/DELETE
 * /delegations/{id}, and acting under one (the Delegation-Id header).
 *
 * A delegation lends some acts of a position (core/delegation.h) to a person
 * for a period of calendar days (the business calendar's zone, the end
 * inclusive), on the strength of an appointing letter. It is created by an
 * admin, or by the principal for themselves (a person who holds the position
 * now); it is revoked, never edited. Two delegations of one position that are
 * not revoked may not share a day and an act (the second is refused 409
 * delegation.overlap), so for each act of a position at most one delegate is
 * in force at a time.
 *
 * Acting: a request carrying `Delegation-Id: <id>` is resolved on the worker
 * before its handler (api_acting_resolve): the caller must be the delegate,
 * the delegation in force today (now() in the calendar's zone; no timer is
 * involved) and the route's act lent by it; the caller then acts with the
 * position's role (and for a Kepala PD, its agency), and c->acting says on
 * whose behalf, so the record, the audit row and the event carry
 * `acting_for` and `delegation_id` (api/lifecycle.c).
 */
#include "api/delegations.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/input.h"
#include "core/delegation.h"
#include "core/docsniff.h"
#include "core/tz.h"
#include "core/validate.h"
#include "db/delegations.h"
#include "db/users.h"

static struct db_actor actor_of(const struct api_ctx *c)
{
	return (struct db_actor){c->who.subject, role_name(c->who.role), c->request_id};
}

/* Local day number of a valid YYYY-MM-DD. */
static int day_of(const char *date)
{
	return (int)tz_days_from_civil(atoi(date), atoi(date + 5), atoi(date + 8));
}

/* Parses a text[] literal of act names into a mask. */
static unsigned acts_of_literal(const char *lit)
{
	unsigned mask = 0;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", lit ? lit : "");
	for (char *save = NULL, *t = strtok_r(buf, "{},", &save); t; t = strtok_r(NULL, "{},", &save))
		mask |= dact_parse(t);
	return mask;
}

/* acts: a non-empty array of distinct act names, each of the position's. */
static const char *read_acts(struct api_ctx *c, json_t *b, enum position pos, unsigned *mask, struct err *e)
{
	json_t *list = json_object_get(b, "acts");
	*mask = 0;
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 5)
		return err_field(e, "acts", list ? "invalid" : "required",
				 "An array of 1 to 5 of dispose, derive, sign_ba, issue_st, register."),
		       NULL;
	const char *lit = "{";
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		unsigned act = dact_parse(json_string_value(v));
		if (!act)
			return err_field(e, "acts", "invalid", "One of dispose, derive, sign_ba, issue_st, register."), NULL;
		if (*mask & act)
			return err_field(e, "acts", "duplicate", "An act is listed twice."), NULL;
		if (pos != POS_NONE && !(pos_acts(pos) & act))
			return err_field(e, "acts", "not_of_position", "%s is not an act of the %s.", dact_name(act),
					 pos_title(pos)),
			       NULL;
		*mask |= act;
		lit = arena_printf(c->arena, "%s%s%s", lit, i ? "," : "", dact_name(act));
	}
	return arena_printf(c->arena, "%s}", lit);
}

/* The optional appointing letter: {filename, content_base64}, a PDF. */
static bool read_document(struct api_ctx *c, json_t *b, struct db_delegation_new *n, struct err *e)
{
	static const char *const fields[] = {"filename", "content_base64", NULL};
	json_t *d = json_object_get(b, "document");
	if (!d || json_is_null(d))
		return true;
	if (!json_is_object(d))
		return err_field(e, "document", "invalid", "An object {filename, content_base64}.");
	const char *name, *b64;
	api_only_fields(d, "document.", fields, e);
	bool ok = api_in_str(d, "filename", API_REQUIRED, 255, &name, e);
	ok = api_in_str(d, "content_base64", API_REQUIRED, 16 * 1024 * 1024, &b64, e) && ok;
	if (!ok)
		return false;
	size_t cap = strlen(b64) / 4 * 3 + 3, len;
	unsigned char *bin = arena_alloc(c->arena, cap);
	if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return err_field(e, "document.content_base64", "invalid", "Not base64 (RFC 4648, with padding).");
	if (doc_sniff(bin, len) != DOC_PDF)
		return err_field(e, "document.content_base64", "not_pdf", "The appointing letter is a PDF.");
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, bin, len);
	char *hex = arena_alloc(c->arena, 2 * sizeof h + 1);
	sodium_bin2hex(hex, 2 * sizeof h + 1, h, sizeof h);
	n->document = bin;
	n->document_len = len;
	n->document_name = name;
	n->document_sha256 = hex;
	return true;
}

static bool holds(struct api_ctx *c, const char *user_id, enum position pos, const char *agency_id, bool *out,
		  struct err *e)
{
	return db_user_holds(e, c->arena, user_id, role_name(pos_role(pos)), pos == POS_KEPALA_PD, agency_id, out);
}

static const char *const create_fields[] = {"kind",     "position",      "agency_id",   "principal_id",
					    "delegate_id", "acts",       "starts_on",   "ends_on",
					    "letter_number", "letter_date", "document", NULL};

/* Parses and checks the body of a new delegation into n (its position in
 * *pos, the acts lent in *mask). */
static bool read_new(struct api_ctx *c, struct db_delegation_new *n, enum position *pos, unsigned *mask,
		     struct err *e)
{
	json_t *b = api_body(c);
	const char *position = NULL;
	*pos = POS_NONE;
	*mask = 0;
	if (!json_is_object(b))
		return err_set(e, ERR_INVALID, "request.invalid_body", "A JSON object is required.");
	api_only_fields(b, "", create_fields, e);
	if (api_in_str(b, "kind", API_REQUIRED, 8, &n->kind, e) && strcmp(n->kind, "plh") != 0 && strcmp(n->kind, "plt") != 0)
		err_field(e, "kind", "invalid", "plh (Pelaksana Harian) or plt (Pelaksana Tugas).");
	if (api_in_str(b, "position", API_REQUIRED, 32, &position, e) && !(*pos = pos_parse(position)))
		err_field(e, "position", "invalid", "One of kepala_dinas, kabid_iai, kasi_ai, kasubbag_tu, kepala_pd.");
	api_in_uuid(b, "agency_id", API_NULLABLE, &n->agency_id, e);
	api_in_uuid(b, "principal_id", API_NULLABLE, &n->principal_id, e);
	api_in_uuid(b, "delegate_id", API_REQUIRED, &n->delegate_id, e);
	n->acts = read_acts(c, b, *pos, mask, e);
	if (api_in_str(b, "starts_on", API_REQUIRED, 10, &n->starts_on, e))
		val_date(e, "starts_on", n->starts_on);
	if (api_in_str(b, "ends_on", API_REQUIRED, 10, &n->ends_on, e))
		val_date(e, "ends_on", n->ends_on);
	api_in_str(b, "letter_number", API_REQUIRED, 200, &n->letter_number, e);
	if (api_in_str(b, "letter_date", API_REQUIRED, 10, &n->letter_date, e))
		val_date(e, "letter_date", n->letter_date);
	read_document(c, b, n, e);
	if (*pos == POS_KEPALA_PD && !n->agency_id && !e->kind)
		err_field(e, "agency_id", "required", "A Kepala PD is the head of one agency: name it.");
	if (*pos != POS_NONE && *pos != POS_KEPALA_PD && n->agency_id)
		err_field(e, "agency_id", "invalid", "Only a Kepala PD's position belongs to an agency.");
	if (e->kind)
		return false;
	if (day_of(n->ends_on) < day_of(n->starts_on))
		return err_field(e, "ends_on", "before_start", "The period ends on or after the day it starts.");
	n->position = position;
	return true;
}

/* Authorises the appointment: an admin for anyone; anyone else only as the
 * principal, holding the position now (n->principal_id filled in); and the
 * delegate an active official or agency user other than the principal. */
static bool may_appoint(struct api_ctx *c, struct db_delegation_new *n, enum position pos, struct err *e)
{
	bool holder;
	if (c->who.role != ROLE_ADMIN) {
		if (n->principal_id && strcmp(n->principal_id, c->who.subject) != 0)
			return err_set(e, ERR_FORBIDDEN, "delegation.not_principal",
				       "Only an administrator appoints an acting official for someone else.");
		if (!holds(c, c->who.subject, pos, n->agency_id, &holder, e))
			return false;
		if (!holder)
			return err_set(e, ERR_FORBIDDEN, "delegation.not_principal",
				       "You do not hold the position of %s.", pos_title(pos));
		n->principal_id = c->who.subject;
	} else if (n->principal_id) {
		if (!holds(c, n->principal_id, pos, n->agency_id, &holder, e))
			return false;
		if (!holder)
			return err_field(e, "principal_id", "not_holder", "That person does not hold the position of %s.",
					 pos_title(pos));
	} else if (strcmp(n->kind, "plh") == 0) {
		return err_field(e, "principal_id", "required",
				 "A Plh stands in for a holder who is away: name them (a vacant post gets a Plt).");
	}
	if (n->principal_id && strcmp(n->principal_id, n->delegate_id) == 0)
		return err_field(e, "delegate_id", "is_principal", "Nobody acts for themselves.");
	struct db_user d;
	bool found;
	if (!db_user_get(e, c->arena, n->delegate_id, false, &d, &found))
		return false;
	enum role dr = found ? role_parse(d.role) : ROLE_NONE;
	if (!found || !d.active || dr == ROLE_ADMIN || dr == ROLE_AUDITOR)
		return err_field(e, "delegate_id", "unknown", "No active official or agency user %s.", n->delegate_id);
	return true;
}

static bool create_delegation(struct api_ctx *c, struct err *e)
{
	struct db_delegation_new n = {0};
	enum position pos;
	unsigned mask;
	if (!read_new(c, &n, &pos, &mask, e) || !may_appoint(c, &n, pos, e))
		return false;

	/* the overlap rule, under the position's lock */
	struct db_rows others;
	if (!db_delegations_of_position(e, c->arena, n.position, n.agency_id, &others))
		return false;
	for (int i = 0; i < others.n; i++)
		if (deleg_overlaps(day_of(n.starts_on), day_of(n.ends_on), mask, atoi(db_rows_get(&others, i, 1)),
				   atoi(db_rows_get(&others, i, 2)), acts_of_literal(db_rows_get(&others, i, 3))))
			return err_set(e, ERR_CONFLICT, "delegation.overlap",
				       "Delegation %s of this position lends one of these acts on one of these days; "
				       "revoke it first.",
				       db_rows_get(&others, i, 0));
	struct db_actor actor = actor_of(c);
	struct db_delegation out;
	if (!db_delegation_insert(e, c->arena, &n, api_services.timezone, &actor, &out))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/delegations/%s", out.id));
	api_reply_json_text(c, 201, out.json);
	return true;
}

/* Who sees a delegation: admin and auditor all; anyone else those naming
 * them (principal, delegate, creator). Others: not found. */
static bool visible(const struct api_ctx *c, const struct db_delegation *d)
{
	if (c->who.role == ROLE_ADMIN || c->who.role == ROLE_AUDITOR)
		return true;
	const char *me = c->who.subject;
	return (d->principal_id && strcmp(d->principal_id, me) == 0) || strcmp(d->delegate_id, me) == 0 ||
	       strcmp(d->created_by, me) == 0;
}

static bool load(struct api_ctx *c, bool lock, struct db_delegation *d, struct err *e)
{
	const char *id;
	bool found;
	if (!api_param_uuid(c, 0, "delegation.not_found", &id, e) ||
	    !db_delegation_get(e, c->arena, id, api_services.timezone, lock, d, &found))
		return false;
	if (!found || !visible(c, d))
		return err_set(e, ERR_NOT_FOUND, "delegation.not_found", "No such delegation.");
	return true;
}

static bool get_delegation(struct api_ctx *c, struct err *e)
{
	struct db_delegation d;
	if (!load(c, false, &d, e))
		return false;
	api_reply_json_text(c, 200, d.json);
	return true;
}

static bool list_delegations(struct api_ctx *c, struct err *e)
{
	bool all = c->who.role == ROLE_ADMIN || c->who.role == ROLE_AUDITOR;
	const char *json;
	if (!db_delegation_list(e, c->arena, api_services.timezone, all ? NULL : c->who.subject, NULL, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

static const char *const revoke_fields[] = {"reason", NULL};

static bool revoke_delegation(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	const char *reason = NULL;
	if (b) {
		api_only_fields(b, "", revoke_fields, e);
		api_in_str(b, "reason", API_NULLABLE, 500, &reason, e);
		if (e->kind)
			return false;
	}
	struct db_delegation d;
	if (!load(c, true, &d, e))
		return false;
	bool mine = (d.principal_id && strcmp(d.principal_id, c->who.subject) == 0) ||
		    strcmp(d.created_by, c->who.subject) == 0;
	if (c->who.role != ROLE_ADMIN && !mine)
		return err_set(e, ERR_FORBIDDEN, "delegation.not_yours",
			       "Only an administrator, the principal or whoever appointed the delegate revokes it.");
	if (d.revoked)
		return err_set(e, ERR_CONFLICT, "delegation.revoked", "The delegation was revoked already.");
	struct db_actor actor = actor_of(c);
	if (!db_delegation_revoke(e, c->arena, d.id, reason, api_services.timezone, &actor, &d))
		return false;
	api_reply_json_text(c, 200, d.json);
	return true;
}

bool api_acting_resolve(struct api_ctx *c, struct err *e)
{
	const char *id = api_header(c, "Delegation-Id");
	if (!id)
		return true;
	if (!c->who.authenticated || c->who.role == ROLE_INTEGRATION)
		return err_set(e, ERR_FORBIDDEN, "delegation.not_delegate", "Only a person acts for a position.");
	if (c->who.must_change_password)
		return err_set(e, ERR_FORBIDDEN, "auth.password_change_required",
			       "Change your password first (POST /api/v1/me/password).");
	if (c->route->tx == API_TX_NONE || c->route->action == ACT_PUBLIC)
		return err_set(e, ERR_FORBIDDEN, "delegation.act_not_delegated", "No delegation lends this route.");
	if (!val_is_uuid(id))
		return err_set(e, ERR_INVALID, "delegation.invalid_header", "Delegation-Id is a delegation's id (UUID).");
	struct db_delegation d;
	bool found;
	if (!db_delegation_get(e, c->arena, id, api_services.timezone, false, &d, &found))
		return false;
	if (!found || strcmp(d.delegate_id, c->who.subject) != 0)
		return err_set(e, ERR_FORBIDDEN, "delegation.not_delegate", "You are not the delegate of delegation %s.", id);
	switch (deleg_status_on(d.starts_day, d.ends_day, d.revoked, d.today)) {
	case DELEG_REVOKED:
		return err_set(e, ERR_FORBIDDEN, "delegation.revoked", "The delegation was revoked.");
	case DELEG_SCHEDULED:
		return err_set(e, ERR_FORBIDDEN, "delegation.not_started", "The delegation's period has not started.");
	case DELEG_EXPIRED:
		return err_set(e, ERR_FORBIDDEN, "delegation.expired", "The delegation's period has ended.");
	case DELEG_ACTIVE:
		break;
	}
	enum position pos = pos_parse(d.position);
	unsigned acts = acts_of_literal(d.acts), act = deleg_act_of_action(c->route->action, pos);
	if (!(act & acts))
		return err_set(e, ERR_FORBIDDEN, "delegation.act_not_delegated",
			       "Delegation %s does not lend this act of the %s.", id, pos_title(pos));
	c->who.role = pos_role(pos);
	if (pos == POS_KEPALA_PD)
		snprintf(c->who.agency_id, sizeof c->who.agency_id, "%s", d.agency_id);
	json_t *doc = json_loads(d.json, 0, NULL);
	json_t *principal = json_object_get(doc, "principal");
	char *person = json_is_object(principal) ? json_dumps(principal, JSON_COMPACT) : NULL;
	json_decref(doc);
	c->acting = (struct api_acting){d.id, d.position, d.kind, d.principal_id, d.agency_id,
					person ? arena_strdup(c->arena, person) : NULL, acts};
	free(person);
	if (!authz_allowed(c->who.role, c->route->action))
		return err_set(e, ERR_FORBIDDEN, "auth.forbidden", "The position may not do this.");
	return true;
}

json_t *api_acting_json(const struct api_ctx *c)
{
	if (!c->acting.delegation_id)
		return NULL;
	json_t *user = c->acting.principal ? json_loads(c->acting.principal, 0, NULL) : NULL;
	return json_pack("{s:{s:s, s:s?, s:o, s:s?}, s:s, s:s}", "acting_for", "position", c->acting.position, "user_id",
			 c->acting.principal_id, "user", user ? user : json_null(), "agency_id", c->acting.agency_id,
			 "delegation_id", c->acting.delegation_id, "delegation_kind", c->acting.kind);
}

const struct route api_delegations_routes[] = {
	{"POST", "/api/v1/delegations", create_delegation, ACT_DELEGATION_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/delegations", list_delegations, ACT_DELEGATION_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/delegations/{id}", get_delegation, ACT_DELEGATION_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"DELETE", "/api/v1/delegations/{id}", revoke_delegation, ACT_DELEGATION_WRITE, API_TX_WRITE, API_BODY_JSON, 0,
	 NULL},
	{0},
};
