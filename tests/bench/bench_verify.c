/* bench_verify.c — how long the offline verifier takes for a large log.
 *
 *   bench_verify N EXPORT_FILE PUBLIC_KEY_FILE
 *
 * Writes an export of N synthetic audit entries (each built by
 * ev_entry_canonical from a row shaped like a real transition's, about
 * 400 bytes) with a checkpoint every 100 000 entries and one at N, signed
 * by a fresh key (its public half to PUBLIC_KEY_FILE), then verifies the
 * file with ev_audit_verify and prints both times. Run by
 * tests/bench/bench_audit.sh; never by ctest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evidence/audit.h"
#include "evidence/entry.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4 || sodium_init() < 0) {
		fprintf(stderr, "usage: bench_verify N EXPORT_FILE PUBLIC_KEY_FILE\n");
		return 2;
	}
	unsigned long long n = strtoull(argv[1], NULL, 10);
	struct ev_key key;
	ev_key_generate(&key, "bench/audit");
	char pub[512];
	ev_key_public_text(&key, pub, sizeof pub);
	FILE *kf = fopen(argv[3], "w");
	if (!kf)
		return 2;
	fprintf(kf, "%s\n", pub);
	fclose(kf);

	/* pass 1: the leaves, for the checkpoints (which come first in the file) */
	double t0 = now();
	int ncp = (int)(n / 100000) + 1;
	char **notes = calloc((size_t)ncp, sizeof *notes);
	int k = 0;
	struct ev_stack st;
	ev_stack_init(&st);
	char id[24], rid[24];
	struct ev_row row = {id, "2026-03-04T05:06:07.123456Z", "3f2b9c1e-8a4d-4e6f-9b1a-2c3d4e5f6a7b", "sekretariat",
			     "request.register", "request", rid, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
			     "5d41402abc4b2a76b9719d911017c592",
			     "{\"status\":\"submitted\",\"current_step\":1,\"version\":2}",
			     "{\"status\":\"awaiting_disposition\",\"current_step\":2,\"version\":3,"
			     "\"agenda_number\":\"0042/AGENDA/D.KOMINFOS/2026\"}"};
	for (unsigned long long i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%llu", i + 1);
		snprintf(rid, sizeof rid, "r%llu", i);
		char *e = ev_entry_canonical(&row, i);
		uint8_t leaf[EV_HASH];
		ev_leaf_hash(e, strlen(e), leaf);
		free(e);
		ev_stack_push(&st, leaf, NULL, NULL);
		if (st.size % 100000 == 0 || st.size == n) {
			struct ev_checkpoint cp = {"bench/audit", st.size, {0}};
			ev_stack_root(&st, cp.root);
			if (k < ncp)
				notes[k++] = ev_checkpoint_sign(&key, &cp);
		}
	}
	/* pass 2: the file */
	FILE *f = fopen(argv[2], "w");
	if (!f)
		return 2;
	ev_export_header(f, "bench/audit", n, k);
	for (int i = 0; i < k; i++)
		ev_export_checkpoint(f, notes[i]);
	for (unsigned long long i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%llu", i + 1);
		snprintf(rid, sizeof rid, "r%llu", i);
		char *e = ev_entry_canonical(&row, i);
		uint8_t leaf[EV_HASH];
		ev_leaf_hash(e, strlen(e), leaf);
		ev_export_entry(f, i, id, leaf, e);
		free(e);
	}
	long size = ftell(f);
	fclose(f);
	double t1 = now();
	printf("wrote %llu entries, %d checkpoints, %.1f MB in %.2f s\n", n, k, (double)size / 1e6, t1 - t0);

	f = fopen(argv[2], "r");
	struct ev_audit_result res;
	char why[256];
	FILE *report = fopen("/dev/null", "w");
	double t2 = now();
	bool ok = ev_audit_verify(f, &key, NULL, NULL, 0, report, &res, why, sizeof why);
	double t3 = now();
	fclose(f);
	fclose(report);
	printf("ev_audit_verify: %llu entries, %d checkpoints valid, %d failures, %.2f s (%.0f entries/s)\n",
	       (unsigned long long)res.entries, res.checkpoints_valid, ok ? res.failures : -1, t3 - t2,
	       (double)res.entries / (t3 - t2));
	for (int i = 0; i < k; i++)
		free(notes[i]);
	free(notes);
	return ok && res.failures == 0 ? 0 : 1;
}
