/* test_evidence.c — the evidence library without a database: the Merkle
 * tree against the RFC 6962 test vectors of the Certificate Transparency
 * reference implementation (eight leaves, the roots of every prefix), every
 * inclusion and consistency proof of trees up to 40 leaves generated and
 * verified (and refused once altered), the signed-note key and checkpoint
 * formats, the export verifier on tampered exports, and the evidence pack.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "evidence/audit.h"
#include "evidence/entry.h"
#include "evidence/merkle.h"
#include "evidence/note.h"
#include "evidence/pack.h"

static const struct {
	const char *hex;
} leaves[] = {{""}, {"00"}, {"10"}, {"2021"}, {"3031"}, {"40414243"}, {"5051525354555657"},
	      {"606162636465666768696a6b6c6d6e6f"}};

static const char *const roots[] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* A whole tree in memory: every complete subtree, as alurd stores them. */
#define MAXN 64
struct tree {
	uint8_t node[7][MAXN][EV_HASH];
	bool have[7][MAXN];
	struct ev_stack st;
};

static void sink(void *ctx, int level, uint64_t index, const uint8_t hash[EV_HASH])
{
	struct tree *t = ctx;
	memcpy(t->node[level][index], hash, EV_HASH);
	t->have[level][index] = true;
}

static bool source(void *ctx, int level, uint64_t index, uint8_t out[EV_HASH])
{
	struct tree *t = ctx;
	if (level >= 7 || index >= MAXN || !t->have[level][index])
		return false;
	memcpy(out, t->node[level][index], EV_HASH);
	return true;
}

static void grow(struct tree *t, int n)
{
	memset(t, 0, sizeof *t);
	ev_stack_init(&t->st);
	for (int i = 0; i < n; i++) {
		char data[16];
		int len = snprintf(data, sizeof data, "leaf %d", i);
		uint8_t h[EV_HASH];
		ev_leaf_hash(data, (size_t)len, h);
		ev_stack_push(&t->st, h, sink, t);
	}
}

START_TEST(test_vectors)
{
	struct tree t;
	memset(&t, 0, sizeof t);
	ev_stack_init(&t.st);
	for (int i = 0; i < 8; i++) {
		uint8_t data[16], h[EV_HASH], root[EV_HASH], stored[EV_HASH];
		size_t n = strlen(leaves[i].hex) / 2;
		ck_assert(n == 0 || ev_unhex(leaves[i].hex, data, n));
		ev_leaf_hash(data, n, h);
		ev_stack_push(&t.st, h, sink, &t);
		char hex[65];
		ev_stack_root(&t.st, root);
		ev_hex(root, EV_HASH, hex);
		ck_assert_str_eq(hex, roots[i]);
		ck_assert(ev_root(source, &t, (uint64_t)i + 1, stored));
		ck_assert(memcmp(stored, root, EV_HASH) == 0);
	}
}
END_TEST

START_TEST(test_inclusion_all)
{
	struct tree t;
	for (int n = 1; n <= 40; n++) {
		grow(&t, n);
		uint8_t root[EV_HASH];
		ck_assert(ev_root(source, &t, (uint64_t)n, root));
		for (int m = 0; m < n; m++) {
			uint8_t proof[EV_MAX_PROOF][EV_HASH];
			int k;
			ck_assert(ev_inclusion_proof(source, &t, (uint64_t)m, (uint64_t)n, proof, &k));
			ck_assert_msg(ev_verify_inclusion((uint64_t)m, (uint64_t)n, t.node[0][m], (const uint8_t(*)[32])proof,
							  k, root),
				      "index %d of %d", m, n);
			/* the wrong index, an index past the tree, an altered hash: refused */
			if (n > 1)
				ck_assert(!ev_verify_inclusion((uint64_t)((m + 1) % n), (uint64_t)n, t.node[0][m],
							       (const uint8_t(*)[32])proof, k, root));
			ck_assert(!ev_verify_inclusion((uint64_t)n, (uint64_t)n, t.node[0][m], (const uint8_t(*)[32])proof, k,
						       root));
			if (k) {
				proof[k - 1][0] ^= 1;
				ck_assert(!ev_verify_inclusion((uint64_t)m, (uint64_t)n, t.node[0][m],
							       (const uint8_t(*)[32])proof, k, root));
			}
		}
	}
}
END_TEST

START_TEST(test_consistency_all)
{
	struct tree t;
	grow(&t, 40);
	for (int n = 1; n <= 40; n++)
		for (int m = 1; m <= n; m++) {
			uint8_t r1[EV_HASH], r2[EV_HASH], proof[EV_MAX_PROOF][EV_HASH];
			int k;
			ck_assert(ev_root(source, &t, (uint64_t)m, r1) && ev_root(source, &t, (uint64_t)n, r2));
			ck_assert(ev_consistency_proof(source, &t, (uint64_t)m, (uint64_t)n, proof, &k));
			ck_assert_msg(ev_verify_consistency((uint64_t)m, (uint64_t)n, r1, r2, (const uint8_t(*)[32])proof, k),
				      "%d -> %d", m, n);
			r1[5] ^= 0x40;
			ck_assert(!ev_verify_consistency((uint64_t)m, (uint64_t)n, r1, r2, (const uint8_t(*)[32])proof, k));
		}
}
END_TEST

START_TEST(test_edge_nodes)
{
	int level[64];
	uint64_t index[64];
	ck_assert_int_eq(ev_edge_nodes(13, level, index), 3); /* 8 + 4 + 1 */
	ck_assert(level[0] == 3 && index[0] == 0 && level[1] == 2 && index[1] == 2 && level[2] == 0 && index[2] == 12);
	ck_assert_int_eq(ev_edge_nodes(0, level, index), 0);
}
END_TEST

START_TEST(test_keys_and_checkpoints)
{
	struct ev_key k, pub, other, back;
	char text[512], ptext[512];
	ck_assert(ev_key_generate(&k, "log.example/audit"));
	ck_assert(!ev_key_generate(&other, "has space"));
	ck_assert(ev_key_generate(&other, "log.example/audit"));
	ck_assert(ev_key_private_text(&k, text, sizeof text));
	ck_assert(strncmp(text, "PRIVATE+KEY+log.example/audit+", 30) == 0);
	ck_assert(ev_key_parse_private(&back, text));
	ck_assert(memcmp(back.pk, k.pk, 32) == 0 && memcmp(back.id, k.id, 4) == 0);
	ev_key_public_text(&k, ptext, sizeof ptext);
	ck_assert(ev_key_parse_public(&pub, ptext));
	ck_assert(!pub.has_private);
	ptext[strlen("log.example/audit+")] ^= 1; /* the key id no longer matches */
	ck_assert(!ev_key_parse_public(&back, ptext));

	struct ev_checkpoint cp = {"log.example/audit", 42, {1, 2, 3}}, got;
	char *note = ev_checkpoint_sign(&k, &cp);
	ck_assert(strncmp(note, "log.example/audit\n42\nAQID", 25) == 0);
	ck_assert(strstr(note, "\n\n\xe2\x80\x94 log.example/audit ") != NULL);
	bool valid, named;
	char why[160];
	ck_assert(ev_checkpoint_open(note, &pub, &got, &valid, &named, why, sizeof why));
	ck_assert(valid && named && got.size == 42 && memcmp(got.root, cp.root, 32) == 0);
	ck_assert(ev_checkpoint_open(note, &other, &got, &valid, &named, why, sizeof why));
	ck_assert(!valid && !named);
	note[19] = '3'; /* 42 -> 43 */
	ck_assert(ev_checkpoint_open(note, &pub, &got, &valid, &named, why, sizeof why));
	ck_assert(!valid && named && got.size == 43);
	ck_assert(!ev_checkpoint_open("no blank line\n", &pub, &got, &valid, &named, why, sizeof why));
	free(note);
}
END_TEST

/* ---- the export verifier ---------------------------------------------------- */

#define NE 20

static struct ev_key g_key, g_pub;
static char *g_entries[NE];
static uint8_t g_leaf[NE][EV_HASH];
static char *g_cps[4];
static uint64_t g_cp_size[4] = {5, 12, 16, NE};

static void make_log(void)
{
	char text[512];
	ev_key_generate(&g_key, "test/audit");
	ev_key_public_text(&g_key, text, sizeof text);
	ev_key_parse_public(&g_pub, text);
	struct ev_stack st;
	ev_stack_init(&st);
	int c = 0;
	for (int i = 0; i < NE; i++) {
		char id[16], after[64];
		snprintf(id, sizeof id, "%d", 100 + i);
		snprintf(after, sizeof after, "{\"n\": %d, \"a\": \"Denpasar \xc3\xa9\"}", i);
		struct ev_row r = {id, "2026-01-01T00:00:00.000000Z", NULL, "system", "test.act", "request", id, NULL,
				   "t", NULL, after};
		g_entries[i] = ev_entry_canonical(&r, (uint64_t)i);
		ev_leaf_hash(g_entries[i], strlen(g_entries[i]), g_leaf[i]);
		ev_stack_push(&st, g_leaf[i], NULL, NULL);
		if (c < 4 && st.size == g_cp_size[c]) {
			struct ev_checkpoint cp = {"test/audit", st.size, {0}};
			ev_stack_root(&st, cp.root);
			g_cps[c++] = ev_checkpoint_sign(&g_key, &cp);
		}
	}
}

/* Writes an export; skip / swap / cut / text change as asked. */
struct tamper {
	int drop;    /* index whose line is left out, -1 none */
	int gone;    /* index whose row is missing (entry null), -1 none */
	int swap;    /* swap entries swap and swap + 1, -1 none */
	int change;  /* index whose text changes, -1 none */
	int cut;     /* entries kept (NE: all) */
	int ncp;     /* the export's checkpoints (from the first) */
};

static FILE *export(struct tamper t)
{
	FILE *f = tmpfile();
	ev_export_header(f, "test/audit", (uint64_t)t.cut, t.ncp);
	for (int i = 0; i < t.ncp; i++)
		ev_export_checkpoint(f, g_cps[i]);
	for (int i = 0; i < t.cut; i++) {
		if (i == t.drop)
			continue;
		int j = t.swap >= 0 && i == t.swap ? i + 1 : t.swap >= 0 && i == t.swap + 1 ? i - 1 : i;
		char *entry = g_entries[j];
		char changed[1024];
		if (i == t.change) {
			snprintf(changed, sizeof changed, "%s", entry);
			*strstr(changed, "test.act") = 'T';
			entry = changed;
		}
		ev_export_entry(f, (uint64_t)i, "1", g_leaf[i], i == t.gone ? NULL : entry);
	}
	rewind(f);
	return f;
}

static struct ev_audit_result run(struct tamper t, const struct ev_key *key, int nextra)
{
	FILE *f = export(t), *report = tmpfile();
	const char *labels[] = {"kept-1", "kept-2", "kept-3", "kept-4"};
	struct ev_audit_result res;
	char why[256];
	ck_assert(ev_audit_verify(f, key, (const char *const *)g_cps, labels, nextra, report, &res, why, sizeof why));
	fclose(f);
	fclose(report);
	return res;
}

#define UNTOUCHED {-1, -1, -1, -1, NE, 4}

START_TEST(test_export_untouched)
{
	struct ev_audit_result r = run((struct tamper)UNTOUCHED, &g_pub, 0);
	ck_assert_int_eq(r.failures, 0);
	ck_assert(r.entries == NE && r.covered == NE && r.checkpoints_valid == 4);
}
END_TEST

START_TEST(test_export_tampered)
{
	struct tamper t = UNTOUCHED;
	t.change = 7;
	struct ev_audit_result r = run(t, &g_pub, 0);
	ck_assert(r.failures > 0 && strstr(r.first, "entry 7 ") && strstr(r.first, "changed"));
	t = (struct tamper)UNTOUCHED;
	t.drop = 3;
	r = run(t, &g_pub, 0);
	ck_assert_msg(r.failures > 0 && strstr(r.first, "entry 3 is missing"), "%s", r.first);
	t = (struct tamper)UNTOUCHED;
	t.gone = 9;
	r = run(t, &g_pub, 0);
	ck_assert_msg(strstr(r.first, "entry 9 ") && strstr(r.first, "gone"), "%s", r.first);
	t = (struct tamper)UNTOUCHED;
	t.swap = 13;
	r = run(t, &g_pub, 0);
	ck_assert_msg(strstr(r.first, "entry 13 ") && strstr(r.first, "changed"), "%s", r.first);
	/* the tail cut, and the export's own checkpoints cut with it: the kept
	 * copies tell */
	t = (struct tamper)UNTOUCHED;
	t.cut = 14;
	t.ncp = 2;
	r = run(t, &g_pub, 4);
	ck_assert_msg(strstr(r.first, "ends after 14 entries") && strstr(r.first, "truncated"), "%s", r.first);
	/* another key: nothing the trusted key signed */
	struct ev_key other;
	ev_key_generate(&other, "test/audit");
	r = run((struct tamper)UNTOUCHED, &other, 0);
	ck_assert_msg(r.failures == 5 && strstr(r.first, "not signed by the trusted key"), "%s", r.first);
}
END_TEST

/* An export written by another tool (keys in another order, non-ASCII text
 * as \\u escapes) verifies the same: the verifier's fast path for alurd's
 * own layout decides nothing by itself. */
START_TEST(test_export_other_writer)
{
	FILE *mine = export((struct tamper)UNTOUCHED), *theirs = tmpfile(), *report = tmpfile();
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, mine)) > 0) {
		json_t *o = json_loadb(line, (size_t)len, 0, NULL);
		json_dumpf(o, theirs, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		fputc('\n', theirs);
		json_decref(o);
	}
	free(line);
	fclose(mine);
	rewind(theirs);
	struct ev_audit_result res;
	char why[256];
	ck_assert(ev_audit_verify(theirs, &g_pub, NULL, NULL, 0, report, &res, why, sizeof why));
	ck_assert_msg(res.failures == 0 && res.entries == NE && res.covered == NE, "%s", res.first);
	fclose(theirs);
	fclose(report);
}
END_TEST

/* ---- the pack ------------------------------------------------------------- */

START_TEST(test_pack)
{
	struct ev_pack *p = ev_pack_new();
	ev_pack_add(p, "request.json", "{\"id\":\"r1\"}", 11);
	ev_pack_add(p, "documents/a.txt", "hello", 5);
	const char *docs = "[{\"path\":\"documents/a.txt\",\"sha256\":"
			   "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"}]";
	ev_pack_add(p, "documents.json", docs, strlen(docs));
	/* one entry of request r1, proven against a checkpoint of 2 leaves */
	const char *entry = "{\"id\":1,\"request_id\":\"r1\"}", *other = "{\"id\":2}";
	uint8_t l0[EV_HASH], l1[EV_HASH];
	ev_leaf_hash(entry, strlen(entry), l0);
	ev_leaf_hash(other, strlen(other), l1);
	struct ev_checkpoint cp = {"test/audit", 2, {0}};
	ev_node_hash(l0, l1, cp.root);
	char *note = ev_checkpoint_sign(&g_key, &cp), b64[64], line[512], pub[512];
	ev_b64(l1, EV_HASH, b64, sizeof b64);
	int n = snprintf(line, sizeof line, "{\"log_index\":0,\"entry\":\"%s\",\"inclusion_proof\":[\"%s\"]}\n",
			 "{\\\"id\\\":1,\\\"request_id\\\":\\\"r1\\\"}", b64);
	ev_pack_add(p, "audit/entries.jsonl", line, (size_t)n);
	ev_pack_add(p, "audit/checkpoint.txt", note, strlen(note));
	ev_key_public_text(&g_key, pub, sizeof pub);
	ev_pack_add(p, "audit/log-key.pub", pub, strlen(pub));
	free(note);
	void *tar;
	size_t len;
	ck_assert(ev_pack_finish(p, &g_key, &tar, &len));
	char path[] = "/tmp/alurd-pack-XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0 && write(fd, tar, len) == (ssize_t)len);
	close(fd);
	FILE *report = tmpfile();
	struct ev_pack_result res;
	char why[256];
	ck_assert(ev_pack_verify(path, &g_pub, report, &res, why, sizeof why));
	ck_assert_msg(res.failures == 0 && res.entries == 1 && res.files == 8, "%s", res.first);
	/* "hello" -> "jello" inside the archive */
	char *at = memmem(tar, len, "hello", 5);
	ck_assert(at);
	*at = 'j';
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert(fd >= 0 && write(fd, tar, len) == (ssize_t)len);
	close(fd);
	ck_assert(ev_pack_verify(path, &g_pub, report, &res, why, sizeof why));
	ck_assert_msg(res.failures == 2 && strstr(res.first, "documents/a.txt: its SHA-256 does not match the MANIFEST"),
		      "%s", res.first);
	fclose(report);
	unlink(path);
	free(tar);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("evidence");
	TCase *tc = tcase_create("merkle");
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_inclusion_all);
	tcase_add_test(tc, test_consistency_all);
	tcase_add_test(tc, test_edge_nodes);
	tcase_add_test(tc, test_keys_and_checkpoints);
	suite_add_tcase(s, tc);
	tc = tcase_create("verifiers");
	tcase_add_unchecked_fixture(tc, make_log, NULL);
	tcase_add_test(tc, test_export_untouched);
	tcase_add_test(tc, test_export_tampered);
	tcase_add_test(tc, test_export_other_writer);
	tcase_add_test(tc, test_pack);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (int i = 0; i < NE; i++)
		free(g_entries[i]);
	for (int i = 0; i < 4; i++)
		free(g_cps[i]);
	return failed ? 1 : 0;
}
