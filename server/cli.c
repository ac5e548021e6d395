/* cli.c — `alurd admin create` and `alurd seed-demo` (see cli.h). Both run
 * one transaction on the main thread's database connection and write audit
 * rows as the actor "system". */
#include "server/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "api/common.h"
#include "core/validate.h"
#include "db/agencies.h"
#include "db/audit.h"
#include "db/users.h"


static bool read_password(char *buf, size_t n)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	if (tty) {
		fprintf(stderr, "password: ");
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	bool ok = fgets(buf, (int)n, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return false;
	buf[strcspn(buf, "\r\n")] = '\0';
	return true;
}

static bool audit_system(struct err *e, const char *action, const char *type, const char *id, const char *after)
{
	struct db_audit a = {.actor_role = "system", .action = action, .record_type = type, .record_id = id,
			     .after = after, .http_request_id = "cli"};
	return db_audit_write(e, &a);
}

/* Creates a user unless the name exists: *created tells which. */
static bool ensure_user(struct err *e, struct arena *a, struct db_user_change *u, const char *password,
			bool *created)
{
	struct db_user out;
	bool found;
	char hash[crypto_pwhash_STRBYTES];
	*created = false;
	if (!db_user_by_username(e, a, u->username, &out, &found) || found)
		return e->kind == ERR_NONE;
	u->password_hash = hash;
	if (!api_password_hash(password, hash, e) || !db_user_insert(e, a, u, &out) ||
	    !audit_system(e, "user.create", "user", out.id, out.json))
		return false;
	*created = true;
	return true;
}

static int finish(bool ok, struct err *e)
{
	if (ok && db_commit(e)) {
		db_thread_cleanup();
		return 0;
	}
	db_rollback();
	fprintf(stderr, "alurd: %s%s%s\n", e->detail, e->log[0] ? " — " : "", e->log);
	for (int i = 0; i < e->nfields; i++)
		fprintf(stderr, "  %s: %s\n", e->fields[i].name, e->fields[i].detail);
	db_thread_cleanup();
	return 1;
}

int cli_admin(const struct config *cfg, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[0], "create") != 0) {
		fprintf(stderr, "usage: alurd admin create USERNAME   (password on standard input)\n");
		return 2;
	}
	(void)cfg;
	const char *username = argv[1];
	char password[VAL_PASSWORD_MAX_BYTES + 2];
	struct err e;
	err_clear(&e);
	if (!read_password(password, sizeof password)) {
		fprintf(stderr, "alurd: no password on standard input\n");
		return 2;
	}
	if (!val_username(&e, "username", username) || !val_password(&e, "password", password, username)) {
		fprintf(stderr, "alurd: %s: %s\n", e.fields[0].name, e.fields[0].detail);
		return 2;
	}
	struct arena a;
	arena_init(&a);
	struct db_user_change u = {.username = username, .full_name = username, .role = "admin"};
	bool created = false;
	db_unit_start(false);
	int rc = finish(db_begin(&e) && ensure_user(&e, &a, &u, password, &created), &e);
	sodium_memzero(password, sizeof password);
	if (rc == 0)
		printf(created ? "created administrator %s\n" : "user %s already exists; nothing changed\n", username);
	arena_cleanup(&a);
	return rc;
}

struct demo_user {
	const char *username, *full_name, *role;
	int agency; /* index into the agencies, -1 for none */
	bool signatory;
	const char *nip;
	const char *position; /* jabatan, as the directory shows it */
};

int cli_seed_demo(const struct config *cfg)
{
	static const struct db_agency_change agencies[] = {
		{.code = "DINKES", .name = "Dinas Kesehatan Provinsi Bali", .head_name = "Kepala Dinas Kesehatan"},
		{.code = "BAPENDA", .name = "Badan Pendapatan Daerah Provinsi Bali", .head_name = "Kepala Bapenda"},
	};
	static const struct demo_user users[] = {
		{"admin", "Administrator", "admin", -1, false, NULL, NULL},
		{"kadis", "Kepala Dinas Kominfos", "kepala_dinas", -1, false, "196805311997031002",
		 "Kepala Dinas Komunikasi, Informatika dan Statistik"},
		{"sekretariat", "Kasubbag TU", "sekretariat", -1, false, NULL, "Kepala Subbagian Tata Usaha"},
		{"kabid", "Kabid IAI", "kabid_iai", -1, false, NULL, "Kepala Bidang Infrastruktur dan Aplikasi Informatika"},
		{"kasi", "Kasi Aplikasi Informatika", "kasi_ai", -1, false, NULL, "Kepala Seksi Aplikasi Informatika"},
		{"tim1", "Anggota Tim SPBE", "tim_spbe", -1, false, NULL, "Pranata Komputer"},
		{"pd.dinkes", "Staf Dinas Kesehatan", "pd", 0, false, NULL, "Pengelola Data"},
		{"kepala.dinkes", "Kepala Dinas Kesehatan", "pd", 0, true, "197001011995031001", "Kepala Dinas Kesehatan"},
		{"pd.bapenda", "Staf Bapenda", "pd", 1, false, NULL, "Pengelola Data"},
		{"auditor", "Inspektorat", "auditor", -1, false, NULL, "Auditor Inspektorat"},
	};
	(void)cfg;
	struct err e;
	err_clear(&e);
	struct arena a;
	arena_init(&a);
	db_unit_start(false);
	bool ok = db_begin(&e);
	const char *agency_ids[2] = {0};
	for (size_t i = 0; ok && i < 2; i++) {
		PGresult *r;
		/* find by code, else create */
		const char *sql = i == 0 ? "SELECT id FROM agencies WHERE lower(code) = 'dinkes'"
					 : "SELECT id FROM agencies WHERE lower(code) = 'bapenda'";
		ok = db_exec_text(&e, sql, &r);
		if (!ok)
			break;
		if (PQntuples(r))
			agency_ids[i] = arena_strdup(&a, PQgetvalue(r, 0, 0));
		PQclear(r);
		if (!agency_ids[i]) {
			const char *json;
			ok = db_agency_insert(&e, &a, &agencies[i], &json) && db_exec_text(&e, sql, &r);
			if (ok) {
				agency_ids[i] = arena_strdup(&a, PQgetvalue(r, 0, 0));
				PQclear(r);
				ok = audit_system(&e, "agency.create", "agency", agency_ids[i], json);
			}
		}
	}
	printf("%-16s %-14s %s\n", "username", "role", "password (shown once)");
	for (size_t i = 0; ok && i < sizeof users / sizeof users[0]; i++) {
		const struct demo_user *d = &users[i];
		struct db_user_change u = {.username = d->username, .full_name = d->full_name, .role = d->role,
					   .nip = d->nip, .agency_id = d->agency >= 0 ? agency_ids[d->agency] : NULL,
					   .is_signatory = d->signatory ? "true" : "false", .position = d->position};
		const char *password = api_random_token(&a, 12);
		bool created;
		ok = ensure_user(&e, &a, &u, password, &created);
		if (ok)
			printf("%-16s %-14s %s\n", d->username, d->role, created ? password : "(exists, unchanged)");
	}
	int rc = finish(ok, &e);
	arena_cleanup(&a);
	return rc;
}
