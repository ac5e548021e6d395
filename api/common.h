/* common.h — helpers every resource handler shares: the audit call that
 * fills the actor from the caller, and password hashing with a cap on how
 * many Argon2id computations run at once. */
#ifndef ALURD_API_COMMON_H
#define ALURD_API_COMMON_H

#include <sodium.h>

#include "api/api.h"

/* Writes an audit row for the caller (or "anonymous" when unauthenticated).
 * before/after are JSON text or NULL. With request_uuid (the SOP request
 * concerned) it is api_request_change (api/lifecycle.h) with no extra data:
 * a request's audit row always comes with its event. */
bool api_audit(struct api_ctx *c, const char *action, const char *record_type, const char *record_id,
	       const char *request_uuid, const char *before, const char *after, struct err *e);

/* Argon2id (libsodium's INTERACTIVE limits) into out. Waits for a hashing
 * slot (at most api_services.hash_concurrency at once, and never more than
 * half of api_services.threads hashing or waiting); when the queue is full
 * it fails at once with ERR_UNAVAILABLE auth.busy and retry_after = 1. */
bool api_password_hash(const char *password, char out[crypto_pwhash_STRBYTES], struct err *e);
/* Verifies password against hash. With hash == NULL it verifies against a
 * dummy hash, so an unknown account costs the same time; then *ok is false.
 * *rehash tells that the hash uses weaker parameters than today's. */
bool api_password_verify(const char *hash, const char *password, bool *ok, bool *rehash, struct err *e);

/* The admission queue's state, for /metrics: hashes running and waiting,
 * their caps, sign-ins refused as busy so far, and password verifications
 * run (real and dummy alike). */
void api_hash_stats(int *active, int *waiting, int *active_max, int *wait_max, unsigned long long *busy,
		    unsigned long long *verifications);

/* Random bytes as base64url without padding (for refresh tokens, secrets). */
const char *api_random_token(struct arena *a, size_t bytes);
/* SHA-256 of s as "\\x<hex>" text, the bytea input form. */
const char *api_sha256_bytea(struct arena *a, const char *s);

/* Splits "a|b|c" (the letterhead's form) into a NULL-terminated list of
 * arena strings. */
const char **api_split_lines(struct arena *a, const char *s);

#endif
