/* fuzz_numfmt.c — official number formats (core/numfmt.c) as configured in
 * ALURD_AGENDA_FORMAT and its siblings. Oracle: numfmt_render never writes
 * past the buffer it is given (ASan sees a heap buffer of exactly n bytes),
 * always NUL-terminates what it reports as fitting, and a format numfmt_check
 * accepts renders into a buffer of the documented size for any sequence,
 * year and month.
 */
#include "core/err.h"
#include "core/numfmt.h"
#include "tests/fuzz/fuzz.h"

static void render(const char *fmt, int seq, int year, int month, size_t n, int accepted)
{
	char *out = malloc(n ? n : 1);
	if (!out)
		abort();
	bool ok = numfmt_render(fmt, seq, year, month, out, n);
	if (ok) {
		fuzz_assert(n > 0 && strlen(out) < n);
	}
	if (accepted && n >= 512) {
		fuzz_assert(ok);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *fmt = fuzz_cstr(data, size);
	struct err e = {0};
	int accepted = numfmt_check(fmt, &e);
	static const int seqs[] = {0, 1, 7, 999, 123456789, 2147483647};
	static const int years[] = {1, 2026, 9999};
	for (size_t i = 0; i < sizeof seqs / sizeof *seqs; i++)
		for (size_t j = 0; j < sizeof years / sizeof *years; j++) {
			int month = 1 + (int)((i + j) % 12);
			render(fmt, seqs[i], years[j], month, 512, accepted);
			render(fmt, seqs[i], years[j], month, 1 + (size + i) % 40, 0);
		}
	render(fmt, 1, 2026, 1, 0, 0);
	free(fmt);
	return 0;
}
