/* sla.c — SLA policy defaults and the deadline arithmetic over calendar.h.
 * Each function is a few lines on top of cal_add / cal_measure: the one
 * place that knows what a clock means is calendar.c; this file only decides
 * which span is measured and which deadline moves. */
#include "core/sla.h"

#include <math.h>
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
