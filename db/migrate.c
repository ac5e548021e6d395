/* migrate.c — the migration runner (see migrate.h). Checksums use libsodium's
 * SHA-256; the advisory lock key is a constant derived from the name "alurd". */
#include "db/migrate.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/embedded.h"

#define MIGRATE_LOCK_KEY "7235938205810341"

static void checksum_hex(const struct embedded_file *f, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)f->data, f->len);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Version = the leading number of the file name. */
static long file_version(const struct embedded_file *f)
{
	return strtol(f->name, NULL, 10);
}

DB_STMT(st_recorded, "SELECT version, name, checksum FROM schema_migrations ORDER BY version");
DB_STMT(st_record, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::int, $2, $3)");

static const char *recorded_checksum(PGresult *r, long version)
{
	for (int i = 0; i < PQntuples(r); i++)
		if (strtol(PQgetvalue(r, i, 0), NULL, 10) == version)
			return PQgetvalue(r, i, 2);
	return NULL;
}

static bool apply_one(struct err *e, const struct embedded_file *f, const char *sum, FILE *out)
{
	char version[24];
	snprintf(version, sizeof version, "%ld", file_version(f));
	const char *params[] = {version, f->name, sum};
	if (!db_begin(e))
		return false;
	if (!db_exec_text(e, f->data, NULL) || !db_exec(e, &st_record, 3, params, NULL)) {
		db_rollback();
		char detail[sizeof e->detail];
		snprintf(detail, sizeof detail, "%s", e->detail);
		return err_set(e, ERR_INTERNAL, "migrate.failed", "Migration %s failed: %s", f->name, detail);
	}
	if (!db_commit(e))
		return false;
	if (out)
		fprintf(out, "applied %s\n", f->name);
	return true;
}

static bool check_and_apply(struct err *e, FILE *out, int *applied)
{
	PGresult *r;
	if (!db_exec(e, &st_recorded, 0, NULL, &r))
		return false;
	bool ok = true;
	for (size_t i = 0; ok && i < embedded_migrations_count; i++) {
		const struct embedded_file *f = &embedded_migrations[i];
		char sum[65];
		checksum_hex(f, sum);
		const char *have = recorded_checksum(r, file_version(f));
		if (have && strcmp(have, sum) != 0)
			ok = err_set(e, ERR_CONFLICT, "migrate.checksum_mismatch",
				     "Migration %s was edited after it was applied (recorded %.12s…, file %.12s…); add a new migration instead.",
				     f->name, have, sum);
		else if (!have && (ok = apply_one(e, f, sum, out)))
			(*applied)++;
	}
	PQclear(r);
	return ok;
}

bool db_migrate(struct err *e, FILE *out, int *applied)
{
	*applied = 0;
	db_unit_start(false);
	if (!db_exec_text(e, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", NULL))
		return false;
	bool ok = db_exec_text(e,
			       "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " version integer PRIMARY KEY,"
			       " name text NOT NULL,"
			       " checksum text NOT NULL,"
			       " applied_at timestamptz NOT NULL DEFAULT now())",
			       NULL) &&
		  check_and_apply(e, out, applied);
	struct err ignored;
	err_clear(&ignored);
	db_exec_text(&ignored, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", NULL);
	return ok;
}

DB_STMT(st_table_exists, "SELECT to_regclass('schema_migrations') IS NOT NULL");

bool db_migrate_status(struct err *e, int *applied, int *expected)
{
	*applied = 0;
	*expected = (int)embedded_migrations_count;
	PGresult *r;
	/* a fresh database has no table yet: that is "0 applied", not an error */
	if (!db_exec(e, &st_table_exists, 0, NULL, &r))
		return false;
	bool has_table = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!has_table)
		return true;
	if (!db_exec(e, &st_recorded, 0, NULL, &r))
		return false;
	for (size_t i = 0; i < embedded_migrations_count; i++) {
		char sum[65];
		checksum_hex(&embedded_migrations[i], sum);
		const char *have = recorded_checksum(r, file_version(&embedded_migrations[i]));
		if (have && strcmp(have, sum) == 0)
			(*applied)++;
	}
	PQclear(r);
	return true;
}
