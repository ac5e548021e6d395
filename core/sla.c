/* sla.c — SLA policy defaults and the deadline arithmetic over calendar.h.
 * Each function is a few lines on top of cal_add / cal_measure: the one
 * place that knows what a clock means is calendar.c; this file only decides
 * which span is measured and which deadline moves. */
#include "core/sla.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sla_default_policy(int step, struct sla_step_policy *out)
{
	struct sla_step_policy p = {.step = step, .pause_on_pd = true};
	switch (step) {
	case 2:
		p.warn_after = (struct duration){0, 3600};
		p.due_after = (struct duration){0, 7200};
		p.clock = CAL_WORKING_TIME;
		break;
	case 3:
		p.warn_after = (struct duration){0, 2700};
		p.due_after = (struct duration){0, 3600};
		p.clock = CAL_WORKING_TIME;
		break;
	case 4:
	case 5:
	case 6:
	case 7:
		p.warn_after = (struct duration){5, 0};
		p.due_after = (struct duration){7, 0};
		p.clock = CAL_WORKING_DAYS;
		break;
	default:
		return false;
	}
	*out = p;
	return true;
}

const char *sla_policy_fault(const struct sla_step_policy *p)
{
	if (p->clock != CAL_WORKING_TIME)
		return NULL;
	if (p->warn_after.days > 0)
		return "warn_after";
	if (p->due_after.days > 0)
		return "due_after";
	return NULL;
}

void sla_deadlines(const struct calendar *c, const struct sla_step_policy *p, int64_t started_at,
		   int64_t *warn_at, int64_t *due_at)
{
	*warn_at = cal_add(c, started_at, p->clock, &p->warn_after);
	*due_at = cal_add(c, started_at, p->clock, &p->due_after);
}

/* Clock time in [from, to). */
static int64_t span(const struct calendar *c, enum cal_clock clock, int64_t from, int64_t to)
{
	if (to <= from)
		return 0;
	return clock == CAL_CALENDAR ? to - from : cal_measure(c, from, to);
}

static int64_t push(const struct calendar *c, enum cal_clock clock, int64_t deadline, int64_t by)
{
	if (by <= 0 || deadline == CAL_NEVER)
		return deadline;
	return clock == CAL_CALENDAR ? deadline + by : cal_add_office(c, deadline, by);
}

void sla_resume(const struct calendar *c, const struct sla_step_policy *p, int64_t warn_at, int64_t due_at,
		int64_t pause_start, int64_t resume_at, int64_t *new_warn, int64_t *new_due)
{
	int64_t by = span(c, p->clock, pause_start, resume_at);
	*new_warn = warn_at > pause_start ? push(c, p->clock, warn_at, by) : warn_at;
	*new_due = due_at >= pause_start ? push(c, p->clock, due_at, by) : due_at;
}

void sla_recompute(const struct calendar *c, const struct sla_step_policy *p, int64_t started_at,
		   const struct sla_pause *pauses, size_t n, int64_t *warn_at, int64_t *due_at)
{
	sla_deadlines(c, p, started_at, warn_at, due_at);
	for (size_t k = 0; k < n; k++)
		if (pauses[k].end)
			sla_resume(c, p, *warn_at, *due_at, pauses[k].start, pauses[k].end, warn_at, due_at);
}

int64_t sla_elapsed(const struct calendar *c, const struct sla_step_policy *p, int64_t started_at, int64_t until,
		    const struct sla_pause *pauses, size_t n)
{
	int64_t total = span(c, p->clock, started_at, until);
	int64_t counted_to = started_at; /* pauses before this are subtracted */
	for (size_t i = 0; i < n && total > 0; i++) {
		int64_t s = pauses[i].start > counted_to ? pauses[i].start : counted_to;
		int64_t e = pauses[i].end == 0 || pauses[i].end > until ? until : pauses[i].end;
		if (e > s) {
			total -= span(c, p->clock, s, e);
			counted_to = e;
		}
	}
	return total > 0 ? total : 0;
}

int64_t sla_remaining(const struct calendar *c, const struct sla_step_policy *p, int64_t now, int64_t due_at)
{
	if (now <= due_at)
		return span(c, p->clock, now, due_at);
	return -span(c, p->clock, due_at, now);
}

enum sla_state sla_classify(int64_t now, int64_t warn_at, int64_t due_at, int64_t completed_at, bool paused)
{
	if (completed_at != 0)
		return completed_at <= due_at ? SLA_DONE_ON_TIME : SLA_DONE_LATE;
	if (now > due_at)
		return SLA_BREACHED;
	if (paused)
		return SLA_PAUSED;
	if (now >= warn_at)
		return SLA_WARNING;
	return SLA_ON_TIME;
}

static void date_text(int64_t day, char out[11])
{
	int64_t y;
	int m, d;
	tz_civil_from_days(day, &y, &m, &d);
	char buf[32];
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)(y % 10000), m % 100, d % 100);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

static int64_t day_of_text(const char *s)
{
	return tz_days_from_civil(atoi(s), atoi(s + 5), atoi(s + 8));
}

void sla_period(const struct tz *z, int64_t now, const char *from, const char *to, char out_from[11],
		char out_to[11])
{
	int64_t last = to ? day_of_text(to) : tz_floor_div(tz_local_seconds(z, now), 86400);
	int64_t first = from ? day_of_text(from) : last - (SLA_DEFAULT_PERIOD_DAYS - 1);
	date_text(first, out_from);
	date_text(last, out_to);
}

/* The instants inside (from, to) where the Berita Acara's progress changes,
 * ascending, into cut[]; returns how many. */
static size_t cuts(int64_t from, int64_t to, const int64_t at[3], int64_t cut[3])
{
	size_t n = 0;
	for (int i = 0; i < 3; i++)
		if (at[i] > from && at[i] < to)
			cut[n++] = at[i];
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && cut[k - 1] > cut[k]; k--) {
			int64_t t = cut[k];
			cut[k] = cut[k - 1];
			cut[k - 1] = t;
		}
	return n;
}

void sla_attribute(const struct calendar *c, enum wf_state s, int64_t from, int64_t to, int64_t sent_at,
		   int64_t kd_signed_at, int64_t pd_signed_at, int64_t per_party[WF_PARTY_COUNT])
{
	if (to <= from)
		return;
	if (s != WF_AGREED) {
		enum wf_party p = wf_waiting_party(s);
		if (p != WF_PARTY_NONE)
			per_party[p] += cal_measure(c, from, to);
		return;
	}
	const int64_t at[3] = {sent_at, kd_signed_at, pd_signed_at};
	int64_t cut[3];
	size_t n = cuts(from, to, at, cut);
	int64_t a = from;
	for (size_t i = 0; i <= n; i++) {
		int64_t b = i < n ? cut[i] : to;
		/* the progress in force during [a, b) */
		struct wf_ba_progress ba = {
			.sent = sent_at && sent_at <= a,
			.kepala_dinas_signed = kd_signed_at && kd_signed_at <= a,
			.pd_signed = pd_signed_at && pd_signed_at <= a,
		};
		enum wf_party who[2];
		size_t k = wf_agreed_waiting(&ba, who);
		int64_t secs = cal_measure(c, a, b);
		if (k == 1) {
			per_party[who[0]] += secs;
		} else if (k == 2) {
			per_party[who[0]] += secs - secs / 2;
			per_party[who[1]] += secs / 2;
		}
		a = b;
	}
}

static const char *const state_names[] = {
	[SLA_ON_TIME] = "on_time",
	[SLA_WARNING] = "warning",
	[SLA_BREACHED] = "breached",
	[SLA_PAUSED] = "paused",
	[SLA_DONE_ON_TIME] = "done_on_time",
	[SLA_DONE_LATE] = "done_late",
};

const char *sla_state_name(enum sla_state s)
{
	if ((unsigned)s >= sizeof state_names / sizeof state_names[0])
		return NULL;
	return state_names[s];
}

bool sla_state_from_name(const char *name, enum sla_state *out)
{
	for (size_t i = 0; name && i < sizeof state_names / sizeof state_names[0]; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum sla_state)i;
			return true;
		}
	}
	return false;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

double sla_percentile(int64_t *values, size_t n, double p)
{
	if (n == 0)
		return NAN;
	if (!(p > 0))  /* also NaN */
		p = 0;
	if (p > 1)
		p = 1;
	qsort(values, n, sizeof *values, cmp_i64);
	double rank = p * (double)(n - 1);
	size_t lo = (size_t)rank;
	if (lo >= n - 1)
		return (double)values[n - 1];
	double frac = rank - (double)lo;
	return (double)values[lo] + frac * ((double)values[lo + 1] - (double)values[lo]);
}

double sla_median(int64_t *values, size_t n)
{
	return sla_percentile(values, n, 0.5);
}
