/* tz.h — time zones from TZif bytes, and civil-date arithmetic.
 *
 * A zone is parsed from the bytes of a compiled IANA zone file (TZif, RFC
 * 9636, versions 1 to 4); the caller reads the file, core/ never touches the
 * file system, the TZ variable or the C library's localtime. The 64-bit body
 * of a v2+ file is used when present, and its POSIX TZ footer
 * ("CET-1CEST,M3.5.0,M10.5.0/3") decides every instant after the last listed
 * transition, so dates in 2100 are as right as dates in 2025. Instants are
 * int64_t seconds since 1970-01-01T00:00:00Z; a "local day number" counts
 * days since 1970-01-01 in the zone's wall clock; "local seconds" count wall
 * seconds since 1970-01-01T00:00 local. Leap seconds are not modelled (zones
 * carrying a leap-second table, the "right/" ones, are refused), which is
 * what POSIX time and every database timestamp assume.
 *
 * Supported instants lie in years 0000..9999 (TZ_INSTANT_MIN..MAX); every
 * function taking an instant or local seconds clamps it into that range, so
 * no arithmetic overflows whatever it is given.
 */
#ifndef ALURD_CORE_TZ_H
#define ALURD_CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define TZ_INSTANT_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define TZ_INSTANT_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

/* One date of a POSIX TZ rule: "Jn" (kind 'J', day 1..365, Feb 29 never
 * counted), "n" (kind 'n', day 0..365, Feb 29 counted) or "Mm.w.d" (kind 'M':
 * weekday d, 0 = Sunday, of week w, 1..5 with 5 = last, of month m), at `time`
 * seconds after local midnight (-167h..167h, default 02:00). */
struct tz_rule_date {
	char kind;
	int day, month, week, wday;
	int32_t time;
};

/* A POSIX TZ rule, offsets in seconds east of UTC (the string's signs are the
 * other way round: "EST5" is -18000). start is in standard local time, end in
 * daylight local time, as POSIX defines. */
struct tz_rule {
	int32_t std_off, dst_off;
	bool has_dst;
	struct tz_rule_date start, end;
};

struct tz_type {
	int32_t utoff; /* seconds east of UTC */
	bool isdst;
};

/* A parsed zone. Caller-owned struct, heap arrays owned by it: release with
 * tz_cleanup. Read-only after tz_parse, so one zone may be shared by threads. */
struct tz {
	int64_t *times;    /* transition instants, strictly ascending */
	uint8_t *idx;      /* per transition: the type in effect from it on */
	size_t ntimes;
	struct tz_type *types;
	size_t ntypes;
	bool has_rule;     /* footer present and non-empty */
	struct tz_rule rule;
};

/* An instant in a zone's wall clock. */
struct cal_local {
	int y, m, d;       /* civil date, m 1..12, d 1..31 */
	int hh, mm, ss;    /* wall time, 0..23, 0..59, 0..59 */
	int wday;          /* 0 = Sunday .. 6 = Saturday */
	int32_t days;      /* local day number: days since 1970-01-01 local */
	int32_t offset;    /* seconds east of UTC in effect (output only) */
};

/* Parses the TZif bytes data[0..len) into *z (which is overwritten, not
 * freed first). Returns true on success. On failure returns false with e set
 * to ERR_INVALID "tz.invalid_tzif" and *z left empty (tz_cleanup is safe and
 * does nothing). Any byte string is safe to pass: truncated, corrupted or
 * hostile input is refused, never read past len (a footer longer than 127
 * bytes is refused too). The bytes are not kept. */
bool tz_parse(struct tz *z, const unsigned char *data, size_t len, struct err *e);

/* Makes *z a zone with one fixed offset (seconds east of UTC, clamped to
 * +-26h) and no rule; allocates nothing but is released with tz_cleanup like
 * any zone. tz_init_fixed(z, 0) is UTC. */
void tz_init_fixed(struct tz *z, int32_t offset);

/* Frees what z owns and leaves it empty. NULL-safe and idempotent. */
void tz_cleanup(struct tz *z);

/* Seconds east of UTC in effect at instant utc. Before the first transition
 * the zone's first type applies (RFC 9636); after the last one the footer
 * rule, or the last type when there is no footer. */
int32_t tz_offset(const struct tz *z, int64_t utc);

/* Wall seconds since 1970-01-01T00:00 local at instant utc (utc + offset). */
int64_t tz_local_seconds(const struct tz *z, int64_t utc);

/* Fills *out with the wall clock reading at instant utc. */
void tz_to_local(const struct tz *z, int64_t utc, struct cal_local *out);

/* The instant whose wall clock reads `local` seconds since 1970-01-01T00:00
 * local. A wall time that occurs twice (a fall-back overlap) gives the
 * EARLIER instant. A wall time that does not occur (a spring-forward gap)
 * is read with the offset in effect before the gap, which moves it forward
 * by the length of the gap: Berlin 2024-03-31 02:30 gives 01:30Z, whose wall
 * clock reads 03:30 CEST. (So within a gap the mapping is not monotonic:
 * 02:30 maps later than 03:00; see tz_local_reached for one that is.)
 * Assumes at most one transition within a day either side of the answer,
 * which holds for every real zone. */
int64_t tz_local_to_utc(const struct tz *z, int64_t local);

/* The first instant at which the wall clock reads `local` or later: the
 * same as tz_local_to_utc, except in a spring-forward gap, where it is the
 * instant the gap ends (Berlin 2024-03-31 02:30 gives 01:00Z, 03:00 CEST:
 * the first moment the clock shows 02:30 or later). Non-decreasing in
 * local, which is what the business calendar needs for office hours. */
int64_t tz_local_reached(const struct tz *z, int64_t local);

/* tz_local_to_utc for a civil reading: uses in->y, m, d, hh, mm, ss only
 * (wday, days and offset are ignored). Fields out of range are normalised
 * as mktime does (m 13 is January of the next year, d 0 the last day of
 * the previous month, hh 24 the next midnight). */
int64_t tz_from_local(const struct tz *z, const struct cal_local *in);

/* Civil dates (proleptic Gregorian calendar, year 0 = 1 BC; Howard
 * Hinnant's algorithms). Day numbers count days since 1970-01-01. Exact for
 * years and day numbers within +-2^40, far beyond the supported instants. */

/* Day number of y-m-d; m and d out of range are normalised as above. */
int64_t tz_days_from_civil(int64_t y, int m, int d);
/* The civil date of day number days. */
void tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* Weekday of day number days, 0 = Sunday (1970-01-01 was a Thursday). */
int tz_weekday(int64_t days);
/* Floor division (rounds toward minus infinity); b > 0. */
int64_t tz_floor_div(int64_t a, int64_t b);

#endif
