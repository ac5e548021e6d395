/* timer.c — see timer.h. A scan's cost is the rows that newly crossed a
 * threshold: the queries walk partial indexes holding only not-yet-flagged
 * open steps (migrations/0005). After each scan the thread works the queued
 * recomputes of deadlines (a holiday changed; migrations/0051), a bounded
 * batch per transaction; a notification of a new job wakes it at once
 * (timer_kick). The open-steps gauge is read at scrape time from counters
 * the database keeps (migrations/0016, server/metrics.c); the timer only
 * folds the counter rows of ended sessions, every 60 s. */
#include "server/timer.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "api/sla.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/events.h"
#include "db/sla.h"
#include "db/steps.h"
#include "server/bg.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/mono.h"

#define BATCH 1000
#define RECOMPUTE_BATCH 500 /* open steps per recompute transaction */
#define FOLD_EVERY 60.0
#define PRUNE_BATCH 500  /* events deleted per statement (each its own transaction) */
#define PRUNE_BATCHES 20 /* at most this many per scan, so a backlog drains over several */

static struct bg g_bg = BG_INIT;
static double g_interval;
static int g_retention_days;

static atomic_uint_least64_t g_warnings, g_breaches, g_scans, g_scan_failures, g_pruned;
static const double scan_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NSB (sizeof scan_buckets / sizeof scan_buckets[0])
static atomic_uint_least64_t g_scan_hist[NSB + 1], g_scan_sum_us;
/* Flags every crossing, up to BATCH of each kind per statement; *warnings
 * and *breaches receive how many of each (counted only once the scan
 * commits). */
static bool flag_all(long *warnings, long *breaches, struct err *e)
{
	*warnings = *breaches = 0;
	for (;;) {
		int w, b;
		if (!db_step_flag(e, BATCH, "timer", &w, &b))
			return false;
		*warnings += w;
		*breaches += b;
		if (w < BATCH && b < BATCH)
			return true;
	}
}

static void scan(void)
{
	struct err e;
	err_clear(&e);
	double t0 = mono_s();
	db_unit_start(false);
	long warnings = 0, breaches = 0;
	bool ok = db_begin(&e) && flag_all(&warnings, &breaches, &e);
	if (ok)
		ok = db_commit(&e);
	else
		db_rollback();
	if (ok && (warnings || breaches)) {
		atomic_fetch_add(&g_warnings, (uint64_t)warnings);
		atomic_fetch_add(&g_breaches, (uint64_t)breaches);
		log_json(LOG_INFO, NULL, "sla flagged", json_pack("{s:i, s:i}", "warnings", (int)warnings, "breaches",
								  (int)breaches));
	}
	double secs = mono_s() - t0;
	atomic_fetch_add(&g_scans, 1);
	size_t b = 0;
	while (b < NSB && secs > scan_buckets[b])
		b++;
	atomic_fetch_add(&g_scan_hist[b], 1);
	atomic_fetch_add(&g_scan_sum_us, (uint64_t)(secs * 1e6));
	if (!ok) {
		atomic_fetch_add(&g_scan_failures, 1);
		log_msg(LOG_WARN, NULL, "sla scan failed: %s %s", e.detail, e.log);
	}
}

/* Works the queued recomputes of deadlines (a holiday changed), one batch
 * of RECOMPUTE_BATCH open steps per transaction, until none is left or a
 * stop is asked for. */
static void recompute(void)
{
	for (;;) {
		if (bg_stopping(&g_bg))
			return;
		struct err e;
		err_clear(&e);
		struct arena a;
		arena_init(&a);
		db_unit_start(false);
		bool worked = false;
		bool ok = db_begin(&e) && api_calendar_recompute_batch(&a, RECOMPUTE_BATCH, &worked, &e);
		if (ok)
			ok = db_commit(&e);
		else
			db_rollback();
		arena_cleanup(&a);
		if (!ok) {
			log_msg(LOG_WARN, NULL, "deadline recompute failed: %s %s", e.detail, e.log);
			return; /* the next wake tries again where the last batch stopped */
		}
		if (!worked)
			return;
	}
}

/* Deletes events past retention in small autocommitted batches; several
 * instances may prune at once (rows another one holds are skipped). */
static void prune_events(void)
{
	struct err e;
	err_clear(&e);
	for (int i = 0; i < PRUNE_BATCHES; i++) {
		int n;
		db_unit_start(false);
		if (!db_event_prune(&e, g_retention_days, PRUNE_BATCH, &n)) {
			log_msg(LOG_WARN, NULL, "event pruning failed: %s %s", e.detail, e.log);
			return;
		}
		atomic_fetch_add(&g_pruned, (uint64_t)n);
		if (n < PRUNE_BATCH)
			return;
	}
}

void timer_kick(void)
{
	bg_kick(&g_bg);
}

static void fold_counters(void)
{
	struct err e;
	err_clear(&e);
	db_unit_start(false);
	if (!db_sla_fold_counts(&e))
		log_msg(LOG_WARN, NULL, "folding the open-step counters failed: %s %s", e.detail, e.log);
}

static void *run(void *unused)
{
	(void)unused;
	double last_fold = mono_s();
	for (;;) {
		scan();
		recompute();
		prune_events();
		if (mono_s() - last_fold >= FOLD_EVERY) {
			fold_counters();
			last_fold = mono_s();
		}
		if (bg_wait(&g_bg, g_interval))
			break;
	}
	db_thread_cleanup();
	return NULL;
}

static void collect(FILE *f)
{
	fprintf(f,
		"# HELP alurd_sla_warnings_flagged_total Step instances this instance flagged as warned.\n"
		"# TYPE alurd_sla_warnings_flagged_total counter\n"
		"alurd_sla_warnings_flagged_total %llu\n"
		"# HELP alurd_sla_breaches_flagged_total Step instances this instance flagged as breached.\n"
		"# TYPE alurd_sla_breaches_flagged_total counter\n"
		"alurd_sla_breaches_flagged_total %llu\n"
		"# HELP alurd_sla_scan_failures_total Timer scans that failed (database unavailable).\n"
		"# TYPE alurd_sla_scan_failures_total counter\n"
		"alurd_sla_scan_failures_total %llu\n"
		"# HELP alurd_events_pruned_total Events and finished webhook deliveries this instance deleted past ALURD_EVENT_RETENTION.\n"
		"# TYPE alurd_events_pruned_total counter\n"
		"alurd_events_pruned_total %llu\n",
		(unsigned long long)atomic_load(&g_warnings), (unsigned long long)atomic_load(&g_breaches),
		(unsigned long long)atomic_load(&g_scan_failures), (unsigned long long)atomic_load(&g_pruned));
	fputs("# HELP alurd_sla_scan_duration_seconds Time of one timer scan.\n"
	      "# TYPE alurd_sla_scan_duration_seconds histogram\n",
	      f);
	uint64_t cum = 0;
	for (size_t b = 0; b < NSB; b++) {
		cum += atomic_load(&g_scan_hist[b]);
		fprintf(f, "alurd_sla_scan_duration_seconds_bucket{le=\"%g\"} %llu\n", scan_buckets[b], (unsigned long long)cum);
	}
	cum += atomic_load(&g_scan_hist[NSB]);
	fprintf(f,
		"alurd_sla_scan_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		"alurd_sla_scan_duration_seconds_sum %.6f\n"
		"alurd_sla_scan_duration_seconds_count %llu\n",
		(unsigned long long)cum, (double)atomic_load(&g_scan_sum_us) / 1e6, (unsigned long long)atomic_load(&g_scans));
}

void timer_start(const struct config *cfg)
{
	g_interval = cfg->timer_interval;
	g_retention_days = cfg->event_retention_days;
	metrics_add_collector(collect);
	bg_start(&g_bg, run, NULL);
}

void timer_stop(void)
{
	bg_stop(&g_bg);
}
