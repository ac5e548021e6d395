/* auth.c — JWT issue and verification, and the account snapshot.
 *
 * libjwt 1.10 verifies with whatever algorithm the token names, accepts
 * `alg: none` when given no key, checks no claim, and copies the token onto
 * the stack. So: the token's size and alphabet are checked before decoding,
 * the decoded algorithm must equal the configured one, and every claim
 * (exp required, nbf, iat, iss, aud, types) is checked here.
 *
 * The snapshot is an array of every account (users and machine clients)
 * sorted by id, replaced wholesale by a background thread every
 * ALURD_AUTH_REFRESH seconds, and at once when another instance announces an
 * account change (auth_snapshot_kick, called by server/changes.c);
 * readers take a read lock for a bsearch.
 */
#include "server/auth.h"

#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "db/accounts.h"
#include "db/db.h"
#include "server/bg.h"
#include "server/log.h"

#define TOKEN_MAX 4096

static const struct config *g_cfg;
static jwt_alg_t g_alg;
static unsigned char *g_sign_key, *g_verify_key;
static size_t g_sign_len, g_verify_len;

static bool issue_access(const struct principal *p, char **token, long *expires_in, struct err *e);

/* ---- keys --------------------------------------------------------------- */

static bool read_file(const char *path, unsigned char **out, size_t *len, struct err *e, const char *var)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ERR_INVALID, "config.jwt", "%s: cannot open %s", var, path);
	unsigned char *buf = malloc(65536);
	if (!buf)
		abort();
	size_t n = fread(buf, 1, 65535, f);
	fclose(f);
	if (n == 0 || n == 65535) {
		free(buf);
		return err_set(e, ERR_INVALID, "config.jwt", "%s: %s is empty or too large for a PEM key", var, path);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return true;
}

/* Parses the PEM keys with OpenSSL and checks they suit the algorithm
 * (RSA of at least 2048 bits for RS256, P-256 for ES256) and each other, so
 * a wrong key stops the daemon at start instead of failing every login. */
static bool check_keys(const struct config *cfg, struct err *e)
{
	BIO *bio = BIO_new_mem_buf(g_verify_key, (int)g_verify_len);
	EVP_PKEY *pub = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	EVP_PKEY *priv = NULL;
	bool ok = true;
	if (!pub) {
		ok = err_set(e, ERR_INVALID, "config.jwt", "ALURD_JWT_PUBLIC_KEY: %s is not a PEM public key",
			     cfg->jwt_public_key);
	} else if (g_alg == JWT_ALG_RS256 && (EVP_PKEY_base_id(pub) != EVP_PKEY_RSA || EVP_PKEY_bits(pub) < 2048)) {
		ok = err_set(e, ERR_INVALID, "config.jwt", "ALURD_JWT_PUBLIC_KEY: RS256 needs an RSA key of 2048 bits or more");
	} else if (g_alg == JWT_ALG_ES256 && (EVP_PKEY_base_id(pub) != EVP_PKEY_EC || EVP_PKEY_bits(pub) != 256)) {
		ok = err_set(e, ERR_INVALID, "config.jwt", "ALURD_JWT_PUBLIC_KEY: ES256 needs a P-256 EC key");
	} else if (g_sign_key) {
		bio = BIO_new_mem_buf(g_sign_key, (int)g_sign_len);
		priv = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		if (!priv)
			ok = err_set(e, ERR_INVALID, "config.jwt", "ALURD_JWT_PRIVATE_KEY: %s is not a PEM private key",
				     cfg->jwt_private_key);
		else if (EVP_PKEY_eq(priv, pub) != 1)
			ok = err_set(e, ERR_INVALID, "config.jwt",
				     "ALURD_JWT_PRIVATE_KEY: does not belong to ALURD_JWT_PUBLIC_KEY");
	}
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	return ok;
}

bool auth_init(const struct config *cfg, struct err *e)
{
	g_cfg = cfg;
	g_alg = jwt_str_alg(cfg->jwt_alg);
	api_services.issue_access = issue_access;
	if (g_alg == JWT_ALG_HS256) {
		if (cfg->jwt_secret_len < 32)
			return err_set(e, ERR_INVALID, "config.jwt",
				       "ALURD_JWT_SECRET: required for HS256, at least 32 bytes (e.g. `openssl rand -base64 48`)");
		g_sign_key = (unsigned char *)strdup(cfg->jwt_secret);
		g_verify_key = (unsigned char *)strdup(cfg->jwt_secret);
		if (!g_sign_key || !g_verify_key)
			abort();
		g_sign_len = g_verify_len = cfg->jwt_secret_len;
		return true;
	}
	if (!cfg->jwt_public_key[0])
		return err_set(e, ERR_INVALID, "config.jwt", "ALURD_JWT_PUBLIC_KEY: required for %s", cfg->jwt_alg);
	if (!read_file(cfg->jwt_public_key, &g_verify_key, &g_verify_len, e, "ALURD_JWT_PUBLIC_KEY"))
		return false;
	if (cfg->jwt_private_key[0] &&
	    !read_file(cfg->jwt_private_key, &g_sign_key, &g_sign_len, e, "ALURD_JWT_PRIVATE_KEY"))
		return false;
	return check_keys(cfg, e);
}

/* ---- issuing ------------------------------------------------------------ */

static bool issue_access(const struct principal *p, char **token, long *expires_in, struct err *e)
{
	if (!g_sign_key)
		return err_set(e, ERR_UNAVAILABLE, "auth.signing_disabled",
			       "This instance has no signing key (ALURD_JWT_PRIVATE_KEY); tokens come from the identity provider.");
	jwt_t *jwt;
	if (jwt_new(&jwt) != 0)
		abort();
	long now = (long)time(NULL);
	if (now < p->min_iat)
		now = p->min_iat; /* the revocation's second is revoked; start after it */
	unsigned char raw[16];
	char jti[33];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(jti, sizeof jti, raw, sizeof raw);
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "sub", p->subject, "role",
				   role_name(p->role), "iss", g_cfg->jwt_issuer, "aud", g_cfg->jwt_audience, "iat",
				   (json_int_t)now, "nbf", (json_int_t)now, "exp", (json_int_t)(now + g_cfg->access_ttl),
				   "jti", jti);
	json_object_set_new(claims, "agency_id", p->agency_id[0] ? json_string(p->agency_id) : json_null());
	if (p->must_change_password)
		json_object_set_new(claims, "mcp", json_true());
	char *text = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	bool ok = text && jwt_add_grants_json(jwt, text) == 0 && jwt_set_alg(jwt, g_alg, g_sign_key, (int)g_sign_len) == 0;
	free(text);
	char *out = ok ? jwt_encode_str(jwt) : NULL;
	jwt_free(jwt);
	if (!out)
		return err_set(e, ERR_INTERNAL, "internal", "Could not sign the token.");
	*token = out;
	*expires_in = g_cfg->access_ttl;
	return true;
}

/* ---- the account snapshot ----------------------------------------------- */

struct snapshot {
	struct db_account *items;
	size_t n;
	long taken_at;
};

static pthread_rwlock_t g_snap_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct snapshot *g_snap;
static struct bg g_refresher = BG_INIT; /* kicked: refresh now, a new account was seen */

static void snapshot_free(struct snapshot *s)
{
	if (s) {
		free(s->items);
		free(s);
	}
}

/* Loads a fresh snapshot and swaps it in; false when the database is down. */
static bool snapshot_refresh(void)
{
	struct err e;
	err_clear(&e);
	struct snapshot *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->taken_at = (long)time(NULL);
	db_unit_start(true);
	if (!db_account_snapshot(&e, &s->items, &s->n)) {
		log_msg(LOG_WARN, NULL, "account snapshot failed: %s %s", e.detail, e.log);
		free(s);
		return false;
	}
	pthread_rwlock_wrlock(&g_snap_lock);
	struct snapshot *old = g_snap;
	g_snap = s;
	pthread_rwlock_unlock(&g_snap_lock);
	snapshot_free(old);
	return true;
}

static void *refresher(void *unused)
{
	(void)unused;
	for (;;) {
		bool ok = snapshot_refresh();
		if (bg_wait(&g_refresher, ok ? g_cfg->auth_refresh : 1))
			break;
	}
	db_thread_cleanup();
	return NULL;
}

void auth_snapshot_kick(void)
{
	bg_kick(&g_refresher);
}

void auth_start_background(void)
{
	bg_start(&g_refresher, refresher, NULL);
	/* wait a little for the first snapshot, so the first requests after
	 * start-up are not answered "accounts not loaded" */
	for (int i = 0; i < 200; i++) {
		pthread_rwlock_rdlock(&g_snap_lock);
		bool loaded = g_snap != NULL;
		pthread_rwlock_unlock(&g_snap_lock);
		if (loaded)
			break;
		struct timespec nap = {0, 10 * 1000000L};
		nanosleep(&nap, NULL);
	}
}

void auth_stop_background(void)
{
	bg_stop(&g_refresher);
}

void auth_cleanup(void)
{
	snapshot_free(g_snap);
	g_snap = NULL;
	free(g_sign_key);
	free(g_verify_key);
	g_sign_key = g_verify_key = NULL;
}

static int account_cmp(const void *key, const void *item)
{
	return strcmp(key, ((const struct db_account *)item)->id);
}

/* The checks one account's row makes of a token naming it. */
static bool account_allows(const struct db_account *a, const struct principal *p, long iat, struct err *e)
{
	if (!a->active)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.account_inactive", "The account is deactivated.");
	if (a->role != p->role || strcmp(a->agency_id, p->agency_id) != 0)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.token_stale",
			       "The account's role or agency changed; sign in again.");
	if (iat < a->valid_after)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.token_revoked", "The token was revoked; sign in again.");
	return true;
}

/* Checks the token's subject against the snapshot. A subject the snapshot
 * does not hold is either newer than it (accounts are never deleted) or
 * made up: a token issued before the snapshot was taken is refused, a newer
 * one is marked for a look-up on the worker (auth_verify_subject), never
 * taken at its word. */
static bool check_account(struct principal *p, long iat, struct err *e)
{
	pthread_rwlock_rdlock(&g_snap_lock);
	bool ok = true;
	if (!g_snap) {
		ok = err_set(e, ERR_UNAVAILABLE, "auth.unavailable", "Accounts are not loaded yet; try again shortly.");
	} else {
		const struct db_account *a = bsearch(p->subject, g_snap->items, g_snap->n, sizeof *a, account_cmp);
		if (!a) {
			if (iat < g_snap->taken_at - 1)
				ok = err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_token", "The token's subject is unknown.");
			p->subject_unverified = true;
			p->token_iat = iat;
		} else {
			ok = account_allows(a, p, iat, e);
		}
	}
	pthread_rwlock_unlock(&g_snap_lock);
	return ok;
}

bool auth_verify_subject(struct principal *p, struct err *e)
{
	if (!p->authenticated || !p->subject_unverified)
		return true;
	struct db_account a;
	bool found;
	if (!db_account_find(e, p->subject, &a, &found))
		return false;
	if (!found)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_token", "The token's subject is unknown.");
	if (!account_allows(&a, p, p->token_iat, e))
		return false;
	p->subject_unverified = false;
	auth_snapshot_kick();
	return true;
}

/* ---- verification ------------------------------------------------------- */

static bool bad_token(struct err *e, const char *why)
{
	return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_token", "The access token is invalid: %s.", why);
}

static bool token_shape_ok(const char *t)
{
	size_t n = strlen(t);
	int dots = 0;
	if (n == 0 || n > TOKEN_MAX)
		return false;
	for (const char *s = t; *s; s++) {
		if (*s == '.')
			dots++;
		else if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
			   *s == '-' || *s == '_'))
			return false;
	}
	return dots == 2;
}

static bool claim_int(json_t *claims, const char *name, bool required, long *out)
{
	json_t *v = json_object_get(claims, name);
	if (!v)
		return !required;
	if (!json_is_integer(v))
		return false;
	*out = (long)json_integer_value(v);
	return true;
}

static bool audience_ok(json_t *aud)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), g_cfg->jwt_audience) == 0;
	if (!json_is_array(aud))
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(aud, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), g_cfg->jwt_audience) == 0)
			return true;
	return false;
}

static bool copy_claim(json_t *claims, const char *name, char *out, size_t n)
{
	json_t *v = json_object_get(claims, name);
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= n)
		return false;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return true;
}

static bool check_claims(json_t *c, struct principal *p, long *iat, struct err *e)
{
	long now = (long)time(NULL), exp = 0, nbf = 0;
	int skew = g_cfg->jwt_skew;
	*iat = 0;
	if (!claim_int(c, "exp", true, &exp) || !claim_int(c, "iat", true, iat) || !claim_int(c, "nbf", false, &nbf))
		return bad_token(e, "exp and iat must be integers (nbf too, when present)");
	if (exp <= now - skew)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.token_expired", "The access token has expired.");
	if (nbf > now + skew || *iat > now + skew)
		return bad_token(e, "not valid yet");
	json_t *iss = json_object_get(c, "iss");
	if (!json_is_string(iss) || strcmp(json_string_value(iss), g_cfg->jwt_issuer) != 0)
		return bad_token(e, "wrong issuer");
	if (!audience_ok(json_object_get(c, "aud")))
		return bad_token(e, "wrong audience");
	char role[32];
	if (!copy_claim(c, "sub", p->subject, sizeof p->subject) || !copy_claim(c, "role", role, sizeof role) ||
	    !copy_claim(c, "jti", p->jti, sizeof p->jti))
		return bad_token(e, "sub, role and jti must be non-empty strings");
	p->role = role_parse(role);
	if (p->role == ROLE_NONE)
		return bad_token(e, "unknown role");
	json_t *agency = json_object_get(c, "agency_id");
	if (json_is_string(agency) && json_string_length(agency) < sizeof p->agency_id)
		memcpy(p->agency_id, json_string_value(agency), json_string_length(agency) + 1);
	else if (agency && !json_is_null(agency))
		return bad_token(e, "agency_id must be a string or null");
	json_t *mcp = json_object_get(c, "mcp");
	if (mcp && !json_is_boolean(mcp))
		return bad_token(e, "mcp must be a boolean");
	p->must_change_password = json_is_true(mcp);
	return true;
}

/* ---- the verified-token cache ------------------------------------------ */

/* A token whose signature and claims were verified is remembered by its
 * BLAKE2b digest with what it proved and when it expires, so the next
 * request with it skips the signature and the claim parsing (about 20 us).
 * Expiry and the account snapshot are still checked on every request, so a
 * cached token stops working exactly when an uncached one would. */
#define TOKEN_CACHE_SLOTS 4096

struct cached_token {
	unsigned char digest[16];
	struct principal p;
	long iat, nbf, exp;
	bool used;
};

static struct cached_token g_cache[TOKEN_CACHE_SLOTS];
static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t cache_slot(const char *token, unsigned char digest[16])
{
	crypto_generichash(digest, 16, (const unsigned char *)token, strlen(token), NULL, 0);
	size_t slot;
	memcpy(&slot, digest, sizeof slot);
	return slot % TOKEN_CACHE_SLOTS;
}

static bool cache_find(const char *token, struct cached_token *out)
{
	unsigned char digest[16];
	size_t slot = cache_slot(token, digest);
	pthread_mutex_lock(&g_cache_lock);
	bool hit = g_cache[slot].used && sodium_memcmp(g_cache[slot].digest, digest, sizeof digest) == 0;
	if (hit)
		*out = g_cache[slot];
	pthread_mutex_unlock(&g_cache_lock);
	return hit;
}

static void cache_put(const char *token, const struct principal *p, long iat, long nbf, long exp)
{
	struct cached_token c = {.p = *p, .iat = iat, .nbf = nbf, .exp = exp, .used = true};
	size_t slot = cache_slot(token, c.digest);
	pthread_mutex_lock(&g_cache_lock);
	g_cache[slot] = c;
	pthread_mutex_unlock(&g_cache_lock);
}

/* Verifies signature, algorithm and claims (the expensive part). */
static bool verify_token(const char *token, struct principal *p, long *iat, long *nbf, long *exp, struct err *e)
{
	jwt_t *jwt = NULL;
	if (jwt_decode(&jwt, token, g_verify_key, (int)g_verify_len) != 0 || !jwt)
		return bad_token(e, "bad signature or encoding");
	bool ok = jwt_get_alg(jwt) == g_alg;
	char *grants = ok ? jwt_get_grants_json(jwt, NULL) : NULL;
	jwt_free(jwt);
	if (!ok)
		return bad_token(e, "wrong algorithm");
	json_t *claims = grants ? json_loads(grants, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(grants);
	if (!json_is_object(claims)) {
		json_decref(claims);
		return bad_token(e, "claims are not an object");
	}
	ok = check_claims(claims, p, iat, e);
	*nbf = *iat;
	*exp = 0;
	json_t *v = json_object_get(claims, "nbf");
	if (json_is_integer(v))
		*nbf = (long)json_integer_value(v);
	v = json_object_get(claims, "exp");
	if (json_is_integer(v))
		*exp = (long)json_integer_value(v);
	json_decref(claims);
	return ok;
}

bool auth_authenticate(const char *h, struct principal *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	if (!h || !*h)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.missing_token", "This route needs a Bearer access token.");
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return err_set(e, ERR_UNAUTHENTICATED, "auth.invalid_request",
			       "The Authorization header must be \"Bearer <token>\".");
	const char *token = h + 7;
	if (!token_shape_ok(token))
		return bad_token(e, "not a compact JWT of acceptable size");
	struct cached_token c = {0};
	long now = (long)time(NULL);
	if (cache_find(token, &c)) {
		if (c.exp <= now - g_cfg->jwt_skew)
			return err_set(e, ERR_UNAUTHENTICATED, "auth.token_expired", "The access token has expired.");
		if (c.nbf > now + g_cfg->jwt_skew)
			return bad_token(e, "not valid yet");
		*p = c.p;
	} else {
		if (!verify_token(token, p, &c.iat, &c.nbf, &c.exp, e))
			return false;
		cache_put(token, p, c.iat, c.nbf, c.exp);
	}
	if (!check_account(p, c.iat, e))
		return false;
	p->authenticated = true;
	return true;
}

bool auth_authorize(const struct principal *p, enum action a, struct err *e)
{
	if (p->must_change_password && a != ACT_SELF_READ && a != ACT_SELF_PASSWORD)
		return err_set(e, ERR_FORBIDDEN, "auth.password_change_required",
			       "Change your password first (POST /api/v1/me/password).");
	if (authz_allowed(p->role, a))
		return true;
	return err_set(e, ERR_FORBIDDEN, "auth.forbidden", "Your role may not do this.");
}

const char *auth_challenge(const struct err *e, struct arena *a)
{
	/* only a presented access token that failed earns error="invalid_token" */
	if (strcmp(e->code, "auth.missing_token") == 0 || strcmp(e->code, "auth.invalid_credentials") == 0 ||
	    strcmp(e->code, "auth.invalid_client") == 0 || strncmp(e->code, "auth.refresh", 12) == 0 ||
	    strcmp(e->code, "auth.invalid_refresh_token") == 0)
		return "Bearer realm=\"alurd\"";
	const char *error = strcmp(e->code, "auth.invalid_request") == 0 ? "invalid_request" : "invalid_token";
	return arena_printf(a, "Bearer realm=\"alurd\", error=\"%s\", error_description=\"%s\"", error, e->code);
}

