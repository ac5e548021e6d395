/* feed.c — see feed.h. */
#include "server/feed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/events.h"
#include "db/db.h"
#include "db/events.h"
#include "server/bg.h"
#include "server/deliver.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/mono.h"

#define NEWS_LIMIT 10000 /* events counted per round at most; the rest next round */
#define MAX_TYPES 64

static struct bg g_bg = BG_INIT;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct feed_waiter *g_waiters;
static int g_nwaiting;
static bool g_accepting;

/* events seen, by catalogue index; the last slot counts unknown types */
static atomic_uint_least64_t g_counts[MAX_TYPES + 1];
static size_t g_ntypes;
static const struct ev_type *g_types;

bool feed_park(struct feed_waiter *w)
{
	pthread_mutex_lock(&g_lock);
	bool ok = g_accepting;
	if (ok) {
		w->next = g_waiters;
		g_waiters = w;
		g_nwaiting++;
	}
	pthread_mutex_unlock(&g_lock);
	return ok;
}

/* Takes out every waiter (all) or those past their deadline, then wakes
 * them outside the lock; returns the earliest remaining deadline (0: none). */
static long long wake(bool all, bool final_for_all)
{
	long long now = mono_ms(), next = 0;
	struct feed_waiter *out = NULL;
	pthread_mutex_lock(&g_lock);
	for (struct feed_waiter **p = &g_waiters; *p;) {
		struct feed_waiter *w = *p;
		if (all || w->deadline_ms <= now) {
			*p = w->next;
			w->next = out;
			out = w;
			g_nwaiting--;
		} else {
			if (!next || w->deadline_ms < next)
				next = w->deadline_ms;
			p = &w->next;
		}
	}
	pthread_mutex_unlock(&g_lock);
	while (out) {
		struct feed_waiter *w = out;
		out = w->next;
		w->next = NULL;
		w->wake(w, final_for_all || w->deadline_ms <= now);
	}
	return next;
}

static void count(const char *type, long n, void *arg)
{
	bool *any = arg;
	*any = true;
	size_t i = 0;
	while (i < g_ntypes && strcmp(g_types[i].type, type) != 0)
		i++;
	atomic_fetch_add(&g_counts[i < g_ntypes ? i : MAX_TYPES], (uint_least64_t)n);
}

static void *run(void *unused)
{
	(void)unused;
	char xid[24], id[24];
	bool placed = false;
	bool warned = false;
	for (;;) {
		struct err e;
		err_clear(&e);
		db_unit_start(true);
		bool any = false;
		bool ok = placed ? db_event_news(&e, xid, id, NEWS_LIMIT, count, &any)
				 : (placed = db_event_tail(&e, xid, id));
		if (!ok && !warned)
			log_msg(LOG_WARN, NULL, "the feed watcher cannot read the outbox: %s %s", e.detail, e.log);
		warned = !ok;
		if (any)
			deliver_kick();
		long long next = wake(any, false);
		double wait = FEED_POLL_MS / 1000.0;
		if (next) {
			double until = (double)(next - mono_ms()) / 1000.0;
			if (until < wait)
				wait = until;
		}
		if (bg_wait(&g_bg, wait))
			break;
	}
	db_thread_cleanup();
	return NULL;
}

static void collect(FILE *f)
{
	pthread_mutex_lock(&g_lock);
	int waiting = g_nwaiting;
	pthread_mutex_unlock(&g_lock);
	fprintf(f,
		"# HELP alurd_feed_waiting Long-poll requests of the event feed parked on this instance.\n"
		"# TYPE alurd_feed_waiting gauge\n"
		"alurd_feed_waiting %d\n"
		"# HELP alurd_events_total Events committed to the outbox (by any instance) that this instance's feed"
		" watcher has seen since it started, by type; every instance counts the same events, so do not sum"
		" across instances.\n"
		"# TYPE alurd_events_total counter\n",
		waiting);
	for (size_t i = 0; i < g_ntypes; i++)
		fprintf(f, "alurd_events_total{type=\"%s\"} %llu\n", g_types[i].type,
			(unsigned long long)atomic_load(&g_counts[i]));
	fprintf(f, "alurd_events_total{type=\"other\"} %llu\n", (unsigned long long)atomic_load(&g_counts[MAX_TYPES]));
}

void feed_start(const struct config *cfg)
{
	(void)cfg;
	static bool collector_added;
	g_types = ev_catalogue(&g_ntypes);
	if (g_ntypes > MAX_TYPES)
		g_ntypes = MAX_TYPES;
	if (!collector_added)
		metrics_add_collector(collect);
	collector_added = true;
	pthread_mutex_lock(&g_lock);
	g_accepting = true;
	pthread_mutex_unlock(&g_lock);
	bg_start(&g_bg, run, NULL);
}

void feed_release(void)
{
	pthread_mutex_lock(&g_lock);
	g_accepting = false;
	pthread_mutex_unlock(&g_lock);
	wake(true, true);
}

void feed_stop(void)
{
	feed_release();
	bg_stop(&g_bg);
}
