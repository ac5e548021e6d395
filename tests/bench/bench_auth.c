/* bench_auth.c — what authentication costs per request and per sign-in.
 *
 *   bench_auth [ITERATIONS [HASHES]]      (defaults 200000 and 10)
 *
 * (a) One access-token verification as the daemon does it: auth_init with an
 *     HS256 secret, then auth_authenticate("Bearer <jwt>") — size and
 *     alphabet check, libjwt decode with the pinned algorithm, the claims
 *     parsed again with jansson and checked one by one, then the subject
 *     looked up in the account snapshot. Without a database the snapshot is
 *     never loaded, so the call ends at the lookup with auth.unavailable
 *     (everything before it is the same work); with ALURD_DATABASE_URL set
 *     (e.g. a migrated test database) the snapshot is loaded and the call
 *     succeeds, the lookup included. Also, for comparison, the bare libjwt
 *     decode and the decode + claims parse reproduced outside the daemon.
 * (b) One Argon2id hash with libsodium's INTERACTIVE limits (the daemon's
 *     choice for passwords) and one verification: the CPU cost of a sign-in.
 *
 * Prints one line per measurement (µs or ms per operation and operations per
 * second). Not a test: run it by hand from the build folder. Figures move
 * between runs; compare within one run.
 */
#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "server/auth.h"
#include "server/config.h"

#define SECRET "bench-hs256-secret-of-forty-eight-bytes-0123456"

static double clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* wall-clock and this thread's CPU time at the start of a measurement */
static double g_wall0, g_cpu0;

static void start(void)
{
	g_wall0 = clock_s(CLOCK_MONOTONIC);
	g_cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static const char *bench_env(const char *name)
{
	if (strcmp(name, "ALURD_JWT_SECRET") == 0)
		return SECRET;
	if (strcmp(name, "ALURD_AUTH_REFRESH") == 0)
		return "3600"; /* one snapshot for the whole run */
	if (strcmp(name, "ALURD_DATABASE_URL") == 0 || strcmp(name, "ALURD_LOG_LEVEL") == 0)
		return getenv(name);
	return NULL;
}

/* A token with the claims the daemon issues. */
static char *mint(const char *sub, const char *role)
{
	jwt_t *jwt;
	if (jwt_new(&jwt) != 0)
		abort();
	unsigned char raw[16];
	char jti[33];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(jti, sizeof jti, raw, sizeof raw);
	long now = (long)time(NULL);
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:n}", "sub", sub, "role", role, "iss", "alurd",
			      "aud", "alurd-api", "iat", (json_int_t)now, "nbf", (json_int_t)now, "exp",
			      (json_int_t)(now + 900), "jti", jti, "agency_id");
	char *text = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	if (!text || jwt_add_grants_json(jwt, text) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)SECRET, (int)strlen(SECRET)) != 0)
		abort();
	free(text);
	char *tok = jwt_encode_str(jwt);
	jwt_free(jwt);
	if (!tok)
		abort();
	return tok;
}

/* An active user of the database, for the full path; false without one. */
static bool pick_account(const char *url, char *id, size_t idn, char *role, size_t rolen)
{
	PGconn *pg = PQconnectdb(url);
	bool ok = false;
	if (PQstatus(pg) == CONNECTION_OK) {
		PGresult *r = PQexec(pg, "SELECT id::text, role FROM users WHERE active ORDER BY created_at LIMIT 1");
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
			snprintf(id, idn, "%s", PQgetvalue(r, 0, 0));
			snprintf(role, rolen, "%s", PQgetvalue(r, 0, 1));
			ok = true;
		}
		PQclear(r);
	} else {
		fprintf(stderr, "bench_auth: cannot connect: %s", PQerrorMessage(pg));
	}
	PQfinish(pg);
	return ok;
}

/* Prints wall-clock time per operation (and operations per second) and the
 * CPU time per operation, which moves less when the machine is busy. */
static void report(const char *what, long n)
{
	double wall = (clock_s(CLOCK_MONOTONIC) - g_wall0) / (double)n;
	double cpu = (clock_s(CLOCK_THREAD_CPUTIME_ID) - g_cpu0) / (double)n;
	if (wall < 1e-3)
		printf("%-56s %9.3f us/op wall %9.3f us/op cpu %10.0f op/s (%ld ops)\n", what, wall * 1e6, cpu * 1e6,
		       1.0 / wall, n);
	else
		printf("%-56s %9.2f ms/op wall %9.2f ms/op cpu %10.1f op/s (%ld ops)\n", what, wall * 1e3, cpu * 1e3,
		       1.0 / wall, n);
}

/* the libjwt decode plus the claims parse, reproduced outside the daemon */
static bool decode_and_parse(const char *token, bool parse)
{
	jwt_t *jwt = NULL;
	if (jwt_decode(&jwt, token, (const unsigned char *)SECRET, (int)strlen(SECRET)) != 0 || !jwt)
		return false;
	bool ok = jwt_get_alg(jwt) == JWT_ALG_HS256;
	if (ok && parse) {
		char *grants = jwt_get_grants_json(jwt, NULL);
		json_t *c = grants ? json_loads(grants, JSON_REJECT_DUPLICATES, NULL) : NULL;
		free(grants);
		ok = json_is_integer(json_object_get(c, "exp")) && json_is_string(json_object_get(c, "sub"));
		json_decref(c);
	}
	jwt_free(jwt);
	return ok;
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	long hashes = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
	if (iterations <= 0 || hashes <= 0) {
		fprintf(stderr, "usage: bench_auth [ITERATIONS [HASHES]]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;

	struct config cfg;
	char msg[512];
	if (!config_load(&cfg, bench_env, msg, sizeof msg)) {
		fprintf(stderr, "bench_auth: %s\n", msg);
		return 2;
	}
	struct err e;
	err_clear(&e);
	if (!auth_init(&cfg, &e)) {
		fprintf(stderr, "bench_auth: %s\n", e.detail);
		return 2;
	}

	/* (a) token verification */
	const char *url = getenv("ALURD_DATABASE_URL");
	char sub[64] = "6f1d2c3b-4a59-4e68-9d7c-0b1a2c3d4e5f", role[32] = "kasi_ai";
	bool with_db = url && *url && pick_account(url, sub, sizeof sub, role, sizeof role);
	if (url && *url && !with_db) {
		/* a database without users: a fresh token of an unknown subject is
		 * still accepted (newer than the snapshot), so the path is complete */
		with_db = true;
	}
	if (with_db) {
		db_configure(url, 30000);
		auth_start_background();
	}
	char *token = mint(sub, role);
	char *header = malloc(strlen(token) + 8);
	if (!header)
		abort();
	sprintf(header, "Bearer %s", token);
	struct principal p;
	/* wait for the first snapshot when there is a database */
	for (int i = 0; with_db && i < 500; i++) {
		err_clear(&e);
		if (auth_authenticate(header, &p, &e) || strcmp(e.code, "auth.unavailable") != 0)
			break;
		struct timespec t = {0, 10 * 1000000L};
		nanosleep(&t, NULL);
	}
	err_clear(&e);
	bool ok = auth_authenticate(header, &p, &e);
	const char *outcome = ok ? "accepted" : e.code;
	if (ok != with_db || (!ok && strcmp(e.code, "auth.unavailable") != 0)) {
		fprintf(stderr, "bench_auth: unexpected outcome of auth_authenticate: %s (%s)\n", outcome, e.detail);
		return 1;
	}
	printf("HS256 token of %zu bytes; auth_authenticate ends: %s%s\n", strlen(token), outcome,
	       with_db ? " (snapshot loaded from ALURD_DATABASE_URL)" : " (no database: no snapshot)");

	for (long i = 0; i < iterations / 10; i++) /* warm-up */
		auth_authenticate(header, &p, &e);
	start();
	long good = 0;
	for (long i = 0; i < iterations; i++) {
		err_clear(&e);
		good += auth_authenticate(header, &p, &e);
	}
	report("auth_authenticate (the daemon's verification)", iterations);
	if (good != (with_db ? iterations : 0)) {
		fprintf(stderr, "bench_auth: %ld of %ld verifications accepted\n", good, iterations);
		return 1;
	}

	start();
	for (long i = 0; i < iterations; i++)
		if (!decode_and_parse(token, true))
			return 1;
	report("libjwt decode + alg check + claims parse (reproduced)", iterations);
	start();
	for (long i = 0; i < iterations; i++)
		if (!decode_and_parse(token, false))
			return 1;
	report("libjwt decode + alg check only", iterations);

	/* (b) Argon2id, INTERACTIVE limits */
	static const char pw[] = "a-long-enough-passphrase-7";
	char hash[crypto_pwhash_STRBYTES];
	start();
	for (long i = 0; i < hashes; i++)
		if (crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			fprintf(stderr, "bench_auth: crypto_pwhash_str failed (out of memory?)\n");
			return 1;
		}
	report("crypto_pwhash_str, INTERACTIVE (Argon2id t=2, 64 MiB)", hashes);
	start();
	for (long i = 0; i < hashes; i++)
		if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
			return 1;
	report("crypto_pwhash_str_verify (a sign-in)", hashes);

	if (with_db)
		auth_stop_background();
	auth_cleanup();
	db_thread_cleanup();
	free(header);
	free(token);
	return 0;
}
