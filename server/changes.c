/* changes.c — see changes.h. The thread wakes at least every 250 ms to see
 * a stop request; a failed (re)connection is retried every second, so after
 * a failover the listener is back as soon as the new primary accepts
 * connections, and the full refresh that follows covers what was missed. */
#include "server/changes.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/listen.h"
#include "server/bg.h"
#include "server/log.h"
#include "server/metrics.h"

#define CHANNEL "alurd_change"
#define MAX_SUBS 16

struct sub {
	const char *topic;
	void (*fn)(void);
};

static struct sub g_subs[MAX_SUBS];
static int g_nsubs;
static struct bg g_bg = BG_INIT;
static int g_safety_s;
static atomic_uint_least64_t g_notes, g_relistens;

void changes_subscribe(const char *topic, void (*fn)(void))
{
	if (g_nsubs == MAX_SUBS)
		abort(); /* raise MAX_SUBS */
	g_subs[g_nsubs++] = (struct sub){topic, fn};
}

static void refresh_all(void)
{
	for (int i = 0; i < g_nsubs; i++)
		g_subs[i].fn();
}

static void on_note(const char *topic, void *unused)
{
	(void)unused;
	atomic_fetch_add(&g_notes, 1);
	for (int i = 0; i < g_nsubs; i++)
		if (strcmp(g_subs[i].topic, topic) == 0)
			g_subs[i].fn();
}

static void *run(void *unused)
{
	(void)unused;
	bool ever = false;
	while (!bg_stopping(&g_bg)) {
		struct err e;
		err_clear(&e);
		struct db_listener *l = db_listener_open(CHANNEL, &e);
		if (!l) {
			bg_wait(&g_bg, 1.0);
			continue;
		}
		if (ever) {
			atomic_fetch_add(&g_relistens, 1);
			log_msg(LOG_INFO, NULL, "listening for changes again; refreshing everything");
		}
		ever = true;
		refresh_all(); /* whatever was sent while nobody listened */
		time_t last_full = time(NULL);
		while (!bg_stopping(&g_bg)) {
			if (!db_listener_wait(l, 250, on_note, NULL, &e)) {
				log_msg(LOG_WARN, NULL, "change listener lost its connection: %s", e.log);
				break;
			}
			if (time(NULL) - last_full >= g_safety_s) {
				refresh_all();
				last_full = time(NULL);
			}
		}
		db_listener_free(l);
	}
	return NULL;
}

static void collect(FILE *f)
{
	fprintf(f,
		"# HELP alurd_change_notifications_total Change notifications this instance received.\n"
		"# TYPE alurd_change_notifications_total counter\n"
		"alurd_change_notifications_total %llu\n"
		"# HELP alurd_change_relistens_total Times the change listener reconnected (each followed by a full refresh).\n"
		"# TYPE alurd_change_relistens_total counter\n"
		"alurd_change_relistens_total %llu\n",
		(unsigned long long)atomic_load(&g_notes), (unsigned long long)atomic_load(&g_relistens));
}

void changes_start(const struct config *cfg)
{
	g_safety_s = cfg->auth_refresh > 0 ? cfg->auth_refresh : 60;
	metrics_add_collector(collect);
	bg_start(&g_bg, run, NULL);
}

void changes_stop(void)
{
	bg_stop(&g_bg);
}
