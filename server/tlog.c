/* tlog.c — see tlog.h. The key file is read once at start; its private half
 * lives only in this process's memory and is wiped at exit. */
#include "server/tlog.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/tlog.h"
#include "db/db.h"
#include "evidence/note.h"
#include "server/bg.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/mono.h"

#define BATCH 1000

static struct ev_key g_key;
static char g_origin[EV_NAME_MAX];
static struct bg g_bg = BG_INIT;
static double g_interval;
static int g_checkpoint_every;
static atomic_uint_least64_t g_appended, g_checkpoints, g_failures;

bool tlog_configure(const struct config *cfg, struct err *e)
{
	api_services.audit_key = NULL;
	snprintf(g_origin, sizeof g_origin, "%s", cfg->audit_origin[0] ? cfg->audit_origin : "alurd/audit");
	if (cfg->audit_key[0]) {
		FILE *f = fopen(cfg->audit_key, "r");
		char text[512] = "";
		size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
		if (f)
			fclose(f);
		text[n] = '\0';
		bool ok = n > 0 && ev_key_parse_private(&g_key, text);
		sodium_memzero(text, sizeof text);
		if (!ok)
			return err_set(e, ERR_INVALID, "config", "ALURD_AUDIT_KEY: %s holds no signer key (%s)",
				       cfg->audit_key, f ? "expected PRIVATE+KEY+name+id+key; see alurd audit keygen"
						     : strerror(errno));
		api_services.audit_key = &g_key;
		if (!cfg->audit_origin[0])
			snprintf(g_origin, sizeof g_origin, "%s", g_key.name);
	}
	api_services.audit_origin = g_origin;
	return true;
}

void tlog_cleanup(void)
{
	ev_key_wipe(&g_key);
	api_services.audit_key = NULL;
}

/* One transaction: a batch appended or a checkpoint signed. */
static bool unit(bool checkpoint, int *appended)
{
	struct err e;
	struct arena a;
	err_clear(&e);
	arena_init(&a);
	db_unit_start(false);
	uint64_t size;
	*appended = 0;
	bool ok = db_begin(&e) && (checkpoint ? api_tlog_checkpoint(&a, &size, &e)
					      : api_tlog_sequence(&a, BATCH, false, appended, &e));
	ok = ok ? db_commit(&e) : (db_rollback(), false);
	if (!ok) {
		atomic_fetch_add(&g_failures, 1);
		log_msg(LOG_WARN, NULL, "audit log %s failed: %s %s", checkpoint ? "checkpoint" : "sequencing", e.detail,
			e.log);
	} else if (checkpoint) {
		atomic_fetch_add(&g_checkpoints, 1);
	} else {
		atomic_fetch_add(&g_appended, (uint64_t)*appended);
	}
	arena_cleanup(&a);
	return ok;
}

static void *run(void *unused)
{
	(void)unused;
	double last_checkpoint = mono_s();
	for (;;) {
		int n;
		while (unit(false, &n) && n == BATCH)
			;
		if (api_services.audit_key && g_checkpoint_every > 0 &&
		    mono_s() - last_checkpoint >= g_checkpoint_every) {
			unit(true, &n);
			last_checkpoint = mono_s();
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
		"# HELP alurd_audit_log_appended_total Audit rows this instance appended to the Merkle log.\n"
		"# TYPE alurd_audit_log_appended_total counter\n"
		"alurd_audit_log_appended_total %llu\n"
		"# HELP alurd_audit_checkpoints_total Checkpoint runs of this instance's timer.\n"
		"# TYPE alurd_audit_checkpoints_total counter\n"
		"alurd_audit_checkpoints_total %llu\n"
		"# HELP alurd_audit_log_failures_total Sequencer or checkpoint runs that failed.\n"
		"# TYPE alurd_audit_log_failures_total counter\n"
		"alurd_audit_log_failures_total %llu\n",
		(unsigned long long)atomic_load(&g_appended), (unsigned long long)atomic_load(&g_checkpoints),
		(unsigned long long)atomic_load(&g_failures));
}

void tlog_start(const struct config *cfg)
{
	g_interval = cfg->audit_sequence_interval;
	g_checkpoint_every = cfg->audit_checkpoint_interval;
	metrics_add_collector(collect);
	bg_start(&g_bg, run, NULL);
}

void tlog_stop(void)
{
	bg_stop(&g_bg);
}
