/* tz.c — TZif parsing, POSIX TZ rules, and local <-> UTC conversion.
 *
 * The parser checks every count against the bytes actually present (in
 * 64-bit arithmetic, so hostile counts cannot overflow) before it reads, and
 * refuses anything RFC 9636 calls invalid that could mislead a later lookup:
 * transitions out of order, type indexes out of range, absurd offsets, a
 * leap-second table, a footer that does not parse. A lookup is a binary
 * search over the transitions, or the footer rule evaluated for the year
 * (in local standard time) of the instant: no table of future transitions
 * is ever generated, so the zone is small and lookups never allocate.
 */
#include "core/tz.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define MAX_UTOFF 93600 /* 26 hours: beyond any offset RFC 9636 allows */

/* --- civil dates ----------------------------------------------------------- */

int64_t tz_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t tz_days_from_civil(int64_t y, int m, int d)
{
	int64_t mm = (int64_t)m - 1;
	int64_t carry = tz_floor_div(mm, 12);
	y += carry;
	mm -= carry * 12;                 /* 0..11 = January..December */
	int64_t mp = mm >= 2 ? mm - 2 : mm + 10; /* March-based month 0..11 */
	if (mm < 2)
		y--;
	int64_t era = tz_floor_div(y, 400);
	int64_t yoe = y - era * 400;      /* 0..399 */
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = tz_floor_div(z, 146097);
	int64_t doe = z - era * 146097;   /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int tz_weekday(int64_t days)
{
	int64_t w = (days + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static int64_t clamp_instant(int64_t t)
{
	if (t < TZ_INSTANT_MIN)
		return TZ_INSTANT_MIN;
	if (t > TZ_INSTANT_MAX)
		return TZ_INSTANT_MAX;
	return t;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* --- POSIX TZ rules -------------------------------------------------------- */

/* Local day number of a rule date in year y. */
static int64_t rule_day(const struct tz_rule_date *r, int64_t y)
{
	int64_t jan1 = tz_days_from_civil(y, 1, 1);
	switch (r->kind) {
	case 'J':
		return jan1 + r->day - 1 + (is_leap(y) && r->day >= 60);
	case 'n':
		return jan1 + r->day;
	default: {
		int64_t first = tz_days_from_civil(y, r->month, 1);
		int64_t mlen = tz_days_from_civil(y, r->month + 1, 1) - first;
		int64_t off = (r->wday - tz_weekday(first) + 7) % 7 + (int64_t)(r->week - 1) * 7;
		while (off >= mlen)
			off -= 7;
		return first + off;
	}
	}
}

static int32_t rule_offset(const struct tz_rule *r, int64_t utc)
{
	if (!r->has_dst)
		return r->std_off;
	int64_t y;
	int m, d;
	tz_civil_from_days(tz_floor_div(utc + r->std_off, DAY), &y, &m, &d);
	int64_t s = rule_day(&r->start, y) * DAY + r->start.time - r->std_off;
	int64_t e = rule_day(&r->end, y) * DAY + r->end.time - r->dst_off;
	if (s < e)
		return utc >= s && utc < e ? r->dst_off : r->std_off;
	if (s > e)
		return utc >= e && utc < s ? r->std_off : r->dst_off;
	return r->std_off;
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A zone abbreviation: three or more letters, or <...> of letters, digits,
 * '+' and '-'. */
static bool parse_name(const char **sp)
{
	const char *s = *sp;
	size_t n = 0;
	if (*s == '<') {
		s++;
		while (is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-') {
			s++;
			n++;
		}
		if (*s != '>' || n < 1)
			return false;
		*sp = s + 1;
		return true;
	}
	while (is_alpha(*s)) {
		s++;
		n++;
	}
	if (n < 3)
		return false;
	*sp = s;
	return true;
}

static bool parse_num(const char **sp, int maxdigits, int max, int *out)
{
	const char *s = *sp;
	int v = 0, n = 0;
	while (is_digit(*s) && n < maxdigits) {
		v = v * 10 + (*s - '0');
		s++;
		n++;
	}
	if (n == 0 || is_digit(*s) || v > max)
		return false;
	*out = v;
	*sp = s;
	return true;
}

/* [+-]hh[:mm[:ss]], hh up to maxh; returns signed seconds. */
static bool parse_hms(const char **sp, int maxh, int32_t *out)
{
	const char *s = *sp;
	int sign = 1, h, m = 0, sec = 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!parse_num(&s, 3, maxh, &h))
		return false;
	if (*s == ':') {
		s++;
		if (!parse_num(&s, 2, 59, &m))
			return false;
		if (*s == ':') {
			s++;
			if (!parse_num(&s, 2, 59, &sec))
				return false;
		}
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	*sp = s;
	return true;
}

static bool parse_date(const char **sp, struct tz_rule_date *r)
{
	const char *s = *sp;
	memset(r, 0, sizeof *r);
	if (*s == 'J') {
		s++;
		r->kind = 'J';
		if (!parse_num(&s, 3, 365, &r->day) || r->day < 1)
			return false;
	} else if (*s == 'M') {
		s++;
		r->kind = 'M';
		if (!parse_num(&s, 2, 12, &r->month) || r->month < 1 || *s++ != '.')
			return false;
		if (!parse_num(&s, 1, 5, &r->week) || r->week < 1 || *s++ != '.')
			return false;
		if (!parse_num(&s, 1, 6, &r->wday))
			return false;
	} else {
		r->kind = 'n';
		if (!parse_num(&s, 3, 365, &r->day))
			return false;
	}
	r->time = 7200;
	if (*s == '/') {
		s++;
		if (!parse_hms(&s, 167, &r->time))
			return false;
	}
	*sp = s;
	return true;
}

/* Parses a POSIX TZ string (the TZif footer) into *r. */
static bool parse_rule(const char *s, struct tz_rule *r)
{
	int32_t off;
	memset(r, 0, sizeof *r);
	if (!parse_name(&s) || !parse_hms(&s, 24, &off))
		return false;
	r->std_off = -off;
	if (*s == '\0')
		return true;
	if (!parse_name(&s))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (!parse_hms(&s, 24, &off))
			return false;
		r->dst_off = -off;
	}
	if (*s == '\0') {
		/* No dates: the POSIX default is implementation-defined; tzcode
		 * and glibc use the US rules, and so do we. */
		r->start = (struct tz_rule_date){.kind = 'M', .month = 3, .week = 2, .wday = 0, .time = 7200};
		r->end = (struct tz_rule_date){.kind = 'M', .month = 11, .week = 1, .wday = 0, .time = 7200};
		return true;
	}
	if (*s++ != ',' || !parse_date(&s, &r->start) || *s++ != ',' || !parse_date(&s, &r->end))
		return false;
	return *s == '\0';
}

/* --- TZif ------------------------------------------------------------------ */

struct header {
	char version; /* '\0', '2', '3', '4' */
	uint64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint64_t be32(const unsigned char *p)
{
	return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | (uint64_t)p[3];
}

static int64_t be64s(const unsigned char *p)
{
	uint64_t v = be32(p) << 32 | be32(p + 4);
	return v > (uint64_t)INT64_MAX ? -(int64_t)(~v) - 1 : (int64_t)v;
}

static int64_t be32s(const unsigned char *p)
{
	uint64_t v = be32(p);
	return v > 0x7fffffffu ? (int64_t)v - 0x100000000LL : (int64_t)v;
}

static bool read_header(const unsigned char *d, size_t len, size_t off, struct header *h)
{
	if (len < off || len - off < 44 || memcmp(d + off, "TZif", 4) != 0)
		return false;
	const unsigned char *p = d + off;
	h->version = (char)p[4];
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return true;
}

/* Bytes of the data block that follows a header, with tsize-byte times. */
static uint64_t block_size(const struct header *h, unsigned tsize)
{
	return h->timecnt * tsize + h->timecnt + h->typecnt * 6 + h->charcnt +
	       h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

static bool invalid(struct tz *z, struct err *e, const char *why)
{
	tz_cleanup(z);
	return err_set(e, ERR_INVALID, "tz.invalid_tzif", "The time zone data is invalid: %s.", why);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

bool tz_parse(struct tz *z, const unsigned char *data, size_t len, struct err *e)
{
	struct header h;
	size_t off = 0;
	unsigned tsize = 4;
	memset(z, 0, sizeof *z);
	if (!data || !read_header(data, len, 0, &h))
		return invalid(z, e, "no TZif header");
	if (h.version != '\0' && (h.version < '2' || h.version > '4'))
		return invalid(z, e, "unknown version");
	if (h.version != '\0') {
		/* Skip the 32-bit block: the 64-bit one that follows is complete. */
		uint64_t v1 = block_size(&h, 4);
		if (v1 > len - 44)
			return invalid(z, e, "truncated data");
		off = 44 + (size_t)v1;
		if (!read_header(data, len, off, &h))
			return invalid(z, e, "truncated second header");
		tsize = 8;
	}
	off += 44;
	if (block_size(&h, tsize) > len - off)
		return invalid(z, e, "truncated data");
	if (h.typecnt == 0 || h.typecnt > 256 || h.charcnt == 0)
		return invalid(z, e, "no local time types");
	if (h.leapcnt != 0)
		return invalid(z, e, "leap-second zones are not supported");
	if ((h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt))
		return invalid(z, e, "inconsistent counts");

	const unsigned char *p = data + off;
	z->ntimes = (size_t)h.timecnt;
	z->ntypes = (size_t)h.typecnt;
	z->times = h.timecnt ? xcalloc(z->ntimes, sizeof *z->times) : NULL;
	z->idx = h.timecnt ? xcalloc(z->ntimes, sizeof *z->idx) : NULL;
	z->types = xcalloc(z->ntypes, sizeof *z->types);
	for (size_t i = 0; i < z->ntimes; i++, p += tsize) {
		z->times[i] = tsize == 8 ? be64s(p) : be32s(p);
		if (i > 0 && z->times[i] <= z->times[i - 1])
			return invalid(z, e, "transitions out of order");
	}
	for (size_t i = 0; i < z->ntimes; i++, p++) {
		if (*p >= h.typecnt)
			return invalid(z, e, "transition type out of range");
		z->idx[i] = *p;
	}
	for (size_t i = 0; i < z->ntypes; i++, p += 6) {
		int64_t utoff = be32s(p);
		if (utoff < -MAX_UTOFF || utoff > MAX_UTOFF || p[4] > 1 || p[5] >= h.charcnt)
			return invalid(z, e, "bad local time type");
		z->types[i].utoff = (int32_t)utoff;
		z->types[i].isdst = p[4] == 1;
	}
	p += h.charcnt + h.isstdcnt + h.isutcnt;
	off = (size_t)(p - data);

	if (h.version != '\0') {
		/* The footer: "\n" TZ-string "\n". */
		char buf[128];
		size_t n = 0;
		if (off >= len || data[off] != '\n')
			return invalid(z, e, "missing footer");
		for (off++; off < len && data[off] != '\n'; off++) {
			if (n + 1 >= sizeof buf || data[off] == '\0')
				return invalid(z, e, "bad footer");
			buf[n++] = (char)data[off];
		}
		if (off >= len)
			return invalid(z, e, "unterminated footer");
		buf[n] = '\0';
		if (n > 0) {
			if (!parse_rule(buf, &z->rule))
				return invalid(z, e, "footer is not a POSIX TZ string");
			z->has_rule = true;
		}
	}
	return true;
}

void tz_init_fixed(struct tz *z, int32_t offset)
{
	memset(z, 0, sizeof *z);
	if (offset < -MAX_UTOFF)
		offset = -MAX_UTOFF;
	if (offset > MAX_UTOFF)
		offset = MAX_UTOFF;
	z->has_rule = true;
	z->rule.std_off = offset;
}

void tz_cleanup(struct tz *z)
{
	if (!z)
		return;
	free(z->times);
	free(z->idx);
	free(z->types);
	memset(z, 0, sizeof *z);
}

/* --- lookups --------------------------------------------------------------- */

int32_t tz_offset(const struct tz *z, int64_t utc)
{
	utc = clamp_instant(utc);
	if (z->ntimes == 0 || utc >= z->times[z->ntimes - 1]) {
		if (z->has_rule)
			return rule_offset(&z->rule, utc);
		if (z->ntypes == 0)
			return 0;
		return z->types[z->ntimes ? z->idx[z->ntimes - 1] : 0].utoff;
	}
	if (utc < z->times[0])
		return z->types[0].utoff;
	size_t lo = 0, hi = z->ntimes - 1; /* times[lo] <= utc < times[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->times[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	return z->types[z->idx[lo]].utoff;
}

int64_t tz_local_seconds(const struct tz *z, int64_t utc)
{
	utc = clamp_instant(utc);
	return utc + tz_offset(z, utc);
}

void tz_to_local(const struct tz *z, int64_t utc, struct cal_local *out)
{
	utc = clamp_instant(utc);
	int32_t off = tz_offset(z, utc);
	int64_t local = utc + off;
	int64_t days = tz_floor_div(local, DAY);
	int64_t sod = local - days * DAY;
	int64_t y;
	tz_civil_from_days(days, &y, &out->m, &out->d);
	out->y = (int)y;
	out->hh = (int)(sod / 3600);
	out->mm = (int)(sod / 60 % 60);
	out->ss = (int)(sod % 60);
	out->wday = tz_weekday(days);
	out->days = (int32_t)days;
	out->offset = off;
}

/* Shared by the two readings of a wall time: they differ only in a gap. */
static int64_t local_to_utc(const struct tz *z, int64_t local, bool gap_to_end)
{
	local = clamp_instant(local);
	int32_t before = tz_offset(z, local - DAY);
	int32_t cand[3] = {before, tz_offset(z, local), tz_offset(z, local + DAY)};
	bool found = false;
	int64_t best = 0;
	for (int i = 0; i < 3; i++) {
		int64_t u = local - cand[i];
		if (tz_offset(z, u) == cand[i] && (!found || u < best)) {
			best = u;
			found = true;
		}
	}
	if (found)
		return best;
	/* local falls in a gap. Read with the offset before it, it lands past
	 * the transition, by as much as local is past the gap's start. */
	int64_t hi = local - before;
	if (!gap_to_end)
		return hi;
	/* The transition lies in (local - after, hi]: bisect for it. */
	int64_t lo = local - tz_offset(z, hi);
	if (lo >= hi || tz_offset(z, lo) != before)
		return hi;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (tz_offset(z, mid) == before)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

int64_t tz_local_to_utc(const struct tz *z, int64_t local)
{
	return local_to_utc(z, local, false);
}

int64_t tz_local_reached(const struct tz *z, int64_t local)
{
	return local_to_utc(z, local, true);
}

int64_t tz_from_local(const struct tz *z, const struct cal_local *in)
{
	int64_t days = tz_days_from_civil(in->y, in->m, in->d);
	int64_t local = days * DAY + (int64_t)in->hh * 3600 + (int64_t)in->mm * 60 + in->ss;
	return tz_local_to_utc(z, local);
}
