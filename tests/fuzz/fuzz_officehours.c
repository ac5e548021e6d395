/* fuzz_officehours.c — office-hours configuration text (core/officehours.c),
 * e.g. "mon-thu 08:00-16:00; fri 08:00-11:00". Oracle: an accepted spec
 * gives every weekday either closed (open == close) or a span inside one day
 * with open before close.
 */
#include "core/calendar.h"
#include "core/err.h"
#include "core/officehours.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct cal_hours h[7];
	memset(h, 0, sizeof h);
	struct err e = {0};
	if (officehours_parse(s, h, &e)) {
		for (int d = 0; d < 7; d++) {
			fuzz_assert(h[d].open >= 0 && h[d].close <= 24 * 3600);
			fuzz_assert(h[d].open <= h[d].close);
		}
	}
	free(s);
	return 0;
}
