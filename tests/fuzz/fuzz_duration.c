/* fuzz_duration.c — ISO 8601 durations (core/duration.c) as SLA policies
 * carry them. Oracle besides the sanitizers: whatever dur_parse accepts is
 * within the documented bounds, and its canonical text (dur_format) parses
 * back to the same duration.
 */
#include "core/duration.h"
#include "core/err.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct duration d = {-1, -1};
	struct err e = {0};
	if (dur_parse(s, &d, &e)) {
		fuzz_assert(d.days >= 0 && d.days <= DUR_MAX_DAYS);
		fuzz_assert(d.seconds >= 0 && d.seconds <= DUR_MAX_SECONDS);
		char buf[DUR_TEXT_MAX];
		size_t n = dur_format(&d, buf, sizeof buf);
		fuzz_assert(n < sizeof buf && strlen(buf) == n);
		struct duration back = {0};
		struct err e2 = {0};
		fuzz_assert(dur_parse(buf, &back, &e2));
		fuzz_assert(dur_equal(&d, &back));
		err_clear(&e2);
	} else {
		fuzz_assert(d.days == -1 && d.seconds == -1); /* untouched on failure */
	}
	err_clear(&e);
	free(s);
	return 0;
}
