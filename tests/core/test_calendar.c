/* test_calendar.c — time zones, ISO 8601 durations, the business calendar
 * and the SLA arithmetic of core/, as one Check executable (suites tz,
 * duration, calendar, sla).
 *
 * Expected instants are literals computed outside the code under test
 * (python's zoneinfo and `date`, or by hand as the comments show); instants
 * in Asia/Makassar (fixed UTC+8) are also written as wita(...), a naive
 * day-counting function below that shares nothing with core/tz.c. The zones
 * are the system's compiled IANA files (TZDIR, default /usr/share/zoneinfo),
 * read here and handed to tz_parse as bytes, as the server does. Random
 * property tests use a fixed seed, so every run checks the same cases.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/duration.h"
#include "core/sla.h"
#include "core/tz.h"

/* --- fixtures -------------------------------------------------------------- */

static unsigned char *read_zone_file(const char *name, size_t *len)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(EXIT_FAILURE);
	}
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	if (!buf)
		abort();
	n = fread(buf, 1, cap, f);
	fclose(f);
	if (n == cap) {
		fprintf(stderr, "%s is unexpectedly large\n", path);
		exit(EXIT_FAILURE);
	}
	*len = n;
	return buf;
}

static void load_zone(const char *name, struct tz *z)
{
	size_t len;
	unsigned char *buf = read_zone_file(name, &len);
	struct err e;
	err_clear(&e);
	if (!tz_parse(z, buf, len, &e)) {
		fprintf(stderr, "%s: %s\n", name, e.detail);
		exit(EXIT_FAILURE);
	}
	free(buf);
}

static struct tz z_mak, z_ber, z_ny, z_utc;

/* Local day numbers (days since 1970-01-01): made-up holidays, among them a
 * ten-day collective leave. */
static const int32_t mak_holidays[] = {
	20447, /* Thu 2025-12-25 */
	20454, /* Thu 2026-01-01 */
	20530, 20531, 20532, 20533, 20534, /* Wed 2026-03-18 .. Sun 03-22 */
	20535, 20536, 20537, 20538, 20539, /* Mon 2026-03-23 .. Fri 03-27 */
	20812, /* Fri 2026-12-25 */
	20819, /* Fri 2027-01-01 */
};

#define MON_FRI(o, c) {{0, 0}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}, {0, 0}}
#define H(h, m) ((h) * 60 + (m))

/* Asia/Makassar, Mon-Fri 08:00-16:00, the holidays above. */
static const struct calendar cal_mak = {&z_mak, MON_FRI(H(8, 0), H(16, 0)), mak_holidays,
					sizeof mak_holidays / sizeof mak_holidays[0]};
/* Asia/Makassar, Mon-Thu 08:00-16:00, a short Friday 08:00-11:00. */
static const struct calendar cal_makf = {
	&z_mak, {{0, 0}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {480, 660}, {0, 0}}, NULL, 0};
/* Europe/Berlin, Mon-Fri 08:00-16:00. */
static const struct calendar cal_ber = {&z_ber, MON_FRI(H(8, 0), H(16, 0)), NULL, 0};
/* Berlin with a Sunday night shift 01:00-05:00 around the DST changes. */
static const struct calendar cal_bers = {
	&z_ber, {{H(1, 0), H(5, 0)}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {0, 0}}, NULL, 0};
/* Berlin, Sunday 02:00-04:00: opening at the gap's / overlap's start. */
static const struct calendar cal_berg = {
	&z_ber, {{H(2, 0), H(4, 0)}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {0, 0}}, NULL, 0};
/* Berlin, Sunday 01:00-02:30: closing inside the gap / overlap. */
static const struct calendar cal_berc = {
	&z_ber, {{H(1, 0), H(2, 30)}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {0, 0}}, NULL, 0};
/* Berlin, Sunday 02:30-04:00: opening inside the gap / overlap. */
static const struct calendar cal_bero = {
	&z_ber, {{H(2, 30), H(4, 0)}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {480, 960}, {0, 0}}, NULL, 0};
/* America/New_York, Mon-Fri 09:00-17:00. */
static const struct calendar cal_ny = {&z_ny, MON_FRI(H(9, 0), H(17, 0)), NULL, 0};
/* New York with all of Sunday open, 00:00-24:00. */
static const struct calendar cal_ny24 = {
	&z_ny, {{0, 1440}, {540, 1020}, {540, 1020}, {540, 1020}, {540, 1020}, {540, 1020}, {0, 0}}, NULL, 0};
/* UTC, Mon-Fri 09:00-17:00. */
static const struct calendar cal_utcc = {&z_utc, MON_FRI(H(9, 0), H(17, 0)), NULL, 0};

/* Days since 1970-01-01 by plain counting (years, then months): a reference
 * independent of tz_days_from_civil, for years 1970..2199. */
static int64_t ref_days(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t n = 0;
	for (int yy = 1970; yy < y; yy++)
		n += ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0) ? 366 : 365;
	for (int mm = 1; mm < m; mm++)
		n += mdays[mm - 1] + (mm == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return n + d - 1;
}

/* An instant given as a wall time in Asia/Makassar (WITA, UTC+8 since 1945). */
static int64_t wita(int y, int m, int d, int hh, int mm)
{
	return ref_days(y, m, d) * 86400 + hh * 3600 + mm * 60 - 8 * 3600;
}

/* splitmix64: a fixed-seed generator, the same sequence on every libc. */
static uint64_t rng_state;
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static int64_t rng_range(int64_t lo, int64_t hi) /* [lo, hi] */
{
	return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* ck_assert records a mark point through a pipe on every call; hot loops
 * use this instead, which costs nothing until it fails. */
#define QUICK(cond)                                                              \
	do {                                                                     \
		if (!(cond))                                                     \
			ck_abort_msg("line %d: %s", __LINE__, #cond);            \
	} while (0)
#define QUICK_EQ(a, b)                                                           \
	do {                                                                     \
		int64_t qa_ = (a), qb_ = (b);                                    \
		if (qa_ != qb_)                                                  \
			ck_abort_msg("line %d: %s == %" PRId64 ", expected %" PRId64, \
				     __LINE__, #a, qa_, qb_);                    \
	} while (0)

static struct duration dur(const char *s)
{
	struct duration d;
	struct err e;
	err_clear(&e);
	if (!dur_parse(s, &d, &e))
		ck_abort_msg("bad duration in test table: %s", s);
	return d;
}

/* === tz ==================================================================== */

/* Offsets from python's zoneinfo and `TZ=... date -d @t +%z`. */
static const struct {
	const struct tz *z;
	int64_t utc;
	int32_t offset;
} offsets[] = {
	{&z_mak, -2208988800, 28656},   /* 1900-01-01: local mean time +07:57:36 */
	{&z_mak, -1104537600, 28800},   /* 1935-01-01 */
	{&z_mak, -880272001, 28800},    /* 1942-02-08T15:59:59Z */
	{&z_mak, -880272000, 32400},    /* 1942-02-08T16:00:00Z: +09 during the occupation */
	{&z_mak, -766054801, 32400},    /* 1945-09-22T14:59:59Z */
	{&z_mak, -766054800, 28800},    /* 1945-09-22T15:00:00Z */
	{&z_mak, 0, 28800},
	{&z_mak, 1773387000, 28800},    /* 2026-03-13T07:30Z */
	{&z_mak, 4118083200, 28800},    /* 2100-07-01: the footer "WITA-8" */
	{&z_ber, -5364662400, 3208},    /* 1800-01-01: LMT +00:53:28 */
	{&z_ber, -775872000, 10800},    /* 1945-06-01: double summer time */
	{&z_ber, 1711846799, 3600},     /* 2024-03-31T00:59:59Z */
	{&z_ber, 1711846800, 7200},     /* 2024-03-31T01:00:00Z */
	{&z_ber, 1729990799, 7200},     /* 2024-10-27T00:59:59Z */
	{&z_ber, 1729990800, 3600},     /* 2024-10-27T01:00:00Z */
	{&z_ber, 2153350799, 3600},     /* 2038-03-28T00:59:59Z: past the 2037 table */
	{&z_ber, 2153350800, 7200},
	{&z_ber, 4109878799, 3600},     /* 2100-03-28T00:59:59Z */
	{&z_ber, 4109878800, 7200},     /* 2100-03-28T01:00:00Z */
	{&z_ber, 4128627599, 7200},     /* 2100-10-31T00:59:59Z */
	{&z_ber, 4128627600, 3600},     /* 2100-10-31T01:00:00Z */
	{&z_ber, 16732659599, 3600},    /* 2500-03-28T00:59:59Z */
	{&z_ber, 16732659600, 7200},
	{&z_ber, 16751408400, 3600},    /* 2500-10-31T01:00:00Z */
	{&z_ber, 253386403200, 7200},   /* 9999-07-01 */
	{&z_ny, -3786807838, -17762},   /* 1850-01-01: LMT -04:56:02 */
	{&z_ny, -2717650801, -17762},   /* 1883-11-18T16:59:59Z */
	{&z_ny, -2717650800, -18000},   /* 1883-11-18T17:00:00Z: standard time */
	{&z_ny, 1710053999, -18000},    /* 2024-03-10T06:59:59Z */
	{&z_ny, 1710054000, -14400},    /* 2024-03-10T07:00:00Z */
	{&z_ny, 1730613599, -14400},    /* 2024-11-03T05:59:59Z */
	{&z_ny, 1730613600, -18000},    /* 2024-11-03T06:00:00Z */
	{&z_ny, 4108690799, -18000},    /* 2100-03-14T06:59:59Z */
	{&z_ny, 4108690800, -14400},    /* 2100-03-14T07:00:00Z */
	{&z_ny, 4129250399, -14400},    /* 2100-11-07T05:59:59Z */
	{&z_ny, 4129250400, -18000},    /* 2100-11-07T06:00:00Z */
	{&z_ny, 13575625200, -14400},   /* 2400-03-12T07:00:00Z (2400 is a leap year) */
	{&z_ny, 253402214400, -18000},  /* 9999-12-31 */
	{&z_utc, -2208988800, 0},
	{&z_utc, 0, 0},
	{&z_utc, 4118083200, 0},
	{&z_ber, INT64_MIN, 3208},      /* clamped to year 0: LMT */
	{&z_ber, INT64_MAX, 3600},      /* clamped to 9999-12-31T23:59:59Z: CET */
};

START_TEST(test_tz_offsets)
{
	ck_assert_int_eq(tz_offset(offsets[_i].z, offsets[_i].utc), offsets[_i].offset);
}
END_TEST

/* Other zones' footers against zoneinfo, far past their tables. */
START_TEST(test_tz_other_zones)
{
	static const struct {
		const char *name;
		int64_t utc;
		int32_t offset;
	} cases[] = {
		{"Australia/Sydney", 4110451199, 39600}, /* 2100-04-03T15:59:59Z: southern summer */
		{"Australia/Sydney", 4110451200, 36000},
		{"Australia/Sydney", 4126175999, 36000}, /* 2100-10-02T15:59:59Z */
		{"Australia/Sydney", 4126176000, 39600},
		{"Europe/Dublin", 4109878799, 0},        /* negative DST: IST is standard */
		{"Europe/Dublin", 4109878800, 3600},
		{"Europe/Dublin", 4128627599, 3600},
		{"Europe/Dublin", 4128627600, 0},
		{"America/Nuuk", 4109878799, -7200},     /* v3 footer, times -1 and 0 */
		{"America/Nuuk", 4109878800, -3600},
		{"America/Nuuk", 4128627599, -3600},
		{"America/Nuuk", 4128627600, -7200},
		{"America/Nuuk", 1901149200, -3600},     /* 2030-03-31T01:00:00Z */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tz z;
		load_zone(cases[i].name, &z);
		ck_assert_msg(tz_offset(&z, cases[i].utc) == cases[i].offset, "%s at %" PRId64, cases[i].name,
			      cases[i].utc);
		tz_cleanup(&z);
	}
}
END_TEST

static const struct {
	const struct tz *z;
	int64_t utc;
	int y, m, d, hh, mm, ss, wday;
	int32_t days, offset;
} locals[] = {
	{&z_mak, 1773387000, 2026, 3, 13, 15, 30, 0, 5, 20525, 28800},
	{&z_mak, -2208988800, 1900, 1, 1, 7, 57, 36, 1, -25567, 28656},
	{&z_utc, -1, 1969, 12, 31, 23, 59, 59, 3, -1, 0},
	{&z_utc, 0, 1970, 1, 1, 0, 0, 0, 4, 0, 0},
	{&z_utc, 951825600, 2000, 2, 29, 12, 0, 0, 2, 11016, 0},
	{&z_ber, 1711846799, 2024, 3, 31, 1, 59, 59, 0, 19813, 3600},
	{&z_ber, 1711846800, 2024, 3, 31, 3, 0, 0, 0, 19813, 7200},
	{&z_ber, 1729989000, 2024, 10, 27, 2, 30, 0, 0, 20023, 7200}, /* first 02:30 */
	{&z_ber, 1729992600, 2024, 10, 27, 2, 30, 0, 0, 20023, 3600}, /* second 02:30 */
	{&z_ny, 4129250400, 2100, 11, 7, 1, 0, 0, 0, 47792, -18000},
	{&z_ny, 1730613600, 2024, 11, 3, 1, 0, 0, 0, 20030, -18000},
	{&z_utc, 253402300799, 9999, 12, 31, 23, 59, 59, 5, 2932896, 0},
	/* Year 0 (proleptic Gregorian, a leap year): 0001-01-01 is a Monday
	 * and day -719162, so 0000-01-01 is 366 days earlier, a Saturday. */
	{&z_utc, TZ_INSTANT_MIN, 0, 1, 1, 0, 0, 0, 6, -719528, 0},
};

START_TEST(test_tz_to_local)
{
	struct cal_local l;
	tz_to_local(locals[_i].z, locals[_i].utc, &l);
	ck_assert_int_eq(l.y, locals[_i].y);
	ck_assert_int_eq(l.m, locals[_i].m);
	ck_assert_int_eq(l.d, locals[_i].d);
	ck_assert_int_eq(l.hh, locals[_i].hh);
	ck_assert_int_eq(l.mm, locals[_i].mm);
	ck_assert_int_eq(l.ss, locals[_i].ss);
	ck_assert_int_eq(l.wday, locals[_i].wday);
	ck_assert_int_eq(l.days, locals[_i].days);
	ck_assert_int_eq(l.offset, locals[_i].offset);
	ck_assert_int_eq(tz_local_seconds(locals[_i].z, locals[_i].utc), locals[_i].utc + locals[_i].offset);
}
END_TEST

static const struct {
	const struct tz *z;
	int y, m, d, hh, mm, ss;
	int64_t utc, reached;
} froms[] = {
	{&z_mak, 2026, 3, 13, 15, 30, 0, 1773387000, 1773387000},
	{&z_ber, 2024, 3, 31, 1, 59, 59, 1711846799, 1711846799},
	/* The gap: 02:30 CET does not exist; moved forward by the gap to
	 * 03:30 CEST = 01:30Z; first reached at 03:00 CEST = 01:00Z. */
	{&z_ber, 2024, 3, 31, 2, 30, 0, 1711848600, 1711846800},
	{&z_ber, 2024, 3, 31, 2, 0, 0, 1711846800, 1711846800},
	{&z_ber, 2024, 3, 31, 3, 0, 0, 1711846800, 1711846800},
	/* The overlap: 02:30 happens twice; the earlier is 00:30Z (CEST). */
	{&z_ber, 2024, 10, 27, 2, 30, 0, 1729989000, 1729989000},
	{&z_ber, 2024, 10, 27, 1, 59, 59, 1729987199, 1729987199},
	{&z_ber, 2024, 10, 27, 3, 0, 0, 1729994400, 1729994400},
	{&z_ny, 2024, 3, 10, 2, 30, 0, 1710055800, 1710054000}, /* gap: 07:30Z / 07:00Z */
	{&z_ny, 2024, 11, 3, 1, 30, 0, 1730611800, 1730611800}, /* overlap: EDT 05:30Z */
	{&z_ber, 2100, 3, 28, 2, 30, 0, 4109880600, 4109878800}, /* gap from the footer */
	{&z_ber, 2100, 10, 31, 2, 30, 0, 4128625800, 4128625800},
	/* Out-of-range fields are normalised as mktime does. */
	{&z_mak, 2026, 13, 1, 0, 0, 0, 1798732800, 1798732800}, /* 2027-01-01 */
	{&z_mak, 2026, 3, 0, 0, 0, 0, 1772208000, 1772208000},  /* 2026-02-28 */
	{&z_mak, 2026, 3, 13, 24, 0, 0, 1773417600, 1773417600}, /* 2026-03-14 00:00 */
	{&z_utc, 9999, 12, 31, 23, 59, 59, 253402300799, 253402300799},
};

START_TEST(test_tz_from_local)
{
	struct cal_local l = {.y = froms[_i].y, .m = froms[_i].m, .d = froms[_i].d,
			      .hh = froms[_i].hh, .mm = froms[_i].mm, .ss = froms[_i].ss};
	ck_assert_int_eq(tz_from_local(froms[_i].z, &l), froms[_i].utc);
	int64_t lsec = tz_days_from_civil(froms[_i].y, froms[_i].m, froms[_i].d) * 86400 + froms[_i].hh * 3600 +
		       froms[_i].mm * 60 + froms[_i].ss;
	ck_assert_int_eq(tz_local_to_utc(froms[_i].z, lsec), froms[_i].utc);
	ck_assert_int_eq(tz_local_reached(froms[_i].z, lsec), froms[_i].reached);
}
END_TEST

/* to_local then from_local gives the instant back, or (in an overlap) the
 * earlier instant with the same wall reading; tz_local_reached is
 * non-decreasing. Random instants 1900..2200 in every zone. */
START_TEST(test_tz_roundtrip)
{
	const struct tz *zones[] = {&z_mak, &z_ber, &z_ny, &z_utc};
	rng_state = 42;
	for (int i = 0; i < 20000; i++) {
		const struct tz *z = zones[i % 4];
		int64_t u = rng_range(-2208988800LL, 7258118400LL);
		struct cal_local l, l2;
		tz_to_local(z, u, &l);
		int64_t back = tz_from_local(z, &l);
		if (back != u) {
			tz_to_local(z, back, &l2);
			if (!(back < u && l2.hh == l.hh && l2.mm == l.mm && l2.ss == l.ss && l2.days == l.days))
				ck_abort_msg("round trip of %" PRId64 " gave %" PRId64, u, back);
		}
		int64_t ls = tz_local_seconds(z, u);
		QUICK(tz_local_reached(z, ls) <= u);
		QUICK(tz_local_reached(z, ls) <= tz_local_reached(z, ls + rng_range(0, 7200)));
	}
	/* Dense around a gap and an overlap, second by second. */
	for (int64_t ls = 1711850400 - 7200; ls < 1711850400 + 7200; ls++) /* Berlin 2024-03-31 */
		QUICK(tz_local_reached(&z_ber, ls) <= tz_local_reached(&z_ber, ls + 1));
	for (int64_t ls = 1729994400 - 7200; ls < 1729994400 + 7200; ls++) /* Berlin 2024-10-27 */
		QUICK(tz_local_reached(&z_ber, ls) <= tz_local_reached(&z_ber, ls + 1));
}
END_TEST

static const struct {
	int64_t y;
	int m, d;
	int64_t days;
} civil[] = {
	/* python: date(y, m, d).toordinal() - 719163 */
	{1970, 1, 1, 0},       {1969, 12, 31, -1},     {2000, 3, 1, 11017},    {2000, 2, 29, 11016},
	{1900, 3, 1, -25508},  {2100, 2, 28, 47540},   {2100, 3, 1, 47541},    {1600, 2, 29, -135081},
	{9999, 12, 31, 2932896}, {1, 1, 1, -719162},   {2026, 3, 13, 20525},   {1583, 10, 15, -141062},
	{0, 1, 1, -719528}, /* by hand: year 0 is leap, 366 days before 0001-01-01 */
};

START_TEST(test_tz_civil)
{
	ck_assert_int_eq(tz_days_from_civil(civil[_i].y, civil[_i].m, civil[_i].d), civil[_i].days);
	int64_t y;
	int m, d;
	tz_civil_from_days(civil[_i].days, &y, &m, &d);
	ck_assert_int_eq(y, civil[_i].y);
	ck_assert_int_eq(m, civil[_i].m);
	ck_assert_int_eq(d, civil[_i].d);
	if (civil[_i].y >= 1970 && civil[_i].y < 2200)
		ck_assert_int_eq(ref_days((int)civil[_i].y, civil[_i].m, civil[_i].d), civil[_i].days);
}
END_TEST

/* Every day from year -200 to 9999: the dates advance one day at a time
 * exactly as the Gregorian rules say, and the weekday cycles. */
START_TEST(test_tz_civil_exhaustive)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t first = tz_days_from_civil(-200, 1, 1);
	int64_t py;
	int pm, pd;
	tz_civil_from_days(first, &py, &pm, &pd);
	QUICK(py == -200 && pm == 1 && pd == 1);
	QUICK_EQ(tz_weekday(0), 4);
	QUICK_EQ(tz_weekday(-1), 3);
	/* Years -200..-1 hold 48 leap years: 73048 days, 10435 weeks and 3 days
	 * before Saturday 0000-01-01, so -200-01-01 is a Wednesday. */
	QUICK_EQ(tz_weekday(first), 3);
	for (int64_t n = first + 1; n <= 2932896; n++) {
		int64_t y;
		int m, d;
		tz_civil_from_days(n, &y, &m, &d);
		bool leap = (py % 4 == 0 && py % 100 != 0) || py % 400 == 0;
		int len = mdays[pm - 1] + (pm == 2 && leap);
		if (pd < len)
			QUICK(y == py && m == pm && d == pd + 1);
		else if (pm < 12)
			QUICK(y == py && m == pm + 1 && d == 1);
		else
			QUICK(y == py + 1 && m == 1 && d == 1);
		if (tz_days_from_civil(y, m, d) != n)
			ck_abort_msg("days_from_civil(%" PRId64 "-%d-%d) != %" PRId64, y, m, d, n);
		if (tz_weekday(n) != (tz_weekday(n - 1) + 1) % 7)
			ck_abort_msg("weekday of %" PRId64, n);
		py = y;
		pm = m;
		pd = d;
	}
}
END_TEST

/* A synthetic TZif file. version 0 writes a v1 file; otherwise the v1 block
 * is followed by the 64-bit block and, when footer is not NULL, the footer. */
struct tzif_spec {
	char version;
	int ntimes;
	int64_t times[4];
	uint8_t idx[4];
	int ntypes;
	int32_t utoff[3];
	uint8_t isdst[3];
	uint32_t leapcnt, isutcnt, charcnt;
	const char *footer;
};

static unsigned char *put(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static size_t build_tzif(const struct tzif_spec *s, unsigned char *buf)
{
	unsigned char *p = buf;
	uint32_t charcnt = s->charcnt ? s->charcnt : 4;
	for (int pass = 0; pass < (s->version ? 2 : 1); pass++) {
		int tsize = pass == 0 ? 4 : 8;
		memcpy(p, "TZif", 4);
		p[4] = (unsigned char)s->version;
		memset(p + 5, 0, 15);
		p += 20;
		p = put(p, s->isutcnt, 4);
		p = put(p, 0, 4); /* isstdcnt */
		p = put(p, s->leapcnt, 4);
		p = put(p, (uint64_t)s->ntimes, 4);
		p = put(p, (uint64_t)s->ntypes, 4);
		p = put(p, charcnt, 4);
		for (int i = 0; i < s->ntimes; i++)
			p = put(p, (uint64_t)s->times[i], tsize);
		for (int i = 0; i < s->ntimes; i++)
			*p++ = s->idx[i];
		for (int i = 0; i < s->ntypes; i++) {
			p = put(p, (uint32_t)s->utoff[i], 4);
			*p++ = s->isdst[i];
			*p++ = 0;
		}
		memset(p, 0, charcnt);
		memcpy(p, "ABC", charcnt < 3 ? charcnt : 3);
		p += charcnt;
		memset(p, 0, s->leapcnt * (uint32_t)(tsize + 4));
		p += s->leapcnt * (uint32_t)(tsize + 4);
		memset(p, 0, s->isutcnt);
		p += s->isutcnt;
	}
	if (s->version && s->footer) {
		*p++ = '\n';
		memcpy(p, s->footer, strlen(s->footer));
		p += strlen(s->footer);
		*p++ = '\n';
	}
	return (size_t)(p - buf);
}

/* A v1 file: before the first transition type 0, then the table, then the
 * last transition's type for ever (no footer). */
START_TEST(test_tz_v1)
{
	struct tzif_spec s = {.version = 0, .ntimes = 2, .times = {1000, 2000}, .idx = {1, 0},
			      .ntypes = 2, .utoff = {7200, 3600}};
	unsigned char buf[512];
	size_t len = build_tzif(&s, buf);
	struct tz z;
	struct err e;
	err_clear(&e);
	ck_assert(tz_parse(&z, buf, len, &e));
	ck_assert_int_eq(tz_offset(&z, -1000000), 7200);
	ck_assert_int_eq(tz_offset(&z, 999), 7200);
	ck_assert_int_eq(tz_offset(&z, 1000), 3600);
	ck_assert_int_eq(tz_offset(&z, 1999), 3600);
	ck_assert_int_eq(tz_offset(&z, 2000), 7200);
	ck_assert_int_eq(tz_offset(&z, 4118083200), 7200);
	tz_cleanup(&z);
	tz_cleanup(&z); /* idempotent */
	tz_cleanup(NULL);
	ck_assert(z.times == NULL && z.ntimes == 0);
}
END_TEST

/* A v2 file with an empty footer: the last type holds after the table;
 * bytes after the footer are ignored. */
START_TEST(test_tz_v2_empty_footer)
{
	struct tzif_spec s = {.version = '2', .ntimes = 1, .times = {5000000000LL}, .idx = {1},
			      .ntypes = 2, .utoff = {0, -10800}, .footer = ""};
	unsigned char buf[512];
	size_t len = build_tzif(&s, buf);
	struct tz z;
	struct err e;
	err_clear(&e);
	ck_assert(tz_parse(&z, buf, len, &e));
	ck_assert_int_eq(tz_offset(&z, 4999999999LL), 0);
	ck_assert_int_eq(tz_offset(&z, 5000000000LL), -10800); /* beyond 32 bits: the v2 body was used */
	tz_cleanup(&z);
	buf[len++] = 'x';
	ck_assert(tz_parse(&z, buf, len, &e));
	tz_cleanup(&z);
}
END_TEST

START_TEST(test_tz_fixed)
{
	struct tz z;
	tz_init_fixed(&z, 28800);
	ck_assert_int_eq(tz_offset(&z, 0), 28800);
	ck_assert_int_eq(tz_offset(&z, 4118083200), 28800);
	struct cal_local l;
	tz_to_local(&z, 1773387000, &l);
	ck_assert(l.y == 2026 && l.m == 3 && l.d == 13 && l.hh == 15 && l.mm == 30 && l.wday == 5);
	tz_cleanup(&z);
	tz_init_fixed(&z, 1000000); /* clamped to 26 h */
	ck_assert_int_eq(tz_offset(&z, 0), 93600);
	tz_cleanup(&z);
}
END_TEST

/* Footers (POSIX TZ strings), each in a file without transitions so the
 * rule alone decides. Values from zoneinfo for the real zones' strings; for
 * the J and n forms by hand: std -03, dst -02; J60 is March 1 in every year,
 * J300 October 27; zero-based 59 is Feb 29 in leap 2096 and March 1 in
 * 2100, 299 is October 26 in 2096 and October 27 in 2100. */
static const struct {
	const char *footer;
	int64_t utc;
	int32_t offset;
} rules[] = {
	{"<+08>-8", 0, 28800},
	{"<+08>-8", 4118083200, 28800},
	{"WITA-8", 1773387000, 28800},
	{"UTC0", 4118083200, 0},
	{"EST5EDT,M3.2.0,M11.1.0", 4108690799, -18000},
	{"EST5EDT,M3.2.0,M11.1.0", 4108690800, -14400},
	{"EST5EDT,M3.2.0,M11.1.0", 4129250399, -14400},
	{"EST5EDT,M3.2.0,M11.1.0", 4129250400, -18000},
	{"EST5EDT", 4108690799, -18000}, /* no dates: the US rules */
	{"EST5EDT", 4108690800, -14400},
	{"EST5EDT", 4129250399, -14400},
	{"EST5EDT", 4129250400, -18000},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 4109878799, 3600},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 4109878800, 7200},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 4128627599, 7200},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 4128627600, 3600},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 16732659600, 7200},
	{"AEST-10AEDT,M10.1.0,M4.1.0/3", 4103654400, 39600}, /* 2100-01-15: southern summer */
	{"AEST-10AEDT,M10.1.0,M4.1.0/3", 4110451199, 39600},
	{"AEST-10AEDT,M10.1.0,M4.1.0/3", 4110451200, 36000},
	{"AEST-10AEDT,M10.1.0,M4.1.0/3", 4119292800, 36000}, /* 2100-07-15 */
	{"AEST-10AEDT,M10.1.0,M4.1.0/3", 4126175999, 36000},
	{"AEST-10AEDT,M10.1.0,M4.1.0/3", 4126176000, 39600},
	{"IST-1GMT0,M10.5.0,M3.5.0/1", 4109878799, 0},
	{"IST-1GMT0,M10.5.0,M3.5.0/1", 4109878800, 3600},
	{"IST-1GMT0,M10.5.0,M3.5.0/1", 4128627599, 3600},
	{"IST-1GMT0,M10.5.0,M3.5.0/1", 4128627600, 0},
	{"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 4109878799, -7200},
	{"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 4109878800, -3600},
	{"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 4128627599, -3600},
	{"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 4128627600, -7200},
	{"EST5EDT,0/0,J365/25", 4102462800, -14400}, /* DST all year (v3) */
	{"EST5EDT,0/0,J365/25", 4118083200, -14400},
	{"EST5EDT,0/0,J365/25", 4133977200, -14400},
	{"XXX3YYY,J60/0,J300/0", 4107553199, -10800}, /* 2100-03-01T02:59:59Z */
	{"XXX3YYY,J60/0,J300/0", 4107553200, -7200},
	{"XXX3YYY,J60/0,J300/0", 4128285599, -7200},  /* 2100-10-27T01:59:59Z */
	{"XXX3YYY,J60/0,J300/0", 4128285600, -10800},
	{"XXX3YYY,J60/0,J300/0", 3981409199, -10800}, /* 2096-03-01T02:59:59Z */
	{"XXX3YYY,J60/0,J300/0", 3981409200, -7200},
	{"XXX3YYY,J60/0,J300/0", 4002141600, -10800}, /* 2096-10-27T02:00:00Z */
	{"XXX3YYY,59/0,299/0", 4107553200, -7200},    /* 2100-03-01T03:00:00Z */
	{"XXX3YYY,59/0,299/0", 4128285600, -10800},   /* 2100-10-27T02:00:00Z */
	{"XXX3YYY,59/0,299/0", 3981322799, -10800},   /* 2096-02-29T02:59:59Z */
	{"XXX3YYY,59/0,299/0", 3981322800, -7200},
	{"XXX3YYY,59/0,299/0", 4002055199, -7200},    /* 2096-10-26T01:59:59Z */
	{"XXX3YYY,59/0,299/0", 4002055200, -10800},
	/* minutes and seconds: std -03:30, dst -02:30, start 02:30:15 */
	{"<-0330>3:30<-0230>,M3.2.0/2:30:15,M11.1.0", 4108687214, -12600}, /* 2100-03-14T06:00:14Z */
	{"<-0330>3:30<-0230>,M3.2.0/2:30:15,M11.1.0", 4108687215, -9000},
	{"<-0330>3:30<-0230>,M3.2.0/2:30:15,M11.1.0", 4129244999, -9000},  /* 2100-11-07T04:29:59Z */
	{"<-0330>3:30<-0230>,M3.2.0/2:30:15,M11.1.0", 4129245000, -12600},
};

START_TEST(test_tz_rules)
{
	struct tzif_spec s = {.version = '3', .ntypes = 1, .utoff = {12345}, .footer = rules[_i].footer};
	unsigned char buf[512];
	size_t len = build_tzif(&s, buf);
	struct tz z;
	struct err e;
	err_clear(&e);
	ck_assert_msg(tz_parse(&z, buf, len, &e), "%s: %s", rules[_i].footer, e.detail);
	ck_assert_msg(tz_offset(&z, rules[_i].utc) == rules[_i].offset, "%s at %" PRId64 ": %d",
		      rules[_i].footer, rules[_i].utc, tz_offset(&z, rules[_i].utc));
	tz_cleanup(&z);
}
END_TEST

static const char *const bad_footers[] = {
	"XX0", "<>0", "UTC", "UTC0X", "5EST", "EST+", "EST25", "EST5:60", "EST5:30:60", "<+08-8",
	"EST5EDT,M3.2.0", "EST5EDT,M3.2.0,M11.1.0,", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M0.1.0,M11.1.0",
	"EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.0.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J100",
	"EST5EDT,J366,J100", "EST5EDT,366,100", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.2.0/,M11.1.0",
	"EST5EDT4,", "EST5EDT,M3.2,M11.1.0", "EST 5", "EST5EDT,M3.2.0/2:61,M11.1.0",
};

START_TEST(test_tz_bad_footer)
{
	struct tzif_spec s = {.version = '2', .ntypes = 1, .footer = bad_footers[_i]};
	unsigned char buf[512];
	size_t len = build_tzif(&s, buf);
	struct tz z;
	struct err e;
	err_clear(&e);
	ck_assert_msg(!tz_parse(&z, buf, len, &e), "accepted %s", bad_footers[_i]);
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "tz.invalid_tzif");
	ck_assert(z.times == NULL && z.types == NULL && z.ntimes == 0 && z.ntypes == 0);
	tz_cleanup(&z);
}
END_TEST

/* Files that break a rule of the format, one rule each. */
static const struct {
	const char *why;
	struct tzif_spec spec;
} bad_files[] = {
	{"unknown version", {.version = '1', .ntypes = 1, .footer = ""}},
	{"version 5", {.version = '5', .ntypes = 1, .footer = ""}},
	{"no types", {.version = '2', .ntypes = 0, .footer = ""}},
	{"index out of range", {.version = '2', .ntimes = 1, .times = {0}, .idx = {1}, .ntypes = 1, .footer = ""}},
	{"descending times", {.version = '2', .ntimes = 2, .times = {10, 5}, .ntypes = 1, .footer = ""}},
	{"equal times", {.version = '2', .ntimes = 2, .times = {10, 10}, .ntypes = 1, .footer = ""}},
	{"leap seconds", {.version = '2', .ntypes = 1, .leapcnt = 1, .footer = ""}},
	{"isut count", {.version = '2', .ntypes = 2, .isutcnt = 1, .footer = ""}},
	{"absurd offset", {.version = '2', .ntypes = 1, .utoff = {100000}, .footer = ""}},
	{"isdst 2", {.version = '2', .ntypes = 1, .isdst = {2}, .footer = ""}},
	{"no footer", {.version = '2', .ntypes = 1, .footer = NULL}},
	{"v1 descending", {.version = 0, .ntimes = 2, .times = {10, 5}, .ntypes = 1}},
};

START_TEST(test_tz_bad_file)
{
	unsigned char buf[1024];
	size_t len = build_tzif(&bad_files[_i].spec, buf);
	struct tz z;
	struct err e;
	err_clear(&e);
	ck_assert_msg(!tz_parse(&z, buf, len, &e), "accepted: %s", bad_files[_i].why);
	ck_assert_str_eq(e.code, "tz.invalid_tzif");
	tz_cleanup(&z);
}
END_TEST

START_TEST(test_tz_bad_bytes)
{
	struct tz z;
	struct err e;
	err_clear(&e);
	ck_assert(!tz_parse(&z, NULL, 0, &e));
	ck_assert(!tz_parse(&z, (const unsigned char *)"", 0, &e));
	ck_assert(!tz_parse(&z, (const unsigned char *)"TZif2", 5, &e));
	/* Wrong magic on a good file. */
	size_t len;
	unsigned char *buf = read_zone_file("Europe/Berlin", &len);
	buf[0] = 'X';
	ck_assert(!tz_parse(&z, buf, len, &e));
	buf[0] = 'T';
	ck_assert(tz_parse(&z, buf, len, &e));
	tz_cleanup(&z);
	/* Counts of 2^32 - 1 in the first header: refused, not read. */
	memset(buf + 32, 0xff, 4);
	ck_assert(!tz_parse(&z, buf, len, &e));
	memset(buf + 20, 0xff, 24);
	ck_assert(!tz_parse(&z, buf, len, &e));
	free(buf);
}
END_TEST

/* Every proper prefix of a real file is refused (the footer's closing
 * newline is the last byte), and never read past its length: ASan builds
 * would catch it, as each prefix is copied into a buffer of exactly its
 * size. */
START_TEST(test_tz_truncated)
{
	static const char *const names[] = {"Asia/Makassar", "Europe/Berlin", "America/New_York", "UTC",
					    "America/Nuuk"};
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t len;
		unsigned char *buf = read_zone_file(names[f], &len);
		for (size_t n = 0; n < len; n++) {
			unsigned char *copy = malloc(n ? n : 1);
			struct tz z;
			struct err e;
			err_clear(&e);
			memcpy(copy, buf, n);
			if (tz_parse(&z, copy, n, &e))
				ck_abort_msg("%s accepted at %zu of %zu bytes", names[f], n, len);
			QUICK(strcmp(e.code, "tz.invalid_tzif") == 0);
			free(copy);
		}
		struct tz z;
		struct err e;
		QUICK(tz_parse(&z, buf, len, &e));
		tz_cleanup(&z);
		free(buf);
	}
}
END_TEST

/* Random byte corruption: parse either refuses or gives a zone whose
 * lookups stay within +-26 hours; never a crash (run under ASan too). */
START_TEST(test_tz_corrupted)
{
	static const char *const names[] = {"Europe/Berlin", "America/New_York", "Asia/Makassar"};
	rng_state = 7;
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t len;
		unsigned char *orig = read_zone_file(names[f], &len);
		unsigned char *buf = malloc(len);
		for (int round = 0; round < 3000; round++) {
			memcpy(buf, orig, len);
			int flips = (int)rng_range(1, 4);
			for (int k = 0; k < flips; k++) {
				/* Mostly the headers and tables, where a flip matters. */
				size_t at = round % 2 ? (size_t)rng_range(0, (int64_t)len - 1) : (size_t)rng_range(0, 120);
				buf[at] = (unsigned char)rng();
			}
			struct tz z;
			struct err e;
			err_clear(&e);
			if (!tz_parse(&z, buf, len, &e)) {
				QUICK(strcmp(e.code, "tz.invalid_tzif") == 0);
				continue;
			}
			for (int k = 0; k < 8; k++) {
				int64_t t = rng_range(TZ_INSTANT_MIN, TZ_INSTANT_MAX);
				int32_t off = tz_offset(&z, t);
				QUICK(off >= -93600 && off <= 93600);
				struct cal_local l;
				tz_to_local(&z, t, &l);
				(void)tz_local_to_utc(&z, t);
				(void)tz_local_reached(&z, t);
			}
			tz_cleanup(&z);
		}
		free(buf);
		free(orig);
	}
}
END_TEST

static Suite *tz_suite(void)
{
	Suite *s = suite_create("tz");
	TCase *tc = tcase_create("lookup");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_tz_offsets, 0, (int)(sizeof offsets / sizeof offsets[0]));
	tcase_add_test(tc, test_tz_other_zones);
	tcase_add_loop_test(tc, test_tz_to_local, 0, (int)(sizeof locals / sizeof locals[0]));
	tcase_add_loop_test(tc, test_tz_from_local, 0, (int)(sizeof froms / sizeof froms[0]));
	tcase_add_test(tc, test_tz_roundtrip);
	tcase_add_loop_test(tc, test_tz_civil, 0, (int)(sizeof civil / sizeof civil[0]));
	tcase_add_test(tc, test_tz_civil_exhaustive);
	tcase_add_test(tc, test_tz_fixed);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tz_v1);
	tcase_add_test(tc, test_tz_v2_empty_footer);
	tcase_add_loop_test(tc, test_tz_rules, 0, (int)(sizeof rules / sizeof rules[0]));
	tcase_add_loop_test(tc, test_tz_bad_footer, 0, (int)(sizeof bad_footers / sizeof bad_footers[0]));
	tcase_add_loop_test(tc, test_tz_bad_file, 0, (int)(sizeof bad_files / sizeof bad_files[0]));
	tcase_add_test(tc, test_tz_bad_bytes);
	tcase_add_test(tc, test_tz_truncated);
	tcase_add_test(tc, test_tz_corrupted);
	suite_add_tcase(s, tc);
	return s;
}

/* === duration ============================================================== */

static const struct {
	const char *text;
	int64_t days, seconds;
	const char *canonical;
} good_durations[] = {
	{"PT2H", 0, 7200, "PT2H"},
	{"PT1H", 0, 3600, "PT1H"},
	{"PT45M", 0, 2700, "PT45M"},
	{"P7D", 7, 0, "P7D"},
	{"P5D", 5, 0, "P5D"},
	{"P1W", 7, 0, "P7D"},
	{"P2W", 14, 0, "P14D"},
	{"P1DT2H", 1, 7200, "P1DT2H"},
	{"PT90M", 0, 5400, "PT1H30M"},
	{"PT1H30M15S", 0, 5415, "PT1H30M15S"},
	{"PT1H15S", 0, 3615, "PT1H15S"},
	{"PT59S", 0, 59, "PT59S"},
	{"PT3600S", 0, 3600, "PT1H"},
	{"PT25H", 0, 90000, "PT25H"}, /* hours never carry into days */
	{"PT0S", 0, 0, "PT0S"},
	{"P0D", 0, 0, "PT0S"},
	{"P0W", 0, 0, "PT0S"},
	{"P1DT0S", 1, 0, "P1D"},
	{"PT007M", 0, 420, "PT7M"},
	{"P10DT10H10M10S", 10, 36610, "P10DT10H10M10S"},
	{"P3650D", 3650, 0, "P3650D"},
	{"P521W", 3647, 0, "P3647D"},
	{"PT87600H", 0, 315360000, "PT87600H"},
	{"PT5256000M", 0, 315360000, "PT87600H"},
	{"P3650DT87600H", 3650, 315360000, "P3650DT87600H"},
};

START_TEST(test_dur_good)
{
	struct duration d = {-1, -1}, again;
	struct err e;
	char buf[DUR_TEXT_MAX];
	err_clear(&e);
	ck_assert_msg(dur_parse(good_durations[_i].text, &d, &e), "%s: %s", good_durations[_i].text, e.detail);
	ck_assert_int_eq(d.days, good_durations[_i].days);
	ck_assert_int_eq(d.seconds, good_durations[_i].seconds);
	size_t n = dur_format(&d, buf, sizeof buf);
	ck_assert_str_eq(buf, good_durations[_i].canonical);
	ck_assert_uint_eq(n, strlen(good_durations[_i].canonical));
	ck_assert(dur_parse(buf, &again, &e) && dur_equal(&again, &d));
}
END_TEST

static const char *const bad_durations[] = {
	"", "P", "PT", "T1H", "1D", "p1d", "P1d", "PT1h", "pt1h", " PT1H", "PT1H ",
	"P1Y", "P1M", "P1Y2D", "P1M1D", "PT1Y",
	"P1.5D", "PT1.5H", "PT0,5H", "P1,5W",
	"P-1D", "P+1D", "PT-1H",
	"P1DT", "P1D1H", "PT1H1H", "PT1M1H", "PT1S1M", "PT1S1H", "P1W1D", "P1WT1H", "P1DT1H1M1S1S",
	"PT1HM", "P D", "PTH", "PT1", "P1", "PT1H2", "PW", "PD", "PT1X", "P1X", "P1D2D",
	"P3651D", "P522W", "PT87600H1S", "PT315360001S",
	"P99999999999999999999D", "PT99999999999999999999S", "PT99999999999999999999999999999999H",
	"P1DT87599H60M1S",
};

START_TEST(test_dur_bad)
{
	struct duration d = {123, 456};
	struct err e;
	err_clear(&e);
	ck_assert_msg(!dur_parse(bad_durations[_i], &d, &e), "accepted \"%s\"", bad_durations[_i]);
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "sla.invalid_duration");
	ck_assert(e.detail[0] != '\0');
	ck_assert(d.days == 123 && d.seconds == 456); /* untouched */
}
END_TEST

START_TEST(test_dur_misc)
{
	struct duration d;
	struct err e;
	char small[5];
	err_clear(&e);
	QUICK(!dur_parse(NULL, &d, &e));
	QUICK(strcmp(e.code, "sla.invalid_duration") == 0);
	/* The message names the ambiguity. */
	QUICK(!dur_parse("P1M", &d, &e));
	QUICK(strstr(e.detail, "ambiguous") != NULL);
	/* snprintf semantics. */
	d = (struct duration){0, 5415};
	ck_assert_uint_eq(dur_format(&d, small, sizeof small), 10);
	ck_assert_str_eq(small, "PT1H");
	ck_assert_uint_eq(dur_format(&d, NULL, 0), 10);
	d = (struct duration){-5, -7};
	char buf[DUR_TEXT_MAX];
	dur_format(&d, buf, sizeof buf);
	ck_assert_str_eq(buf, "PT0S");
	/* Every duration of whole minutes up to 30 hours survives a round trip. */
	for (int64_t s = 0; s <= 30 * 3600; s += 60) {
		struct duration x = {s % 7, s}, y;
		dur_format(&x, buf, sizeof buf);
		if (!(dur_parse(buf, &y, &e) && dur_equal(&x, &y)))
			ck_abort_msg("%s", buf);
	}
}
END_TEST

static Suite *duration_suite(void)
{
	Suite *s = suite_create("duration");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_dur_good, 0, (int)(sizeof good_durations / sizeof good_durations[0]));
	tcase_add_loop_test(tc, test_dur_bad, 0, (int)(sizeof bad_durations / sizeof bad_durations[0]));
	tcase_add_test(tc, test_dur_misc);
	suite_add_tcase(s, tc);
	return s;
}

/* === calendar ============================================================== */

/* cal_add cases: instants from python's zoneinfo (local wall time -> UTC),
 * the expected wall time worked out by hand as each comment says. */
static const struct {
	const struct calendar *c;
	int64_t start;
	enum cal_clock clock;
	const char *dur;
	int64_t expect;
} adds[] = {
	/* Fri 2026-03-13 15:30 WITA + PT2H (WT) = Mon 2026-03-16 09:30 WITA — the SPEC example */
	{&cal_mak, 1773387000, CAL_WORKING_TIME, "PT2H", 1773624600},
	/* Mon 2026-03-16 06:00 WITA + PT1H (WT) = Mon 2026-03-16 09:00 WITA — before opening counts from opening */
	{&cal_mak, 1773612000, CAL_WORKING_TIME, "PT1H", 1773622800},
	/* Mon 2026-03-16 17:00 WITA + PT1H (WT) = Tue 2026-03-17 09:00 WITA — after closing: next working day */
	{&cal_mak, 1773651600, CAL_WORKING_TIME, "PT1H", 1773709200},
	/* Sat 2026-03-14 10:00 WITA + PT1H (WT) = Mon 2026-03-16 09:00 WITA — Saturday: Monday */
	{&cal_mak, 1773453600, CAL_WORKING_TIME, "PT1H", 1773622800},
	/* Wed 2026-03-18 10:00 WITA + PT1H (WT) = Mon 2026-03-30 09:00 WITA — on a holiday of the 18..27 run */
	{&cal_mak, 1773799200, CAL_WORKING_TIME, "PT1H", 1774832400},
	/* Tue 2026-03-17 15:00 WITA + PT2H (WT) = Mon 2026-03-30 09:00 WITA — 1h, ten holidays and a weekend, 1h */
	{&cal_mak, 1773730800, CAL_WORKING_TIME, "PT2H", 1774832400},
	/* Mon 2026-03-16 08:00 WITA + PT40H (WT) = Wed 2026-04-01 16:00 WITA — five office days across the run, ends at closing */
	{&cal_mak, 1773619200, CAL_WORKING_TIME, "PT40H", 1775030400},
	/* Wed 2025-12-31 15:00 WITA + PT2H (WT) = Fri 2026-01-02 09:00 WITA — year end, Jan 1 a holiday */
	{&cal_mak, 1767164400, CAL_WORKING_TIME, "PT2H", 1767315600},
	/* Mon 2026-03-16 14:00 WITA + PT2H (WT) = Mon 2026-03-16 16:00 WITA — ends exactly at closing, not next morning */
	{&cal_mak, 1773640800, CAL_WORKING_TIME, "PT2H", 1773648000},
	/* Mon 2026-03-16 08:00 WITA + PT8H (WT) = Mon 2026-03-16 16:00 WITA — a full office day */
	{&cal_mak, 1773619200, CAL_WORKING_TIME, "PT8H", 1773648000},
	/* Mon 2026-03-16 16:00 WITA + PT0S (WT) = Mon 2026-03-16 16:00 WITA — zero: unchanged */
	{&cal_mak, 1773648000, CAL_WORKING_TIME, "PT0S", 1773648000},
	/* Mon 2026-03-16 16:00 WITA + PT1S (WT) = Tue 2026-03-17 08:00:01 WITA — one second past closing */
	{&cal_mak, 1773648000, CAL_WORKING_TIME, "PT1S", 1773705601},
	/* Sat 2026-03-14 10:00 WITA + PT0S (WT) = Sat 2026-03-14 10:00 WITA — zero on a weekend: unchanged */
	{&cal_mak, 1773453600, CAL_WORKING_TIME, "PT0S", 1773453600},
	/* Fri 2026-03-13 15:30 WITA + PT24H (WT) = Mon 2026-03-30 15:30 WITA — 24 office hours = 3 days; holidays skipped */
	{&cal_mak, 1773387000, CAL_WORKING_TIME, "PT24H", 1774855800},
	/* Fri 2026-03-13 15:30 WITA + P1D (WT) = Mon 2026-03-16 15:30 WITA — a day part counts working days on working_time too */
	{&cal_mak, 1773387000, CAL_WORKING_TIME, "P1D", 1773646200},
	/* Mon 2026-03-16 10:00 WITA + PT1H30M15S (WT) = Mon 2026-03-16 11:30:15 WITA —  */
	{&cal_mak, 1773626400, CAL_WORKING_TIME, "PT1H30M15S", 1773631815},
	/* Mon 2026-03-09 10:00 WITA + P7D (WD) = Mon 2026-03-30 10:00 WITA — 10,11,12,13,16,17 then the run, then 30 */
	{&cal_mak, 1773021600, CAL_WORKING_DAYS, "P7D", 1774836000},
	/* Mon 2026-03-02 10:00 WITA + P5D (WD) = Mon 2026-03-09 10:00 WITA —  */
	{&cal_mak, 1772416800, CAL_WORKING_DAYS, "P5D", 1773021600},
	/* Fri 2026-03-13 15:30 WITA + P1D (WD) = Mon 2026-03-16 15:30 WITA — same local time next working day */
	{&cal_mak, 1773387000, CAL_WORKING_DAYS, "P1D", 1773646200},
	/* Sat 2026-03-14 10:00 WITA + P1D (WD) = Tue 2026-03-17 08:00 WITA — Saturday moves to Monday's opening first */
	{&cal_mak, 1773453600, CAL_WORKING_DAYS, "P1D", 1773705600},
	/* Mon 2026-03-16 17:00 WITA + P1D (WD) = Mon 2026-03-30 08:00 WITA — after closing: Tue opening, +1 skips the run */
	{&cal_mak, 1773651600, CAL_WORKING_DAYS, "P1D", 1774828800},
	/* Mon 2026-03-16 07:00 WITA + P1D (WD) = Tue 2026-03-17 08:00 WITA — before opening: today's opening first */
	{&cal_mak, 1773615600, CAL_WORKING_DAYS, "P1D", 1773705600},
	/* Fri 2026-03-13 16:00 WITA + P1D (WD) = Tue 2026-03-17 08:00 WITA — exactly at closing is closed
	 * (as cal_is_open says): Monday's opening first, then one working day */
	{&cal_mak, 1773388800, CAL_WORKING_DAYS, "P1D", 1773705600},
	/* Fri 2026-03-13 15:59:59 WITA + P1D (WD) = Mon 2026-03-16 15:59:59 WITA — the last open second keeps its time */
	{&cal_mak, 1773388799, CAL_WORKING_DAYS, "P1D", 1773647999},
	/* Fri 2026-03-13 16:00 WITA + P1D (WT, a stored day part) = Tue 2026-03-17 08:00 WITA — the same rule */
	{&cal_mak, 1773388800, CAL_WORKING_TIME, "P1D", 1773705600},
	/* Fri 2026-03-13 16:00 WITA + PT1H (WT) = Mon 2026-03-16 09:00 WITA — no office time at closing */
	{&cal_mak, 1773388800, CAL_WORKING_TIME, "PT1H", 1773622800},
	/* Fri 2026-03-13 16:00 WITA + P1D (CAL) = Sat 2026-03-14 16:00 WITA — the calendar clock knows no closing */
	{&cal_mak, 1773388800, CAL_CALENDAR, "P1D", 1773475200},
	/* Fri 2026-03-13 08:00 WITA + P1D (WD) = Mon 2026-03-16 08:00 WITA — exactly at opening */
	{&cal_mak, 1773360000, CAL_WORKING_DAYS, "P1D", 1773619200},
	/* Fri 2026-03-13 15:30 WITA + P1DT1H (WD) = Tue 2026-03-17 08:30 WITA — day part, then an office hour */
	{&cal_mak, 1773387000, CAL_WORKING_DAYS, "P1DT1H", 1773707400},
	/* Wed 2025-12-31 10:00 WITA + P1D (WD) = Fri 2026-01-02 10:00 WITA — year end */
	{&cal_mak, 1767146400, CAL_WORKING_DAYS, "P1D", 1767319200},
	/* Wed 2025-12-24 10:00 WITA + P7D (WD) = Tue 2026-01-06 10:00 WITA — Dec 25 and Jan 1 holidays */
	{&cal_mak, 1766541600, CAL_WORKING_DAYS, "P7D", 1767664800},
	/* Wed 2025-12-24 10:00 WITA + P1W (WD) = Tue 2026-01-06 10:00 WITA — P1W = P7D */
	{&cal_mak, 1766541600, CAL_WORKING_DAYS, "P1W", 1767664800},
	/* Fri 2026-03-13 15:30 WITA + PT2H (CAL) = Fri 2026-03-13 17:30 WITA — calendar clock ignores office hours */
	{&cal_mak, 1773387000, CAL_CALENDAR, "PT2H", 1773394200},
	/* Fri 2026-03-13 15:30 WITA + P1D (CAL) = Sat 2026-03-14 15:30 WITA —  */
	{&cal_mak, 1773387000, CAL_CALENDAR, "P1D", 1773473400},
	/* Tue 2026-03-17 10:00 WITA + P10DT1M (CAL) = Fri 2026-03-27 10:01 WITA — and holidays */
	{&cal_mak, 1773712800, CAL_CALENDAR, "P10DT1M", 1774576860},
	/* Thu 2026-02-12 15:00 WITA + P1D (WD) = Fri 2026-02-13 11:00 WITA — Friday closes 11:00: clamped to closing */
	{&cal_makf, 1770879600, CAL_WORKING_DAYS, "P1D", 1770951600},
	/* Thu 2026-02-12 10:00 WITA + P1D (WD) = Fri 2026-02-13 10:00 WITA —  */
	{&cal_makf, 1770861600, CAL_WORKING_DAYS, "P1D", 1770948000},
	/* Fri 2026-02-13 10:00 WITA + PT2H (WT) = Mon 2026-02-16 09:00 WITA — 1h Friday, 1h Monday */
	{&cal_makf, 1770948000, CAL_WORKING_TIME, "PT2H", 1771203600},
	/* Thu 2026-02-12 15:00 WITA + PT4H (WT) = Fri 2026-02-13 11:00 WITA — ends exactly at the short Friday's closing */
	{&cal_makf, 1770879600, CAL_WORKING_TIME, "PT4H", 1770951600},
	/* Fri 2026-02-13 12:00 WITA + PT1H (WT) = Mon 2026-02-16 09:00 WITA — after the short Friday's closing */
	{&cal_makf, 1770955200, CAL_WORKING_TIME, "PT1H", 1771203600},
	/* Fri 2026-02-13 10:30 WITA + P1D (WD) = Mon 2026-02-16 10:30 WITA —  */
	{&cal_makf, 1770949800, CAL_WORKING_DAYS, "P1D", 1771209000},
	/* Fri 2026-02-13 11:00 WITA + P1D (WD) = Tue 2026-02-17 08:00 WITA — at the short Friday's closing: closed */
	{&cal_makf, 1770951600, CAL_WORKING_DAYS, "P1D", 1771286400},
	/* Wed 2026-02-11 15:00 WITA + P2DT1H (WD) = Mon 2026-02-16 09:00 WITA — clamped to Fri 11:00, then 1h */
	{&cal_makf, 1770793200, CAL_WORKING_DAYS, "P2DT1H", 1771203600},
	/* Fri 2024-03-29 15:00 CET + PT2H (WT) = Mon 2024-04-01 09:00 CEST — across spring-forward */
	{&cal_ber, 1711720800, CAL_WORKING_TIME, "PT2H", 1711954800},
	/* Fri 2024-10-25 15:00 CEST + PT2H (WT) = Mon 2024-10-28 09:00 CET — across fall-back */
	{&cal_ber, 1729861200, CAL_WORKING_TIME, "PT2H", 1730102400},
	/* Thu 2024-03-28 12:00 CET + PT16H (WT) = Mon 2024-04-01 12:00 CEST —  */
	{&cal_ber, 1711623600, CAL_WORKING_TIME, "PT16H", 1711965600},
	/* Thu 2024-10-24 12:00 CEST + PT16H (WT) = Mon 2024-10-28 12:00 CET —  */
	{&cal_ber, 1729764000, CAL_WORKING_TIME, "PT16H", 1730113200},
	/* Fri 2024-03-29 10:00 CET + P1D (WD) = Mon 2024-04-01 10:00 CEST — same wall time across the change */
	{&cal_ber, 1711702800, CAL_WORKING_DAYS, "P1D", 1711958400},
	/* Fri 2024-10-25 10:00 CEST + P1D (WD) = Mon 2024-10-28 10:00 CET —  */
	{&cal_ber, 1729843200, CAL_WORKING_DAYS, "P1D", 1730106000},
	/* Sat 2024-03-30 12:00 CET + P1D (CAL) = Sun 2024-03-31 13:00 CEST — plain 86400 s: an hour later in wall time */
	{&cal_ber, 1711796400, CAL_CALENDAR, "P1D", 1711882800},
	/* Sat 2024-10-26 12:00 CEST + P1D (CAL) = Sun 2024-10-27 11:00 CET —  */
	{&cal_ber, 1729936800, CAL_CALENDAR, "P1D", 1730023200},
	/* Fri 2100-03-26 15:00 CET + PT2H (WT) = Mon 2100-03-29 09:00 CEST — 2100 needs the footer rule */
	{&cal_ber, 4109752800, CAL_WORKING_TIME, "PT2H", 4109986800},
	/* Sat 2024-03-30 12:00 CET + PT3H (WT) = Sun 2024-03-31 05:00 CEST — Sunday 01:00-05:00 holds 3h on spring-forward; ends at closing */
	{&cal_bers, 1711796400, CAL_WORKING_TIME, "PT3H", 1711854000},
	/* Sat 2024-03-30 12:00 CET + PT4H (WT) = Mon 2024-04-01 09:00 CEST —  */
	{&cal_bers, 1711796400, CAL_WORKING_TIME, "PT4H", 1711954800},
	/* Sat 2024-03-30 12:00 CET + PT1H30M (WT) = 2024-03-31T01:30:00Z — 01:00 CET + 1h30 real = 03:30 CEST */
	{&cal_bers, 1711796400, CAL_WORKING_TIME, "PT1H30M", 1711848600},
	/* Sat 2024-10-26 12:00 CEST + PT5H (WT) = Sun 2024-10-27 05:00 CET — Sunday 01:00-05:00 holds 5h on fall-back */
	{&cal_bers, 1729936800, CAL_WORKING_TIME, "PT5H", 1730001600},
	/* Sat 2024-10-26 12:00 CEST + PT1H30M (WT) = Sun 2024-10-27 02:30 CEST — first 02:30 (CEST) */
	{&cal_bers, 1729936800, CAL_WORKING_TIME, "PT1H30M", 1729989000},
	/* Sat 2024-10-26 12:00 CEST + PT2H30M (WT) = Sun 2024-10-27 02:30 (2nd) CET — second 02:30 (CET) */
	{&cal_bers, 1729936800, CAL_WORKING_TIME, "PT2H30M", 1729992600},
	/* Sat 2024-10-26 12:00 CEST + PT6H (WT) = Mon 2024-10-28 09:00 CET —  */
	{&cal_bers, 1729936800, CAL_WORKING_TIME, "PT6H", 1730102400},
	/* Fri 2024-03-29 15:00 CET + P1D (WD) = Sun 2024-03-31 05:00 CEST — next working day is Sunday: clamped to its 05:00 closing */
	{&cal_bers, 1711720800, CAL_WORKING_DAYS, "P1D", 1711854000},
	/* Sat 2024-03-30 12:00 CET + P1D (WD) = Mon 2024-04-01 08:00 CEST — Sunday 01:00 opening kept, clamped to Monday's 08:00 */
	{&cal_bers, 1711796400, CAL_WORKING_DAYS, "P1D", 1711951200},
	/* Sat 2024-03-30 12:00 CET + PT30M (WT) = 2024-03-31T01:30:00Z — opening 02:00 is in the gap: moves to 03:00 CEST */
	{&cal_berg, 1711796400, CAL_WORKING_TIME, "PT30M", 1711848600},
	/* Sat 2024-03-30 12:00 CET + PT1H (WT) = Sun 2024-03-31 04:00 CEST —  */
	{&cal_berg, 1711796400, CAL_WORKING_TIME, "PT1H", 1711850400},
	/* Sat 2024-10-26 12:00 CEST + PT3H (WT) = Sun 2024-10-27 04:00 CET — opening at the first 02:00 */
	{&cal_berg, 1729936800, CAL_WORKING_TIME, "PT3H", 1729998000},
	/* Fri 2024-03-08 16:00 EST + PT2H (WT) = Mon 2024-03-11 10:00 EDT —  */
	{&cal_ny, 1709931600, CAL_WORKING_TIME, "PT2H", 1710165600},
	/* Fri 2024-11-01 16:00 EDT + PT2H (WT) = Mon 2024-11-04 10:00 EST —  */
	{&cal_ny, 1730491200, CAL_WORKING_TIME, "PT2H", 1730732400},
	/* Fri 2024-03-08 12:00 EST + P5D (WD) = Fri 2024-03-15 12:00 EDT —  */
	{&cal_ny, 1709917200, CAL_WORKING_DAYS, "P5D", 1710518400},
	/* Fri 2100-11-05 16:00 EDT + PT2H (WT) = Mon 2100-11-08 10:00 EST — 2100 fall-back on Sunday Nov 7 */
	{&cal_ny, 4129128000, CAL_WORKING_TIME, "PT2H", 4129369200},
	/* Sat 2024-03-09 12:00 EST + PT23H (WT) = Mon 2024-03-11 00:00 EDT — the 23-hour Sunday ends at 24:00 */
	{&cal_ny24, 1710003600, CAL_WORKING_TIME, "PT23H", 1710129600},
	/* Sat 2024-03-09 12:00 EST + PT24H (WT) = Mon 2024-03-11 10:00 EDT —  */
	{&cal_ny24, 1710003600, CAL_WORKING_TIME, "PT24H", 1710165600},
	/* Sat 2024-11-02 12:00 EDT + PT25H (WT) = Mon 2024-11-04 00:00 EST — the 25-hour Sunday */
	{&cal_ny24, 1730563200, CAL_WORKING_TIME, "PT25H", 1730696400},
	/* Sat 2024-11-02 12:00 EDT + PT2H (WT) = Sun 2024-11-03 01:00 (2nd) EST — 00:00 EDT + 2h real = second 01:00 */
	{&cal_ny24, 1730563200, CAL_WORKING_TIME, "PT2H", 1730613600},
	/* Mon 2026-01-05 00:00 UTC + PT1H (WT) = Mon 2026-01-05 10:00 UTC — UTC zone, 09:00-17:00 */
	{&cal_utcc, 1767571200, CAL_WORKING_TIME, "PT1H", 1767607200},
	/* Sun 2024-03-24 02:30 CET + P6D (WD) = 2024-03-31T01:00:00Z — 02:30 on the spring-forward Sunday is reached at 03:00 CEST */
	{&cal_bers, 1711243800, CAL_WORKING_DAYS, "P6D", 1711846800},
	/* Sat 2024-03-30 12:00 CET + PT30M (WT) = 2024-03-31T01:30:00Z — opening 02:30 is in the gap: open from 03:00 CEST */
	{&cal_bero, 1711796400, CAL_WORKING_TIME, "PT30M", 1711848600},
	/* Sat 2024-10-26 12:00 CEST + PT30M (WT) = 2024-10-27T01:00:00Z — opening at the first 02:30 (CEST); +30 min is the second 02:00 */
	{&cal_bero, 1729936800, CAL_WORKING_TIME, "PT30M", 1729990800},
	/* Sat 2024-10-26 12:00 CEST + PT1H30M (WT) = 2024-10-27T00:30:00Z — closing 02:30 at its first pass; ends at closing */
	{&cal_berc, 1729936800, CAL_WORKING_TIME, "PT1H30M", 1729989000},
	/* Sat 2024-10-26 12:00 CEST + PT2H (WT) = Mon 2024-10-28 08:30 CET — the repeated 02:00-02:30 does not reopen */
	{&cal_berc, 1729936800, CAL_WORKING_TIME, "PT2H", 1730100600},
};

START_TEST(test_cal_add)
{
	struct duration d = dur(adds[_i].dur);
	int64_t got = cal_add(adds[_i].c, adds[_i].start, adds[_i].clock, &d);
	ck_assert_msg(got == adds[_i].expect, "row %d: %" PRId64 " + %s = %" PRId64 ", expected %" PRId64
		      " (off by %" PRId64 " s)", _i, adds[_i].start, adds[_i].dur, got, adds[_i].expect,
		      got - adds[_i].expect);
}
END_TEST

static const struct {
	const struct calendar *c;
	int64_t from, to, expect;
} measures[] = {
	/* Fri 2026-03-13 15:30 WITA .. Mon 2026-03-16 09:30 WITA: 7200 — the SPEC example */
	{&cal_mak, 1773387000, 1773624600, 7200},
	/* Mon 2026-03-16 09:30 WITA .. Fri 2026-03-13 15:30 WITA: 0 — reversed */
	{&cal_mak, 1773624600, 1773387000, 0},
	/* Mon 2026-03-16 10:00 WITA .. Mon 2026-03-16 10:00 WITA: 0 — empty */
	{&cal_mak, 1773626400, 1773626400, 0},
	/* Mon 2026-03-16 10:00 WITA .. Mon 2026-03-16 10:00:01 WITA: 1 —  */
	{&cal_mak, 1773626400, 1773626401, 1},
	/* Mon 2026-03-16 16:00 WITA .. Tue 2026-03-17 08:00 WITA: 0 — closed overnight */
	{&cal_mak, 1773648000, 1773705600, 0},
	/* Sat 2026-03-14 00:00 WITA .. Mon 2026-03-16 00:00 WITA: 0 — weekend */
	{&cal_mak, 1773417600, 1773590400, 0},
	/* Mon 2026-03-02 00:00 WITA .. Mon 2026-03-09 00:00 WITA: 40*3600 — a plain week */
	{&cal_mak, 1772380800, 1772985600, 144000},
	/* Mon 2026-03-16 00:00 WITA .. Mon 2026-03-30 00:00 WITA: 16*3600 — two weeks, ten of the days holidays */
	{&cal_mak, 1773590400, 1774800000, 57600},
	/* Mon 2025-12-29 00:00 WITA .. Mon 2026-01-05 00:00 WITA: 32*3600 — year end week, Jan 1 a holiday */
	{&cal_mak, 1766937600, 1767542400, 115200},
	/* Mon 2026-02-09 00:00 WITA .. Mon 2026-02-16 00:00 WITA: 35*3600 — 4x8h + 3h Friday */
	{&cal_makf, 1770566400, 1771171200, 126000},
	/* Fri 2024-03-29 15:00 CET .. Mon 2024-04-01 09:00 CEST: 7200 —  */
	{&cal_ber, 1711720800, 1711954800, 7200},
	/* Mon 2024-03-25 00:00 CET .. Mon 2024-04-01 00:00 CEST: 40*3600 — week of spring-forward */
	{&cal_ber, 1711321200, 1711922400, 144000},
	/* Mon 2024-10-21 00:00 CEST .. Mon 2024-10-28 00:00 CET: 40*3600 — week of fall-back */
	{&cal_ber, 1729461600, 1730070000, 144000},
	/* Sat 2024-03-30 00:00 CET .. Mon 2024-04-01 00:00 CEST: 3*3600 — Sunday 01:00-05:00 on spring-forward: 3h */
	{&cal_bers, 1711753200, 1711922400, 10800},
	/* Sat 2024-10-26 00:00 CEST .. Mon 2024-10-28 00:00 CET: 5*3600 — on fall-back: 5h */
	{&cal_bers, 1729893600, 1730070000, 18000},
	/* Sat 2024-04-06 00:00 CEST .. Mon 2024-04-08 00:00 CEST: 4*3600 — an ordinary Sunday: 4h */
	{&cal_bers, 1712354400, 1712527200, 14400},
	/* Sat 2024-03-30 00:00 CET .. Mon 2024-04-01 00:00 CEST: 1*3600 — Sunday 02:00-04:00, opening in the gap: 1h */
	{&cal_berg, 1711753200, 1711922400, 3600},
	/* Sat 2024-10-26 00:00 CEST .. Mon 2024-10-28 00:00 CET: 3*3600 — opening at the first 02:00: 3h */
	{&cal_berg, 1729893600, 1730070000, 10800},
	/* Sat 2024-03-09 00:00 EST .. Mon 2024-03-11 00:00 EDT: 23*3600 —  */
	{&cal_ny24, 1709960400, 1710129600, 82800},
	/* Sat 2024-11-02 00:00 EDT .. Mon 2024-11-04 00:00 EST: 25*3600 —  */
	{&cal_ny24, 1730520000, 1730696400, 90000},
	/* Sun 2024-11-03 01:30 EDT .. Sun 2024-11-03 01:30 (2nd) EST: 3600 — between the two 01:30s */
	{&cal_ny24, 1730611800, 1730615400, 3600},
	/* Fri 2100-03-12 16:00 EST .. Mon 2100-03-15 10:00 EDT: 2*3600 — 2100 spring-forward weekend */
	{&cal_ny, 4108568400, 4108802400, 7200},
	/* Sat 2024-03-30 00:00 CET .. Mon 2024-04-01 00:00 CEST: 1*3600 — Sunday 01:00-02:30: closing in the gap is reached at 03:00 CEST */
	{&cal_berc, 1711753200, 1711922400, 3600},
	/* Sat 2024-10-26 00:00 CEST .. Mon 2024-10-28 00:00 CET: 3600+1800 — closing at the first 02:30 */
	{&cal_berc, 1729893600, 1730070000, 5400},
	/* Sat 2024-03-30 00:00 CET .. Mon 2024-04-01 00:00 CEST: 1*3600 — Sunday 02:30-04:00: opening in the gap is reached at 03:00 CEST */
	{&cal_bero, 1711753200, 1711922400, 3600},
	/* Sat 2024-10-26 00:00 CEST .. Mon 2024-10-28 00:00 CET: 2*3600+1800 — opening at the first 02:30 */
	{&cal_bero, 1729893600, 1730070000, 9000},
	/* The whole of 2026 in Makassar: 261 weekdays, 10 of them holidays
	 * (Jan 1, Mar 18-20, 23-27, Dec 25): 251 days of 8 hours. */
	{&cal_mak, 1767196800, 1798732800, 251 * 28800},
};

START_TEST(test_cal_measure)
{
	int64_t got = cal_measure(measures[_i].c, measures[_i].from, measures[_i].to);
	ck_assert_msg(got == measures[_i].expect, "row %d: %" PRId64 ", expected %" PRId64, _i, got,
		      measures[_i].expect);
}
END_TEST

/* An independent definition of "open": the wall clock of instant t (from
 * tz_offset, checked above against zoneinfo) reads within the hours of a
 * working weekday that is not a holiday. It agrees with the calendar's
 * first-reach rule whenever no opening or closing time lies inside a
 * fall-back overlap, which holds for the calendars it is used on. */
static bool oracle_open(const struct calendar *c, int64_t t)
{
	int64_t local = t + tz_offset(c->tz, t);
	int64_t day = local / 86400 - (local % 86400 < 0);
	int64_t sod = local - day * 86400;
	int w = (int)((day % 7 + 11) % 7);
	for (size_t i = 0; i < c->nholidays; i++)
		if (c->holidays[i] == day)
			return false;
	return sod >= c->hours[w].open * 60 && sod < c->hours[w].close * 60;
}

static const struct calendar *const oracle_cals[] = {&cal_mak, &cal_makf, &cal_ber, &cal_bers, &cal_berg,
						     &cal_ny, &cal_ny24, &cal_utcc};
static const struct calendar *const all_cals[] = {&cal_mak, &cal_makf, &cal_ber, &cal_bers, &cal_berg, &cal_berc,
						  &cal_bero, &cal_ny, &cal_ny24, &cal_utcc};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Window starts (UTC midnights) around DST changes, the holiday run and a
 * year end. */
static const int64_t windows[] = {
	1711324800, /* 2024-03-25 */ 1729468800, /* 2024-10-21 */ 1709596800, /* 2024-03-05 */
	1730073600, /* 2024-10-28 */ 1773100800, /* 2026-03-10 */ 1766361600, /* 2025-12-22 */
	4109011200, /* 2100-03-18 */
};

/* cal_measure equals minute-by-minute counting with the oracle. */
START_TEST(test_cal_measure_oracle)
{
	rng_state = 1234;
	for (int trial = 0; trial < 400; trial++) {
		const struct calendar *c = oracle_cals[trial % NELEM(oracle_cals)];
		int64_t base = windows[rng() % NELEM(windows)];
		int64_t a = base + rng_range(0, 10 * 1440) * 60;
		int64_t b = a + rng_range(0, 4 * 1440) * 60;
		int64_t want = 0;
		for (int64_t m = a; m < b; m += 60)
			want += oracle_open(c, m) ? 60 : 0;
		if (cal_measure(c, a, b) != want)
			ck_abort_msg("trial %d: [%" PRId64 ", %" PRId64 ") = %" PRId64 ", oracle %" PRId64, trial, a, b,
				     cal_measure(c, a, b), want);
	}
}
END_TEST

/* cal_add_office(s, n) is the earliest instant with n office seconds since
 * s, for random starts and lengths (any second) on every calendar. */
START_TEST(test_cal_add_property)
{
	rng_state = 99;
	for (size_t k = 0; k < NELEM(all_cals); k++) {
		const struct calendar *c = all_cals[k];
		for (int trial = 0; trial < 400; trial++) {
			int64_t start = trial % 3 == 0 ? windows[rng() % NELEM(windows)] + rng_range(0, 12 * 86400)
						       : rng_range(1577836800, 1893456000); /* 2020..2030 */
			int64_t n = rng_range(0, 200 * 3600);
			struct duration d = {0, n};
			int64_t t = cal_add(c, start, CAL_WORKING_TIME, &d);
			QUICK_EQ(t, cal_add(c, start, CAL_WORKING_DAYS, &d));
			QUICK_EQ(t, cal_add_office(c, start, n));
			if (cal_measure(c, start, t) != n)
				ck_abort_msg("cal %zu start %" PRId64 " n %" PRId64, k, start, n);
			if (n > 0) {
				QUICK(t > start);
				QUICK_EQ(cal_measure(c, start, t - 1), n - 1);
				QUICK(cal_is_open(c, t - 1));
			} else {
				QUICK_EQ(t, start);
			}
		}
	}
}
END_TEST

/* m(a, b) + m(b, c) == m(a, c). */
START_TEST(test_cal_measure_additive)
{
	rng_state = 5;
	for (size_t k = 0; k < NELEM(all_cals); k++) {
		for (int trial = 0; trial < 300; trial++) {
			int64_t base = windows[rng() % NELEM(windows)];
			int64_t a = base + rng_range(0, 20 * 86400);
			int64_t b = a + rng_range(0, 10 * 86400);
			int64_t c = b + rng_range(0, 10 * 86400);
			int64_t ab = cal_measure(all_cals[k], a, b), bc = cal_measure(all_cals[k], b, c);
			QUICK_EQ(ab + bc, cal_measure(all_cals[k], a, c));
			QUICK(ab >= 0 && bc >= 0);
		}
	}
}
END_TEST

/* With eight-hour days every working day (Makassar, Berlin and New York in
 * any season), N working days later is exactly N * 8 office hours later,
 * lands on a working day, and keeps the wall time of a start within office
 * hours. */
START_TEST(test_cal_working_days_property)
{
	const struct calendar *cals[] = {&cal_mak, &cal_ber, &cal_ny};
	rng_state = 77;
	for (size_t k = 0; k < NELEM(cals); k++) {
		const struct calendar *c = cals[k];
		for (int trial = 0; trial < 500; trial++) {
			int64_t start = trial % 2 ? windows[rng() % NELEM(windows)] + rng_range(0, 12 * 86400)
						  : rng_range(1577836800, 1893456000);
			int64_t n = rng_range(1, 15);
			struct duration d = {n, 0};
			int64_t t = cal_add(c, start, CAL_WORKING_DAYS, &d);
			if (cal_measure(c, start, t) != n * 28800)
				ck_abort_msg("cal %zu start %" PRId64 " P%" PRId64 "D", k, start, n);
			QUICK(oracle_open(c, t) || oracle_open(c, t - 1));
			int64_t ls = start + tz_offset(c->tz, start), lt = t + tz_offset(c->tz, t);
			int64_t sod = ls - (ls / 86400) * 86400;
			const struct cal_hours *h = &c->hours[(ls / 86400 + 4) % 7];
			bool inside = oracle_open(c, start) || (sod == h->close * 60 && oracle_open(c, start - 1));
			if (inside)
				QUICK_EQ(lt % 86400, sod);
		}
	}
}
END_TEST

START_TEST(test_cal_days_and_open)
{
	ck_assert(cal_is_working_day(&cal_mak, 20525));  /* Fri 2026-03-13 */
	ck_assert(!cal_is_working_day(&cal_mak, 20526)); /* Sat */
	ck_assert(!cal_is_working_day(&cal_mak, 20527)); /* Sun */
	ck_assert(cal_is_working_day(&cal_mak, 20528));  /* Mon 2026-03-16 */
	ck_assert(!cal_is_working_day(&cal_mak, 20530)); /* Wed 2026-03-18, first of the run */
	ck_assert(!cal_is_working_day(&cal_mak, 20539)); /* Fri 2026-03-27, last of the run */
	ck_assert(cal_is_working_day(&cal_mak, 20542));  /* Mon 2026-03-30 */
	ck_assert(!cal_is_working_day(&cal_mak, 20454)); /* Thu 2026-01-01 */
	ck_assert(cal_is_working_day(&cal_mak, 20455));  /* Fri 2026-01-02 */
	ck_assert(!cal_is_working_day(&cal_mak, 20819)); /* Fri 2027-01-01, the last holiday */
	ck_assert(cal_is_working_day(&cal_mak, 0));      /* Thu 1970-01-01 */
	ck_assert(cal_is_working_day(&cal_bers, 19813)); /* Sun 2024-03-31 has a night shift */

	ck_assert(cal_is_open(&cal_mak, wita(2026, 3, 13, 8, 0)));
	ck_assert(!cal_is_open(&cal_mak, wita(2026, 3, 13, 8, 0) - 1));
	ck_assert(cal_is_open(&cal_mak, wita(2026, 3, 13, 16, 0) - 1));
	ck_assert(!cal_is_open(&cal_mak, wita(2026, 3, 13, 16, 0)));
	ck_assert(!cal_is_open(&cal_mak, wita(2026, 3, 14, 10, 0)));
	ck_assert(!cal_is_open(&cal_mak, wita(2026, 3, 18, 10, 0)));
	ck_assert(cal_is_open(&cal_makf, wita(2026, 2, 13, 10, 59)));
	ck_assert(!cal_is_open(&cal_makf, wita(2026, 2, 13, 11, 0)));
}
END_TEST

START_TEST(test_cal_check)
{
	struct err e;
	const struct calendar *good[] = {&cal_mak, &cal_makf, &cal_ber, &cal_bers, &cal_berg, &cal_berc,
					 &cal_bero, &cal_ny, &cal_ny24, &cal_utcc};
	for (size_t i = 0; i < NELEM(good); i++) {
		err_clear(&e);
		ck_assert_msg(cal_check(good[i], &e), "%zu: %s", i, e.detail);
	}
	static const int32_t unsorted[] = {20530, 20529};
	static const int32_t dup[] = {20530, 20530};
	struct calendar bad[] = {
		{NULL, MON_FRI(480, 960), NULL, 0},
		{&z_mak, MON_FRI(960, 480), NULL, 0},
		{&z_mak, MON_FRI(-1, 480), NULL, 0},
		{&z_mak, MON_FRI(480, 1441), NULL, 0},
		{&z_mak, MON_FRI(480, 480), NULL, 0}, /* never open */
		{&z_mak, MON_FRI(480, 960), unsorted, 2},
		{&z_mak, MON_FRI(480, 960), dup, 2},
		{&z_mak, MON_FRI(480, 960), NULL, 3},
	};
	for (size_t i = 0; i < NELEM(bad); i++) {
		err_clear(&e);
		ck_assert_msg(!cal_check(&bad[i], &e), "bad calendar %zu accepted", i);
		ck_assert_int_eq(e.kind, ERR_INVALID);
		ck_assert_str_eq(e.code, "calendar.invalid");
	}
	struct calendar all_day = {&z_utc, {{0, 1440}, {0, 1440}, {0, 1440}, {0, 1440}, {0, 1440}, {0, 1440}, {0, 1440}},
				   NULL, 0};
	ck_assert(cal_check(&all_day, &e));
	/* Open around the clock, office time is elapsed time. */
	ck_assert_int_eq(cal_measure(&all_day, 1000, 1000 + 9 * 86400 + 17), 9 * 86400 + 17);
	ck_assert_int_eq(cal_add_office(&all_day, 1000, 9 * 86400 + 17), 1000 + 9 * 86400 + 17);
}
END_TEST

START_TEST(test_cal_clock_names)
{
	enum cal_clock c;
	ck_assert_str_eq(cal_clock_name(CAL_WORKING_TIME), "working_time");
	ck_assert_str_eq(cal_clock_name(CAL_WORKING_DAYS), "working_days");
	ck_assert_str_eq(cal_clock_name(CAL_CALENDAR), "calendar");
	ck_assert_ptr_null(cal_clock_name((enum cal_clock)3));
	for (int i = 0; i < 3; i++)
		ck_assert(cal_clock_from_name(cal_clock_name((enum cal_clock)i), &c) && (int)c == i);
	ck_assert(!cal_clock_from_name("Calendar", &c));
	ck_assert(!cal_clock_from_name("", &c));
	ck_assert(!cal_clock_from_name(NULL, &c));
}
END_TEST

/* Long spans are walked per day: the longest durations finish, and agree
 * with measure. Degenerate calendars and extreme instants terminate. */
START_TEST(test_cal_long_and_extreme)
{
	int64_t start = wita(2025, 1, 6, 10, 0);
	struct duration d = {DUR_MAX_DAYS, 0};
	int64_t t = cal_add(&cal_mak, start, CAL_WORKING_DAYS, &d);
	ck_assert_int_eq(cal_measure(&cal_mak, start, t), (int64_t)DUR_MAX_DAYS * 28800);
	d = (struct duration){0, DUR_MAX_SECONDS};
	t = cal_add(&cal_mak, start, CAL_WORKING_TIME, &d);
	ck_assert_int_eq(cal_measure(&cal_mak, start, t), DUR_MAX_SECONDS);
	/* 1970-01-01 .. 2100-01-01 local: 33904 working days (python, weekdays
	 * minus the 12 weekday holidays). */
	ck_assert_int_eq(cal_measure(&cal_mak, -28800, 4102416000), 33904LL * 28800);

	/* A calendar that never opens: no deadline, no office time. */
	struct calendar never = {&z_mak, MON_FRI(480, 480), NULL, 0};
	d = (struct duration){1, 60};
	ck_assert_int_eq(cal_add(&never, start, CAL_WORKING_TIME, &d), CAL_NEVER);
	ck_assert_int_eq(cal_add(&never, start, CAL_WORKING_DAYS, &d), CAL_NEVER);
	ck_assert_int_eq(cal_add(&never, start, CAL_CALENDAR, &d), start + 86400 + 60);
	ck_assert_int_eq(cal_measure(&never, start, start + 86400 * 30), 0);

	/* Forty holidays in a row are skipped. */
	int32_t many[40];
	for (int i = 0; i < 40; i++)
		many[i] = 20528 + i; /* from Mon 2026-03-16 */
	struct calendar lent = {&z_mak, MON_FRI(480, 960), many, 40};
	d = (struct duration){0, 3600};
	/* The last is 20567, Fri 2026-04-24; the next working day is Mon 04-27. */
	ck_assert_int_eq(cal_add(&lent, wita(2026, 3, 16, 8, 0), CAL_WORKING_TIME, &d), wita(2026, 4, 27, 9, 0));

	/* Extreme instants are clamped; nothing overflows. */
	d = (struct duration){0, 3600};
	ck_assert_int_eq(cal_add(&cal_mak, INT64_MAX, CAL_WORKING_TIME, &d), CAL_NEVER);
	t = cal_add(&cal_mak, INT64_MIN, CAL_WORKING_TIME, &d);
	ck_assert(t > TZ_INSTANT_MIN && t < TZ_INSTANT_MIN + 8 * 86400);
	d = (struct duration){INT64_MAX, INT64_MAX};
	ck_assert_int_eq(cal_add(&cal_mak, 0, CAL_CALENDAR, &d), (int64_t)DUR_MAX_DAYS * 86400 + DUR_MAX_SECONDS);
	d = (struct duration){-3, -5};
	ck_assert_int_eq(cal_add(&cal_mak, start, CAL_WORKING_TIME, &d), start);
	ck_assert_int_eq(cal_measure(&cal_mak, INT64_MAX - 10, INT64_MAX), 0);
	ck_assert_int_eq(cal_measure(&cal_mak, INT64_MIN, INT64_MIN + 10), 0);
}
END_TEST

static Suite *calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("table");
	tcase_add_loop_test(tc, test_cal_add, 0, (int)NELEM(adds));
	tcase_add_loop_test(tc, test_cal_measure, 0, (int)NELEM(measures));
	tcase_add_test(tc, test_cal_days_and_open);
	tcase_add_test(tc, test_cal_check);
	tcase_add_test(tc, test_cal_clock_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("property");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cal_measure_oracle);
	tcase_add_test(tc, test_cal_add_property);
	tcase_add_test(tc, test_cal_measure_additive);
	tcase_add_test(tc, test_cal_working_days_property);
	tcase_add_test(tc, test_cal_long_and_extreme);
	suite_add_tcase(s, tc);
	return s;
}

/* === sla =================================================================== */

START_TEST(test_sla_defaults)
{
	struct sla_step_policy p = {.step = -1};
	char w[DUR_TEXT_MAX], d[DUR_TEXT_MAX];
	ck_assert(!sla_default_policy(1, &p));
	ck_assert_int_eq(p.step, -1); /* untouched */
	ck_assert(!sla_default_policy(0, &p));
	ck_assert(!sla_default_policy(8, &p));
	ck_assert(!sla_default_policy(-2, &p));
	static const struct {
		int step;
		const char *warn, *due;
		enum cal_clock clock;
	} want[] = {
		{2, "PT1H", "PT2H", CAL_WORKING_TIME},   {3, "PT45M", "PT1H", CAL_WORKING_TIME},
		{4, "P5D", "P7D", CAL_WORKING_DAYS},     {5, "P5D", "P7D", CAL_WORKING_DAYS},
		{6, "P5D", "P7D", CAL_WORKING_DAYS},     {7, "P5D", "P7D", CAL_WORKING_DAYS},
	};
	for (size_t i = 0; i < NELEM(want); i++) {
		ck_assert(sla_default_policy(want[i].step, &p));
		ck_assert_int_eq(p.step, want[i].step);
		dur_format(&p.warn_after, w, sizeof w);
		dur_format(&p.due_after, d, sizeof d);
		ck_assert_str_eq(w, want[i].warn);
		ck_assert_str_eq(d, want[i].due);
		ck_assert_int_eq(p.clock, want[i].clock);
		ck_assert(p.pause_on_pd);
	}
}
END_TEST

static struct sla_step_policy policy(int step)
{
	struct sla_step_policy p;
	ck_assert(sla_default_policy(step, &p));
	return p;
}

START_TEST(test_sla_deadlines)
{
	struct {
		int step;
		int64_t start, warn, due;
	} cases[] = {
		/* Fri 15:30 + 1h / 2h: 30 min Friday, then Monday from 08:00. */
		{2, wita(2026, 3, 13, 15, 30), wita(2026, 3, 16, 8, 30), wita(2026, 3, 16, 9, 30)},
		/* Mon 15:30 + 45 / 60 office minutes: 30 on Monday, the rest Tuesday. */
		{3, wita(2026, 3, 16, 15, 30), wita(2026, 3, 17, 8, 15), wita(2026, 3, 17, 8, 30)},
		/* Mon 2026-03-02 10:00: 5 / 7 working days, no holidays in between. */
		{4, wita(2026, 3, 2, 10, 0), wita(2026, 3, 9, 10, 0), wita(2026, 3, 11, 10, 0)},
		/* Mon 2026-03-09 10:00: 10, 11, 12, 13, 16 | 17, (18..27 off), 30. */
		{7, wita(2026, 3, 9, 10, 0), wita(2026, 3, 16, 10, 0), wita(2026, 3, 30, 10, 0)},
		/* Sat 2026-03-14 (closed): from Mon 16th 08:00, 5 / 7 working days:
		 * 17 | 30, 31, Apr 1, 2 (warn) | 3, 6 (due). */
		{5, wita(2026, 3, 14, 11, 0), wita(2026, 4, 2, 8, 0), wita(2026, 4, 6, 8, 0)},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct sla_step_policy p = policy(cases[i].step);
		int64_t warn, due;
		sla_deadlines(&cal_mak, &p, cases[i].start, &warn, &due);
		ck_assert_msg(warn == cases[i].warn, "case %zu: warn off by %" PRId64, i, warn - cases[i].warn);
		ck_assert_msg(due == cases[i].due, "case %zu: due off by %" PRId64, i, due - cases[i].due);
	}
}
END_TEST

/* A calendar-clock policy: warn PT1H, due P1D. */
static struct sla_step_policy calendar_policy(void)
{
	struct sla_step_policy p = {.step = 2, .warn_after = {0, 3600}, .due_after = {1, 0},
				    .clock = CAL_CALENDAR, .pause_on_pd = true};
	return p;
}

/* Pauses. Each row: policy step (0 = the calendar-clock policy), the
 * deadlines before, the pause, the deadlines after. */
START_TEST(test_sla_resume)
{
	struct {
		const char *what;
		int step;
		int64_t warn, due, pause, resume, new_warn, new_due;
	} cases[] = {
		{"pause in office hours: both move by 20 min", 2,
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 11, 0), wita(2026, 3, 16, 9, 30), wita(2026, 3, 16, 9, 50),
		 wita(2026, 3, 16, 10, 20), wita(2026, 3, 16, 11, 20)},
		{"over a weekend: 30 min Fri + 60 min Mon; warn already passed", 2,
		 wita(2026, 3, 13, 15, 0), wita(2026, 3, 13, 16, 0), wita(2026, 3, 13, 15, 30), wita(2026, 3, 16, 9, 0),
		 wita(2026, 3, 13, 15, 0), wita(2026, 3, 16, 9, 30)},
		{"due inside the pause: 30 min were left, so resume + 30 min", 2,
		 wita(2026, 3, 13, 15, 0), wita(2026, 3, 13, 16, 0), wita(2026, 3, 13, 15, 30), wita(2026, 3, 16, 10, 0),
		 wita(2026, 3, 13, 15, 0), wita(2026, 3, 16, 10, 30)},
		{"pause after the due time: nothing moves", 2,
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 11, 0), wita(2026, 3, 16, 11, 30), wita(2026, 3, 16, 12, 0),
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 11, 0)},
		{"pause wholly outside office hours: nothing moves", 2,
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 11, 0), wita(2026, 3, 14, 9, 0), wita(2026, 3, 15, 17, 0),
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 11, 0)},
		{"across the holiday run: 2h Tue 17th + 1h Mon 30th; 1h was left", 2,
		 wita(2026, 3, 17, 14, 30), wita(2026, 3, 17, 15, 0), wita(2026, 3, 17, 14, 0), wita(2026, 3, 30, 9, 0),
		 wita(2026, 3, 30, 9, 30), wita(2026, 3, 30, 10, 0)},
		{"working days: a 2-day pause moves both by 16 office hours", 4,
		 wita(2026, 3, 9, 10, 0), wita(2026, 3, 11, 10, 0), wita(2026, 3, 4, 10, 0), wita(2026, 3, 6, 10, 0),
		 wita(2026, 3, 11, 10, 0), wita(2026, 3, 13, 10, 0)},
		{"warn exactly at the pause start has fired: kept; due there has not: moved", 2,
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 10, 5),
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 10, 5)},
		{"resume before the start: nothing moves", 2,
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 11, 0), wita(2026, 3, 16, 9, 30), wita(2026, 3, 16, 9, 0),
		 wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 11, 0)},
		{"calendar clock: two elapsed days, office hours irrelevant", 0,
		 wita(2026, 3, 13, 16, 30), wita(2026, 3, 14, 15, 30), wita(2026, 3, 13, 16, 0), wita(2026, 3, 15, 16, 0),
		 wita(2026, 3, 15, 16, 30), wita(2026, 3, 16, 15, 30)},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct sla_step_policy p = cases[i].step ? policy(cases[i].step) : calendar_policy();
		int64_t w, d;
		sla_resume(&cal_mak, &p, cases[i].warn, cases[i].due, cases[i].pause, cases[i].resume, &w, &d);
		ck_assert_msg(w == cases[i].new_warn, "%s: warn off by %" PRId64, cases[i].what, w - cases[i].new_warn);
		ck_assert_msg(d == cases[i].new_due, "%s: due off by %" PRId64, cases[i].what, d - cases[i].new_due);
	}
}
END_TEST

/* Several pauses, applied in turn, as the server does on each resume. */
START_TEST(test_sla_several_pauses)
{
	struct sla_step_policy p = policy(2);
	int64_t start = wita(2026, 3, 16, 9, 0), warn, due;
	sla_deadlines(&cal_mak, &p, start, &warn, &due);
	ck_assert(warn == wita(2026, 3, 16, 10, 0) && due == wita(2026, 3, 16, 11, 0));
	/* 09:10-09:20: both +10 min. */
	sla_resume(&cal_mak, &p, warn, due, wita(2026, 3, 16, 9, 10), wita(2026, 3, 16, 9, 20), &warn, &due);
	ck_assert(warn == wita(2026, 3, 16, 10, 10) && due == wita(2026, 3, 16, 11, 10));
	/* 10:30 to Tue 08:30: warn passed; 40 min were left to due, so 09:10. */
	sla_resume(&cal_mak, &p, warn, due, wita(2026, 3, 16, 10, 30), wita(2026, 3, 17, 8, 30), &warn, &due);
	ck_assert(warn == wita(2026, 3, 16, 10, 10));
	ck_assert(due == wita(2026, 3, 17, 9, 10));
	/* Elapsed office time up to the due time, both pauses excluded, is
	 * the policy's two hours. */
	struct sla_pause pauses[] = {{wita(2026, 3, 16, 9, 10), wita(2026, 3, 16, 9, 20)},
				     {wita(2026, 3, 16, 10, 30), wita(2026, 3, 17, 8, 30)}};
	ck_assert_int_eq(sla_elapsed(&cal_mak, &p, start, due, pauses, 2), 7200);
}
END_TEST

/* Property: what was left of the clock at the pause is left at the resume,
 * and sla_elapsed at the new due time is the policy's full duration. */
START_TEST(test_sla_resume_property)
{
	rng_state = 2024;
	const struct calendar *cals[] = {&cal_mak, &cal_ber, &cal_ny, &cal_bers};
	for (int trial = 0; trial < 2000; trial++) {
		const struct calendar *c = cals[trial % NELEM(cals)];
		struct sla_step_policy p = trial % 5 == 4 ? calendar_policy() : policy(2 + trial % 3);
		int64_t start = rng_range(1704067200, 1767225600); /* 2024..2025 */
		int64_t warn, due;
		sla_deadlines(c, &p, start, &warn, &due);
		int64_t ps = start + rng_range(0, 20 * 86400);
		int64_t pe = ps + rng_range(0, 10 * 86400);
		int64_t nw, nd;
		sla_resume(c, &p, warn, due, ps, pe, &nw, &nd);
		QUICK(nw >= warn && nd >= due);
		if (due >= ps) {
			QUICK_EQ(sla_remaining(c, &p, ps, due), sla_remaining(c, &p, pe, nd));
			struct sla_pause pause = {ps, pe};
			int64_t full = sla_elapsed(c, &p, start, due, NULL, 0);
			QUICK_EQ(sla_elapsed(c, &p, start, nd, &pause, 1), full);
		} else {
			QUICK_EQ(nd, due);
		}
		if (warn <= ps)
			QUICK_EQ(nw, warn);
	}
}
END_TEST

START_TEST(test_sla_elapsed)
{
	struct sla_step_policy p = policy(2);
	int64_t start = wita(2026, 3, 16, 9, 0), until = wita(2026, 3, 17, 10, 0);
	/* Office time Mon 09-16 (7h) + Tue 08-10 (2h) = 9h; pauses 5h and an
	 * open one from Tue 09:30 (30 min). */
	struct sla_pause pauses[] = {{wita(2026, 3, 16, 10, 0), wita(2026, 3, 16, 15, 0)},
				     {wita(2026, 3, 17, 9, 30), 0}};
	ck_assert_int_eq(sla_elapsed(&cal_mak, &p, start, until, NULL, 0), 9 * 3600);
	ck_assert_int_eq(sla_elapsed(&cal_mak, &p, start, until, pauses, 2), 3 * 3600 + 1800);
	ck_assert_int_eq(sla_elapsed(&cal_mak, &p, until, start, pauses, 2), 0);
	ck_assert_int_eq(sla_elapsed(&cal_mak, &p, start, start, NULL, 0), 0);
	/* Parts of pauses outside [start, until) do not count. */
	struct sla_pause edge[] = {{start - 3600, start + 1800}, {until - 600, until + 86400}};
	ck_assert_int_eq(sla_elapsed(&cal_mak, &p, start, until, edge, 2), 9 * 3600 - 1800 - 600);
	/* Calendar clock: Fri 15:30 to Mon 15:30 is 3 days; a pause covering
	 * Saturday leaves 2. */
	struct sla_step_policy cp = calendar_policy();
	struct sla_pause sat = {wita(2026, 3, 14, 0, 0), wita(2026, 3, 15, 0, 0)};
	ck_assert_int_eq(sla_elapsed(&cal_mak, &cp, wita(2026, 3, 13, 15, 30), wita(2026, 3, 16, 15, 30), &sat, 1),
			 2 * 86400);
	/* Working days count office time too. */
	struct sla_step_policy wd = policy(4);
	ck_assert_int_eq(sla_elapsed(&cal_mak, &wd, wita(2026, 3, 13, 15, 30), wita(2026, 3, 16, 9, 30), NULL, 0),
			 7200);
}
END_TEST

START_TEST(test_sla_remaining)
{
	struct sla_step_policy p = policy(2), cp = calendar_policy();
	ck_assert_int_eq(sla_remaining(&cal_mak, &p, wita(2026, 3, 16, 10, 30), wita(2026, 3, 16, 11, 0)), 1800);
	ck_assert_int_eq(sla_remaining(&cal_mak, &p, wita(2026, 3, 16, 11, 30), wita(2026, 3, 16, 11, 0)), -1800);
	ck_assert_int_eq(sla_remaining(&cal_mak, &p, wita(2026, 3, 16, 15, 0), wita(2026, 3, 17, 9, 0)), 7200);
	ck_assert_int_eq(sla_remaining(&cal_mak, &p, wita(2026, 3, 17, 9, 0), wita(2026, 3, 16, 15, 0)), -7200);
	ck_assert_int_eq(sla_remaining(&cal_mak, &p, wita(2026, 3, 16, 11, 0), wita(2026, 3, 16, 11, 0)), 0);
	ck_assert_int_eq(sla_remaining(&cal_mak, &cp, wita(2026, 3, 16, 15, 0), wita(2026, 3, 17, 9, 0)), 18 * 3600);
	ck_assert_int_eq(sla_remaining(&cal_mak, &cp, wita(2026, 3, 17, 9, 0), wita(2026, 3, 16, 15, 0)), -18 * 3600);
}
END_TEST

static const struct {
	int64_t now, warn, due, completed;
	bool paused;
	enum sla_state want;
} classify[] = {
	{100, 200, 300, 0, false, SLA_ON_TIME},
	{199, 200, 300, 0, false, SLA_ON_TIME},
	{200, 200, 300, 0, false, SLA_WARNING},      /* warn fires at warn_at */
	{300, 200, 300, 0, false, SLA_WARNING},      /* at due_at: not yet breached */
	{301, 200, 300, 0, false, SLA_BREACHED},
	{100, 200, 300, 0, true, SLA_PAUSED},
	{250, 200, 300, 0, true, SLA_PAUSED},
	{301, 200, 300, 0, true, SLA_BREACHED},      /* breached before the pause */
	{999, 200, 300, 300, false, SLA_DONE_ON_TIME}, /* done at due_at is on time */
	{999, 200, 300, 250, false, SLA_DONE_ON_TIME},
	{999, 200, 300, 301, false, SLA_DONE_LATE},
	{100, 200, 300, 150, true, SLA_DONE_ON_TIME},
	{100, 200, 300, 400, true, SLA_DONE_LATE},
};

START_TEST(test_sla_classify)
{
	ck_assert_int_eq(sla_classify(classify[_i].now, classify[_i].warn, classify[_i].due, classify[_i].completed,
				      classify[_i].paused),
			 classify[_i].want);
}
END_TEST

START_TEST(test_sla_state_names)
{
	static const char *const names[] = {"on_time", "warning", "breached", "paused", "done_on_time", "done_late"};
	enum sla_state s;
	for (int i = 0; i < 6; i++) {
		ck_assert_str_eq(sla_state_name((enum sla_state)i), names[i]);
		ck_assert(sla_state_from_name(names[i], &s) && (int)s == i);
	}
	ck_assert_ptr_null(sla_state_name((enum sla_state)6));
	ck_assert(!sla_state_from_name("late", &s));
	ck_assert(!sla_state_from_name(NULL, &s));
}
END_TEST

static const struct {
	int64_t values[10];
	size_t n;
	double p, want;
} percentiles[] = {
	/* Linear between closest ranks (numpy.percentile's default,
	 * PostgreSQL's percentile_cont), worked by hand: rank = p * (n - 1). */
	{{5}, 1, 0.5, 5},
	{{5}, 1, 0.9, 5},
	{{1, 2}, 2, 0.5, 1.5},
	{{4, 1, 3, 2}, 4, 0.5, 2.5},
	{{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, 0.9, 9.1}, /* rank 8.1: 9 + 0.1 */
	{{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, 0.5, 5.5},
	{{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, 0.0, 1},
	{{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, 1.0, 10},
	{{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, -1.0, 1},  /* clamped */
	{{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, 2.0, 10},
	{{10, 20, 30}, 3, 0.25, 15},
	{{86400, 3600, 7200}, 3, 0.5, 7200},
	{{-5, 5}, 2, 0.5, 0},
};

START_TEST(test_sla_percentile)
{
	int64_t v[10];
	memcpy(v, percentiles[_i].values, sizeof v);
	double got = sla_percentile(v, percentiles[_i].n, percentiles[_i].p);
	ck_assert_msg(fabs(got - percentiles[_i].want) < 1e-9, "row %d: %g", _i, got);
	for (size_t k = 1; k < percentiles[_i].n; k++)
		ck_assert(v[k - 1] <= v[k]); /* sorted in place */
}
END_TEST

START_TEST(test_sla_median)
{
	int64_t v[] = {300, 100, 200};
	ck_assert(isnan(sla_percentile(v, 0, 0.5)));
	ck_assert(isnan(sla_median(NULL, 0)));
	ck_assert(sla_median(v, 3) == 200);
	ck_assert(sla_percentile(v, 3, NAN) == 100);
	int64_t big[] = {INT64_MAX / 2, INT64_MAX / 2};
	ck_assert(sla_median(big, 2) == (double)(INT64_MAX / 2));
}
END_TEST


/* ---- rules added for a newcomer's findings -------------------------------- */

/* A working_time policy with a day part is refused when published. */
START_TEST(test_sla_policy_fault)
{
	struct sla_step_policy p = {.step = 2, .clock = CAL_WORKING_TIME};
	p.warn_after = (struct duration){0, 3600};
	p.due_after = (struct duration){0, 7200};
	ck_assert_ptr_null(sla_policy_fault(&p));
	p.due_after = (struct duration){2, 0};
	ck_assert_str_eq(sla_policy_fault(&p), "due_after");
	p.warn_after = (struct duration){1, 3600};
	ck_assert_str_eq(sla_policy_fault(&p), "warn_after");
	p.clock = CAL_WORKING_DAYS;
	ck_assert_ptr_null(sla_policy_fault(&p));
	p.clock = CAL_CALENDAR;
	ck_assert_ptr_null(sla_policy_fault(&p));
}
END_TEST

/* The case: PT8H9M43S on working_time from Mon 2027-06-21 16:00:01
 * WITA; with 2027-06-22..25 holidays the due is Tue 06-29 08:09:43, not the
 * Wed 06-23 08:09:43 computed before the holidays. */
START_TEST(test_sla_recompute_under_new_holidays)
{
	static const int32_t holidays[] = {20991, 20992, 20993, 20994};
	struct calendar none = {&z_mak, MON_FRI(H(8, 0), H(16, 0)), NULL, 0};
	struct calendar with = {&z_mak, MON_FRI(H(8, 0), H(16, 0)), holidays, 4};
	struct sla_step_policy p = {.step = 2, .clock = CAL_WORKING_TIME, .pause_on_pd = true};
	p.warn_after = (struct duration){0, 3600};
	p.due_after = (struct duration){0, 8 * 3600 + 9 * 60 + 43};
	int64_t warn, due;
	sla_recompute(&none, &p, 1813564801, NULL, 0, &warn, &due);
	ck_assert_int_eq(due, 1813709383);
	sla_recompute(&with, &p, 1813564801, NULL, 0, &warn, &due);
	ck_assert_int_eq(due, 1814227783);
	/* a finished pause pushes the deadlines; a running one does not (yet) */
	struct sla_pause pauses[] = {{1773619200, 1773626400}}; /* Mon 2026-03-16 08:00-10:00 WITA */
	p.due_after = (struct duration){0, 7200};
	sla_recompute(&none, &p, 1773619200, pauses, 1, &warn, &due);
	ck_assert_int_eq(warn, 1773630000); /* 09:00 pushed by two office hours: 11:00 */
	ck_assert_int_eq(due, 1773633600);  /* 10:00 pushed: 12:00 */
	pauses[0].end = 0;
	sla_recompute(&none, &p, 1773619200, pauses, 1, &warn, &due);
	ck_assert_int_eq(due, 1773626400); /* 10:00 */
}
END_TEST

/* The summary's period: to defaults to today, from to 29 days before to. */
START_TEST(test_sla_period)
{
	char from[11], to[11];
	/* 2026-12-01 23:40 UTC is 2026-12-02 07:40 WITA */
	sla_period(&z_mak, 1796168400, NULL, NULL, from, to);
	ck_assert_str_eq(to, "2026-12-02");
	ck_assert_str_eq(from, "2026-11-03");
	sla_period(&z_mak, 1796168400, NULL, "2026-03-01", from, to);
	ck_assert_str_eq(from, "2026-01-31");
	ck_assert_str_eq(to, "2026-03-01");
	sla_period(&z_mak, 1796168400, "2026-01-01", NULL, from, to);
	ck_assert_str_eq(from, "2026-01-01");
	ck_assert_str_eq(to, "2026-12-02");
	sla_period(&z_mak, 1796168400, "2024-02-01", "2024-02-29", from, to);
	ck_assert_str_eq(from, "2024-02-01");
	ck_assert_str_eq(to, "2024-02-29");
}
END_TEST

/* Delay attribution in agreed follows the Berita Acara: the Kasi until it
 * is sent, then both signatories (split) until one signs, then the other. */
START_TEST(test_sla_attribute_agreed)
{
	/* Mon 2026-03-16 WITA: agreed 08:00, sent 10:00, Kepala Dinas signs 12:00, still open at 13:00 */
	int64_t per[WF_PARTY_COUNT] = {0};
	sla_attribute(&cal_mak, WF_AGREED, 1773619200, 1773637200, 1773626400, 1773633600, 0, per);
	ck_assert_int_eq(per[WF_PARTY_KASI_TEAM], 7200);
	ck_assert_int_eq(per[WF_PARTY_KEPALA_DINAS], 3600);
	ck_assert_int_eq(per[WF_PARTY_PD], 3600 + 3600);
	int64_t total = 0;
	for (int i = 0; i < WF_PARTY_COUNT; i++)
		total += per[i];
	ck_assert_int_eq(total, cal_measure(&cal_mak, 1773619200, 1773637200));
	/* the PD signs first: the Kepala Dinas is charged after */
	memset(per, 0, sizeof per);
	sla_attribute(&cal_mak, WF_AGREED, 1773619200, 1773637200, 1773626400, 0, 1773633600, per);
	ck_assert_int_eq(per[WF_PARTY_KEPALA_DINAS], 3600 + 3600);
	ck_assert_int_eq(per[WF_PARTY_PD], 3600);
	/* an odd second of a shared span goes to the Kepala Dinas */
	memset(per, 0, sizeof per);
	sla_attribute(&cal_mak, WF_AGREED, 1773626400, 1773626401 + 2, 1773619200, 0, 0, per);
	ck_assert_int_eq(per[WF_PARTY_KEPALA_DINAS], 2);
	ck_assert_int_eq(per[WF_PARTY_PD], 1);
	/* any other state: its one party */
	memset(per, 0, sizeof per);
	sla_attribute(&cal_mak, WF_DISPOSED, 1773619200, 1773626400, 0, 0, 0, per);
	ck_assert_int_eq(per[WF_PARTY_KABID], 7200);
	sla_attribute(&cal_mak, WF_COMPLETED, 1773619200, 1773626400, 0, 0, 0, per);
	ck_assert_int_eq(per[WF_PARTY_KABID], 7200);
}
END_TEST

static Suite *sla_suite(void)
{
	Suite *s = suite_create("sla");
	TCase *tc = tcase_create("sla");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sla_defaults);
	tcase_add_test(tc, test_sla_deadlines);
	tcase_add_test(tc, test_sla_resume);
	tcase_add_test(tc, test_sla_several_pauses);
	tcase_add_test(tc, test_sla_resume_property);
	tcase_add_test(tc, test_sla_elapsed);
	tcase_add_test(tc, test_sla_remaining);
	tcase_add_loop_test(tc, test_sla_classify, 0, (int)NELEM(classify));
	tcase_add_test(tc, test_sla_state_names);
	tcase_add_loop_test(tc, test_sla_percentile, 0, (int)NELEM(percentiles));
	tcase_add_test(tc, test_sla_median);
	tcase_add_test(tc, test_sla_policy_fault);
	tcase_add_test(tc, test_sla_recompute_under_new_holidays);
	tcase_add_test(tc, test_sla_period);
	tcase_add_test(tc, test_sla_attribute_agreed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	load_zone("Asia/Makassar", &z_mak);
	load_zone("Europe/Berlin", &z_ber);
	load_zone("America/New_York", &z_ny);
	load_zone("UTC", &z_utc);
	SRunner *sr = srunner_create(tz_suite());
	srunner_add_suite(sr, duration_suite());
	srunner_add_suite(sr, calendar_suite());
	srunner_add_suite(sr, sla_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tz_cleanup(&z_mak);
	tz_cleanup(&z_ber);
	tz_cleanup(&z_ny);
	tz_cleanup(&z_utc);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
