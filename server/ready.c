/* ready.c — see ready.h. The checker owns one database connection (db/'s
 * thread-local connection of this thread), so a database that stops
 * answering stalls only this thread; the route reads the shared state under a
 * mutex and takes no other lock. */
#include "server/ready.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "db/db.h"
#include "db/migrate.h"
#include "server/bg.h"
#include "server/mono.h"

static struct bg g_bg = BG_INIT;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* the latest result below */

/* the latest result */
static bool g_done;           /* at least one check has finished */
static bool g_ok;             /* it found the database ready */
static int g_applied, g_expected;
static char g_why[200];
static long long g_check_started; /* ms; 0 when no check is running */

static void check_once(void)
{
	pthread_mutex_lock(&g_lock);
	g_check_started = mono_ms();
	pthread_mutex_unlock(&g_lock);
	struct err e;
	err_clear(&e);
	int applied = 0, expected = 0;
	db_unit_start(true);
	bool reached = db_migrate_status(&e, &applied, &expected);
	pthread_mutex_lock(&g_lock);
	g_check_started = 0;
	g_done = true;
	g_applied = applied;
	g_expected = expected;
	g_ok = reached && applied >= expected;
	if (!reached)
		snprintf(g_why, sizeof g_why, "Not ready: the database is not reachable.");
	else if (applied < expected)
		snprintf(g_why, sizeof g_why, "Not ready: %d of %d migrations applied; run `alurd migrate`.", applied,
			 expected);
	else
		g_why[0] = '\0';
	pthread_mutex_unlock(&g_lock);
}

static void *checker(void *arg)
{
	(void)arg;
	for (;;) {
		check_once();
		if (bg_wait(&g_bg, READY_INTERVAL_MS / 1000.0))
			break;
	}
	db_thread_cleanup();
	return NULL;
}

void ready_start(void)
{
	if (g_bg.running)
		return;
	bg_start(&g_bg, checker, NULL);
	/* give the first check a moment, so a /readyz right after start-up
	 * tells the truth rather than "under way" */
	long long until = mono_ms() + READY_STALL_MS;
	pthread_mutex_lock(&g_lock);
	while (!g_done && mono_ms() < until) {
		pthread_mutex_unlock(&g_lock);
		struct timespec nap = {0, 10 * 1000000L};
		nanosleep(&nap, NULL);
		pthread_mutex_lock(&g_lock);
	}
	pthread_mutex_unlock(&g_lock);
}

void ready_stop(void)
{
	bg_stop(&g_bg); /* a stalled check ends with its connection's timeouts */
}

/* GET /readyz — from the latest check, answered on the HTTP thread. */
static bool get_readyz(struct api_ctx *c, struct err *e)
{
	pthread_mutex_lock(&g_lock);
	long long running = g_check_started ? mono_ms() - g_check_started : 0;
	bool done = g_done, ok = g_ok;
	int applied = g_applied, expected = g_expected;
	char why[sizeof g_why];
	memcpy(why, g_why, sizeof why);
	pthread_mutex_unlock(&g_lock);
	if (running > READY_STALL_MS)
		return err_set(e, ERR_UNAVAILABLE, "ops.not_ready",
			       "Not ready: the database has not answered for %lld ms.", running);
	if (!done)
		return err_set(e, ERR_UNAVAILABLE, "ops.not_ready", "Not ready: the first database check is under way.");
	if (!ok)
		return err_set(e, ERR_UNAVAILABLE, "ops.not_ready", "%s", why);
	api_reply_json(c, 200,
		       json_pack("{s:s, s:{s:i, s:i}}", "status", "ready", "migrations", "applied", applied, "expected",
				 expected));
	return true;
}

const struct route server_ready_routes[] = {
	{"GET", "/readyz", get_readyz, ACT_PUBLIC, API_TX_NONE, API_BODY_NONE, 0, NULL},
	{0},
};
