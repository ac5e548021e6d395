/* agreements.c — step 7: the Berita Acara and the Surat Tugas.
 *
 * The Kasi drafts the Berita Acara from the final agreement (scope and
 * milestones copied; editable with If-Match while draft) and sends it for
 * signature, which freezes its canonical content: the JSON of number, date,
 * parties, scope, milestones and request id with sorted keys, whose SHA-256
 * every signature records. The Kepala Dinas and the signatory of the
 * request's own agency each sign once; with both, it is signed and immutable.
 * The Kepala Dinas issues a Surat Tugas to Tim SPBE members. Whichever comes
 * first completes step 7.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/agreements.h"
#include "api/common.h"
#include "api/discussions.h"
#include "api/input.h"
#include "api/lifecycle.h"
#include "api/workflow.h"
#include "core/actions.h"
#include "core/delegation.h"
#include "core/numfmt.h"
#include "core/validate.h"
#include "db/agreements.h"
#include "db/delegations.h"
#include "db/discussions.h"
#include "db/dispositions.h"
#include "db/documents.h"
#include "db/users.h"
#include "pdf/pdf.h"

/* The next number of a yearly sequence in format fmt. */
static const char *next_number(struct api_ctx *c, const char *sequence, const char *fmt, struct err *e)
{
	int seq, year, month;
	char number[160];
	if (!db_number_next(e, sequence, api_services.timezone, &seq, &year, &month))
		return NULL;
	if (!numfmt_render(fmt, seq, year, month, number, sizeof number))
		return err_set(e, ERR_INTERNAL, "internal", "The number format does not fit."), NULL;
	return arena_strdup(c->arena, number);
}

static json_t *party(const char *organisation, const char *position, const struct db_signatory *s)
{
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "organisation", organisation, "position", position,
			 "signatory_id", s->id, "name", s->name, "nip", s->nip);
}

static bool create_ba(struct api_ctx *c, struct err *e)
{
	static const char *const none[] = {NULL};
	struct db_request r;
	if (!api_only_fields(api_body(c), "", none, e) || !api_request_load(c, 0, true, &r, e) ||
	    !api_if_match(c, r.version, false, e))
		return false;
	/* "and/or": a request completed by a Surat Tugas may still get its Berita Acara */
	if (strcmp(r.state, "agreed") != 0 && strcmp(r.state, "completed") != 0)
		return err_set(e, ERR_CONFLICT, "berita_acara.not_agreed",
			       "A Berita Acara is drafted once the final discussion is recorded; the request is %s.",
			       r.state);
	struct db_ba ba;
	struct db_discussion final;
	struct db_signatory kominfos, pd;
	const char *agency_name;
	bool found;
	if (!db_ba_by_request(e, c->arena, r.id, &ba, &found))
		return false;
	if (found)
		return err_set(e, ERR_CONFLICT, "berita_acara.exists", "This request has a Berita Acara already.");
	if (!db_discussion_latest(e, c->arena, r.id, "final", &final, &found) ||
	    !db_ba_signatories(e, c->arena, r.id, r.agency_id, &kominfos, &pd, &agency_name))
		return false;
	if (!found)
		return err_set(e, ERR_CONFLICT, "berita_acara.not_agreed", "There is no final discussion.");
	if (!pd.id)
		return err_set(e, ERR_CONFLICT, "berita_acara.no_signatory",
			       "The agency has no active signatory (a pd user with is_signatory).");
	json_t *parties = json_pack("{s:o, s:o}", "kominfos", party(api_services.organisation, "kepala_dinas", &kominfos),
				    "perangkat_daerah", party(agency_name, "kepala_pd", &pd));
	json_object_set_new(json_object_get(parties, "perangkat_daerah"), "agency_id", json_string(r.agency_id));
	char *parties_text = json_dumps(parties, JSON_COMPACT);
	json_decref(parties);
	const char *number = next_number(c, "berita_acara", api_services.ba_number_format, e);
	bool ok = number && db_ba_insert(e, c->arena, r.id, number, api_services.timezone, parties_text, final.scope,
					 final.milestones, c->who.subject, &ba) &&
		  api_request_change(c, "berita_acara.create", "berita_acara", ba.id, r.id, NULL, ba.json, NULL, e);
	free(parties_text);
	if (!ok)
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/berita-acara/%s", ba.id));
	api_set_etag(c, ba.version);
	api_reply_json_text(c, 201, ba.json);
	return true;
}

static bool load_ba(struct api_ctx *c, bool lock, struct db_ba *ba, struct err *e)
{
	const char *id;
	bool found;
	if (!api_param_uuid(c, 0, "berita_acara.not_found", &id, e) || !db_ba_get(e, c->arena, id, lock, ba, &found))
		return false;
	if (!found || !authz_agency_visible(&c->who, ba->agency_id))
		return err_set(e, ERR_NOT_FOUND, "berita_acara.not_found", "No such Berita Acara.");
	return true;
}

static bool answer_ba(struct api_ctx *c, int status, const struct db_ba *ba)
{
	api_set_etag(c, ba->version);
	api_reply_json_text(c, status, ba->json);
	return true;
}

static bool get_ba(struct api_ctx *c, struct err *e)
{
	struct db_ba ba;
	return load_ba(c, false, &ba, e) && answer_ba(c, 200, &ba);
}

static bool get_request_ba(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	struct db_ba ba;
	bool found;
	if (!api_request_load(c, 0, false, &r, e) || !db_ba_by_request(e, c->arena, r.id, &ba, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "berita_acara.not_found", "This request has no Berita Acara yet.");
	return answer_ba(c, 200, &ba);
}

/* Only a draft of a request still in the procedure changes; anything else
 * answers 409 with the reason. */
static bool must_be_draft(struct api_ctx *c, const struct db_ba *ba, struct err *e)
{
	struct db_request r;
	if (!api_request_load_id(c, ba->request_id, false, &r, e))
		return false;
	if (strcmp(r.state, "withdrawn") == 0 || strcmp(r.state, "rejected") == 0)
		return err_set(e, ERR_CONFLICT, "request.closed", "The request is %s; its records are final.", r.state);
	if (strcmp(ba->status, "signed") == 0)
		return err_set(e, ERR_CONFLICT, "berita_acara.signed", "A signed Berita Acara cannot change.");
	if (strcmp(ba->status, "draft") != 0)
		return err_set(e, ERR_CONFLICT, "berita_acara.frozen", "The content was frozen when sent for signature.");
	return true;
}

static const char *const patch_fields[] = {"date", "scope", "milestones", NULL};

static bool patch_ba(struct api_ctx *c, struct err *e)
{
	struct db_ba ba;
	if (!load_ba(c, true, &ba, e) || !must_be_draft(c, &ba, e) || !api_if_match(c, ba.version, true, e))
		return false;
	json_t *b = api_body(c);
	const char *date = NULL, *scope = NULL, *milestones = NULL;
	api_only_fields(b, "", patch_fields, e);
	if (api_in_str(b, "date", API_OPTIONAL, 10, &date, e))
		val_date(e, "date", date);
	if (json_object_get(b, "scope"))
		scope = api_read_scope(c, b, e);
	if (json_object_get(b, "milestones"))
		milestones = api_read_milestones(c, json_object_get(b, "milestones"), e);
	if (e->kind)
		return false;
	const char *before = ba.json;
	return db_ba_update(e, c->arena, ba.id, date, scope, milestones, &ba) &&
	       api_request_change(c, "berita_acara.update", "berita_acara", ba.id, ba.request_id, before, ba.json, NULL, e) &&
	       answer_ba(c, 200, &ba);
}

/* The canonical content: sorted keys, compact, UTF-8. */
static const char *canonical(struct api_ctx *c, const struct db_ba *ba)
{
	json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "request_id", ba->request_id, "number", ba->number,
				"date", ba->date, "parties", json_loads(ba->parties, 0, NULL), "scope",
				json_loads(ba->scope, 0, NULL), "milestones", json_loads(ba->milestones, 0, NULL));
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	const char *copy = arena_strdup(c->arena, text);
	free(text);
	return copy;
}

static const char *sha256_hex(struct api_ctx *c, const char *s)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	char *hex = arena_alloc(c->arena, 2 * sizeof h + 1);
	sodium_bin2hex(hex, 2 * sizeof h + 1, h, sizeof h);
	return hex;
}

static bool send_ba(struct api_ctx *c, struct err *e)
{
	static const char *const none[] = {NULL};
	struct db_ba ba;
	if (!api_only_fields(api_body(c), "", none, e) || !load_ba(c, true, &ba, e) || !must_be_draft(c, &ba, e) ||
	    !api_if_match(c, ba.version, false, e))
		return false;
	const char *text = canonical(c, &ba);
	const char *sha = sha256_hex(c, text);
	const char *after = arena_printf(c->arena, "{\"status\": \"awaiting_signatures\", \"content_sha256\": \"%s\"}", sha);
	return db_ba_send(e, c->arena, ba.id, text, sha, &ba) &&
	       api_request_change(c, "berita_acara.send", "berita_acara", ba.id, ba.request_id, NULL, after,
				  arena_printf(c->arena, "{\"content_sha256\": \"%s\"}", sha), e) &&
	       answer_ba(c, 200, &ba);
}

/* Which party the caller signs for. Signatures are per position: the
 * Kepala Dinas for Kominfos, the Kepala PD (the agency's signatory) for the
 * Perangkat Daerah. The person named at drafting signs while they still hold
 * the position; once they left it (deactivated, re-roled, moved) whoever holds
 * it now signs, without redrafting and keeping the signature already given.
 * Or the position's Plh/Plt acting under a delegation lending sign_ba
 * (api_acting_resolve made the caller's role the position's). One person never signs for both parties, and a delegate does
 * not sign what they drafted unless ALURD_DELEGATE_SIGNS_OWN_DRAFT allows. */
static const char *signing_party(struct api_ctx *c, const struct db_ba *ba, struct err *e)
{
	bool kominfos = c->who.role == ROLE_KEPALA_DINAS;
	const char *party = kominfos ? "kominfos" : "perangkat_daerah";
	bool ok;
	if (c->acting.delegation_id) {
		ok = kominfos || (c->acting.agency_id && strcmp(c->acting.agency_id, ba->agency_id) == 0);
	} else {
		if (!db_user_holds(e, c->arena, c->who.subject, role_name(c->who.role), !kominfos, ba->agency_id, &ok))
			return NULL;
		/* the person named at drafting signs while they hold the post; once
		 * they left it (deactivated, re-roled, moved) its new holder does */
		json_t *parties = json_loads(ba->parties, 0, NULL);
		const char *named = json_string_value(json_object_get(json_object_get(parties, party), "signatory_id"));
		bool named_holds = false;
		if (ok && named && strcmp(named, c->who.subject) != 0 &&
		    !db_user_holds(e, c->arena, named, role_name(c->who.role), !kominfos, ba->agency_id, &named_holds)) {
			json_decref(parties);
			return NULL;
		}
		json_decref(parties);
		ok = ok && !named_holds;
	}
	if (!ok)
		return err_set(e, ERR_FORBIDDEN, "berita_acara.not_signatory",
			       "Only the holder of a signing position (the Kepala Dinas, the agency's signatory) or "
			       "their Plh/Plt signs the Berita Acara."),
		       NULL;
	json_t *doc = json_loads(ba->json, 0, NULL), *sig;
	size_t i;
	bool both = false;
	json_array_foreach(json_object_get(doc, "signatures"), i, sig)
		both |= strcmp(json_string_value(json_object_get(sig, "party")), party) != 0 &&
			strcmp(json_string_value(json_object_get(sig, "signer_id")), c->who.subject) == 0;
	const char *drafter = json_string_value(json_object_get(doc, "created_by"));
	bool own_draft = c->acting.delegation_id && drafter && strcmp(drafter, c->who.subject) == 0;
	json_decref(doc);
	if (both)
		return err_set(e, ERR_FORBIDDEN, "berita_acara.same_person",
			       "You signed for the other party: one person never signs for both."),
		       NULL;
	if (own_draft && !api_services.delegate_signs_own_draft)
		return err_set(e, ERR_FORBIDDEN, "berita_acara.drafted_by_delegate",
			       "You drafted this Berita Acara: as an acting official you may not sign it."),
		       NULL;
	return party;
}

static const char *const sign_fields[] = {"content_sha256", NULL};

static bool store_signed_pdf(struct api_ctx *c, const struct db_ba *ba, struct err *e); /* below, with the PDF */

static bool sign_ba(struct api_ctx *c, struct err *e)
{
	struct db_ba ba;
	json_t *b = api_body(c);
	const char *confirmed;
	api_only_fields(b, "", sign_fields, e);
	api_in_str(b, "content_sha256", API_OPTIONAL, 64, &confirmed, e);
	if (e->kind || !load_ba(c, true, &ba, e) || !api_if_match(c, ba.version, false, e))
		return false;
	struct db_request req;
	if (!api_request_load_id(c, ba.request_id, false, &req, e))
		return false;
	if (strcmp(req.state, "withdrawn") == 0 || strcmp(req.state, "rejected") == 0)
		return err_set(e, ERR_CONFLICT, "request.closed", "The request is %s; its records are final.", req.state);
	if (strcmp(ba.status, "signed") == 0)
		return err_set(e, ERR_CONFLICT, "berita_acara.signed", "Both parties have signed already.");
	if (strcmp(ba.status, "awaiting_signatures") != 0)
		return err_set(e, ERR_CONFLICT, "berita_acara.not_sent", "The Berita Acara has not been sent for signature.");
	if (confirmed && strcmp(confirmed, ba.content_sha256) != 0)
		return err_set(e, ERR_CONFLICT, "berita_acara.content_changed",
			       "The content you confirmed is not the content awaiting signature.");
	const char *party = signing_party(c, &ba, e);
	int count;
	if (!party)
		return false;
	if (!db_ba_sign(e, ba.id, party, c->who.subject, ba.content_sha256, c->acting.delegation_id, &count))
		return e->kind == ERR_CONFLICT ? err_set(e, ERR_CONFLICT, "berita_acara.already_signed",
							 "This party has signed already.")
					       : false;
	const char *after = arena_printf(c->arena, "{\"party\": \"%s\", \"content_sha256\": \"%s\"}", party,
					 ba.content_sha256);
	if (!api_request_change(c, "berita_acara.sign", "berita_acara", ba.id, ba.request_id, NULL, after, after, e))
		return false;
	if (count == 2) {
		struct db_request r;
		if (!db_ba_mark_signed(e, c->arena, ba.id, &ba) || !store_signed_pdf(c, &ba, e) ||
		    !api_request_load_id(c, ba.request_id, true, &r, e))
			return false;
		struct api_move_extra x = {.audit_after = arena_printf(c->arena, "{\"berita_acara_id\": \"%s\"}", ba.id)};
		if (strcmp(r.state, "agreed") == 0 && !api_request_apply(c, &r, WF_SIGN_BA_COMPLETE, &x, e))
			return false;
	} else {
		bool found;
		if (!db_ba_get(e, c->arena, ba.id, false, &ba, &found))
			return false;
	}
	return answer_ba(c, 201, &ba);
}

/* An arena copy of o's string member key (NULL when absent). */
static const char *jtext(struct arena *a, json_t *o, const char *key)
{
	return arena_strdup(a, json_string_value(json_object_get(o, key)));
}

/* A signer as printed: who signed, or the named signatory while unsigned. */
static struct pdf_signer signer(struct api_ctx *c, const char *label, const struct db_ba_print *pr, int i,
				json_t *named)
{
	const char *prefix = deleg_kind_prefix(pr->acting_kind[i]);
	struct pdf_signer s = {prefix ? arena_printf(c->arena, "%s %s", prefix, label) : label, pr->name[i], pr->nip[i],
			       NULL};
	if (!pr->name[i]) {
		s.name = jtext(c->arena, named, "name");
		s.nip = jtext(c->arena, named, "nip");
	}
	if (pr->signed_at[i])
		s.signed_at = arena_printf(c->arena, "%s (%s)", pr->signed_at[i], api_services.timezone);
	return s;
}

/* Everything the PDF prints, copied into the arena. */
static void pdf_input(struct api_ctx *c, const struct db_ba *ba, const struct db_ba_print *pr,
		      struct pdf_signer signers[2], struct pdf_berita_acara *doc)
{
	json_t *scope = json_loads(ba->scope, 0, NULL), *ms = json_loads(ba->milestones, 0, NULL);
	json_t *parties = json_loads(ba->parties, 0, NULL);
	json_t *features = json_object_get(scope, "features");
	const char **feat = arena_alloc(c->arena, (json_array_size(features) + 1) * sizeof *feat);
	for (size_t i = 0; i < json_array_size(features); i++)
		feat[i] = arena_strdup(c->arena, json_string_value(json_array_get(features, i)));
	struct pdf_milestone *m = arena_alloc(c->arena, (json_array_size(ms) + 1) * sizeof *m);
	for (size_t i = 0; i < json_array_size(ms); i++) {
		json_t *x = json_array_get(ms, i);
		m[i] = (struct pdf_milestone){jtext(c->arena, x, "name"), jtext(c->arena, x, "start"),
					      jtext(c->arena, x, "end")};
	}
	signers[0] = signer(c, arena_printf(c->arena, "Kepala %s", api_services.organisation), pr, 0,
			    json_object_get(parties, "kominfos"));
	signers[1] = signer(c, "Kepala Perangkat Daerah", pr, 1, json_object_get(parties, "perangkat_daerah"));
	*doc = (struct pdf_berita_acara){
		.letterhead = api_split_lines(c->arena, api_services.letterhead),
		.kind = pr->kind,
		.number = ba->number,
		.date = ba->date,
		.request_title = pr->request_title,
		.agency_name = pr->agency_name,
		.party_first = arena_printf(c->arena, "%s, selaku Pihak Pertama", api_services.organisation),
		.party_second = arena_printf(c->arena, "%s, selaku Pihak Kedua", pr->agency_name),
		.scope_summary = jtext(c->arena, scope, "summary"),
		.features = feat,
		.milestones = m,
		.nmilestones = json_array_size(ms),
		.signers = signers,
		.nsigners = 2,
		.content_sha256 = ba->content_sha256 ? ba->content_sha256 : "(draft: not frozen yet)",
		.status = ba->status,
	};
	json_decref(scope);
	json_decref(ms);
	json_decref(parties);
}

/* Answers a rendered PDF (malloc'd, consumed) inline as <prefix>-<number>.pdf. */
static void reply_pdf(struct api_ctx *c, unsigned char *pdf, size_t len, const char *prefix, const char *number)
{
	void *copy = arena_alloc(c->arena, len);
	memcpy(copy, pdf, len);
	free(pdf);
	char *name = arena_strdup(c->arena, number);
	for (char *p = name; *p; p++)
		if (*p == '/' || *p == '"' || *p == '\\')
			*p = '-';
	api_set_header(c, "Content-Disposition", arena_printf(c->arena, "inline; filename=\"%s-%s.pdf\"", prefix, name));
	api_reply_bytes(c, 200, "application/pdf", copy, len);
}

/* Renders ba as it stands now (malloc'd *pdf, the caller frees it). */
static bool render_ba(struct api_ctx *c, const struct db_ba *ba, unsigned char **pdf, size_t *len, struct err *e)
{
	struct db_ba_print pr;
	struct pdf_signer signers[2];
	struct pdf_berita_acara doc;
	if (!db_ba_print_data(e, c->arena, ba, api_services.timezone, &pr))
		return false;
	pdf_input(c, ba, &pr, signers, &doc);
	return pdf_berita_acara(&doc, pdf, len, e);
}

/* The last signature: the signed PDF is rendered once and stored as the
 * Berita Acara's immutable `berita_acara` document, so the signed copy never
 * changes afterwards, whatever happens to the template. */
static bool store_signed_pdf(struct api_ctx *c, const struct db_ba *ba, struct err *e)
{
	unsigned char *pdf, hash[crypto_hash_sha256_BYTES];
	size_t len;
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	struct db_document d;
	if (!render_ba(c, ba, &pdf, &len, e))
		return false;
	crypto_hash_sha256(hash, pdf, len);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	char *name = arena_printf(c->arena, "berita-acara-%s.pdf", ba->number);
	for (char *p = name; *p; p++)
		if (*p == '/' || *p == '"' || *p == '\\')
			*p = '-';
	bool ok = db_document_insert(e, c->arena, ba->request_id, "berita_acara", name, "application/pdf", pdf, len, hex,
				     c->who.subject, ba->id, &d) &&
		  api_request_change(c, "document.store", "document", d.id, ba->request_id, NULL, d.json,
				     "{\"document_type\": \"berita_acara\"}", e);
	free(pdf);
	return ok;
}

/* A signed Berita Acara's stored PDF, byte for byte; any other (a draft, or
 * one awaiting signatures: watermarked DRAF) is rendered now. */
static bool ba_pdf(struct api_ctx *c, const struct db_ba *ba, unsigned char **pdf, size_t *len, struct err *e)
{
	const char *stored = NULL;
	if (strcmp(ba->status, "signed") == 0 && !db_document_of_ba(e, c->arena, ba->id, &stored))
		return false;
	if (!stored)
		return render_ba(c, ba, pdf, len, e);
	const void *bytes;
	if (!db_document_content(e, c->arena, stored, &bytes, len))
		return false;
	*pdf = malloc(*len ? *len : 1);
	if (!*pdf)
		abort();
	memcpy(*pdf, bytes, *len);
	return true;
}

bool api_ba_pdf(struct api_ctx *c, const struct db_ba *ba, const void **bytes, size_t *len, struct err *e)
{
	unsigned char *pdf;
	if (!ba_pdf(c, ba, &pdf, len, e))
		return false;
	void *copy = arena_alloc(c->arena, *len ? *len : 1);
	memcpy(copy, pdf, *len);
	free(pdf);
	*bytes = copy;
	return true;
}

static bool get_ba_pdf(struct api_ctx *c, struct err *e)
{
	struct db_ba ba;
	unsigned char *pdf;
	size_t len;
	if (!load_ba(c, false, &ba, e) || !ba_pdf(c, &ba, &pdf, &len, e))
		return false;
	reply_pdf(c, pdf, len, "berita-acara", ba.number);
	return true;
}

/* ---- Surat Tugas ---------------------------------------------------------- */

static const char *const st_fields[] = {"member_ids", "purpose", NULL};

static const char *read_members(struct api_ctx *c, json_t *b, struct err *e)
{
	json_t *list = json_object_get(b, "member_ids");
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 50)
		return err_field(e, "member_ids", list ? "invalid" : "required", "An array of 1 to 50 tim_spbe user ids."),
		       NULL;
	size_t n = json_array_size(list), i;
	const char **ids = arena_alloc(c->arena, n * sizeof *ids), **roles = arena_alloc(c->arena, n * sizeof *roles);
	json_t *v;
	json_array_foreach(list, i, v) {
		ids[i] = json_string_value(v);
		if (!ids[i] || !val_is_uuid(ids[i]))
			return err_field(e, "member_ids", "invalid", "Every member is a user id."), NULL;
		for (size_t k = 0; k < i; k++)
			if (strcmp(ids[k], ids[i]) == 0)
				return err_field(e, "member_ids", "duplicate", "A member is listed twice."), NULL;
	}
	if (!db_users_roles(e, c->arena, ids, (int)n, roles))
		return NULL;
	for (i = 0; i < n; i++)
		if (!roles[i] || strcmp(roles[i], "tim_spbe") != 0)
			return err_field(e, "member_ids", "role", "User %s is not an active tim_spbe member.", ids[i]), NULL;
	char *arr = arena_alloc(c->arena, n * 37 + 3);
	strcpy(arr, "{");
	for (i = 0; i < n; i++) {
		strcat(arr, i ? "," : "");
		strcat(arr, ids[i]);
	}
	strcat(arr, "}");
	return arr;
}

static bool issue_st(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_request_load(c, 0, true, &r, e) || !api_if_match(c, r.version, false, e))
		return false;
	bool agreed = strcmp(r.state, "agreed") == 0;
	if (!wf_accepts_surat_tugas(wf_state_parse(r.state)))
		return err_set(e, ERR_CONFLICT, "surat_tugas.not_agreed",
			       "A Surat Tugas follows the final agreement; the request is %s.", r.state);
	json_t *b = api_body(c);
	const char *purpose, *members;
	api_only_fields(b, "", st_fields, e);
	api_in_str(b, "purpose", API_REQUIRED | API_MULTILINE, 2000, &purpose, e);
	members = read_members(c, b, e);
	if (e->kind)
		return false;
	const char *number = next_number(c, "surat_tugas", api_services.st_number_format, e), *id, *json;
	if (!number || !db_st_insert(e, c->arena, r.id, number, api_services.timezone, purpose, members, c->who.subject,
				     c->acting.delegation_id, &id, &json))
		return false;
	struct api_move_extra x = {.audit_after = arena_printf(c->arena, "{\"surat_tugas_id\": \"%s\"}", id)};
	bool ok = agreed ? api_request_apply(c, &r, WF_ISSUE_ST, &x, e)
			 : api_request_change(c, "surat_tugas.issue", "surat_tugas", id, r.id, NULL, json, NULL, e);
	if (!ok)
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/surat-tugas/%s", id));
	api_reply_json_text(c, 201, json);
	return true;
}

/* GET /surat-tugas/{id}/pdf: the letter with its team table, rendered from
 * the immutable record (so every rendering prints the same letter). */
static bool get_st_pdf(struct api_ctx *c, struct err *e)
{
	const char *id;
	struct db_st_print pr;
	bool found;
	if (!api_param_uuid(c, 0, "surat_tugas.not_found", &id, e) || !db_st_print_data(e, c->arena, id, &pr, &found))
		return false;
	if (!found || !authz_agency_visible(&c->who, pr.agency_id))
		return err_set(e, ERR_NOT_FOUND, "surat_tugas.not_found", "No such Surat Tugas.");
	json_t *list = json_loads(pr.members ? pr.members : "[]", 0, NULL);
	size_t n = json_array_size(list);
	struct pdf_person *members = arena_alloc(c->arena, (n + 1) * sizeof *members);
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(list, i);
		members[i] = (struct pdf_person){jtext(c->arena, m, "name"), jtext(c->arena, m, "nip"),
						 jtext(c->arena, m, "position")};
	}
	json_decref(list);
	struct pdf_surat_tugas doc = {
		.letterhead = api_split_lines(c->arena, api_services.letterhead),
		.number = pr.number,
		.date = pr.date,
		.place = "Denpasar",
		.basis = pr.ba_number ? arena_printf(c->arena, "Berita Acara Kesepakatan Nomor %s atas permohonan %s: \"%s\".",
						     pr.ba_number, pr.agency_name, pr.request_title)
				      : arena_printf(c->arena, "Kesepakatan akhir atas permohonan %s: \"%s\".", pr.agency_name,
						     pr.request_title),
		.purpose = pr.purpose,
		.members = members,
		.nmembers = n,
		.issuer = {pr.issuer_name, pr.issuer_nip, pr.issuer_position},
		.issuer_title = deleg_kind_prefix(pr.issuer_acting_kind)
					? arena_printf(c->arena, "%s Kepala Dinas", deleg_kind_prefix(pr.issuer_acting_kind))
				: pr.issuer_position ? pr.issuer_position
						     : "Kepala Dinas",
	};
	unsigned char *pdf;
	size_t len;
	if (!pdf_surat_tugas(&doc, &pdf, &len, e))
		return false;
	reply_pdf(c, pdf, len, "surat-tugas", pr.number);
	return true;
}

static bool get_st(struct api_ctx *c, struct err *e)
{
	const char *id, *agency, *json;
	if (!api_param_uuid(c, 0, "surat_tugas.not_found", &id, e) || !db_st_get(e, c->arena, id, &agency, &json))
		return false;
	if (!json || !authz_agency_visible(&c->who, agency))
		return err_set(e, ERR_NOT_FOUND, "surat_tugas.not_found", "No such Surat Tugas.");
	api_reply_json_text(c, 200, json);
	return true;
}

static bool list_st(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	const char *json;
	if (!api_request_load(c, 0, false, &r, e) || !db_st_list(e, c->arena, r.id, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

const struct route api_agreements_routes[] = {
	{"POST", "/api/v1/requests/{id}/berita-acara", create_ba, ACT_BA_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/requests/{id}/berita-acara", get_request_ba, ACT_AGREEMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/berita-acara/{id}", get_ba, ACT_AGREEMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"PATCH", "/api/v1/berita-acara/{id}", patch_ba, ACT_BA_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/berita-acara/{id}/send", send_ba, ACT_BA_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/berita-acara/{id}/signatures", sign_ba, ACT_BA_SIGN, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/berita-acara/{id}/pdf", get_ba_pdf, ACT_AGREEMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/surat-tugas/{id}/pdf", get_st_pdf, ACT_AGREEMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/requests/{id}/surat-tugas", issue_st, ACT_ST_ISSUE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/requests/{id}/surat-tugas", list_st, ACT_AGREEMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/surat-tugas/{id}", get_st, ACT_AGREEMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{0},
};
