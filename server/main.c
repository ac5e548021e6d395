/* main.c — the alurd command line: serve (default), migrate, --help,
 * --version, and the administrative sub-commands. Configuration comes only
 * from ALURD_* environment variables; a bad value stops here with one line
 * naming the variable. */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/clock.h"
#include "core/officehours.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/migrate.h"
#include "server/auth.h"
#include "server/changes.h"
#include "server/cli.h"
#include "server/console.h"
#include "server/config.h"
#include "server/deliver.h"
#include "server/feed.h"
#include "server/http.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/ready.h"
#include "server/router.h"
#include "server/timer.h"
#include "server/tlog.h"

static const char usage[] =
	"usage: alurd [COMMAND]\n"
	"\n"
	"Runs the application-development SOP service (REST/JSON over HTTP).\n"
	"\n"
	"commands:\n"
	"  serve                 run the daemon (the default)\n"
	"  migrate               apply pending database migrations and exit\n"
	"  admin create USER     create an administrator; the password is read from stdin\n"
	"  seed-demo             create demo agencies and one account per role (development)\n"
	"  audit verify --key PUB EXPORT [CHECKPOINT...]\n"
	"                        verify an audit-log export offline (no database)\n"
	"  audit keygen NAME FILE  make a checkpoint signing key (private key to FILE)\n"
	"  audit export [FILE]   write this database's audit-log export\n"
	"  evidence verify [--key PUB] PACK\n"
	"                        verify a request's evidence pack offline\n"
	"  --help, -h            this text\n"
	"  --version, -V         the version\n"
	"\n"
	"Configuration is read from ALURD_* environment variables; see README.md.\n";

static bool configure_api(const struct config *cfg);

static const char *env(const char *name)
{
	return getenv(name);
}

static bool load_config(struct config *cfg)
{
	char msg[512];
	if (!config_load(cfg, env, msg, sizeof msg)) {
		fprintf(stderr, "alurd: configuration error: %s\n", msg);
		return false;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "alurd: libsodium failed to initialise\n");
		return false;
	}
	log_set_level(cfg->log_level);
	db_configure(cfg->database_url, cfg->statement_timeout_ms);
	db_configure_read(cfg->database_read_url);
	return configure_api(cfg);
}

static struct tz g_tz;

/* Reads the business calendar's zone (a TZif file) — the only file read
 * after start-up configuration. */
static bool load_zone(const struct config *cfg)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", cfg->zoneinfo, cfg->timezone);
	FILE *f = fopen(path, "rb");
	unsigned char buf[1 << 16];
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	struct err e;
	err_clear(&e);
	if (n == 0 || n == sizeof buf || !tz_parse(&g_tz, buf, n, &e)) {
		fprintf(stderr, "alurd: configuration error: ALURD_TIMEZONE: cannot load %s (%s)\n", path,
			n ? e.detail : "no such zone file; see ALURD_ZONEINFO");
		return false;
	}
	return true;
}

/* Hands the settings handlers need to api/ (which cannot see server/). */
static bool configure_api(const struct config *cfg)
{
	if (!load_zone(cfg))
		return false;
	struct err e;
	err_clear(&e);
	api_services.calendar.tz = &g_tz;
	officehours_parse(cfg->office_hours, api_services.calendar.hours, &e); /* checked by config_load */
	api_services.refresh_ttl = cfg->refresh_ttl;
	api_services.login_max_failures = cfg->login_max_failures;
	api_services.login_max_failures_per_address = cfg->login_max_failures_per_address;
	api_services.hash_concurrency = cfg->hash_concurrency;
	api_services.threads = cfg->threads;
	api_services.timezone = cfg->timezone;
	api_services.agenda_format = cfg->agenda_format;
	api_services.ba_number_format = cfg->ba_number_format;
	api_services.st_number_format = cfg->st_number_format;
	api_services.organisation = cfg->organisation;
	api_services.letterhead = cfg->letterhead;
	api_services.secret_key = cfg->has_secret_key ? cfg->secret_key : NULL;
	api_services.webhook_allow_http = cfg->webhook_allow_http;
	api_services.delegate_signs_own_draft = cfg->delegate_signs_own_draft;
	api_services.webhook_max = cfg->webhook_max;
	api_services.webhook_rotation_overlap = cfg->webhook_rotation_overlap;
	return true;
}

static int cmd_migrate(const struct config *cfg)
{
	(void)cfg;
	struct err e;
	err_clear(&e);
	int applied;
	if (!db_migrate(&e, stdout, &applied)) {
		fprintf(stderr, "alurd: migrate: %s%s%s\n", e.detail, e.log[0] ? " — " : "", e.log);
		db_thread_cleanup();
		return 1;
	}
	printf("migrations: %d applied now, database up to date\n", applied);
	db_thread_cleanup();
	return 0;
}

static int cmd_serve(struct config *cfg)
{
	struct err e;
	err_clear(&e);
	if (!auth_init(cfg, &e) || !tlog_configure(cfg, &e) || !console_init(cfg, &e)) {
		fprintf(stderr, "alurd: configuration error: %s\n", e.detail);
		return 2;
	}
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL); /* every thread inherits this */
	signal(SIGPIPE, SIG_IGN);
	if (cfg->migrate_on_start && cmd_migrate(cfg) != 0)
		return 1;
	metrics_restrict(!cfg->metrics_public);
	router_init();
	metrics_init(router_count(), router_labels());
	ready_start();
	auth_start_background();
	if (!http_start(cfg, &e)) {
		fprintf(stderr, "alurd: %s\n", e.detail);
		auth_stop_background();
		ready_stop();
		return 1;
	}
	log_json(LOG_INFO, NULL, "listening",
		 json_pack("{s:s, s:i, s:i, s:s}", "host", cfg->listen_host, "port", http_port(), "threads",
			   cfg->threads, "version", ALURD_VERSION));
	changes_subscribe("accounts", auth_snapshot_kick);
	changes_subscribe("holidays", api_holidays_invalidate);
	changes_subscribe("recompute", timer_kick);
	changes_start(cfg);
	timer_start(cfg);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	deliver_start(cfg);
	tlog_start(cfg);
	feed_start(cfg);
	int sig = 0;
	sigwait(&stop, &sig);
	log_json(LOG_INFO, NULL, "shutting down", json_pack("{s:i, s:i}", "signal", sig, "in_flight", (int)metrics_inflight()));
	http_quiesce();
	feed_release(); /* parked long-polls answer now */
	bool drained = http_drain(cfg->shutdown_timeout);
	feed_stop();
	timer_stop();
	tlog_stop();
	changes_stop();
	ready_stop();
	deliver_stop();
	curl_global_cleanup();
	auth_stop_background();
	http_stop();
	log_json(LOG_INFO, NULL, "stopped", json_pack("{s:b}", "drained", drained));
	router_cleanup();
	console_cleanup();
	metrics_free();
	auth_cleanup();
	tlog_cleanup();
	db_thread_cleanup();
	tz_cleanup(&g_tz);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "serve";
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("alurd %s\n", ALURD_VERSION);
		return 0;
	}
	if (cli_is_offline(argc, argv)) {
		if (sodium_init() < 0)
			return 2;
		return !strcmp(cmd, "audit") ? cli_audit(NULL, argc - 2, argv + 2) : cli_evidence(argc - 2, argv + 2);
	}
	struct config cfg;
	if (!strcmp(cmd, "serve") || !strcmp(cmd, "migrate") || !strcmp(cmd, "admin") || !strcmp(cmd, "seed-demo") ||
	    !strcmp(cmd, "audit")) {
		if (!load_config(&cfg))
			return 2;
	} else {
		fprintf(stderr, "alurd: unknown command '%s'\n\n%s", cmd, usage);
		return 2;
	}
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(&cfg);
	if (!strcmp(cmd, "admin"))
		return cli_admin(&cfg, argc - 2, argv + 2);
	if (!strcmp(cmd, "seed-demo"))
		return cli_seed_demo(&cfg);
	if (!strcmp(cmd, "audit"))
		return cli_audit(&cfg, argc - 2, argv + 2);
	return cmd_serve(&cfg);
}
