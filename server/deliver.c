/* deliver.c — see deliver.h. Each thread owns one libcurl easy handle and
 * one database connection, and works one delivery at a time: claim (one
 * statement), POST (no transaction open), record (one statement). One slow
 * endpoint holds at most ALURD_WEBHOOK_PER_ENDPOINT threads; the others go
 * on with other endpoints. The address a connection is about to reach is
 * checked in libcurl's socket callback, after DNS, so a name that resolves
 * to a private address is refused unless ALURD_WEBHOOK_ALLOW_PRIVATE. */
#include "server/deliver.h"

#include <curl/curl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/webhooks.h"
#include "core/arena.h"
#include "core/delivery.h"
#include "db/db.h"
#include "db/webhooks.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/mono.h"

#define MAX_WORKERS 64
#define MAX_RESPONSE (64 * 1024) /* bytes of an answer read, the rest dropped */
#define BACKLOG_EVERY 5.0        /* seconds between refreshes of the backlog gauges */

static const struct config *g_cfg;
static pthread_t g_threads[MAX_WORKERS];
static int g_nthreads;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static unsigned g_kicks; /* kicks no thread has taken yet, under g_lock */
static bool g_stop;

static const double *g_schedule;
static size_t g_nschedule;

/* metrics */
enum { OUT_DELIVERED, OUT_RETRY, OUT_FAILED, OUT_GONE, OUT_REFUSED, OUT_COUNT };
static const char *const outcome_names[OUT_COUNT] = {"delivered", "retry", "failed", "gone", "refused"};
static atomic_uint_least64_t g_outcomes[OUT_COUNT];
static const double lat_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define NLB (sizeof lat_buckets / sizeof lat_buckets[0])
static atomic_uint_least64_t g_lat_hist[NLB + 1], g_lat_sum_us, g_lat_count;
static pthread_mutex_t g_gauge_lock = PTHREAD_MUTEX_INITIALIZER;
static long g_pending;
static double g_oldest;
static bool g_have_gauges;

/* ---- one HTTP attempt ------------------------------------------------------ */

struct answer {
	size_t read;
	long retry_after;
};

static size_t drop_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	struct answer *a = arg;
	a->read += size * n;
	return a->read > MAX_RESPONSE ? 0 : size * n; /* 0 ends the transfer: enough was read */
}

static size_t read_header(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n;
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		char v[32];
		size_t k = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
		memcpy(v, p + 12, k);
		v[k] = '\0';
		a->retry_after = dl_retry_after_parse(v);
	}
	return len;
}

/* Refuses to open a socket to a private address (after DNS). */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	(void)arg;
	(void)purpose;
	if (!g_cfg->webhook_allow_private) {
		const unsigned char *a = NULL;
		size_t len = 0;
		if (addr->family == AF_INET) {
			a = (const unsigned char *)&((struct sockaddr_in *)&addr->addr)->sin_addr;
			len = 4;
		} else if (addr->family == AF_INET6) {
			a = (const unsigned char *)&((struct sockaddr_in6 *)&addr->addr)->sin6_addr;
			len = 16;
		}
		if (!a || dl_address_private(a, len))
			return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* POSTs the claimed delivery; fills t (not its disable_after). */
static void attempt(CURL *curl, const struct db_claim *k, struct db_attempt *t, struct arena *a)
{
	memset(t, 0, sizeof *t);
	char secret[128], old[128], sig1[128], sig2[128];
	if (!k->body) {
		t->outcome = DB_FAILED;
		t->error = "the event is past retention";
		return;
	}
	if (!api_webhook_secret_open(k->secret_box, secret, sizeof secret)) {
		t->outcome = DB_RETRY;
		t->retry_in = 60;
		t->error = "the secret does not open under ALURD_SECRET_KEY";
		return;
	}
	if (!dl_url_allowed(k->url, g_cfg->webhook_allow_http)) {
		t->outcome = DB_FAILED;
		t->error = "the URL is not allowed (https only unless ALURD_WEBHOOK_ALLOW_HTTP)";
		return;
	}
	long long ts = (long long)time(NULL);
	bool both = k->old_secret_box && api_webhook_secret_open(k->old_secret_box, old, sizeof old);
	api_webhook_sign(secret, k->event_uuid, ts, k->body, sig1, sizeof sig1);
	if (both)
		api_webhook_sign(old, k->event_uuid, ts, k->body, sig2, sizeof sig2);
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(old, sizeof old);
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/cloudevents+json");
	h = curl_slist_append(h, arena_printf(a, "webhook-id: %s", k->event_uuid));
	h = curl_slist_append(h, arena_printf(a, "webhook-timestamp: %lld", ts));
	h = curl_slist_append(h, both ? arena_printf(a, "webhook-signature: %s %s", sig1, sig2)
				      : arena_printf(a, "webhook-signature: %s", sig1));
	h = curl_slist_append(h, "User-Agent: alurd-webhooks");
	h = curl_slist_append(h, "Expect:");
	struct answer ans = {0, 0};
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, k->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, k->body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(k->body));
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, g_cfg->webhook_allow_http ? "http,https" : "https");
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)g_cfg->webhook_timeout);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)g_cfg->webhook_timeout);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, drop_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ans);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ans);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	double t0 = mono_s();
	CURLcode rc = curl_easy_perform(curl);
	double secs = mono_s() - t0;
	curl_slist_free_all(h);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_WRITE_ERROR && ans.read > MAX_RESPONSE)
		rc = CURLE_OK; /* we stopped reading a long answer: its status stands */
	t->latency_ms = (int)(secs * 1000);
	t->http_status = rc == CURLE_OK ? (int)status : 0;
	enum dl_verdict v = dl_verdict_of(t->http_status);
	if (rc != CURLE_OK)
		t->error = arena_strdup(a, rc == CURLE_COULDNT_CONNECT && !g_cfg->webhook_allow_private
						   ? "could not connect (private addresses are refused)"
						   : curl_easy_strerror(rc));
	else if (v != DL_DELIVERED)
		t->error = arena_printf(a, "answered %ld", status);
	size_t b = 0;
	while (b < NLB && secs > lat_buckets[b])
		b++;
	atomic_fetch_add(&g_lat_hist[b], 1);
	atomic_fetch_add(&g_lat_sum_us, (uint64_t)(secs * 1e6));
	atomic_fetch_add(&g_lat_count, 1);
	if (v == DL_DELIVERED) {
		t->outcome = DB_DELIVERED;
		return;
	}
	if (v == DL_GONE) {
		t->outcome = DB_FAILED;
		t->disable = true;
		return;
	}
	double delay = dl_retry_delay(g_schedule, g_nschedule, k->attempt, randombytes_uniform(1000000) / 1e6,
				      t->http_status, ans.retry_after);
	t->outcome = delay < 0 ? DB_FAILED : DB_RETRY;
	t->retry_in = delay < 0 ? 0 : delay;
}

/* ---- the loop ----------------------------------------------------------------- */

static void refresh_backlog(void)
{
	struct err e;
	err_clear(&e);
	long pending;
	double oldest;
	db_unit_start(true);
	if (!db_delivery_backlog(&e, &pending, &oldest))
		return;
	pthread_mutex_lock(&g_gauge_lock);
	g_pending = pending;
	g_oldest = oldest;
	g_have_gauges = true;
	pthread_mutex_unlock(&g_gauge_lock);
}

/* One claim, attempt and record; false when nothing was due (or the
 * database failed: the caller waits before looking again). */
static bool work_one(CURL *curl)
{
	struct arena a;
	arena_init(&a);
	struct err e;
	err_clear(&e);
	struct db_claim k;
	bool found = false, ok;
	db_unit_start(false);
	int lease = 2 * g_cfg->webhook_timeout + 5; /* past the attempt and its recording */
	ok = db_delivery_claim(&e, &a, g_cfg->webhook_per_endpoint, lease, &k, &found);
	if (ok && found) {
		struct db_attempt t;
		attempt(curl, &k, &t, &a);
		t.disable_after = g_cfg->webhook_disable_after;
		bool disabled = false, stale = false;
		err_clear(&e);
		db_unit_start(false);
		ok = db_delivery_record(&e, &k, &t, &disabled, &stale);
		int out = t.outcome == DB_DELIVERED ? OUT_DELIVERED
			  : t.disable		    ? OUT_GONE
			  : t.outcome == DB_RETRY   ? OUT_RETRY
						    : OUT_FAILED;
		if (ok && !stale)
			atomic_fetch_add(&g_outcomes[out], 1);
		log_json(t.outcome == DB_DELIVERED ? LOG_DEBUG : LOG_INFO, NULL, "webhook attempt",
			 json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:b, s:b}", "delivery_id", k.id, "webhook_id",
				   k.webhook_id, "event_id", k.event_uuid, "attempt", k.attempt, "status", t.http_status,
				   "outcome", outcome_names[out], "latency_ms", t.latency_ms, "disabled", disabled,
				   "stale", stale));
	}
	if (!ok)
		log_msg(LOG_WARN, NULL, "webhook delivery: %s %s", e.detail, e.log);
	arena_cleanup(&a);
	return ok && found;
}

static bool wait_or_stop(double seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	double whole, frac = modf(seconds, &whole);
	until.tv_sec += (time_t)whole;
	until.tv_nsec += (long)(frac * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g_lock);
	while (!g_stop && g_kicks == 0 && pthread_cond_timedwait(&g_cond, &g_lock, &until) == 0)
		;
	if (g_kicks)
		g_kicks--; /* one idle thread takes each kick; the others keep polling */
	bool stop = g_stop;
	pthread_mutex_unlock(&g_lock);
	return stop;
}

static bool stopping(void)
{
	pthread_mutex_lock(&g_lock);
	bool s = g_stop;
	pthread_mutex_unlock(&g_lock);
	return s;
}

static void *run(void *arg)
{
	bool first = arg != NULL; /* the first thread keeps the gauges */
	CURL *curl = curl_easy_init();
	if (!curl)
		abort();
	double last_gauges = -BACKLOG_EVERY;
	while (!stopping()) {
		if (first && mono_s() - last_gauges >= BACKLOG_EVERY) {
			refresh_backlog();
			last_gauges = mono_s();
		}
		if (!work_one(curl) && wait_or_stop(g_cfg->webhook_poll))
			break;
	}
	curl_easy_cleanup(curl);
	db_thread_cleanup();
	return NULL;
}

static void collect(FILE *f)
{
	fputs("# HELP alurd_webhook_attempts_total Webhook delivery attempts by outcome (this instance).\n"
	      "# TYPE alurd_webhook_attempts_total counter\n",
	      f);
	for (int i = 0; i < OUT_COUNT; i++)
		fprintf(f, "alurd_webhook_attempts_total{outcome=\"%s\"} %llu\n", outcome_names[i],
			(unsigned long long)atomic_load(&g_outcomes[i]));
	fputs("# HELP alurd_webhook_latency_seconds Time of one delivery attempt.\n"
	      "# TYPE alurd_webhook_latency_seconds histogram\n",
	      f);
	uint64_t cum = 0;
	for (size_t b = 0; b < NLB; b++) {
		cum += atomic_load(&g_lat_hist[b]);
		fprintf(f, "alurd_webhook_latency_seconds_bucket{le=\"%g\"} %llu\n", lat_buckets[b], (unsigned long long)cum);
	}
	cum += atomic_load(&g_lat_hist[NLB]);
	fprintf(f,
		"alurd_webhook_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
		"alurd_webhook_latency_seconds_sum %.6f\n"
		"alurd_webhook_latency_seconds_count %llu\n",
		(unsigned long long)cum, (double)atomic_load(&g_lat_sum_us) / 1e6,
		(unsigned long long)atomic_load(&g_lat_count));
	pthread_mutex_lock(&g_gauge_lock);
	if (g_have_gauges)
		fprintf(f,
			"# HELP alurd_webhook_pending_deliveries Deliveries not yet delivered or failed (every instance).\n"
			"# TYPE alurd_webhook_pending_deliveries gauge\n"
			"alurd_webhook_pending_deliveries %ld\n"
			"# HELP alurd_webhook_oldest_due_seconds Age of the oldest delivery that is due.\n"
			"# TYPE alurd_webhook_oldest_due_seconds gauge\n"
			"alurd_webhook_oldest_due_seconds %.3f\n",
			g_pending, g_oldest);
	pthread_mutex_unlock(&g_gauge_lock);
}

void deliver_start(const struct config *cfg)
{
	g_cfg = cfg;
	g_stop = false;
	if (cfg->retry_schedule_len) {
		g_schedule = cfg->retry_schedule;
		g_nschedule = (size_t)cfg->retry_schedule_len;
	} else {
		g_schedule = dl_default_schedule(&g_nschedule);
	}
	metrics_add_collector(collect);
	g_nthreads = cfg->webhook_workers < MAX_WORKERS ? cfg->webhook_workers : MAX_WORKERS;
	for (int i = 0; i < g_nthreads; i++)
		if (pthread_create(&g_threads[i], NULL, run, i == 0 ? (void *)1 : NULL) != 0)
			abort();
}

void deliver_kick(void)
{
	pthread_mutex_lock(&g_lock);
	if (g_nthreads && g_kicks < 1)
		g_kicks++;
	pthread_cond_signal(&g_cond);
	pthread_mutex_unlock(&g_lock);
}

void deliver_stop(void)
{
	pthread_mutex_lock(&g_lock);
	g_stop = true;
	pthread_cond_broadcast(&g_cond);
	pthread_mutex_unlock(&g_lock);
	for (int i = 0; i < g_nthreads; i++)
		pthread_join(g_threads[i], NULL);
	g_nthreads = 0;
}
