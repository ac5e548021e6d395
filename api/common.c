/* common.c — see common.h. Password hashing is admitted by a small bounded
 * queue sized at first use from api_services (hash_concurrency, threads):
 * each Argon2id computation takes 64 MiB and ~75 ms of a core, so a burst of
 * sign-ins is answered 503 auth.busy rather than exhausting memory or the
 * worker pool. */
#include "api/common.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "api/lifecycle.h"
#include "db/audit.h"

bool api_audit(struct api_ctx *c, const char *action, const char *record_type, const char *record_id,
	       const char *request_uuid, const char *before, const char *after, struct err *e)
{
	if (request_uuid) /* a change of a request: its event is written with it */
		return api_request_change(c, action, record_type, record_id, request_uuid, before, after, NULL, e);
	struct db_audit a = {
		.actor_id = c->who.authenticated ? c->who.subject : NULL,
		.actor_role = c->who.authenticated ? role_name(c->who.role) : "anonymous",
		.action = action,
		.record_type = record_type,
		.record_id = record_id,
		.request_id = request_uuid,
		.http_request_id = c->request_id,
		.before = before,
		.after = after,
	};
	return db_audit_write(e, &a);
}

/* Hashing admission: at most `g_active_max` hashes run and at most
 * `g_wait_max` wait; together never more than half the worker pool, so a
 * burst of sign-ins can never hold the workers every other request needs.
 * A sign-in that finds the queue full is answered 503 auth.busy at once,
 * with Retry-After. */
static pthread_mutex_t g_hash_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_hash_cond = PTHREAD_COND_INITIALIZER;
static int g_active, g_waiting, g_active_max, g_wait_max;
static atomic_uint_least64_t g_busy_refusals, g_verifications;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char g_dummy[crypto_pwhash_STRBYTES];

static void slots_init(void)
{
	int h = api_services.hash_concurrency > 0 ? api_services.hash_concurrency : 2;
	int workers = api_services.threads > 0 ? api_services.threads : 8;
	int half = workers / 2 > 0 ? workers / 2 : 1;
	g_active_max = h < half ? h : half;
	g_wait_max = half - g_active_max;
	/* a real hash of a random password: verifying against it costs what a
	 * real verification costs */
	unsigned char pw[24];
	randombytes_buf(pw, sizeof pw);
	if (crypto_pwhash_str(g_dummy, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		abort();
}

static bool take_slot(struct err *e)
{
	pthread_once(&g_once, slots_init);
	pthread_mutex_lock(&g_hash_lock);
	if (g_active >= g_active_max && g_waiting >= g_wait_max) {
		pthread_mutex_unlock(&g_hash_lock);
		atomic_fetch_add(&g_busy_refusals, 1);
		err_set(e, ERR_UNAVAILABLE, "auth.busy", "Too many sign-ins at once; try again shortly.");
		e->retry_after = 1;
		return false;
	}
	g_waiting++;
	while (g_active >= g_active_max)
		pthread_cond_wait(&g_hash_cond, &g_hash_lock);
	g_waiting--;
	g_active++;
	pthread_mutex_unlock(&g_hash_lock);
	return true;
}

static void give_slot(void)
{
	pthread_mutex_lock(&g_hash_lock);
	g_active--;
	pthread_cond_signal(&g_hash_cond);
	pthread_mutex_unlock(&g_hash_lock);
}

void api_hash_stats(int *active, int *waiting, int *active_max, int *wait_max, unsigned long long *busy,
		    unsigned long long *verifications)
{
	pthread_once(&g_once, slots_init);
	pthread_mutex_lock(&g_hash_lock);
	*active = g_active;
	*waiting = g_waiting;
	*active_max = g_active_max;
	*wait_max = g_wait_max;
	pthread_mutex_unlock(&g_hash_lock);
	*busy = (unsigned long long)atomic_load(&g_busy_refusals);
	*verifications = (unsigned long long)atomic_load(&g_verifications);
}

bool api_password_hash(const char *password, char out[crypto_pwhash_STRBYTES], struct err *e)
{
	if (!take_slot(e))
		return false;
	int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE);
	give_slot();
	if (rc != 0)
		return err_set(e, ERR_UNAVAILABLE, "auth.busy", "Not enough memory to hash the password; try again.");
	return true;
}

bool api_password_verify(const char *hash, const char *password, bool *ok, bool *rehash, struct err *e)
{
	if (!take_slot(e))
		return false;
	const char *h = hash ? hash : g_dummy;
	atomic_fetch_add(&g_verifications, 1);
	*ok = crypto_pwhash_str_verify(h, password, strlen(password)) == 0 && hash != NULL;
	*rehash = *ok && crypto_pwhash_str_needs_rehash(h, crypto_pwhash_OPSLIMIT_INTERACTIVE,
							crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
	give_slot();
	return true;
}

const char *api_random_token(struct arena *a, size_t bytes)
{
	unsigned char raw[64];
	if (bytes > sizeof raw)
		abort();
	randombytes_buf(raw, bytes);
	size_t n = sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, n);
	sodium_bin2base64(out, n, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

const char *api_sha256_bytea(struct arena *a, const char *s)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	char *out = arena_alloc(a, 2 + 2 * sizeof h + 1);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 2 * sizeof h + 1, h, sizeof h);
	return out;
}

/* Splits "a|b|c" into a NULL-terminated list in the arena. */
const char **api_split_lines(struct arena *a, const char *s)
{
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += *p == '|';
	const char **lines = arena_alloc(a, n * sizeof *lines);
	char *copy = arena_strdup(a, s);
	size_t i = 0;
	for (char *tok = copy, *bar; tok; tok = bar ? bar + 1 : NULL) {
		bar = strchr(tok, '|');
		if (bar)
			*bar = '\0';
		lines[i++] = tok;
	}
	lines[i] = NULL;
	return lines;
}
