/* webhooks.c — webhook subscriptions: create (the secret shown once), list,
 * read, change, delete, rotate the secret, the deliveries of one (status,
 * attempts, last answer and latency, next attempt), a retry of one delivery
 * and a replay of a time range of events.
 *
 * Administrators manage every subscription; a machine client (the e-office)
 * manages its own, which only ever receive its agency's events when the
 * client is bound to one. Another's subscription answers 404. The outbox
 * fan-out and the delivery itself are migrations/0021 and server/deliver.c.
 */
#include "api/webhooks.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "core/delivery.h"
#include "core/events.h"
#include "core/validate.h"
#include "db/agencies.h"
#include "db/webhooks.h"

#define MAX_TYPES 64
#define SECRET_BYTES 32

/* ---- secrets ------------------------------------------------------------- */

/* Seals secret under the configured key as bytea text for the database. */
static const char *seal(struct api_ctx *c, const char *secret)
{
	size_t len = strlen(secret), n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	unsigned char *box = arena_alloc(c->arena, n);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)secret, len, box,
			      api_services.secret_key);
	char *text = arena_alloc(c->arena, 2 * n + 3);
	text[0] = '\\';
	text[1] = 'x';
	sodium_bin2hex(text + 2, 2 * n + 1, box, n);
	return text;
}

bool api_webhook_secret_open(const char *box_text, char *out, size_t n)
{
	if (!api_services.secret_key || !box_text || strncmp(box_text, "\\x", 2) != 0)
		return false;
	unsigned char box[256];
	size_t len;
	if (sodium_hex2bin(box, sizeof box, box_text + 2, strlen(box_text + 2), NULL, &len, NULL) != 0 ||
	    len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES ||
	    len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES >= n)
		return false;
	size_t plain = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, box, api_services.secret_key) != 0)
		return false;
	out[plain] = '\0';
	return true;
}

bool api_webhook_sign(const char *secret, const char *id, long long timestamp, const char *body, char *out,
		      size_t n)
{
	if (strncmp(secret, "whsec_", 6) != 0)
		return false;
	unsigned char key[96];
	size_t klen;
	if (sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL, &klen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24];
	snprintf(ts, sizeof ts, "%lld", timestamp);
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(key, sizeof key);
	if (n < 4 + sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_ORIGINAL))
		return false;
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, n - 3, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
	return true;
}

static const char *new_secret(struct api_ctx *c)
{
	unsigned char raw[SECRET_BYTES];
	randombytes_buf(raw, sizeof raw);
	size_t n = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc(c->arena, n + 6);
	memcpy(out, "whsec_", 6);
	sodium_bin2base64(out + 6, n, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof raw);
	return out;
}

static bool need_key(struct err *e)
{
	if (!api_services.secret_key)
		return err_set(e, ERR_UNAVAILABLE, "webhook.secret_key_missing",
			       "Webhooks need ALURD_SECRET_KEY (32 random bytes in base64) to keep their secrets.");
	return true;
}

/* ---- input ---------------------------------------------------------------- */

/* event_types: 1..64 of "*", a known type, or "record.*"; as a text[] literal. */
static const char *read_types(struct api_ctx *c, json_t *b, bool required, struct err *e)
{
	json_t *list = json_object_get(b, "event_types");
	if (!list) {
		if (required)
			err_field(e, "event_types", "required", "The event types to receive, or [\"*\"] for all.");
		return NULL;
	}
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_TYPES) {
		err_field(e, "event_types", "invalid", "An array of 1 to %d event types.", MAX_TYPES);
		return NULL;
	}
	size_t cap = 3, i;
	json_t *v;
	json_array_foreach(list, i, v)
		cap += (json_is_string(v) ? strlen(json_string_value(v)) : 0) + 1;
	char *out = arena_alloc(c->arena, cap), *p = out;
	*p++ = '{';
	size_t ntypes;
	const struct ev_type *cat = ev_catalogue(&ntypes);
	json_array_foreach(list, i, v) {
		const char *t = json_string_value(v);
		size_t len = t ? strlen(t) : 0;
		bool ok = t && (strcmp(t, "*") == 0 || ev_find(t));
		if (t && !ok && len > 2 && strcmp(t + len - 2, ".*") == 0)
			for (size_t k = 0; k < ntypes && !ok; k++)
				ok = strncmp(cat[k].type, t, len - 1) == 0;
		if (!ok) {
			err_field(e, "event_types", "unknown", "Not an event type: see the webhooks section of openapi.yaml.");
			return NULL;
		}
		if (i)
			*p++ = ',';
		memcpy(p, t, len); /* [a-z_.*] only: nothing to quote */
		p += len;
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

static const char *const fields[] = {"url", "event_types", "agency_id", "enabled", "description", NULL};

static bool read_fields(struct api_ctx *c, bool create, struct db_webhook_fields *f, struct err *e)
{
	json_t *b = api_body(c);
	api_only_fields(b, "", fields, e);
	if (api_in_str(b, "url", create ? API_REQUIRED : API_OPTIONAL, 2000, &f->url, e) &&
	    !dl_url_allowed(f->url, api_services.webhook_allow_http))
		err_field(e, "url", "invalid",
			  api_services.webhook_allow_http ? "An http(s) URL without user-info."
							  : "An https URL without user-info.");
	f->event_types = read_types(c, b, create, e);
	f->set_agency = api_in_uuid(b, "agency_id", API_NULLABLE, &f->agency_id, e);
	f->set_enabled = api_in_bool(b, "enabled", API_OPTIONAL, &f->enabled, e);
	api_in_str(b, "description", API_EMPTY_OK, 500, &f->description, e);
	if (e->kind)
		return false;
	if (authz_agency_bound(&c->who)) {
		/* a bound client's subscriptions only ever see its agency */
		if (f->set_agency && (!f->agency_id || strcmp(f->agency_id, c->who.agency_id) != 0))
			return err_field(e, "agency_id", "not_allowed", "This client receives its own agency's events only.");
		f->agency_id = c->who.agency_id;
		f->set_agency = create;
	} else if (f->set_agency && f->agency_id) {
		const char *json;
		if (!db_agency_get(e, c->arena, f->agency_id, false, &json))
			return false;
		if (!json)
			return err_field(e, "agency_id", "unknown", "No such agency.");
	}
	return true;
}

/* The subscription named by the path, if the caller may manage it. */
static bool load(struct api_ctx *c, bool lock, struct db_webhook *w, struct err *e)
{
	const char *id;
	bool found;
	if (!api_param_uuid(c, 0, "webhook.not_found", &id, e) || !db_webhook_get(e, c->arena, id, lock, w, &found))
		return false;
	bool mine = c->who.role == ROLE_ADMIN ||
		    (c->who.role == ROLE_INTEGRATION && w->owner_client_id && strcmp(w->owner_client_id, c->who.subject) == 0);
	if (!found || !mine)
		return err_set(e, ERR_NOT_FOUND, "webhook.not_found", "No such webhook.");
	return true;
}

/* The subscription's JSON with its new secret, shown this once. */
static void answer_with_secret(struct api_ctx *c, int status, const struct db_webhook *w, const char *secret)
{
	json_t *doc = json_loads(w->json, 0, NULL);
	json_object_set_new(doc, "secret", json_string(secret));
	c->replay_body = w->json; /* a replay of the same key answers without it */
	api_reply_json(c, status, doc);
}

/* ---- routes --------------------------------------------------------------- */

static bool create_webhook(struct api_ctx *c, struct err *e)
{
	struct db_webhook_fields f = {0};
	long count;
	if (!read_fields(c, true, &f, e) || !need_key(e) || !db_webhook_count(e, &count))
		return false;
	if (count >= api_services.webhook_max)
		return err_set(e, ERR_CONFLICT, "webhook.limit", "At most %d webhooks exist at once.",
			       api_services.webhook_max);
	const char *secret = new_secret(c);
	struct db_webhook w;
	if (!db_webhook_insert(e, c->arena, &f, c->who.role == ROLE_INTEGRATION ? c->who.subject : NULL,
			       seal(c, secret), c->who.subject, &w) ||
	    !api_audit(c, "webhook.create", "webhook", w.id, NULL, NULL, w.json, e))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/webhooks/%s", w.id));
	answer_with_secret(c, 201, &w, secret);
	return true;
}

static bool list_webhooks(struct api_ctx *c, struct err *e)
{
	const char *json;
	if (!db_webhook_list(e, c->arena, c->who.role == ROLE_ADMIN ? NULL : c->who.subject, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

static bool get_webhook(struct api_ctx *c, struct err *e)
{
	struct db_webhook w;
	if (!load(c, false, &w, e))
		return false;
	api_reply_json_text(c, 200, w.json);
	return true;
}

static bool patch_webhook(struct api_ctx *c, struct err *e)
{
	struct db_webhook w, after;
	struct db_webhook_fields f = {0};
	if (!load(c, true, &w, e) || !read_fields(c, false, &f, e) ||
	    !db_webhook_update(e, c->arena, w.id, &f, &after) ||
	    !api_audit(c, "webhook.update", "webhook", w.id, NULL, w.json, after.json, e))
		return false;
	api_reply_json_text(c, 200, after.json);
	return true;
}

static bool delete_webhook(struct api_ctx *c, struct err *e)
{
	struct db_webhook w;
	if (!load(c, true, &w, e) || !db_webhook_delete(e, w.id) ||
	    !api_audit(c, "webhook.delete", "webhook", w.id, NULL, w.json, NULL, e))
		return false;
	api_reply_bytes(c, 204, NULL, NULL, 0);
	return true;
}

static bool rotate_secret(struct api_ctx *c, struct err *e)
{
	static const char *const none[] = {NULL};
	struct db_webhook w;
	if (!api_only_fields(api_body(c), "", none, e) || !need_key(e) || !load(c, true, &w, e))
		return false;
	const char *secret = new_secret(c);
	if (!db_webhook_rotate(e, c->arena, w.id, seal(c, secret), api_services.webhook_rotation_overlap, &w) ||
	    !api_audit(c, "webhook.secret_rotate", "webhook", w.id, NULL, NULL, NULL, e))
		return false;
	answer_with_secret(c, 200, &w, secret);
	return true;
}

static const char *const page_params[] = {"limit", "cursor", NULL};

static bool list_deliveries(struct api_ctx *c, struct err *e)
{
	struct db_webhook w;
	int limit;
	const char **cursor;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 1, &cursor, e);
	if (cursor && (!*cursor[0] || strspn(cursor[0], "0123456789") != strlen(cursor[0])))
		err_field(e, "cursor", "invalid", "This cursor was not made by this server.");
	if (e->kind || !load(c, false, &w, e))
		return false;
	struct db_page page;
	if (!db_delivery_page(e, c->arena, w.id, cursor ? cursor[0] : NULL, limit, &page))
		return false;
	api_reply_page(c, &page, 1);
	return true;
}

static bool retry_delivery(struct api_ctx *c, struct err *e)
{
	static const char *const none[] = {NULL};
	struct db_webhook w;
	const char *id = c->params[1], *json;
	bool found;
	if (!api_only_fields(api_body(c), "", none, e) || !load(c, false, &w, e))
		return false;
	if (!*id || strlen(id) > 18 || strspn(id, "0123456789") != strlen(id))
		return err_set(e, ERR_NOT_FOUND, "webhook.delivery_not_found", "No such delivery.");
	if (!db_delivery_retry(e, c->arena, w.id, id, &json, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "webhook.delivery_not_found",
			       "No such delivery, or it is being attempted right now.");
	if (!api_audit(c, "webhook.delivery_retry", "webhook", w.id, NULL, NULL,
		       arena_printf(c->arena, "{\"delivery_id\": \"%s\"}", id), e))
		return false;
	api_reply_json_text(c, 200, json);
	return true;
}

static bool replay(struct api_ctx *c, struct err *e)
{
	static const char *const keys[] = {"from", "to", NULL};
	struct db_webhook w;
	json_t *b = api_body(c);
	const char *from, *to;
	api_only_fields(b, "", keys, e);
	if (api_in_str(b, "from", API_REQUIRED, 40, &from, e))
		val_timestamp(e, "from", from);
	if (api_in_str(b, "to", API_REQUIRED, 40, &to, e))
		val_timestamp(e, "to", to);
	int count;
	if (e->kind || !load(c, false, &w, e) || !db_delivery_replay(e, w.id, from, to, &count) ||
	    !api_audit(c, "webhook.replay", "webhook", w.id, NULL, NULL,
		       arena_printf(c->arena, "{\"from\": \"%s\", \"to\": \"%s\", \"deliveries\": %d}", from, to, count), e))
		return false;
	api_reply_json(c, 202, json_pack("{s:i}", "deliveries", count));
	return true;
}

const struct route api_webhooks_routes[] = {
	{"GET", "/api/v1/webhooks", list_webhooks, ACT_WEBHOOK_ADMIN, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/webhooks", create_webhook, ACT_WEBHOOK_ADMIN, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/webhooks/{id}", get_webhook, ACT_WEBHOOK_ADMIN, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"PATCH", "/api/v1/webhooks/{id}", patch_webhook, ACT_WEBHOOK_ADMIN, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"DELETE", "/api/v1/webhooks/{id}", delete_webhook, ACT_WEBHOOK_ADMIN, API_TX_WRITE, API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/webhooks/{id}/secret", rotate_secret, ACT_WEBHOOK_ADMIN, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/webhooks/{id}/deliveries", list_deliveries, ACT_WEBHOOK_ADMIN, API_TX_READ, API_BODY_NONE, 0,
	 page_params},
	{"POST", "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", retry_delivery, ACT_WEBHOOK_ADMIN, API_TX_WRITE,
	 API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/webhooks/{id}/replay", replay, ACT_WEBHOOK_ADMIN, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{0},
};
