/* auditcli.c — `alurd audit ...` and `alurd evidence verify` (see cli.h).
 * verify and keygen read files only: they need neither configuration nor a
 * database, so an auditor runs them on a machine of their own. export reads
 * the database as the daemon would. */
#include "server/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/tlog.h"
#include "evidence/audit.h"
#include "evidence/note.h"
#include "evidence/pack.h"
#include "server/tlog.h"

/* The whole of a small text file, malloc'd; NULL (errno) on failure. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		abort();
	buf[n] = '\0';
	return buf;
}

static bool read_public_key(const char *path, struct ev_key *k)
{
	char *text = slurp(path);
	if (!text) {
		fprintf(stderr, "alurd: cannot read %s: %s\n", path, strerror(errno));
		return false;
	}
	bool ok = ev_key_parse_public(k, text);
	free(text);
	if (!ok)
		fprintf(stderr, "alurd: %s is not a public key (name+keyid+base64)\n", path);
	return ok;
}

static const char verify_usage[] =
	"usage: alurd audit verify --key PUBLIC_KEY_FILE EXPORT_FILE [CHECKPOINT_FILE...]\n"
	"       (EXPORT_FILE - reads standard input; checkpoint files are signed notes kept elsewhere)\n";

static int audit_verify(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[0], "--key") != 0) {
		fputs(verify_usage, stderr);
		return 2;
	}
	struct ev_key key;
	if (!read_public_key(argv[1], &key))
		return 2;
	const char *path = argv[2];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		fprintf(stderr, "alurd: cannot read %s: %s\n", path, strerror(errno));
		return 2;
	}
	int n_extra = argc - 3;
	char **extra = calloc((size_t)n_extra + 1, sizeof *extra);
	if (!extra)
		abort();
	for (int i = 0; i < n_extra; i++)
		if (!(extra[i] = slurp(argv[3 + i]))) {
			fprintf(stderr, "alurd: cannot read %s: %s\n", argv[3 + i], strerror(errno));
			return 2;
		}
	struct ev_audit_result res;
	char why[256];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool ok = ev_audit_verify(f, &key, (const char *const *)extra, (const char *const *)(argv + 3), n_extra, stdout,
				  &res, why, sizeof why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (f != stdin)
		fclose(f);
	for (int i = 0; i < n_extra; i++)
		free(extra[i]);
	free(extra);
	if (!ok) {
		fprintf(stderr, "alurd: %s: %s\n", path, why);
		return 2;
	}
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (res.failures) {
		printf("FAILED: %d finding(s); first bad: %s\n", res.failures, res.first);
		return 1;
	}
	printf("OK: %llu entries, %d checkpoint(s) signed by %s verified, %llu entries covered (%.2f s)\n",
	       (unsigned long long)res.entries, res.checkpoints_valid, key.name, (unsigned long long)res.covered, secs);
	return 0;
}

static int audit_keygen(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: alurd audit keygen NAME PRIVATE_KEY_FILE   (prints the public key)\n", stderr);
		return 2;
	}
	struct ev_key k;
	if (!ev_key_generate(&k, argv[0])) {
		fprintf(stderr, "alurd: '%s' is not a key name (printable ASCII, no spaces or '+')\n", argv[0]);
		return 2;
	}
	char priv[512], pub[512];
	ev_key_private_text(&k, priv, sizeof priv);
	ev_key_public_text(&k, pub, sizeof pub);
	ev_key_wipe(&k);
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL, 0600);
	bool ok = fd >= 0 && write(fd, priv, strlen(priv)) == (ssize_t)strlen(priv) && write(fd, "\n", 1) == 1;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	sodium_memzero(priv, sizeof priv);
	if (!ok) {
		fprintf(stderr, "alurd: cannot create %s: %s\n", argv[1], strerror(saved));
		return 1;
	}
	printf("%s\n", pub);
	return 0;
}

static int audit_export(const struct config *cfg, int argc, char **argv)
{
	if (argc > 1) {
		fputs("usage: alurd audit export [FILE]   (standard output without FILE)\n", stderr);
		return 2;
	}
	struct err e;
	err_clear(&e);
	if (!tlog_configure(cfg, &e)) {
		fprintf(stderr, "alurd: configuration error: %s\n", e.detail);
		return 2;
	}
	FILE *f = argc ? fopen(argv[0], "w") : stdout;
	if (!f) {
		fprintf(stderr, "alurd: cannot write %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	struct arena a;
	arena_init(&a);
	db_unit_start(true);
	/* one snapshot: the checkpoints and the entries agree */
	bool ok = db_begin(&e) && db_exec_text(&e, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", NULL) &&
		  api_tlog_export(f, &a, &e);
	db_rollback();
	db_thread_cleanup();
	arena_cleanup(&a);
	tlog_cleanup();
	if (f != stdout && fclose(f) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "alurd: audit export: %s%s%s\n", e.detail, e.log[0] ? " — " : "", e.log);
		return 1;
	}
	return 0;
}

bool cli_is_offline(int argc, char **argv)
{
	return argc >= 3 && ((strcmp(argv[1], "audit") == 0 && (!strcmp(argv[2], "verify") || !strcmp(argv[2], "keygen"))) ||
			     (strcmp(argv[1], "evidence") == 0 && !strcmp(argv[2], "verify")));
}

int cli_audit(const struct config *cfg, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "verify") == 0)
		return audit_verify(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "keygen") == 0)
		return audit_keygen(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "export") == 0 && cfg)
		return audit_export(cfg, argc - 1, argv + 1);
	fputs("usage: alurd audit verify|keygen|export ...\n", stderr);
	return 2;
}

int cli_evidence(int argc, char **argv)
{
	const char *key_path = NULL;
	if (argc == 4 && strcmp(argv[1], "--key") == 0) {
		key_path = argv[2];
		argv[2] = argv[3];
		argc = 3;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc != 2 || strcmp(argv[0], "verify") != 0) {
		fputs("usage: alurd evidence verify [--key PUBLIC_KEY_FILE] PACK_FILE\n", stderr);
		return 2;
	}
	struct ev_key key;
	if (key_path && !read_public_key(key_path, &key))
		return 2;
	struct ev_pack_result res;
	char why[256];
	if (!ev_pack_verify(argv[1], key_path ? &key : NULL, stdout, &res, why, sizeof why)) {
		fprintf(stderr, "alurd: %s: %s\n", argv[1], why);
		return 2;
	}
	if (res.failures) {
		printf("FAILED: %d finding(s); first: %s\n", res.failures, res.first);
		return 1;
	}
	printf("OK: %d files, %d audit entries proven against the checkpoint of tree size %llu signed by %s\n", res.files,
	       res.entries, (unsigned long long)res.tree_size, res.key_name);
	return 0;
}
