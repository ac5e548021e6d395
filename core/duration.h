/* duration.h — ISO 8601 durations as SLA policies write them.
 *
 * Accepted forms: "PnW", or "P[nD][T[nH][nM][nS]]" with at least one
 * component, non-negative integers only, units in that order, upper-case
 * letters. Years and months are refused (their length is ambiguous), as are
 * fractions, signs, "P", "PT", a trailing "T" and weeks mixed with other
 * units. The day part and the time part are kept apart and never converted
 * into each other: on a working-time clock "P1D" is one working day and
 * "PT24H" is twenty-four office hours, two very different spans.
 */
#ifndef ALURD_CORE_DURATION_H
#define ALURD_CORE_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Upper bounds: DUR_MAX_DAYS for the day part (weeks count as 7 days) and
 * DUR_MAX_DAYS * 86400 seconds for the time part. */
#define DUR_MAX_DAYS 3650
#define DUR_MAX_SECONDS (DUR_MAX_DAYS * 86400LL)

/* A buffer of this size always holds dur_format's text and its NUL. */
#define DUR_TEXT_MAX 48

struct duration {
	int64_t days;    /* 0..DUR_MAX_DAYS */
	int64_t seconds; /* 0..DUR_MAX_SECONDS: hours, minutes and seconds */
};

/* Parses s into *d. Returns true on success; on failure returns false with e
 * set to ERR_INVALID "sla.invalid_duration" and a detail naming the fault,
 * leaving *d untouched. "PT0S" and "P0D" are valid (a zero duration). */
bool dur_parse(const char *s, struct duration *d, struct err *e);

/* Writes the canonical text of d into buf (snprintf semantics: at most size
 * bytes including the NUL) and returns the length of the full text. The
 * canonical form never uses weeks and never carries hours into days:
 * {7, 0} is "P7D", {0, 5400} "PT1H30M", {1, 3600} "P1DT1H", {0, 0} "PT0S".
 * dur_parse of the result gives d back. d must be valid (as dur_parse makes
 * them); negative parts are written as zero. */
size_t dur_format(const struct duration *d, char *buf, size_t size);

/* True when a and b are the same duration (same day and time parts). */
bool dur_equal(const struct duration *a, const struct duration *b);

#endif
