/* common.c — see common.h. The hashing cap is a counting semaphore sized at
 * first use from api_services.hash_concurrency: each Argon2id computation
 * takes 64 MiB, so a burst of logins queues instead of exhausting memory. */
#include "api/common.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

#include "db/audit.h"

bool api_audit(struct api_ctx *c, const char *action, const char *record_type, const char *record_id,
	       const char *request_uuid, const char *before, const char *after, struct err *e)
{
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

static sem_t g_slots;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char g_dummy[crypto_pwhash_STRBYTES];

static void slots_init(void)
{
	int n = api_services.hash_concurrency > 0 ? api_services.hash_concurrency : 2;
	sem_init(&g_slots, 0, (unsigned)n);
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
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	while (sem_timedwait(&g_slots, &until) != 0)
		if (errno != EINTR)
			return err_set(e, ERR_UNAVAILABLE, "auth.busy", "Too many sign-ins at once; try again shortly.");
	return true;
}

bool api_password_hash(const char *password, char out[crypto_pwhash_STRBYTES], struct err *e)
{
	if (!take_slot(e))
		return false;
	int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE);
	sem_post(&g_slots);
	if (rc != 0)
		return err_set(e, ERR_UNAVAILABLE, "auth.busy", "Not enough memory to hash the password; try again.");
	return true;
}

bool api_password_verify(const char *hash, const char *password, bool *ok, bool *rehash, struct err *e)
{
	if (!take_slot(e))
		return false;
	const char *h = hash ? hash : g_dummy;
	*ok = crypto_pwhash_str_verify(h, password, strlen(password)) == 0 && hash != NULL;
	*rehash = *ok && crypto_pwhash_str_needs_rehash(h, crypto_pwhash_OPSLIMIT_INTERACTIVE,
							crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
	sem_post(&g_slots);
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
