/* auth.c — sign-in and tokens: password login, refresh-token rotation with
 * reuse detection, logout, and the client-credentials grant for the e-office.
 *
 * Failed attempts are counted per username (or client id) and per client
 * address in PostgreSQL, so every instance sees them; from a few failures on
 * each failure blocks for a doubling time (429 + Retry-After), capped, never
 * permanent; a success clears the account's (or client's) counter only: the
 * address's counter is cleared by time alone, or one valid account signing
 * in between guesses would let an address spray passwords at every other. An unknown username is verified
 * against a dummy hash, so it costs the same and answers the same as a wrong
 * password. Refusals keep their audit row and counter (commit_on_error).
 *
 * The console's sessions: a login with `"cookie": true` gets its refresh
 * token in an `HttpOnly; Secure; SameSite=Strict` cookie scoped to
 * /api/v1/auth (never in the JSON, so no script can read it), beside a
 * readable `alurd_csrf` cookie. Refresh and logout read the refresh cookie
 * only when the body names no token, and then require the header
 * `X-CSRF-Token` to carry the CSRF value: a keyed hash of the refresh token
 * itself, so it is bound to the session (a planted cookie cannot match it)
 * and needs no storage; a cross-site page can neither read it nor send the
 * header without a CORS preflight it would fail. A request that says
 * `Sec-Fetch-Site: cross-site` is refused outright.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "core/urlform.h"
#include "core/validate.h"
#include "api/input.h"
#include "db/clients.h"
#include "db/users.h"

#define TOKEN_TYPE "Bearer"
#define REFRESH_COOKIE "alurd_refresh"
#define CSRF_COOKIE "alurd_csrf"
#define COOKIE_PATH "/api/v1/auth"

/* The CSRF value of a refresh token: base64url of the first 24 bytes of
 * SHA-256("alurd-csrf:" token). */
static const char *csrf_of(struct arena *a, const char *refresh)
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"alurd-csrf:", 11);
	crypto_hash_sha256_update(&st, (const unsigned char *)refresh, strlen(refresh));
	crypto_hash_sha256_final(&st, h);
	size_t n = sodium_base64_ENCODED_LEN(24, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, n);
	sodium_bin2base64(out, n, h, 24, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* The value of cookie name in the Cookie header, or NULL. */
static const char *cookie_get(struct api_ctx *c, const char *name)
{
	const char *h = api_header(c, "Cookie");
	size_t nl = strlen(name);
	for (const char *s = h; s && *s;) {
		s += strspn(s, " \t;");
		size_t n = strcspn(s, ";");
		if (n > nl && strncmp(s, name, nl) == 0 && s[nl] == '=') {
			size_t vl = n - nl - 1;
			while (vl && (s[nl + 1 + vl - 1] == ' ' || s[nl + 1 + vl - 1] == '\t'))
				vl--;
			return arena_strndup(c->arena, s + nl + 1, vl);
		}
		s += n;
	}
	return NULL;
}

/* Sets the console's two cookies for refresh (NULL: clears them). */
static void set_session_cookies(struct api_ctx *c, const char *refresh)
{
	if (refresh) {
		api_set_header(c, "Set-Cookie",
			       arena_printf(c->arena, "%s=%s; Path=%s; Max-Age=%d; HttpOnly; Secure; SameSite=Strict",
					    REFRESH_COOKIE, refresh, COOKIE_PATH, api_services.refresh_ttl));
		api_set_header(c, "Set-Cookie",
			       arena_printf(c->arena, "%s=%s; Path=/; Max-Age=%d; Secure; SameSite=Strict", CSRF_COOKIE,
					    csrf_of(c->arena, refresh), api_services.refresh_ttl));
	} else {
		api_set_header(c, "Set-Cookie",
			       arena_printf(c->arena, "%s=; Path=%s; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
					    REFRESH_COOKIE, COOKIE_PATH));
		api_set_header(c, "Set-Cookie",
			       arena_printf(c->arena, "%s=; Path=/; Max-Age=0; Secure; SameSite=Strict", CSRF_COOKIE));
	}
}

/* The refresh token from the cookie, once the request has shown it is the
 * console's own (X-CSRF-Token bound to that token, not cross-site). *token
 * NULL and true: no cookie. */
static bool cookie_refresh_token(struct api_ctx *c, const char **token, struct err *e)
{
	*token = cookie_get(c, REFRESH_COOKIE);
	if (!*token || !**token) {
		*token = NULL;
		return true;
	}
	const char *site = api_header(c, "Sec-Fetch-Site");
	if (site && strcmp(site, "cross-site") == 0)
		return err_set(e, ERR_FORBIDDEN, "auth.csrf_failed", "A session cookie is not accepted from another site.");
	const char *presented = api_header(c, "X-CSRF-Token");
	const char *want = csrf_of(c->arena, *token);
	if (!presented || strlen(presented) != strlen(want) || sodium_memcmp(presented, want, strlen(want)) != 0)
		return err_set(e, ERR_FORBIDDEN, "auth.csrf_failed",
			       "The X-CSRF-Token header must carry the alurd_csrf cookie's value.");
	return true;
}

static bool throttled(struct api_ctx *c, const char *key1, const char *key2, struct err *e)
{
	int retry;
	if (!db_throttle_check(e, key1, key2, &retry))
		return true;
	if (retry <= 0)
		return false;
	if (api_audit(c, "auth.login_throttled", "login", key1, NULL, NULL, NULL, e))
		c->commit_on_error = true;
	err_set(e, ERR_TOO_MANY, "auth.throttled", "Too many failed attempts; try again in %d seconds.", retry);
	e->retry_after = retry;
	return true;
}

/* Counts one failure on both keys (key1 the account's or client's, key2 the
 * address's, each with its own budget: many people share an office's
 * address); the refusal itself is the caller's. */
static bool count_failure(struct api_ctx *c, const char *key1, const char *key2, const char *action,
			  const char *record_type, const char *record_id, struct err *e)
{
	int b1, b2;
	if (!db_throttle_fail(e, key1, api_services.login_max_failures, &b1) ||
	    !db_throttle_fail(e, key2, api_services.login_max_failures_per_address, &b2) ||
	    !api_audit(c, action, record_type, record_id, NULL, NULL, NULL, e))
		return false;
	if (b1 || b2) {
		const char *after = arena_printf(c->arena, "{\"blocked_seconds\": %d}", b1 > b2 ? b1 : b2);
		if (!api_audit(c, "auth.lockout", record_type, record_id, NULL, NULL, after, e))
			return false;
	}
	c->commit_on_error = true;
	return true;
}

static void principal_from_user(struct principal *p, const struct db_user *u)
{
	memset(p, 0, sizeof *p);
	p->authenticated = true;
	p->role = role_parse(u->role);
	snprintf(p->subject, sizeof p->subject, "%s", u->id);
	snprintf(p->agency_id, sizeof p->agency_id, "%s", u->agency_id ? u->agency_id : "");
	p->must_change_password = u->must_change_password;
	p->min_iat = u->valid_after;
}

/* Issues an access token and a refresh token in family (a new family when
 * family is NULL) and answers 200 with both. */
static bool answer_tokens(struct api_ctx *c, const struct db_user *u, const char *family, bool cookie,
			  struct err *e)
{
	if (!family) {
		unsigned char raw[16];
		randombytes_buf(raw, sizeof raw);
		raw[6] = (raw[6] & 0x0F) | 0x40; /* a version-4 UUID */
		raw[8] = (raw[8] & 0x3F) | 0x80;
		char hex[33];
		sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
		family = arena_printf(c->arena, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	}
	const char *refresh = api_random_token(c->arena, 32);
	if (!db_session_create(e, u->id, family, api_sha256_bytea(c->arena, refresh), api_services.refresh_ttl))
		return false;
	struct principal p;
	principal_from_user(&p, u);
	char *access;
	long expires_in;
	if (!api_services.issue_access(&p, &access, &expires_in, e))
		return false;
	json_t *out = json_pack("{s:s, s:s, s:I, s:I, s:b}", "access_token", access, "token_type", TOKEN_TYPE,
				"expires_in", (json_int_t)expires_in, "refresh_expires_in",
				(json_int_t)api_services.refresh_ttl, "must_change_password", u->must_change_password);
	free(access);
	if (cookie)
		json_object_set_new(out, "refresh_cookie", json_true());
	else
		json_object_set_new(out, "refresh_token", json_string(refresh));
	api_reply_json(c, 200, out);
	if (cookie)
		set_session_cookies(c, refresh);
	return true;
}

static const char *const login_fields[] = {"username", "password", "cookie", NULL};

static bool login(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	const char *username, *password;
	bool cookie = false;
	api_only_fields(b, "", login_fields, e);
	api_in_str(b, "username", API_REQUIRED, 64, &username, e);
	api_in_str(b, "password", API_REQUIRED, 1024, &password, e);
	api_in_bool(b, "cookie", API_OPTIONAL, &cookie, e);
	if (e->kind)
		return false;
	if (strlen(password) > VAL_PASSWORD_MAX_BYTES)
		return err_field(e, "password", "too_long", "At most %d bytes.", VAL_PASSWORD_MAX_BYTES);
	char *lower = arena_strdup(c->arena, username); /* usernames are stored lowercase */
	for (char *s = lower; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	username = lower;
	const char *user_key = arena_printf(c->arena, "user:%s", username);
	const char *addr_key = arena_printf(c->arena, "addr:%s", c->client_addr);
	if (throttled(c, user_key, addr_key, e))
		return false;
	struct db_user u;
	bool found, ok, rehash;
	if (!db_user_by_username(e, c->arena, username, &u, &found) ||
	    !api_password_verify(found ? u.password_hash : NULL, password, &ok, &rehash, e))
		return false;
	if (!ok || !u.active) {
		if (!count_failure(c, user_key, addr_key, "auth.login_failed", "user", found ? u.id : username, e))
			return false;
		return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_credentials", "Wrong username or password.");
	}
	if (!db_throttle_reset(e, user_key))
		return false;
	if (rehash) {
		char hash[crypto_pwhash_STRBYTES];
		struct db_user_change ch = {.password_hash = hash};
		if (!api_password_hash(password, hash, e) || !db_user_update(e, c->arena, u.id, &ch, false, &u))
			return false;
	}
	principal_from_user(&c->who, &u);
	return api_audit(c, "auth.login", "user", u.id, NULL, NULL, NULL, e) && answer_tokens(c, &u, NULL, cookie, e);
}

static const char *const refresh_fields[] = {"refresh_token", NULL};

/* The refresh token from the body or, when the body names none, from the
 * console's cookie (*cookie true; CSRF checked). */
static bool read_refresh_token(struct api_ctx *c, const char **token, bool *cookie, struct err *e)
{
	json_t *b = api_body(c);
	*token = NULL;
	*cookie = false;
	api_only_fields(b, "", refresh_fields, e);
	api_in_str(b, "refresh_token", API_OPTIONAL, 256, token, e);
	if (e->kind)
		return false;
	if (*token)
		return true;
	if (!cookie_refresh_token(c, token, e))
		return false;
	if (!*token)
		return err_field(e, "refresh_token", "required",
				 "A refresh token is required (in the body or the console's cookie).");
	*cookie = true;
	return true;
}

static bool refresh(struct api_ctx *c, struct err *e)
{
	const char *token;
	bool cookie;
	if (!read_refresh_token(c, &token, &cookie, e))
		return false;
	struct db_session s;
	bool found;
	if (!db_session_find(e, c->arena, api_sha256_bytea(c->arena, token), &s, &found))
		return false;
	if (!found || s.revoked || s.expired)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_refresh_token", "The refresh token is not valid.");
	struct db_user u;
	if (!db_user_get(e, c->arena, s.user_id, false, &u, &found))
		return false;
	if (!found)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_refresh_token", "The refresh token is not valid.");
	if (s.rotated) {
		/* a token already exchanged comes back: someone holds a copy */
		principal_from_user(&c->who, &u);
		if (!db_session_revoke_family(e, s.family_id) ||
		    !api_audit(c, "auth.refresh_reuse_detected", "session", s.family_id, NULL, NULL, NULL, e))
			return false;
		c->commit_on_error = true;
		return err_set(e, ERR_UNAUTHENTICATED, "auth.refresh_token_reused",
			       "This refresh token was already used; every session of this sign-in is now closed.");
	}
	if (!u.active) {
		if (!db_session_revoke_family(e, s.family_id))
			return false;
		c->commit_on_error = true;
		return err_set(e, ERR_UNAUTHENTICATED, "auth.account_inactive", "The account is deactivated.");
	}
	return db_session_rotate(e, s.id) && answer_tokens(c, &u, s.family_id, cookie, e);
}

static bool logout(struct api_ctx *c, struct err *e)
{
	const char *token;
	bool cookie;
	if (!read_refresh_token(c, &token, &cookie, e))
		return false;
	struct db_session s;
	bool found;
	if (!db_session_find(e, c->arena, api_sha256_bytea(c->arena, token), &s, &found))
		return false;
	if (found && !s.revoked) {
		struct db_user u;
		bool user_found;
		if (!db_user_get(e, c->arena, s.user_id, false, &u, &user_found))
			return false;
		if (user_found)
			principal_from_user(&c->who, &u);
		if (!db_session_revoke_family(e, s.family_id) ||
		    !api_audit(c, "auth.logout", "session", s.family_id, NULL, NULL, NULL, e))
			return false;
	}
	api_reply_bytes(c, 204, NULL, NULL, 0);
	if (cookie)
		set_session_cookies(c, NULL);
	return true;
}

static const char *const token_fields[] = {"grant_type", "client_id", "client_secret", "scope", NULL};

/* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by
 * single spaces. A client's token has one scope, the reach an administrator
 * granted its writes (migrations/0015): `requests:own` or
 * `requests:visible` (which includes own). A requested scope is accepted when
 * every token is within that grant; the answer always names the scope
 * granted. */
static bool scope_check(const char *requested, const char *granted, struct err *e)
{
	if (!requested)
		return true;
	size_t n = strlen(requested);
	if (n == 0 || n > 200)
		return err_set(e, ERR_INVALID, "auth.invalid_scope", "scope is 1 to 200 characters.");
	for (const char *p = requested; *p;) {
		size_t len = 0;
		while (p[len] && p[len] != ' ') {
			unsigned char ch = (unsigned char)p[len];
			if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\')
				return err_set(e, ERR_INVALID, "auth.invalid_scope", "scope holds a character RFC 6749 does not allow.");
			len++;
		}
		if (len == 0)
			return err_set(e, ERR_INVALID, "auth.invalid_scope", "scope tokens are separated by single spaces.");
		bool own = len == 12 && strncmp(p, "requests:own", 12) == 0;
		bool visible = len == 16 && strncmp(p, "requests:visible", 16) == 0;
		if (!own && !visible)
			return err_set(e, ERR_INVALID, "auth.invalid_scope",
				       "Unknown scope %.*s; a client's scope is requests:own or requests:visible.", (int)(len > 40 ? 40 : len), p);
		if (visible && strcmp(granted, "requests:visible") != 0)
			return err_set(e, ERR_INVALID, "auth.invalid_scope",
				       "This client is granted requests:own only; an administrator grants more.");
		p += len;
		if (*p == ' ' && !*++p)
			return err_set(e, ERR_INVALID, "auth.invalid_scope", "scope ends with a space.");
	}
	return true;
}

/* HTTP Basic client credentials (RFC 6749 §2.3.1): base64 of
 * urlencoded(client_id) ":" urlencoded(client_secret). *present tells
 * whether the header named the Basic scheme at all. */
static bool basic_credentials(struct api_ctx *c, bool *present, const char **id, const char **secret,
			      struct err *e)
{
	const char *h = api_header(c, "Authorization");
	*present = h && strncasecmp(h, "Basic ", 6) == 0;
	if (!*present)
		return true;
	const char *b64 = h + 6;
	while (*b64 == ' ')
		b64++;
	size_t n = strlen(b64), len;
	unsigned char *raw = arena_alloc(c->arena, n + 1);
	if (n > 1024 || sodium_base642bin(raw, n, b64, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return err_set(e, ERR_INVALID, "auth.invalid_request", "The Basic credentials are not base64.");
	const char *colon = memchr(raw, ':', len);
	if (!colon)
		return err_set(e, ERR_INVALID, "auth.invalid_request", "The Basic credentials lack the ':' separator.");
	size_t idlen = (size_t)(colon - (const char *)raw);
	char *idbuf = arena_alloc(c->arena, idlen + 1), *secbuf = arena_alloc(c->arena, len - idlen);
	if (urlform_decode((const char *)raw, idlen, idbuf) == (size_t)-1 ||
	    urlform_decode(colon + 1, len - idlen - 1, secbuf) == (size_t)-1)
		return err_set(e, ERR_INVALID, "auth.invalid_request", "The Basic credentials are malformed.");
	*id = idbuf;
	*secret = secbuf;
	return true;
}

/* The client-credentials grant (RFC 6749 §4.4) in either form: a URL-encoded
 * form (or JSON) with grant_type, and the client's credentials in HTTP
 * Basic or in the body (client_id, client_secret) — one of the two, never
 * both. */
static bool client_token(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	const char *grant, *client_id = NULL, *secret = NULL, *basic_id = NULL, *basic_secret = NULL, *scope = NULL;
	bool basic;
	if (!basic_credentials(c, &basic, &basic_id, &basic_secret, e))
		return false;
	api_only_fields(b, "", token_fields, e);
	api_in_str(b, "grant_type", API_REQUIRED, 64, &grant, e);
	api_in_str(b, "client_id", basic ? API_OPTIONAL : API_REQUIRED, 64, &client_id, e);
	api_in_str(b, "client_secret", basic ? API_OPTIONAL : API_REQUIRED, 128, &secret, e);
	api_in_str(b, "scope", API_OPTIONAL, 1024, &scope, e);
	if (basic && secret)
		err_field(e, "client_secret", "not_allowed", "Send the credentials in HTTP Basic or in the body, not both.");
	if (basic && client_id && strcmp(client_id, basic_id) != 0)
		err_field(e, "client_id", "not_allowed", "client_id differs from the HTTP Basic credentials.");
	if (e->kind)
		return false;
	if (basic) {
		client_id = basic_id;
		secret = basic_secret;
		if (strlen(client_id) > 64 || strlen(secret) > 128)
			return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_client", "Unknown client or wrong secret.");
	}
	if (strcmp(grant, "client_credentials") != 0)
		return err_field(e, "grant_type", "unsupported", "Only client_credentials is supported.");
	const char *client_key = arena_printf(c->arena, "client:%s", client_id);
	const char *addr_key = arena_printf(c->arena, "addr:%s", c->client_addr);
	if (throttled(c, client_key, addr_key, e))
		return false;
	struct db_client k;
	bool found;
	if (!db_client_by_client_id(e, c->arena, client_id, &k, &found))
		return false;
	const char *presented = api_sha256_bytea(c->arena, secret);
	bool ok = found && !k.revoked && strlen(k.secret_hash) == strlen(presented) &&
		  sodium_memcmp(k.secret_hash, presented, strlen(presented)) == 0;
	if (!ok) {
		if (!count_failure(c, client_key, addr_key, "auth.client_failed", "client", client_id, e))
			return false;
		return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_client", "Unknown client or wrong secret.");
	}
	json_t *doc = json_loads(k.json, 0, NULL);
	const char *ws = json_string_value(json_object_get(doc, "write_scope"));
	const char *granted = ws && strcmp(ws, "visible") == 0 ? "requests:visible" : "requests:own";
	json_decref(doc);
	if (!scope_check(scope, granted, e))
		return false;
	struct principal p = {.authenticated = true, .role = ROLE_INTEGRATION};
	snprintf(p.subject, sizeof p.subject, "%s", k.id);
	snprintf(p.agency_id, sizeof p.agency_id, "%s", k.agency_id ? k.agency_id : "");
	c->who = p;
	char *access;
	long expires_in;
	if (!db_throttle_reset(e, client_key) ||
	    !api_audit(c, "auth.client_token", "client", k.id, NULL, NULL, NULL, e) ||
	    !api_services.issue_access(&p, &access, &expires_in, e))
		return false;
	api_reply_json(c, 200,
		       json_pack("{s:s, s:s, s:I, s:s}", "access_token", access, "token_type", TOKEN_TYPE, "expires_in",
				 (json_int_t)expires_in, "scope", granted));
	free(access);
	return true;
}

const struct route api_auth_routes[] = {
	{"POST", "/api/v1/auth/login", login, ACT_PUBLIC, API_TX_WRITE, API_BODY_JSON, 8192, NULL},
	{"POST", "/api/v1/auth/refresh", refresh, ACT_PUBLIC, API_TX_WRITE, API_BODY_JSON, 8192, NULL},
	{"POST", "/api/v1/auth/logout", logout, ACT_PUBLIC, API_TX_WRITE, API_BODY_JSON, 8192, NULL},
	{"POST", "/api/v1/auth/token", client_token, ACT_PUBLIC, API_TX_WRITE, API_BODY_TOKEN, 8192, NULL},
	{0},
};
