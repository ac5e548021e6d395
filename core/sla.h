/* sla.h — per-step SLA policy, deadlines, pauses and the SLA state.
 *
 * A step instance stores its warn_at and due_at; they are computed here when
 * the step starts (sla_deadlines) and pushed when a pause ends (sla_resume),
 * so the timer thread only compares instants. While a request waits on the
 * PD the step's clock is paused: on resume each deadline that was still
 * ahead moves later by the clock time that the pause took: office time for
 * the working clocks, elapsed seconds for the calendar clock. Equivalently,
 * the clock time left before the deadline at the pause's start is left
 * after the resume.
 *
 * Boundaries, used the same way everywhere: a step completed AT its due_at
 * is on time, it is breached only once now > due_at; the warning is due
 * once now >= warn_at.
 */
#ifndef ALURD_CORE_SLA_H
#define ALURD_CORE_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/duration.h"
#include "core/workflow.h"

struct sla_step_policy {
	int step; /* SOP step, 1..7 */
	struct duration warn_after, due_after;
	enum cal_clock clock;
	bool pause_on_pd; /* the clock stops while the request awaits the PD */
};

/* One pause of a step's clock; end 0 = still paused. */
struct sla_pause {
	int64_t start, end;
};

enum sla_state {
	SLA_ON_TIME = 0,
	SLA_WARNING,
	SLA_BREACHED,
	SLA_PAUSED,
	SLA_DONE_ON_TIME,
	SLA_DONE_LATE,
};

/* The SOP defaults for step 1..7 into *out; returns false (out untouched)
 * for a step without an SLA (step 1, which completes at submission) or
 * outside 1..7. Step 2: warn PT1H, due PT2H, working_time; step 3: warn
 * PT45M, due PT1H, working_time; steps 4-7: warn P5D, due P7D, working_days.
 * pause_on_pd is true for all. */
bool sla_default_policy(int step, struct sla_step_policy *out);

/* What a published policy may not say: a working_time clock counts office
 * time only, so a day part (P2D, P1DT2H) on it is refused (write hours, or
 * use working_days, whose day part counts working days). Returns NULL when
 * p is acceptable, else the member at fault ("warn_after" or "due_after",
 * static). Calendar arithmetic itself (cal_add) still reads a day part on
 * either working clock as working days, for policies stored before. */
const char *sla_policy_fault(const struct sla_step_policy *p);

/* Deadlines of a step started at started_at: cal_add of warn_after and of
 * due_after on the policy's clock (see cal_add for the exact rules). */
void sla_deadlines(const struct calendar *c, const struct sla_step_policy *p, int64_t started_at,
		   int64_t *warn_at, int64_t *due_at);

/* The deadlines of a step computed afresh under calendar c: from its
 * first start (started_at), on its policy, then pushed by each FINISHED
 * pause in order (a running pause pushes them when it ends). Used whenever
 * the holidays change and whenever a step opens again (a withdrawn
 * disposition sends its step back): a reopened step's clock counts from
 * its first start, not from the reopening, and always under the holidays
 * in force. pauses as for sla_elapsed. */
void sla_recompute(const struct calendar *c, const struct sla_step_policy *p, int64_t started_at,
		   const struct sla_pause *pauses, size_t n, int64_t *warn_at, int64_t *due_at);

/* The deadlines after a pause from pause_start to resume_at. Working clocks:
 * a deadline moves by the office time within the pause,
 *   new = cal_add_office(old, cal_measure(pause_start, resume_at)),
 * so a pause entirely outside office hours moves nothing; calendar clock:
 * by resume_at - pause_start. A deadline already passed when the pause
 * started is NOT moved (a breach or warning stays where it happened): warn
 * moves only when warn_at > pause_start, due only when due_at >= pause_start
 * (per the boundaries above). Nothing moves when resume_at <= pause_start.
 * Apply once per pause, in order, to the deadlines the previous one gave. */
void sla_resume(const struct calendar *c, const struct sla_step_policy *p, int64_t warn_at, int64_t due_at,
		int64_t pause_start, int64_t resume_at, int64_t *new_warn, int64_t *new_due);

/* Clock time of the step from started_at to until (now, or the completion),
 * pauses excluded: office seconds for the working clocks, elapsed seconds
 * for the calendar clock; 0 when until <= started_at. pauses[0..n) must be
 * in order of start and not overlap; a pause with end 0 runs until `until`;
 * parts of pauses outside [started_at, until) are ignored. */
int64_t sla_elapsed(const struct calendar *c, const struct sla_step_policy *p, int64_t started_at, int64_t until,
		    const struct sla_pause *pauses, size_t n);

/* Clock time from now until due_at (office seconds on working clocks),
 * negative by the clock time since due_at when overdue. For a paused step
 * pass the pause's start as now: the clock stopped there. */
int64_t sla_remaining(const struct calendar *c, const struct sla_step_policy *p, int64_t now, int64_t due_at);

/* The state of a step instance. completed_at 0 = still open. For a paused
 * step pass paused = true and, as now, the instant its pause started (its
 * deadlines are pushed on resume, so the time since then does not count).
 * Rules, first match wins: completed -> done_on_time when completed_at <=
 * due_at, else done_late; now > due_at -> breached (so a step that breached
 * before pausing stays breached); paused -> paused; now >= warn_at ->
 * warning; else on_time. */
enum sla_state sla_classify(int64_t now, int64_t warn_at, int64_t due_at, int64_t completed_at, bool paused);

/* The period of the compliance summary, each end optional: `to` defaults
 * to today (the local date in zone z at instant now), `from` to
 * SLA_DEFAULT_PERIOD_DAYS - 1 days before `to`, so with neither the period
 * is the last 30 days, today included. from/to are NULL or valid
 * "YYYY-MM-DD" texts; writes the period into out_from and out_to. */
#define SLA_DEFAULT_PERIOD_DAYS 30
void sla_period(const struct tz *z, int64_t now, const char *from, const char *to, char out_from[11],
		char out_to[11]);

/* Delay attribution: adds to per_party[] the office seconds of [from, to)
 * that a request spent in state s waiting on each party. In every state
 * but agreed that is wf_waiting_party(s) for the whole span. In agreed the
 * Berita Acara's progress decides (wf_agreed_waiting): before it was sent
 * (sent_at, 0 = not yet) the Kasi; after, whichever signatory has not
 * signed by then (kd_signed_at for the Kepala Dinas, pd_signed_at for the
 * PD's signatory; 0 = not yet); while both are missing the time is split
 * equally between them (an odd second goes to the Kepala Dinas), so the
 * shares add up to the span's office time. */
void sla_attribute(const struct calendar *c, enum wf_state s, int64_t from, int64_t to, int64_t sent_at,
		   int64_t kd_signed_at, int64_t pd_signed_at, int64_t per_party[WF_PARTY_COUNT]);

/* "on_time", "warning", "breached", "paused", "done_on_time", "done_late";
 * NULL out of range. */
const char *sla_state_name(enum sla_state s);
/* Parses a name as sla_state_name writes it; false when unknown. */
bool sla_state_from_name(const char *name, enum sla_state *out);

/* The p-quantile (0 <= p <= 1, clamped) of values[0..n), which it SORTS IN
 * PLACE, by linear interpolation between closest ranks: rank p * (n - 1),
 * the same definition as PostgreSQL's percentile_cont and numpy's default,
 * so summaries agree with SQL. The median of {1, 2} is 1.5; p = 0.9 of
 * 1..10 is 9.1. Returns NAN when n == 0 (render it as null). */
double sla_percentile(int64_t *values, size_t n, double p);
/* sla_percentile(values, n, 0.5). */
double sla_median(int64_t *values, size_t n);

#endif
