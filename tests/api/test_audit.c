/* test_audit.c — suite `audit`: the tamper-evident audit log, its signed
 * checkpoints and proofs, the evidence pack, over HTTP against the real
 * daemon (with a checkpoint key made by `alurd audit keygen`), and the
 * offline verifiers `alurd audit verify` and `alurd evidence verify`.
 *
 * Proofs are checked by tests/api/merkle_check.py, an implementation of RFC
 * 6962 in Python's hashlib that shares nothing with alurd's. The tamper test
 * runs last, on copies of the suite's database made once its daemon has
 * stopped: in each copy a superuser (the cluster's `postgres`, with
 * session_replication_role = replica so the append-only triggers stay quiet)
 * changes a row's text, deletes a row, swaps two rows, cuts the tail, or
 * rebuilds the whole log under another key; `alurd audit export` then reads
 * the copy and `alurd audit verify`, given the checkpoints an auditor kept
 * earlier, must name the first bad entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/api/steps47.h"

static char g_dir[64] = "/tmp/alurd-audit-XXXXXX";
static char g_pub[1024];
static struct actor AUD = {"auditor1", "auditor", "Inspektorat", NULL, -1, false, "", ""};
static uint64_t g_size1; /* a checkpoint kept early (test_proofs) */

static const char *in_dir(const char *name)
{
	return fmt("%s/%s", g_dir, name);
}

static void save(const char *path, const void *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f && fwrite(bytes, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
}

/* Runs a shell command line; returns its exit status. */
static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int py(const char *script, const char *what, const char *path)
{
	return sh(fmt("python3 %s/tests/api/%s %s %s", ALURD_SOURCE_DIR, script, what, path));
}

/* alurd with args (NULL-terminated) and env; output into out. */
static int alurd(char *out, size_t n, const char *const *env, const char *const *args)
{
	return ts_run_cli(args, env, NULL, out, n);
}

static void up(void)
{
	ck_assert(mkdtemp(g_dir));
	char out[1024];
	const char *args[] = {"audit", "keygen", "alurd.test/audit", in_dir("log.key"), NULL};
	ck_assert_int_eq(alurd(out, sizeof out, NULL, args), 0);
	out[strcspn(out, "\n")] = '\0';
	snprintf(g_pub, sizeof g_pub, "%s", out);
	save(in_dir("log.pub"), g_pub, strlen(g_pub));
	const char *env[] = {fmt("ALURD_AUDIT_KEY=%s", in_dir("log.key")), "ALURD_AUDIT_SEQUENCE_INTERVAL=0.1",
			     "ALURD_AUDIT_CHECKPOINT_INTERVAL=0", NULL};
	s47_up_env("audit", env);
	s47_add_user(&AUD);
}

static void down(void)
{
	s47_down();
	sh(fmt("rm -rf %s", g_dir));
}

/* POST /audit/checkpoints as the auditor; returns the tree size. */
static uint64_t checkpoint(void)
{
	struct ts_resp *r = call_as(&AUD, "POST", "/api/v1/audit/checkpoints", "{}");
	assert_status(r, 201);
	return (uint64_t)rint(r, "tree_size");
}

static const char *sql1(const char *sql)
{
	static char v[256];
	ck_assert_msg(ts_sql_value(g_db, sql, v, sizeof v), "%s", sql);
	return v;
}

START_TEST(test_checkpoints)
{
	drive(PD_A, "Aplikasi log satu", AT_AGREED);
	assert_problem(call(NOBODY, "GET", "/api/v1/audit/checkpoints", NULL), 401, NULL);
	assert_problem(call(PD_A, "GET", "/api/v1/audit/checkpoints", NULL), 403, NULL);
	assert_problem(call(KASI, "GET", "/api/v1/audit/checkpoints/latest", NULL), 403, NULL);
	assert_problem(call(KADIS, "POST", "/api/v1/audit/checkpoints", "{}"), 403, NULL);
	assert_problem(call(PD_A, "GET", "/api/v1/audit/export", NULL), 403, NULL);
	assert_problem(call(KADIS, "GET", "/api/v1/audit/checkpoints/latest", NULL), 404, "audit.no_checkpoint");
	assert_problem(call_as(&AUD, "POST", "/api/v1/audit/checkpoints", "{\"x\":1}"), 400, NULL);

	uint64_t size = checkpoint();
	/* everything written so far is in it: the POST logged the queue first */
	ck_assert_int_eq(size, strtoull(sql1("SELECT count(*) FROM audit_log"), NULL, 10));
	ck_assert_str_eq(sql1("SELECT count(*) FROM audit_tlog_pending"), "0");
	struct ts_resp *r = call(KADIS, "GET", "/api/v1/audit/checkpoints/latest", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(rint(r, "tree_size"), size);
	const char *note = rstr(r, "note");
	ck_assert_msg(matches(note, fmt("^alurd\\.test/audit\n%llu\n[A-Za-z0-9+/]{43}=\n\n\xe2\x80\x94 alurd\\.test/audit "
					"[A-Za-z0-9+/]{91}=\n$",
					(unsigned long long)size)),
		      "not a C2SP checkpoint: %s", note);
	/* nothing new: the same checkpoint */
	ck_assert_int_eq(checkpoint(), size);
	r = call(ADMIN, "GET", "/api/v1/audit/checkpoints", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
	/* the published key is the one keygen printed, and needs no token */
	r = call(NOBODY, "GET", "/api/v1/audit/key", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "public_key"), g_pub);
	ck_assert_str_eq(rstr(r, "origin"), "alurd.test/audit");
}
END_TEST

/* Fetches path as the auditor into file name and checks it with merkle_check. */
static int checked(const char *path, const char *what, const char *name)
{
	struct ts_resp *r = call_as(&AUD, "GET", path, NULL);
	assert_status(r, 200);
	save(in_dir(name), r->body, r->len);
	return py("merkle_check.py", what, in_dir(name));
}

START_TEST(test_proofs)
{
	struct flow a = drive(PD_A, "Aplikasi bukti dua", AT_AGREED);
	g_size1 = checkpoint();
	struct ts_resp *kept = call(KADIS, "GET", "/api/v1/audit/checkpoints/latest", NULL);
	assert_status(kept, 200);
	save(in_dir("kept-early.txt"), rstr(kept, "note"), strlen(rstr(kept, "note")));
	struct flow b = drive(PD_B, "Aplikasi bukti tiga", AT_AWAL);
	uint64_t size2 = checkpoint();
	ck_assert(size2 > g_size1);

	/* every audit entry of request a, against both checkpoints */
	char ids[4096];
	ck_assert(ts_sql_value(g_db, fmt("SELECT string_agg(id::text, ' ' ORDER BY id) FROM audit_log WHERE request_id = '%s'",
					 a.request),
			       ids, sizeof ids));
	int n = 0;
	for (char *id = strtok(ids, " "); id; id = strtok(NULL, " "), n++) {
		ck_assert_msg(checked(fmt("/api/v1/audit/%s/proof", id), "inclusion", "p.json") == 0, "audit id %s", id);
		ck_assert_msg(checked(fmt("/api/v1/audit/%s/proof?tree_size=%llu", id, (unsigned long long)g_size1),
				      "inclusion", "p.json") == 0,
			      "audit id %s at %llu", id, (unsigned long long)g_size1);
	}
	ck_assert(n >= 8);
	/* the checker can fail: one hash of the last proof altered */
	sh(fmt("sed -i 's/\"inclusion_proof\":\\[\"./\"inclusion_proof\":[\"%%/' %s", in_dir("p.json")));
	ck_assert_int_eq(py("merkle_check.py", "inclusion", in_dir("p.json")), 1);

	for (uint64_t from = 1; from <= size2; from += (from < 12 ? 1 : 7))
		ck_assert_msg(checked(fmt("/api/v1/audit/consistency?from=%llu&to=%llu", (unsigned long long)from,
					  (unsigned long long)size2),
				      "consistency", "c.json") == 0,
			      "%llu -> %llu", (unsigned long long)from, (unsigned long long)size2);
	ck_assert_int_eq(checked(fmt("/api/v1/audit/consistency?from=%llu&to=%llu", (unsigned long long)g_size1,
				     (unsigned long long)size2),
				 "consistency", "c.json"),
			 0);
	sh(fmt("sed -i 's/\"consistency_proof\":\\[\"./\"consistency_proof\":[\"%%/' %s", in_dir("c.json")));
	ck_assert_int_eq(py("merkle_check.py", "consistency", in_dir("c.json")), 1);

	/* the export: Python recomputes every checkpoint's root from the entries */
	ck_assert_int_eq(checked("/api/v1/audit/export", "roots", "export.jsonl"), 0);

	/* refusals */
	assert_problem(call_as(&AUD, "GET", "/api/v1/audit/999999/proof", NULL), 404, "audit.not_found");
	assert_problem(call_as(&AUD, "GET", "/api/v1/audit/abc/proof", NULL), 404, "audit.not_found");
	assert_problem(call_as(&AUD, "GET", "/api/v1/audit/1/proof?tree_size=0", NULL), 400, NULL);
	assert_problem(call_as(&AUD, "GET", fmt("/api/v1/audit/1/proof?tree_size=%llu", (unsigned long long)size2 + 1000),
			       NULL),
		       400, NULL);
	const char *late = fmt("%s", sql1(fmt("SELECT max(id) FROM audit_log WHERE request_id = '%s'", b.request)));
	assert_problem(call_as(&AUD, "GET", fmt("/api/v1/audit/%s/proof?tree_size=%llu", late, (unsigned long long)g_size1),
			       NULL),
		       409, "audit.not_in_tree");
	assert_problem(call_as(&AUD, "GET", "/api/v1/audit/consistency?from=5&to=3", NULL), 400, NULL);
	assert_problem(call_as(&AUD, "GET", "/api/v1/audit/consistency?from=1", NULL), 400, NULL);
	assert_problem(call(PD_A, "GET", "/api/v1/audit/1/proof", NULL), 403, NULL);
}
END_TEST

/* The log grows without anyone asking, and two instances sequencing one
 * database give one gap-free log. */
START_TEST(test_background_sequencer)
{
	const char *env[] = {fmt("ALURD_AUDIT_KEY=%s", in_dir("log.key")), "ALURD_AUDIT_SEQUENCE_INTERVAL=0.05",
			     "ALURD_AUDIT_CHECKPOINT_INTERVAL=1", "ALURD_LOG_LEVEL=info", NULL};
	struct ts_daemon *second = ts_daemon_start(g_db, env);
	ck_assert(second);
	drive(PD_A, "Aplikasi dua instans", AT_FINAL);
	drive(PD_B, "Aplikasi dua instans B", AT_LANJUTAN);
	ck_assert_msg(ts_sql_wait(g_db, "SELECT count(*) FROM audit_tlog_pending", "0", 30000),
		      "queued audit rows were not logged within 30 s");
	ck_assert_str_eq(sql1("SELECT (count(*) = max(idx) + 1 AND count(DISTINCT audit_id) = count(*)"
			      " AND count(*) = (SELECT count(*) FROM audit_log))::text FROM audit_tlog"),
			 "true");
	/* the second instance signs checkpoints on its own timer */
	ck_assert_msg(ts_sql_wait(g_db,
				  "SELECT (max(tree_size) = (SELECT count(*) FROM audit_tlog))::text FROM audit_checkpoints",
				  "true", 30000),
		      "no checkpoint of the whole log within 30 s");
	ck_assert_int_eq(ts_daemon_stop(second, SIGTERM), 0);
	ts_daemon_free(second);
}
END_TEST

static void sign(enum who who, const char *ba, const char *sha)
{
	assert_status(call(who, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba),
			   fmt("{\"content_sha256\":\"%s\"}", sha)),
		      201);
}

static char g_pack_request[40];

START_TEST(test_evidence_pack)
{
	struct flow f = drive(PD_A, "Sistem rujukan terpadu", AT_BA_SENT);
	snprintf(g_pack_request, sizeof g_pack_request, "%s", f.request);
	assert_status(upload(PD_A, f.request, "proses_bisnis", "proses-bisnis.pdf", "application/pdf", MINI_PDF,
			     MINI_PDF_LEN),
		      201);
	sign(KADIS, f.ba, f.sha256);
	sign(SIGN_A, f.ba, f.sha256);
	ck_assert_str_eq(status_of(f.request), "completed");
	assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", f.request),
			   fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Pendampingan pengembangan aplikasi.\"}", P[TIM1].id)),
		      201);
	checkpoint();
	const char *path = fmt("/api/v1/requests/%s/evidence", f.request);
	assert_problem(call(NOBODY, "GET", path, NULL), 401, NULL);
	assert_problem(call(PD_B, "GET", path, NULL), 404, "request.not_found");
	assert_problem(call(KASI, "GET", path, NULL), 403, NULL);
	assert_status(call(KADIS, "GET", path, NULL), 200);
	assert_status(call(PD_A, "GET", path, NULL), 200);
	struct ts_resp *r = call_as(&AUD, "GET", path, NULL);
	assert_status(r, 200);
	ck_assert(tf_media_type_is(r->content_type, "application/x-tar"));
	const char *pack = in_dir("pack.tar");
	save(pack, r->body, r->len);

	char out[16384];
	const char *verify[] = {"evidence", "verify", "--key", in_dir("log.pub"), pack, NULL};
	ck_assert_msg(alurd(out, sizeof out, NULL, verify) == 0, "%s", out);
	ck_assert_msg(strstr(out, "OK: ") && !strstr(out, "FAIL"), "%s", out);
	int entries = 0;
	ck_assert(sscanf(strstr(out, "OK: "), "OK: %*d files, %d audit entries", &entries) == 1);
	ck_assert_int_eq(entries, atoi(sql1(fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'", f.request))));
	const char *own_key[] = {"evidence", "verify", pack, NULL};
	ck_assert_msg(alurd(out, sizeof out, NULL, own_key) == 0 && strstr(out, "key taken from the pack"), "%s", out);

	/* what the pack holds */
	ck_assert_int_eq(sh(fmt("python3 %s/tests/api/tar_tamper.py list %s > %s", ALURD_SOURCE_DIR, pack,
				in_dir("members.txt"))),
			 0);
	FILE *m = fopen(in_dir("members.txt"), "r");
	ck_assert(m);
	char member[512];
	int n = 0;
	bool seen_pdf = false, seen_doc = false, seen_st = false;
	const char *want[] = {"request.json", "timeline.json", "discussions.json", "documents.json",
			      "berita-acara.json", "surat-tugas.json", "audit/entries.jsonl", "audit/checkpoint.txt",
			      "audit/log-key.pub", "MANIFEST", "MANIFEST.sig", NULL};
	char all[8192] = "";
	while (fgets(member, sizeof member, m)) {
		member[strcspn(member, "\n")] = '\0';
		strcat(all, member);
		strcat(all, " ");
		seen_pdf |= strcmp(member, "berita-acara.pdf") == 0;
		seen_doc |= strncmp(member, "documents/", 10) == 0 && strstr(member, "proses-bisnis.pdf");
		seen_st |= strcmp(member, "surat-tugas.json") == 0;
		/* altering this one file makes the verifier fail, naming it */
		const char *bad = in_dir("bad.tar");
		ck_assert_int_eq(sh(fmt("python3 %s/tests/api/tar_tamper.py flip %s '%s' %s", ALURD_SOURCE_DIR, pack, member,
					bad)),
				 0);
		const char *again[] = {"evidence", "verify", "--key", in_dir("log.pub"), bad, NULL};
		ck_assert_msg(alurd(out, sizeof out, NULL, again) == 1, "%s altered, yet: %s", member, out);
		const char *named = strcmp(member, "MANIFEST.sig") == 0 ? "MANIFEST: " : member;
		ck_assert_msg(strstr(strstr(out, "FAILED: "), named), "%s altered: %s", member, out);
		n++;
	}
	fclose(m);
	for (int i = 0; want[i]; i++)
		ck_assert_msg(strstr(all, want[i]), "%s missing from %s", want[i], all);
	ck_assert(seen_pdf && seen_doc && seen_st && n >= 13);
	/* the pack's timeline has all seven steps */
	r = call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", f.request), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "steps")), 7);
}
END_TEST

/* The period report: a PDF in Bahasa Indonesia whose figures are the
 * summary's. */
START_TEST(test_period_report)
{
	const char *path = "/api/v1/sla/report?from=2020-01-01&to=2099-12-31";
	assert_problem(call(NOBODY, "GET", path, NULL), 401, NULL);
	assert_problem(call(PD_A, "GET", path, NULL), 403, NULL);
	assert_problem(call(KASI, "GET", path, NULL), 403, NULL);
	struct ts_resp *bad = call(KADIS, "GET", "/api/v1/sla/report?to=2026-01-01", NULL);
	assert_problem(bad, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(bad, "from"), "required");
	bad = call(KADIS, "GET", "/api/v1/sla/report?from=2026-02-01&to=2026-01-01", NULL);
	ck_assert_str_eq(field_error_code(bad, "to"), "order");
	bad = call(KADIS, "GET", "/api/v1/sla/report?from=2026-02-30&to=2026-03-01", NULL);
	ck_assert_str_eq(field_error_code(bad, "from"), "invalid");
	assert_status(call_as(&AUD, "GET", path, NULL), 200);
	struct ts_resp *r = call(KADIS, "GET", path, NULL);
	assert_status(r, 200);
	ck_assert(tf_media_type_is(r->content_type, "application/pdf"));
	ck_assert(r->len > 1000 && memcmp(r->body, "%PDF-", 5) == 0);
	save(in_dir("report.pdf"), r->body, r->len);
	ck_assert_int_eq(sh(fmt("pdftotext -layout %s %s", in_dir("report.pdf"), in_dir("report.txt"))), 0);
	FILE *f = fopen(in_dir("report.txt"), "r");
	ck_assert(f);
	static char text[65536];
	text[fread(text, 1, sizeof text - 1, f)] = '\0';
	fclose(f);
	struct ts_resp *sum = call(KADIS, "GET", "/api/v1/sla/summary?from=2020-01-01&to=2099-12-31", NULL);
	assert_status(sum, 200);
	json_t *total = json_object_get(sum->json, "total");
	const char *want[] = {
		"LAPORAN KEPATUHAN MUTU BAKU LAYANAN PENGEMBANGAN APLIKASI",
		"Periode: 1 Januari 2020 s.d. 31 Desember 2099",
		fmt("Permohonan yang masuk dalam periode: %lld", jint(total, "requests")),
		fmt("Langkah SOP yang dihitung (langkah 2-7): %lld; selesai %lld, masih berjalan %lld", jint(total, "count"),
		    jint(total, "completed"), jint(total, "open")),
		"2. Kepatuhan per Langkah SOP terhadap Mutu Baku",
		"4 Pembahasan awal",
		"3. Kepatuhan per Perangkat Daerah",
		AGENCY_NAME[0],
		AGENCY_NAME[1],
		"4. Penyebab Keterlambatan: Atribusi Waktu Tunggu",
		"Kasi AI dan Tim SPBE",
		"5. Langkah yang Saat Ini Melewati Batas Waktu",
		"Halaman 1 dari",
		NULL,
	};
	for (int i = 0; want[i]; i++) {
		if (!strstr(text, want[i]))
			fprintf(stderr, "the report's text:\n%s\n", text);
		ck_assert_msg(strstr(text, want[i]), "'%s' not in the report (its text is above)", want[i]);
	}
}
END_TEST

/* The newest checkpoint as an auditor keeps it, before the tampering. */
START_TEST(test_keep_checkpoint)
{
	drive(PD_A, "Aplikasi terakhir", AT_AWAL);
	checkpoint();
	struct ts_resp *r = call_as(&AUD, "GET", "/api/v1/audit/checkpoints/latest", NULL);
	assert_status(r, 200);
	save(in_dir("kept.txt"), rstr(r, "note"), strlen(rstr(r, "note")));
}
END_TEST

/* ---- tampering, after the daemon stopped ---------------------------------- */

static const char *db_name(const char *url)
{
	const char *slash = strrchr(url, '/');
	return fmt("%.*s", (int)strcspn(slash + 1, "?"), slash + 1);
}

static const char *superuser(const char *url)
{
	const char *at = strstr(url, "alurd@");
	ck_assert(at);
	return fmt("%.*spostgres@%s", (int)(at - url), url, at + 6);
}

/* A copy of the suite's database, tampered by sql as a superuser; returns
 * its URL. */
static const char *tampered_copy(int n, const char *sql)
{
	const char *name = fmt("%s_t%d", db_name(g_db), n);
	const char *admin = getenv("ALURD_TEST_ADMIN_URL");
	ck_assert(ts_sql(admin, fmt("DROP DATABASE IF EXISTS %s", name)));
	ck_assert(ts_sql(admin, fmt("CREATE DATABASE %s TEMPLATE %s", name, db_name(g_db))));
	const char *slash = strrchr(g_db, '/');
	const char *url = fmt("%.*s/%s", (int)(slash - g_db), g_db, name);
	if (sql)
		ck_assert_msg(ts_sql(superuser(url), fmt("SET session_replication_role = replica; %s", sql)), "%s", sql);
	return url;
}

/* Exports url with alurd audit export and verifies it with the kept
 * checkpoints; returns the exit status, the output in out. */
static int verify_copy(const char *url, char *out, size_t n)
{
	const char *env[] = {fmt("ALURD_DATABASE_URL=%s", url), NULL};
	const char *exp[] = {"audit", "export", in_dir("copy.jsonl"), NULL};
	ck_assert_msg(alurd(out, n, env, exp) == 0, "export: %s", out);
	const char *ver[] = {"audit", "verify", "--key", in_dir("log.pub"), in_dir("copy.jsonl"),
			     in_dir("kept-early.txt"), in_dir("kept.txt"), NULL};
	int st = alurd(out, n, NULL, ver);
	ts_db_drop(url);
	return st;
}

static const char *audit_id_at(uint64_t idx)
{
	return fmt("%s", sql1(fmt("SELECT audit_id FROM audit_tlog WHERE idx = %llu", (unsigned long long)idx)));
}

static void expect_first(const char *sql, int n, const char *first)
{
	char out[65536];
	int st = verify_copy(tampered_copy(n, sql), out, sizeof out);
	ck_assert_msg(st == 1, "case %d: exit %d: %s", n, st, out);
	const char *f = strstr(out, "FAILED: ");
	ck_assert_msg(f && strstr(f, first), "case %d: wanted '%s' first: %s", n, first, out);
}

START_TEST(test_tamper)
{
	uint64_t size = strtoull(sql1("SELECT count(*) FROM audit_tlog"), NULL, 10);
	uint64_t k = g_size1 + 3, last = size - 4;
	ck_assert(k + 2 < last);
	char out[65536];
	/* untouched: verifies, every entry covered */
	ck_assert_msg(verify_copy(tampered_copy(0, NULL), out, sizeof out) == 0, "%s", out);
	ck_assert_msg(strstr(out, fmt("OK: %llu entries", (unsigned long long)size)), "%s", out);
	ck_assert_msg(strstr(out, fmt("%llu entries covered", (unsigned long long)size)), "%s", out);

	char idk[24], idk1[24];
	snprintf(idk, sizeof idk, "%s", audit_id_at(k));
	snprintf(idk1, sizeof idk1, "%s", audit_id_at(k + 1));
	expect_first(fmt("UPDATE audit_log SET action = 'request.tampered' WHERE id = %s", idk), 1,
		     fmt("entry %llu (audit id %s) changed after it was logged", (unsigned long long)k, idk));
	expect_first(fmt("UPDATE audit_log SET after = '{\"status\":\"lain\"}' WHERE id = %s", idk1), 2,
		     fmt("entry %llu (audit id %s) changed", (unsigned long long)k + 1, idk1));
	expect_first(fmt("DELETE FROM audit_log WHERE id = %s", idk), 3,
		     fmt("entry %llu (audit id %s): the audit row is gone", (unsigned long long)k, idk));
	expect_first(fmt("DELETE FROM audit_log WHERE id = %s; DELETE FROM audit_tlog WHERE idx = %llu;"
			 " DELETE FROM audit_tlog_nodes WHERE level = 0 AND idx = %llu",
			 idk, (unsigned long long)k, (unsigned long long)k),
		     4, fmt("entry %llu is missing", (unsigned long long)k));
	/* two rows swap places in the log */
	expect_first(fmt("UPDATE audit_tlog SET audit_id = -audit_id WHERE idx IN (%llu, %llu);"
			 " UPDATE audit_tlog SET audit_id = %s WHERE idx = %llu;"
			 " UPDATE audit_tlog SET audit_id = %s WHERE idx = %llu",
			 (unsigned long long)k, (unsigned long long)k + 1, idk1, (unsigned long long)k, idk,
			 (unsigned long long)k + 1),
		     5, fmt("entry %llu (audit id %s) changed", (unsigned long long)k, idk1));
	/* the tail cut, with every trace of it: the log, the tree, the checkpoints */
	expect_first(fmt("DELETE FROM audit_log WHERE id IN (SELECT audit_id FROM audit_tlog WHERE idx >= %llu);"
			 " DELETE FROM audit_tlog WHERE idx >= %llu;"
			 " DELETE FROM audit_tlog_nodes WHERE (idx + 1) * (1::bigint << level) > %llu;"
			 " DELETE FROM audit_checkpoints WHERE tree_size > %llu",
			 (unsigned long long)last, (unsigned long long)last, (unsigned long long)last,
			 (unsigned long long)last),
		     6, fmt("the log ends after %llu entries", (unsigned long long)last));

	/* the whole log rebuilt, after one change, and signed by another key */
	const char *url = tampered_copy(7, fmt("UPDATE audit_log SET action = 'request.tampered' WHERE id = %s;"
					       " TRUNCATE audit_tlog, audit_tlog_nodes, audit_checkpoints, audit_tlog_pending;"
					       " INSERT INTO audit_tlog_pending SELECT id FROM audit_log",
					       idk));
	const char *kg[] = {"audit", "keygen", "alurd.test/audit", in_dir("other.key"), NULL};
	ck_assert_int_eq(alurd(out, sizeof out, NULL, kg), 0);
	const char *env[] = {fmt("ALURD_AUDIT_KEY=%s", in_dir("other.key")), "ALURD_AUDIT_CHECKPOINT_INTERVAL=0", NULL};
	struct ts_daemon *forger = ts_daemon_start(url, env);
	ck_assert(forger);
	struct ts_resp *r = NULL;
	/* the daemon answers 503 until it has loaded the accounts (10 s at most) */
	for (long long until = ts_now_ms() + 10000; !r || (r->status == 503 && ts_now_ms() < until);) {
		if (r)
			ts_nap_ms(100);
		r = ts_http(forger, "POST", "/api/v1/audit/checkpoints",
			    (const char *const[]){fmt("Authorization: Bearer %s", AUD.token),
						  "Content-Type: application/json", NULL},
			    "{}", 2);
	}
	assert_status(r, 201);
	ck_assert_int_eq(rint(r, "tree_size"), size);
	ck_assert_int_eq(ts_daemon_stop(forger, SIGTERM), 0);
	ts_daemon_free(forger);
	int st = verify_copy(url, out, sizeof out);
	ck_assert_msg(st == 1, "rebuilt: exit %d: %s", st, out);
	ck_assert_msg(strstr(out, "checkpoint #1 of the export (tree size") && strstr(out, "not signed by the trusted key"),
		      "%s", out);
	ck_assert_msg(strstr(strstr(out, "FAILED: "),
			     fmt("does not match the entries: the first bad entry is among indexes %llu..",
				 (unsigned long long)g_size1)),
		      "%s", out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tf_tcase("audit", up, down, s47_each_after, 300);
	tcase_add_test(tc, test_checkpoints);
	tcase_add_test(tc, test_proofs);
	tcase_add_test(tc, test_background_sequencer);
	tcase_add_test(tc, test_evidence_pack);
	tcase_add_test(tc, test_period_report);
	tcase_add_test(tc, test_keep_checkpoint);
	s47_add_clean_stop(tc);
	tcase_add_test(tc, test_tamper);
	suite_add_tcase(s, tc);
	return s47_main(s);
}
