/* ident.h — what the identity suites (test_auth.c, test_accounts.c) share.
 *
 * Each suite gets a database copied from the template, a first administrator
 * made by the real command line (`alurd admin create`, password on standard
 * input), one daemon, an administrator's access token from a real sign-in and,
 * when asked, two agencies created through the API. Everything else a suite
 * needs (users of each role, clients) it creates through the API itself.
 *
 * Tokens for the attacks are minted here with libjwt and TS_JWT_SECRET, with
 * the claims the daemon itself issues (iss "alurd", aud "alurd-api", sub,
 * role, agency_id, iat, nbf, exp, jti), so a test changes exactly one thing.
 *
 * Strings handed out (tokens, ids) live in static storage of this file or in
 * the caller's buffers; harness responses are freed by ts_gc() after each
 * test, so nothing here leaks under LeakSanitizer.
 */
#ifndef ALURD_TESTS_API_IDENT_H
#define ALURD_TESTS_API_IDENT_H

#include <check.h>
#include <jansson.h>
#include <jwt.h>
#include <stdbool.h>
#include <stddef.h>

#include "tests/support/fixture.h"
#include "tests/support/harness.h"

#define ID_ADMIN "root.admin"
#define ID_ADMIN_PASSWORD "first-admin-passphrase-01"
/* the password every user created by the suites gets */
#define ID_PASSWORD "a-long-enough-passphrase-7"

#define ID_TOKEN_MAX 16384

struct id_env {
	char db[512];
	struct ts_daemon *d;
	char admin_id[40];
	char admin_token[2048];
	char agency_a[40], agency_b[40]; /* "" unless the suite asked for agencies */
};

/* The running suite's environment (one suite per process at a time). */
extern struct id_env g_id;

/* Sets up g_id: database, `alurd admin create` (must print "created"),
 * daemon with extra_env, the administrator's sign-in, and the two agencies
 * when with_agencies. Fails the test case on any error. */
void id_up(const char *suite, const char *const *extra_env, bool with_agencies);
/* Stops the daemon (if still running), drops the database, frees responses. */
void id_down(void);
/* The checked fixture's teardown: ts_gc(). */
void id_each_after(void);
/* A test case with setup/teardown once around its tests, id_each_after after
 * each, and a 180 s timeout. */
TCase *id_tcase(const char *name, void (*setup)(void), void (*teardown)(void));
/* Adds every suite's last test: /healthz still answers, SIGTERM ends the
 * daemon with status 0. */
void id_add_clean_stop(TCase *tc);

/* ---- time ----------------------------------------------------------------- */

long id_now(void);         /* wall clock, epoch seconds */
/* Sleeps until a new wall-clock second has just begun (+ slack_ms). */
void id_second_start(int slack_ms);

/* ---- the API ---------------------------------------------------------------- */

/* Signs in (200 expected) and copies the tokens (refresh may be NULL).
 * Returns the parsed answer (owned by the harness until ts_gc). */
json_t *id_login(struct ts_daemon *d, const char *username, const char *password, char *access, size_t an,
		 char *refresh, size_t rn);
/* POST /api/v1/users as the administrator with ID_PASSWORD; 201 expected;
 * the new id is copied to id (40 bytes). agency may be NULL. */
void id_user_create(struct ts_daemon *d, const char *username, const char *role, const char *agency, char *id);
/* POST /api/v1/agencies; 201 expected; id copied (40 bytes). */
void id_agency_create(struct ts_daemon *d, const char *code, const char *name, char *id);
/* A string member of a JSON object, "" when absent. Borrowed. */
const char *id_str(const json_t *obj, const char *key);
/* printf into a ring of static buffers (valid for the next 15 calls). */
const char *id_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first column of the first row of sql on the suite's database, as a
 * long (-1 on error). */
long id_sql_long(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How many audit rows have this action (and record_id when not NULL). */
long id_audit_count(const char *action, const char *record_id);
/* GETs path with token every 100 ms until the status is want or timeout_ms
 * passes; returns the last response. */
struct ts_resp *id_poll(struct ts_daemon *d, const char *path, const char *token, long want, int timeout_ms);

/* ---- tokens ----------------------------------------------------------------- */

/* The claims the daemon issues, for sub/role/agency (agency NULL: null),
 * iat = nbf = now, exp = now + 300, a random jti. New reference. */
json_t *id_claims(const char *sub, const char *role, const char *agency);
/* Signs claims (stolen) with alg and key; the token lives in a ring of static
 * buffers (valid for the next 7 calls of id_mint/id_unsigned). */
const char *id_mint(jwt_alg_t alg, const void *key, size_t keylen, json_t *claims);
/* HS256 with TS_JWT_SECRET. */
const char *id_mint_hs(json_t *claims);
/* A hand-built "header.payload." token with no signature; header_json and
 * claims (stolen) are encoded as given. */
const char *id_unsigned(const char *header_json, json_t *claims);
/* base64url without padding of n bytes into out (NUL-terminated). */
void id_b64url(const void *in, size_t n, char *out, size_t outn);
/* The decoded payload of a compact JWT (no verification). New reference. */
json_t *id_token_claims(const char *token);
/* GET path with an Authorization header of any value (NULL: none). */
struct ts_resp *id_get_auth(struct ts_daemon *d, const char *path, const char *authorization);

/* ---- assertions ------------------------------------------------------------- */

/* A problem answer: status, media type, RFC 9457 members, the code (NULL:
 * any), request_id equal to X-Request-Id. */
#define ID_PROBLEM(r, st, code) tf_assert_problem_at(__FILE__, __LINE__, (r), (st), (code))
/* A 401 problem with this code and a WWW-Authenticate challenge for realm
 * "alurd". */
#define ID_401(r, code) id_401_at(__FILE__, __LINE__, (r), (code))
void id_401_at(const char *file, int line, const struct ts_resp *r, const char *code);
/* A 2xx of exactly this status, with the body in the message otherwise. */
#define ID_STATUS(r, st) tf_assert_status_at(__FILE__, __LINE__, (r), (st))
/* True when the problem lists an error for field. */
#define id_field_error(r, field) (tf_field_error((r), (field)) != NULL)

#endif
