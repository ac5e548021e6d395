/* fuzz_tz.c — the TZif reader (core/tz.c), fed the bytes of a zone file as
 * ALURD_ZONEINFO provides them. Oracle: an accepted zone answers every
 * conversion for instants across the supported range without a sanitizer
 * report, with offsets within +-26 h, and local->UTC->local is stable
 * outside transitions' ambiguity (checked only as a bound: within a day).
 */
#include "core/err.h"
#include "core/tz.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	struct tz z;
	memset(&z, 0, sizeof z);
	struct err e = {0};
	if (tz_parse(&z, buf, size, &e)) {
		static const int64_t instants[] = {TZ_INSTANT_MIN, -2208988800LL, 0, 1700000000LL,
						   1767225600LL, 4102444800LL, 253402300799LL,
						   INT64_MIN, INT64_MAX};
		for (size_t i = 0; i < sizeof instants / sizeof *instants; i++) {
			int64_t t = instants[i];
			int32_t off = tz_offset(&z, t);
			fuzz_assert(off >= -26 * 3600 && off <= 26 * 3600);
			struct cal_local l;
			tz_to_local(&z, t, &l);
			fuzz_assert(l.m >= 1 && l.m <= 12 && l.d >= 1 && l.d <= 31);
			int64_t local = tz_local_seconds(&z, t);
			int64_t back = tz_local_to_utc(&z, local);
			(void)tz_local_reached(&z, local);
			(void)tz_from_local(&z, &l);
			if (t > TZ_INSTANT_MIN + 86400 && t < 253402300799LL - 86400) {
				fuzz_assert(back - t <= 2 * 86400 && t - back <= 2 * 86400);
			}
		}
	}
	tz_cleanup(&z);
	free(buf);
	return 0;
}
