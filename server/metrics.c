/* metrics.c — the counters behind /metrics (see metrics.h). Status codes are
 * counted in a dense array per route (100..599), which costs a few KiB per
 * route and keeps the hot path one atomic add. */
#include "server/metrics.h"

#include "api/common.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "db/db.h"
#include "db/sla.h"

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])
#define NSTATUS 500 /* 100..599 */

struct route_metrics {
	atomic_uint_least64_t status[NSTATUS];
	atomic_uint_least64_t bucket[NBUCKETS + 1]; /* last = +Inf */
	atomic_uint_least64_t sum_us;
};

static struct route_metrics *g_routes;
static const char *const *g_labels;
static int g_nroutes;
static atomic_long g_inflight;
static metrics_collector g_collectors[8];
/* Collectors are added by the main thread while the HTTP server may already
 * answer /metrics (the deliverer and the timer start after it listens): the
 * slot is written first and the count published with release order, so a
 * reader that sees a count sees every slot below it. */
static atomic_int g_ncollectors;

void metrics_init(int nroutes, const char *const *labels)
{
	g_routes = calloc((size_t)nroutes + 1, sizeof *g_routes);
	if (!g_routes)
		abort();
	g_labels = labels;
	g_nroutes = nroutes;
}

void metrics_free(void)
{
	free(g_routes);
	g_routes = NULL;
}

void metrics_observe(int route, int status, double seconds)
{
	if (!g_routes)
		return;
	if (route < 0 || route > g_nroutes)
		route = g_nroutes;
	struct route_metrics *m = &g_routes[route];
	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&m->status[status - 100], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBUCKETS && seconds > buckets[b])
		b++;
	atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_inflight_add(int delta)
{
	atomic_fetch_add(&g_inflight, delta);
}

long metrics_inflight(void)
{
	return atomic_load(&g_inflight);
}

void metrics_add_collector(metrics_collector fn)
{
	int n = atomic_load_explicit(&g_ncollectors, memory_order_relaxed); /* one writer */
	if (n < (int)(sizeof g_collectors / sizeof g_collectors[0])) {
		g_collectors[n] = fn;
		atomic_store_explicit(&g_ncollectors, n + 1, memory_order_release);
	}
}

static const char *label_of(int i)
{
	return i < g_nroutes ? g_labels[i] : "unmatched";
}

static void render_routes(FILE *f)
{
	fputs("# HELP alurd_http_requests_total HTTP requests answered, by route template and status.\n"
	      "# TYPE alurd_http_requests_total counter\n",
	      f);
	for (int i = 0; i <= g_nroutes; i++)
		for (int s = 0; s < NSTATUS; s++) {
			uint64_t v = atomic_load_explicit(&g_routes[i].status[s], memory_order_relaxed);
			if (v)
				fprintf(f, "alurd_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", label_of(i),
					s + 100, (unsigned long long)v);
		}
	fputs("# HELP alurd_http_request_duration_seconds Time from first byte to response, by route template.\n"
	      "# TYPE alurd_http_request_duration_seconds histogram\n",
	      f);
	for (int i = 0; i <= g_nroutes; i++) {
		uint64_t cum = 0;
		uint64_t counts[NBUCKETS + 1];
		for (size_t b = 0; b <= NBUCKETS; b++)
			counts[b] = atomic_load_explicit(&g_routes[i].bucket[b], memory_order_relaxed);
		uint64_t total = 0;
		for (size_t b = 0; b <= NBUCKETS; b++)
			total += counts[b];
		if (!total)
			continue;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += counts[b];
			fprintf(f, "alurd_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", label_of(i),
				buckets[b], (unsigned long long)cum);
		}
		fprintf(f, "alurd_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", label_of(i),
			(unsigned long long)total);
		fprintf(f, "alurd_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label_of(i),
			(double)atomic_load(&g_routes[i].sum_us) / 1e6);
		fprintf(f, "alurd_http_request_duration_seconds_count{route=\"%s\"} %llu\n", label_of(i),
			(unsigned long long)total);
	}
}

void metrics_render(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	if (!f)
		abort();
	render_routes(f);
	fprintf(f,
		"# HELP alurd_http_requests_in_flight Requests being processed now.\n"
		"# TYPE alurd_http_requests_in_flight gauge\n"
		"alurd_http_requests_in_flight %ld\n"
		"# HELP alurd_db_reconnects_total Database connections re-opened after a failure.\n"
		"# TYPE alurd_db_reconnects_total counter\n"
		"alurd_db_reconnects_total %llu\n",
		metrics_inflight(), (unsigned long long)db_reconnect_count());
	int active, waiting, active_max, wait_max;
	unsigned long long busy, checks;
	api_hash_stats(&active, &waiting, &active_max, &wait_max, &busy, &checks);
	fprintf(f,
		"# HELP alurd_auth_hashes_active Password hashes being computed now (at most alurd_auth_hashes_active_max).\n"
		"# TYPE alurd_auth_hashes_active gauge\n"
		"alurd_auth_hashes_active %d\n"
		"# HELP alurd_auth_hashes_active_max Password hashes computed at once at most.\n"
		"# TYPE alurd_auth_hashes_active_max gauge\n"
		"alurd_auth_hashes_active_max %d\n"
		"# HELP alurd_auth_hashes_waiting Sign-ins waiting for a hashing slot now.\n"
		"# TYPE alurd_auth_hashes_waiting gauge\n"
		"alurd_auth_hashes_waiting %d\n"
		"# HELP alurd_auth_hashes_waiting_max Sign-ins that may wait for a slot; more are answered 503 auth.busy.\n"
		"# TYPE alurd_auth_hashes_waiting_max gauge\n"
		"alurd_auth_hashes_waiting_max %d\n"
		"# HELP alurd_auth_busy_total Sign-ins answered 503 auth.busy because the hashing queue was full.\n"
		"# TYPE alurd_auth_busy_total counter\n"
		"alurd_auth_busy_total %llu\n"
		"# HELP alurd_auth_password_checks_total Password verifications run (an unknown user is verified against a dummy hash).\n"
		"# TYPE alurd_auth_password_checks_total counter\n"
		"alurd_auth_password_checks_total %llu\n",
		active, active_max, waiting, wait_max, busy, checks);
	int ncollectors = atomic_load_explicit(&g_ncollectors, memory_order_acquire);
	for (int i = 0; i < ncollectors; i++)
		g_collectors[i](f);
	fclose(f);
}

/* The open-steps gauge, read from the database at scrape time (a few dozen
 * counter rows, db_sla_open_counts); left out while the database is away. */
static const char *open_steps_text(struct arena *a)
{
	static const char *const states[4] = {"on_time", "warning", "breached", "paused"};
	long counts[8][4];
	struct err e;
	err_clear(&e);
	if (!db_sla_open_counts(&e, counts))
		return "";
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	fputs("# HELP alurd_sla_open_steps Open step instances by step and SLA state, at scrape time.\n"
	      "# TYPE alurd_sla_open_steps gauge\n",
	      f);
	for (int s = 1; s < 8; s++)
		for (int k = 0; k < 4; k++)
			fprintf(f, "alurd_sla_open_steps{step=\"%d\",state=\"%s\"} %ld\n", s, states[k], counts[s][k]);
	fclose(f);
	const char *copy = arena_strndup(a, text, len);
	free(text);
	return copy;
}

/* GET /metrics — the route lives here, beside the counters it renders. */
static bool get_metrics(struct api_ctx *c, struct err *e)
{
	(void)e;
	char *text;
	size_t len;
	const char *gauge = open_steps_text(c->arena);
	metrics_render(&text, &len);
	char *copy = arena_printf(c->arena, "%.*s%s", (int)len, text, gauge);
	len = strlen(copy);
	free(text);
	api_reply_bytes(c, 200, "text/plain; version=0.0.4; charset=utf-8", copy, len);
	return true;
}

/* Not const: metrics_restrict() sets the action before the router is built. */
struct route server_routes[] = {
	{"GET", "/metrics", get_metrics, ACT_PUBLIC, API_TX_READ, API_BODY_NONE, 0, NULL},
	{0},
};

void metrics_restrict(bool restricted)
{
	server_routes[0].action = restricted ? ACT_METRICS_READ : ACT_PUBLIC;
}
