/* http.c — libmicrohttpd glue and the dispatcher (see http.h).
 *
 * One `struct hreq` per request, created on the first call of the access
 * handler and freed when libmicrohttpd reports the request completed; its
 * arena owns every copy the handler sees. The first call decides everything
 * that needs no body (framing, route, 404/405, 413 from Content-Length, 415,
 * authentication); a rejection of a request that carries a body is answered at
 * once (the connection then closes, the body is never read), others on the
 * final call so keep-alive survives. libmicrohttpd 0.9.75 mishandles ambiguous
 * framing, so duplicate Content-Length, Content-Length with Transfer-Encoding,
 * and any transfer coding but chunked are refused with 400 here, and so is
 * every header name that is not an RFC 9110 token (libmicrohttpd keeps
 * "Content-Length " or " Content-Length" as a different name and would read
 * the body as the next request) and every name that begins with
 * content-length or transfer-encoding without being it (an obs-fold such as
 * "Content-Length:\r\n 5" reaches us as the name "Content-Length5"). Such a
 * refusal is answered at once and the connection closed.
 *
 * Every connection has a `struct hconn` (libmicrohttpd's socket context) in
 * one list: its peer, whether that peer is a trusted proxy, whether it came
 * over the soft connection limits (its first request is answered 503), and a
 * deadline. libmicrohttpd's own timeout only measures idleness, so a client
 * sending a byte every few seconds would hold its connection for ever; the
 * reaper thread shuts down (shutdown(2), under the list lock, which the close
 * notification also takes before libmicrohttpd closes the socket) every
 * connection whose request line and headers, or whose body, outlast their
 * deadline.
 */
#include "server/http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/delegations.h"
#include "api/input.h"
#include "core/urlform.h"
#include "db/db.h"
#include "db/idempotency.h"
#include "server/auth.h"
#include "server/feed.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/mono.h"
#include "server/pool.h"
#include "server/router.h"

static const struct config *g_cfg;
static struct MHD_Daemon *g_daemon;
static int g_port;

/* Limits on what a request line and header block may hold; past them the
 * answer is 414 / 431 (and libmicrohttpd is kept from running out of its
 * connection memory, where it answers nothing). */
#define MAX_URI_BYTES 8192
#define MAX_QUERY_ARGS 128
#define MAX_HEADER_BYTES (32 * 1024)

/* ---- connections: soft limits and deadlines ------------------------------- */

struct hconn {
	struct hconn *prev, *next;
	int fd;
	char peer[64];
	bool trusted;    /* the peer is one of ALURD_TRUSTED_PROXIES */
	bool over_limit; /* opened past ALURD_PER_IP_LIMIT / ALURD_CONNECTION_LIMIT */
	bool cut;        /* the reaper shut it down */
	atomic_llong deadline_ms; /* monotonic; 0 = none (a request is being handled) */
	atomic_int in_body;       /* the deadline is the body's, not the headers' */
};

static pthread_mutex_t g_conn_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hconn *g_conns;
static int g_nconns;
static pthread_t g_reaper;
static bool g_reaper_running;
static pthread_mutex_t g_reaper_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_reaper_cond = PTHREAD_COND_INITIALIZER;
static bool g_reaper_stop;
static atomic_uint_least64_t g_cut_headers, g_cut_bodies, g_over_limit;

/* The deadline for the next request's line and headers on an idle
 * connection: the idle allowance plus the header allowance, so a request
 * line dribbled a byte at a time is bounded too. */
static long long idle_deadline(void)
{
	return mono_ms() + 1000LL * (g_cfg->http_timeout + g_cfg->header_timeout);
}

static void peer_text(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "unknown");
	if (ci && ci->client_addr) {
		socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								      : sizeof(struct sockaddr_in);
		getnameinfo(ci->client_addr, len, out, (socklen_t)n, NULL, 0, NI_NUMERICHOST);
	}
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct hconn *h = calloc(1, sizeof *h);
		if (!h)
			abort();
		const union MHD_ConnectionInfo *fi = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		h->fd = fi ? fi->connect_fd : -1;
		peer_text(conn, h->peer, sizeof h->peer);
		h->trusted = cidr_list_contains(&g_cfg->trusted_proxies, h->peer);
		atomic_store(&h->deadline_ms, idle_deadline());
		pthread_mutex_lock(&g_conn_lock);
		int same = 0;
		if (!h->trusted)
			for (struct hconn *o = g_conns; o; o = o->next)
				same += strcmp(o->peer, h->peer) == 0;
		h->over_limit = g_nconns >= g_cfg->connection_limit || same >= g_cfg->per_ip_limit;
		h->next = g_conns;
		if (g_conns)
			g_conns->prev = h;
		g_conns = h;
		g_nconns++;
		pthread_mutex_unlock(&g_conn_lock);
		if (h->over_limit)
			atomic_fetch_add(&g_over_limit, 1);
		*socket_context = h;
		return;
	}
	struct hconn *h = *socket_context;
	if (!h)
		return;
	pthread_mutex_lock(&g_conn_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		g_conns = h->next;
	if (h->next)
		h->next->prev = h->prev;
	g_nconns--;
	pthread_mutex_unlock(&g_conn_lock);
	*socket_context = NULL;
	free(h);
}

static struct hconn *hconn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void reap(void)
{
	long long now = mono_ms();
	pthread_mutex_lock(&g_conn_lock);
	for (struct hconn *h = g_conns; h; h = h->next) {
		long long d = atomic_load(&h->deadline_ms);
		if (!h->cut && d && now > d && h->fd >= 0) {
			/* counted first: whoever sees the connection end may look */
			atomic_fetch_add(atomic_load(&h->in_body) ? &g_cut_bodies : &g_cut_headers, 1);
			h->cut = true;
			shutdown(h->fd, SHUT_RDWR);
		}
	}
	pthread_mutex_unlock(&g_conn_lock);
}

static void *reaper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_reaper_lock);
	while (!g_reaper_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g_reaper_cond, &g_reaper_lock, &until);
		if (g_reaper_stop)
			break;
		pthread_mutex_unlock(&g_reaper_lock);
		reap();
		pthread_mutex_lock(&g_reaper_lock);
	}
	pthread_mutex_unlock(&g_reaper_lock);
	return NULL;
}

static void reaper_stop(void)
{
	if (!g_reaper_running)
		return;
	pthread_mutex_lock(&g_reaper_lock);
	g_reaper_stop = true;
	pthread_cond_signal(&g_reaper_cond);
	pthread_mutex_unlock(&g_reaper_lock);
	pthread_join(g_reaper, NULL);
	g_reaper_running = false;
}

static void http_metrics_write(FILE *f)
{
	pthread_mutex_lock(&g_conn_lock);
	int open = g_nconns;
	pthread_mutex_unlock(&g_conn_lock);
	fprintf(f,
		"# HELP alurd_http_connections Client connections open now.\n"
		"# TYPE alurd_http_connections gauge\n"
		"alurd_http_connections %d\n"
		"# HELP alurd_http_deadline_cuts_total Connections shut down because a request outlasted its deadline.\n"
		"# TYPE alurd_http_deadline_cuts_total counter\n"
		"alurd_http_deadline_cuts_total{phase=\"headers\"} %llu\n"
		"alurd_http_deadline_cuts_total{phase=\"body\"} %llu\n"
		"# HELP alurd_http_over_limit_total Connections answered 503 for exceeding the per-address or total limit.\n"
		"# TYPE alurd_http_over_limit_total counter\n"
		"alurd_http_over_limit_total %llu\n",
		open, (unsigned long long)atomic_load(&g_cut_headers), (unsigned long long)atomic_load(&g_cut_bodies),
		(unsigned long long)atomic_load(&g_over_limit));
}

struct hreq {
	struct arena arena;
	struct api_ctx ctx;
	struct MHD_Connection *conn;
	struct timespec t0;
	struct router_match m;
	struct err early;   /* rejection decided before the body */
	bool preflight;
	bool has_body;
	char *body;
	size_t len, cap, limit;
	size_t drained; /* bytes of a refused body read and dropped */
	crypto_hash_sha256_state sha;
	struct MHD_Response *resp;
	int status;
	bool problem;
	bool queued;
	int db_statements; /* round trips to PostgreSQL the handler made */
	const char *origin; /* the caller's Origin when it is allowed */
	struct hconn *hc;   /* the connection's state (NULL only if libmicrohttpd gave none) */
	bool begun;         /* the access handler has run its first call */
	bool close_now;     /* refused framing: answer on the first call and close */
	bool uri_too_long;  /* the request line broke MAX_URI_BYTES / MAX_QUERY_ARGS */
	bool uri_space;     /* the raw request target holds a space */
	char client[64];    /* the client's address (see cidr_client_address) */
	char request_id[129];
	struct feed_waiter fw; /* parked long-poll (fw.deadline_ms 0: never parked) */
	int reruns;            /* times the parked request was run again */
};

/* ---- small helpers ------------------------------------------------------ */

static double elapsed(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool request_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return false;
	return true;
}

static void request_id_init(struct hreq *r)
{
	const char *given = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Request-Id");
	if (given && request_id_valid(given)) {
		snprintf(r->request_id, sizeof r->request_id, "%s", given);
		return;
	}
	unsigned char raw[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(r->request_id, sizeof r->request_id, raw, sizeof raw);
}

static bool origin_allowed(const char *origin)
{
	for (int i = 0; i < g_cfg->n_origins; i++)
		if (strcmp(g_cfg->origins[i], "*") == 0 || strcmp(g_cfg->origins[i], origin) == 0)
			return true;
	return false;
}

/* ---- framing ------------------------------------------------------------ */

struct framing {
	int content_length_count;
	int transfer_encoding_count;
	int host_count;
	bool chunked;
	bool bad_length;
	bool bad_name;        /* a header name that is not an RFC 9110 token */
	bool framing_lookalike; /* content-length... / transfer-encoding... that is not it */
	size_t header_bytes;
	unsigned long long content_length;
	const char *xff;      /* X-Forwarded-For values joined with "," (arena) */
	struct arena *arena;
};

/* RFC 9110 §5.6.2: token = 1*tchar. */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!(strchr("!#$%&'*+-.^_`|~", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

static enum MHD_Result framing_visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct framing *f = cls;
	f->header_bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
	if (!is_token(key))
		f->bad_name = true;
	if (strcasecmp(key, "Content-Length") == 0) {
		f->content_length_count++;
		char *end;
		if (!value || !*value || strspn(value, "0123456789") != strlen(value))
			f->bad_length = true;
		else
			f->content_length = strtoull(value, &end, 10);
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->transfer_encoding_count++;
		f->chunked = value && strcasecmp(value, "chunked") == 0;
	} else if (strncasecmp(key, "content-length", 14) == 0 || strncasecmp(key, "transfer-encoding", 17) == 0) {
		f->framing_lookalike = true;
	} else if (strcasecmp(key, "Host") == 0) {
		f->host_count++;
	} else if (strcasecmp(key, "X-Forwarded-For") == 0 && value) {
		f->xff = f->xff ? arena_printf(f->arena, "%s,%s", f->xff, value) : arena_strdup(f->arena, value);
	}
	return MHD_YES;
}

/* Returns false (with e filled) on ambiguous framing or a malformed header
 * block. Any framing header means a body follows, and a malformed name may
 * hide one, so such a refusal is answered at once and the connection
 * closed: the bytes after it are never read as a request. */
static bool check_framing(struct hreq *r, const char *version, struct err *e)
{
	struct framing f = {.arena = &r->arena};
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, framing_visit, &f);
	r->has_body = f.transfer_encoding_count > 0 || f.content_length_count > 1 || f.bad_length ||
		      f.content_length > 0;
	if (f.xff) {
		char peer[sizeof r->client];
		memcpy(peer, r->client, sizeof peer);
		cidr_client_address(&g_cfg->trusted_proxies, peer, f.xff, r->client, sizeof r->client);
	}
	r->close_now = true;
	if (f.bad_name)
		return err_set(e, ERR_INVALID, "http.bad_header", "A header name is not a valid token.");
	if (f.framing_lookalike)
		return err_set(e, ERR_INVALID, "http.bad_framing",
			       "A header that looks like Content-Length or Transfer-Encoding but is not (folded?).");
	if (f.content_length_count > 1)
		return err_set(e, ERR_INVALID, "http.bad_framing", "More than one Content-Length header.");
	if (f.content_length_count && f.transfer_encoding_count)
		return err_set(e, ERR_INVALID, "http.bad_framing", "Content-Length together with Transfer-Encoding.");
	if (f.transfer_encoding_count > 1 || (f.transfer_encoding_count && !f.chunked))
		return err_set(e, ERR_INVALID, "http.bad_framing", "Only the chunked transfer coding is accepted.");
	if (f.bad_length)
		return err_set(e, ERR_INVALID, "http.bad_framing", "Content-Length is not a number.");
	if (f.host_count > 1 || (f.host_count == 0 && strcmp(version, "HTTP/1.0") != 0))
		return err_set(e, ERR_INVALID, "http.bad_host", "Exactly one Host header is required.");
	if (f.header_bytes > MAX_HEADER_BYTES)
		return err_set(e, ERR_HEADERS_TOO_LARGE, "http.headers_too_large", "The header fields exceed %d bytes.",
			       MAX_HEADER_BYTES);
	if (r->uri_space)
		return err_set(e, ERR_INVALID, "http.bad_request_line", "The request target contains a space.");
	r->close_now = false;
	if (f.content_length > r->limit && r->limit)
		return err_set(e, ERR_TOO_LARGE, "http.body_too_large", "The body is larger than %zu bytes.", r->limit);
	return true;
}

/* ---- the first call: every decision that needs no body ------------------ */

static bool media_type_is_json(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (!(n == 16 && strncasecmp(ct, "application/json", 16) == 0))
		return false;
	const char *cs = strcasestr(ct, "charset=");
	return !cs || strncasecmp(cs + 8, "utf-8", 5) == 0 || strncasecmp(cs + 8, "\"utf-8\"", 7) == 0;
}

static bool media_type_is_form(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return n == 33 && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static bool check_route(struct hreq *r, const char *method, struct err *e)
{
	if (strcmp(method, "OPTIONS") == 0) {
		router_find(method, r->ctx.path, &r->m);
		if (!r->m.allow[0])
			return err_set(e, ERR_NOT_FOUND, "http.not_found", "No such resource.");
		r->preflight = true;
		return true;
	}
	if (!router_find(method, r->ctx.path, &r->m)) {
		if (r->m.allow[0])
			return err_set(e, ERR_METHOD, "http.method_not_allowed", "%s is not allowed here; use %s.", method,
				       r->m.allow);
		return err_set(e, ERR_NOT_FOUND, "http.not_found", "No such resource.");
	}
	const struct route *rt = r->m.route;
	r->limit = rt->body_limit ? rt->body_limit : rt->body == API_BODY_RAW ? g_cfg->max_upload : g_cfg->max_body;
	return true;
}

static bool check_body_kind(struct hreq *r, struct err *e)
{
	if (!r->has_body || !r->m.route)
		return true;
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
	switch (r->m.route->body) {
	case API_BODY_NONE:
		return err_set(e, ERR_MEDIA_TYPE, "http.unsupported_media_type", "This route takes no request body.");
	case API_BODY_JSON:
		if (!media_type_is_json(ct))
			return err_set(e, ERR_MEDIA_TYPE, "http.unsupported_media_type",
				       "The body must be application/json (UTF-8).");
		return true;
	case API_BODY_TOKEN:
		if (!media_type_is_json(ct) && !media_type_is_form(ct))
			return err_set(e, ERR_MEDIA_TYPE, "http.unsupported_media_type",
				       "The body must be application/x-www-form-urlencoded or application/json.");
		return true;
	case API_BODY_RAW:
		if (!ct || !*ct)
			return err_set(e, ERR_MEDIA_TYPE, "http.unsupported_media_type", "A Content-Type is required.");
		return true;
	}
	return true;
}

static bool check_auth(struct hreq *r, struct err *e)
{
	if (!r->m.route || r->m.route->action == ACT_PUBLIC)
		return true;
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
	/* acting under a delegation: the position's role is checked on the
	 * worker, once the delegation is read (api_acting_resolve) */
	bool acting = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Delegation-Id") != NULL;
	return auth_authenticate(h, &r->ctx.who, e) &&
	       auth_authorize(&r->ctx.who, acting ? ACT_SELF_READ : r->m.route->action, e);
}

static void first_call(struct hreq *r, const char *method, const char *url, const char *version)
{
	r->ctx.arena = &r->arena;
	r->ctx.method = arena_strdup(&r->arena, method);
	r->ctx.path = arena_strdup(&r->arena, url);
	r->ctx.request_id = r->request_id;
	request_id_init(r);
	snprintf(r->client, sizeof r->client, "%s", r->hc ? r->hc->peer : "unknown");
	const char *origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
	if (origin && origin_allowed(origin))
		r->origin = arena_strdup(&r->arena, origin);
	err_clear(&r->early);
	/* the route first (it sets the size limit), then the framing */
	struct err route_err;
	err_clear(&route_err);
	bool route_ok = check_route(r, method, &route_err);
	if (!check_framing(r, version, &r->early))
		return;
	if (r->uri_too_long) {
		err_set(&r->early, ERR_URI_TOO_LONG, "http.uri_too_long",
			"The request target is longer than %d bytes or has more than %d query parameters.",
			MAX_URI_BYTES, MAX_QUERY_ARGS);
		return;
	}
	if (r->hc && r->hc->over_limit) {
		err_set(&r->early, ERR_UNAVAILABLE, "http.too_many_connections",
			"Too many connections from this address (or in all); try again shortly.");
		r->early.retry_after = 1;
		return;
	}
	if (!route_ok) {
		r->early = route_err;
		return;
	}
	if (!r->preflight && (!check_body_kind(r, &r->early) || !check_auth(r, &r->early)))
		return;
	if (r->ctx.who.subject_unverified && r->m.route && r->m.route->tx == API_TX_NONE) {
		/* no worker, so no look-up here: the snapshot catches up first */
		auth_snapshot_kick();
		err_set(&r->early, ERR_UNAVAILABLE, "auth.unavailable", "Accounts are being refreshed; try again shortly.");
		r->early.retry_after = 1;
	}
}

/* ---- responses ---------------------------------------------------------- */

static void add_header(struct MHD_Response *resp, const char *name, const char *value, const char *rid)
{
	if (MHD_add_response_header(resp, name, value) == MHD_NO)
		log_msg(LOG_ERROR, rid, "response header %s refused (control characters?)", name);
}

static void set_problem(struct hreq *r, const struct err *e)
{
	struct api_ctx *c = &r->ctx;
	int status = api_status_for(e->kind);
	json_t *problem = api_problem_new(e, status, r->request_id);
	bool token_endpoint = r->m.route && r->m.route->body == API_BODY_TOKEN;
	if (token_endpoint)
		api_problem_add_oauth(problem, e, status);
	api_reply_json(c, status, problem);
	r->problem = true;
	if (e->kind == ERR_METHOD && r->m.allow[0])
		api_set_header(c, "Allow", r->m.allow);
	if (e->location[0])
		api_set_header(c, "Location", e->location);
	if (r->close_now || e->kind == ERR_TOO_LARGE || e->kind == ERR_URI_TOO_LONG ||
	    strcmp(e->code, "http.too_many_connections") == 0)
		api_set_header(c, "Connection", "close");
	if (e->kind == ERR_UNAUTHENTICATED) {
		/* a client that authenticated with HTTP Basic at a token endpoint is
		 * challenged in that scheme (RFC 6749 §5.2) */
		const char *authz = api_header(c, "Authorization");
		bool basic = token_endpoint && authz && strncasecmp(authz, "Basic", 5) == 0;
		api_set_header(c, "WWW-Authenticate", basic ? "Basic realm=\"alurd\"" : auth_challenge(e, &r->arena));
	}
	if ((e->kind == ERR_TOO_MANY || e->kind == ERR_UNAVAILABLE) && e->retry_after > 0)
		api_set_header(c, "Retry-After", arena_printf(&r->arena, "%d", e->retry_after));
	if (status >= 500 && e->retry_after > 0) /* back-pressure: expected under load */
		log_json(LOG_WARN, r->request_id, "request refused",
			 json_pack("{s:s, s:s}", "code", e->code, "cause", e->log));
	else if (status >= 500)
		log_json(LOG_ERROR, r->request_id, "request failed",
			 json_pack("{s:s, s:s}", "code", e->code, "cause", e->log));
	else if (e->log[0])
		log_json(LOG_DEBUG, r->request_id, "request refused",
			 json_pack("{s:s, s:s}", "code", e->code, "cause", e->log));
}

static bool has_out_header(const struct api_ctx *c, const char *name)
{
	for (int i = 0; i < c->nout_headers; i++)
		if (strcasecmp(c->out_headers[i].key, name) == 0)
			return true;
	return false;
}

static void add_cors(struct hreq *r, struct MHD_Response *resp)
{
	if (!r->origin)
		return;
	add_header(resp, "Access-Control-Allow-Origin", r->origin, r->request_id);
	add_header(resp, "Vary", "Origin", r->request_id);
	add_header(resp, "Access-Control-Expose-Headers",
		   "ETag, Location, Retry-After, WWW-Authenticate, X-Request-Id, Allow, Content-Disposition",
		   r->request_id);
}

/* Turns the api_ctx response fields into r->resp. */
static void build_response(struct hreq *r)
{
	struct api_ctx *c = &r->ctx;
	struct MHD_Response *resp;
	const char *type = NULL;
	if (c->out) {
		char *text = json_dumps(c->out, JSON_COMPACT);
		if (!text)
			abort();
		json_decref(c->out);
		c->out = NULL;
		resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
		type = r->problem ? "application/problem+json" : "application/json";
	} else {
		resp = MHD_create_response_from_buffer(c->out_len, (void *)(uintptr_t)c->out_bytes,
						       MHD_RESPMEM_PERSISTENT);
		type = c->out_type;
	}
	if (!resp)
		abort();
	if (type)
		add_header(resp, "Content-Type", type, r->request_id);
	add_header(resp, "X-Request-Id", r->request_id, r->request_id);
	add_header(resp, "X-Content-Type-Options", "nosniff", r->request_id);
	if (!has_out_header(c, "Cache-Control"))
		add_header(resp, "Cache-Control", "no-store", r->request_id);
	add_cors(r, resp);
	for (int i = 0; i < c->nout_headers; i++)
		add_header(resp, c->out_headers[i].key, c->out_headers[i].value, r->request_id);
	r->status = c->status;
	r->resp = resp;
}

static void build_preflight(struct hreq *r)
{
	struct api_ctx *c = &r->ctx;
	const char *origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
	const char *want = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Access-Control-Request-Method");
	if (origin && want && !r->origin) {
		struct err e;
		err_clear(&e);
		err_set(&e, ERR_FORBIDDEN, "http.cors_origin_denied", "This origin is not allowed.");
		set_problem(r, &e);
		build_response(r);
		return;
	}
	api_reply_bytes(c, 204, NULL, NULL, 0);
	api_set_header(c, "Allow", r->m.allow);
	if (r->origin && want) {
		api_set_header(c, "Access-Control-Allow-Methods", r->m.allow);
		api_set_header(c, "Access-Control-Allow-Headers",
			       "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id");
		api_set_header(c, "Access-Control-Max-Age", "600");
	}
	build_response(r);
}

static enum MHD_Result queue(struct hreq *r)
{
	if (r->queued)
		return MHD_YES;
	r->queued = true;
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return ret;
}

/* ---- the dispatcher: runs on a worker (or inline for API_TX_NONE) ------- */

struct collect {
	struct hreq *r;
	struct api_kv *kv;
	int n, cap;
};

static enum MHD_Result collect_visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct collect *k = cls;
	if (k->kv && k->n < k->cap) {
		k->kv[k->n].key = arena_strdup(&k->r->arena, key);
		k->kv[k->n].value = arena_strdup(&k->r->arena, value ? value : "");
	}
	k->n++;
	return MHD_YES;
}

static const struct api_kv *collect(struct hreq *r, enum MHD_ValueKind kind, int *n)
{
	struct collect k = {r, NULL, 0, 0};
	MHD_get_connection_values(r->conn, kind, collect_visit, &k);
	k.cap = k.n;
	k.n = 0;
	k.kv = arena_alloc(&r->arena, sizeof *k.kv * (size_t)(k.cap ? k.cap : 1));
	MHD_get_connection_values(r->conn, kind, collect_visit, &k);
	*n = k.n < k.cap ? k.n : k.cap;
	return k.kv;
}

/* Copies what the handler may read into the arena (on the HTTP thread). */
static void unpark(struct feed_waiter *w, bool final);

static void prepare_ctx(struct hreq *r)
{
	struct api_ctx *c = &r->ctx;
	c->route = r->m.route;
	c->nparams = r->m.nparams;
	for (int i = 0; i < r->m.nparams; i++)
		c->params[i] = arena_strndup(&r->arena, r->m.params[i].start, r->m.params[i].len);
	c->headers = collect(r, MHD_HEADER_KIND, &c->nheaders);
	c->query = collect(r, MHD_GET_ARGUMENT_KIND, &c->nquery);
	c->content_type = api_header(c, "Content-Type");
	c->client_addr = r->client;
	c->may_park = r->m.route->tx != API_TX_NONE;
	r->fw.wake = unpark;
	c->body = r->body;
	c->body_len = r->len;
	unsigned char digest[crypto_hash_sha256_BYTES];
	if (r->len == 0)
		crypto_hash_sha256_init(&r->sha);
	crypto_hash_sha256_final(&r->sha, digest);
	char *hex = arena_alloc(&r->arena, 2 * sizeof digest + 1);
	sodium_bin2hex(hex, 2 * sizeof digest + 1, digest, sizeof digest);
	c->body_sha256 = hex;
}

/* A URL-encoded form as a JSON object of strings (core/urlform.c). */
static bool parse_form(struct hreq *r, struct err *e)
{
	char *buf = arena_alloc(&r->arena, r->len + 1);
	struct urlform_pair pairs[32];
	size_t n;
	const char *bad;
	if (!urlform_parse(r->body, r->len, buf, pairs, 32, &n, &bad))
		return err_set(e, ERR_INVALID, "http.malformed_form", "The form is malformed: %s.", bad);
	r->ctx.json = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_string(pairs[i].value);
		if (!v || json_object_set_new(r->ctx.json, pairs[i].key, v) != 0)
			return err_set(e, ERR_INVALID, "http.malformed_form", "The form is not UTF-8 text.");
	}
	return true;
}

static bool parse_json(struct hreq *r, struct err *e)
{
	if (r->m.route->body == API_BODY_TOKEN && r->len > 0 &&
	    media_type_is_form(r->ctx.content_type))
		return parse_form(r, e);
	if ((r->m.route->body != API_BODY_JSON && r->m.route->body != API_BODY_TOKEN) || r->len == 0)
		return true;
	json_error_t je;
	r->ctx.json = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &je);
	if (!r->ctx.json)
		return err_set(e, ERR_INVALID, "http.malformed_json", "The body is not valid JSON: %s (line %d, column %d).",
			       je.text, je.line, je.column);
	if (!json_is_object(r->ctx.json))
		return err_set(e, ERR_INVALID, "http.malformed_json", "The body must be a JSON object.");
	return true;
}

/* ---- Idempotency-Key (POST on write routes) ------------------------------ */

static bool idem_key_valid(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 200)
		return false;
	for (const char *p = k; *p; p++)
		if (*p < 0x21 || *p > 0x7E)
			return false;
	return true;
}

/* The fingerprint of the request a key is bound to: method, path, query
 * and the body's hash. */
static const char *idem_fingerprint(struct hreq *r)
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	struct api_ctx *c = &r->ctx;
	crypto_hash_sha256_update(&st, (const unsigned char *)c->method, strlen(c->method) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)c->path, strlen(c->path) + 1);
	for (int i = 0; i < c->nquery; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)c->query[i].key, strlen(c->query[i].key) + 1);
		crypto_hash_sha256_update(&st, (const unsigned char *)c->query[i].value, strlen(c->query[i].value) + 1);
	}
	crypto_hash_sha256_update(&st, (const unsigned char *)c->body_sha256, strlen(c->body_sha256));
	crypto_hash_sha256_final(&st, h);
	char *hex = arena_alloc(&r->arena, 2 * sizeof h + 1);
	sodium_bin2hex(hex, 2 * sizeof h + 1, h, sizeof h);
	return hex;
}

/* Before the handler: claims the key, or answers from the stored result.
 * *replayed tells the handler must not run. */
static bool idem_claim(struct hreq *r, const char *key, bool *replayed, struct err *e)
{
	struct api_ctx *c = &r->ctx;
	enum db_idem_outcome outcome;
	struct db_idem_answer a;
	*replayed = false;
	if (!db_idem_claim(e, &r->arena, c->who.subject, key, idem_fingerprint(r), &outcome, &a))
		return false;
	if (outcome == DB_IDEM_MISMATCH)
		return err_set(e, ERR_UNPROCESSABLE, "idempotency.key_reused",
			       "This Idempotency-Key was used for a different request.");
	if (outcome == DB_IDEM_REPLAY) {
		*replayed = true;
		const char *body = a.body ? a.body : "";
		api_reply_bytes(c, a.status, a.content_type, body, strlen(body));
		if (a.location)
			api_set_header(c, "Location", a.location);
		if (a.etag)
			api_set_header(c, "ETag", a.etag);
		api_set_header(c, "Idempotent-Replayed", "true");
	}
	return true;
}

/* After a successful handler: stores its answer with the key. */
static bool idem_store(struct hreq *r, const char *key, struct err *e)
{
	struct api_ctx *c = &r->ctx;
	struct db_idem_answer a = {.status = c->status, .content_type = c->out_type};
	if (c->replay_body) {
		a.body = c->replay_body; /* the handler's answer holds a secret */
		a.content_type = "application/json";
	} else if (c->out) {
		char *text = json_dumps(c->out, JSON_COMPACT);
		a.body = arena_strdup(&r->arena, text);
		a.content_type = "application/json";
		free(text);
	} else if (c->out_bytes) {
		a.body = arena_strndup(&r->arena, c->out_bytes, c->out_len);
	}
	for (int i = 0; i < c->nout_headers; i++) {
		if (strcasecmp(c->out_headers[i].key, "Location") == 0)
			a.location = c->out_headers[i].value;
		if (strcasecmp(c->out_headers[i].key, "ETag") == 0)
			a.etag = c->out_headers[i].value;
	}
	return db_idem_store(e, c->who.subject, key, &a);
}

/* Commits the writes that record a refusal (audit row, throttle counter);
 * the refusal itself stays the answer. */
static void keep_refusal(struct err *e)
{
	struct err commit_err;
	err_clear(&commit_err);
	if (!db_commit(&commit_err))
		*e = commit_err;
}

static bool call_handler(struct hreq *r, struct err *e)
{
	const struct route *rt = r->m.route;
	struct api_ctx *c = &r->ctx;
	const char *key = NULL;
	if (rt->tx == API_TX_WRITE && strcmp(rt->method, "POST") == 0 && c->who.authenticated) {
		key = api_header(c, "Idempotency-Key");
		if (key && !idem_key_valid(key))
			return err_set(e, ERR_INVALID, "http.invalid_idempotency_key",
				       "Idempotency-Key is 1 to 200 visible ASCII characters.");
	}
	for (int attempt = 0;; attempt++) {
		bool replayed = false;
		if (rt->tx == API_TX_REPORT)
			db_unit_start_report();
		else if (rt->tx != API_TX_NONE)
			db_unit_start(rt->tx == API_TX_READ);
		bool ok = (rt->tx != API_TX_WRITE || db_begin(e)) && (!key || idem_claim(r, key, &replayed, e)) &&
			  (replayed || (api_acting_resolve(c, e) && rt->handler(c, e))) && (!key || replayed || c->status >= 300 || idem_store(r, key, e));
		if (rt->tx == API_TX_WRITE && db_in_transaction()) {
			if (ok)
				ok = db_commit(e);
			else if (c->commit_on_error && e->kind != ERR_UNAVAILABLE && e->kind != ERR_INTERNAL)
				keep_refusal(e);
			else
				db_rollback();
		}
		if (ok || e->kind != ERR_RETRY || attempt == 2)
			return ok;
		api_reply_json(c, 0, NULL);
		c->nout_headers = 0;
		c->commit_on_error = false;
		err_clear(e);
	}
}

/* A parked request is run again at most this many times (the feed moved,
 * but not for this caller's page) before it answers its empty page. */
#define MAX_RERUNS 20

/* Runs the request; false when it was parked instead (nothing to resume). */
static bool run(struct hreq *r)
{
	struct err e;
	err_clear(&e);
	if (r->ctx.who.subject_unverified)
		db_unit_start(true);
	bool ok;
	for (;;) {
		ok = auth_verify_subject(&r->ctx.who, &e) && api_only_query(&r->ctx, r->m.route->query, &e) &&
		     parse_json(r, &e) && call_handler(r, &e);
		if (!ok || r->ctx.status != 0 || r->ctx.park_ms <= 0)
			break;
		if (!r->fw.deadline_ms)
			r->fw.deadline_ms = mono_ms() + r->ctx.park_ms;
		r->ctx.park_ms = 0;
		if (r->ctx.may_park && mono_ms() < r->fw.deadline_ms && feed_park(&r->fw))
			return false;
		r->ctx.may_park = false; /* not parked: answer the (empty) page now */
	}
	if (r->m.route->tx != API_TX_NONE)
		r->db_statements += db_unit_statements();
	if (ok && r->ctx.status == 0)
		ok = err_set(&e, ERR_INTERNAL, "internal", "The handler gave no answer.");
	if (!ok) {
		r->ctx.nout_headers = 0;
		set_problem(r, &e);
	}
	build_response(r);
	return true;
}

static void run_job(void *arg)
{
	struct hreq *r = arg;
	if (run(r))
		MHD_resume_connection(r->conn);
}

/* The feed moved (or the deadline passed): run the parked request again. */
static void unpark(struct feed_waiter *w, bool final)
{
	struct hreq *r = (struct hreq *)(void *)((char *)w - offsetof(struct hreq, fw));
	r->ctx.may_park = !final && ++r->reruns < MAX_RERUNS;
	pool_submit(run_job, r);
}

/* ---- libmicrohttpd callbacks -------------------------------------------- */

static enum MHD_Result answer_now(struct hreq *r)
{
	if (r->early.kind != ERR_NONE) {
		set_problem(r, &r->early);
		build_response(r);
	} else if (r->preflight) {
		build_preflight(r);
	}
	return queue(r);
}

/* A chunked body over the limit is read on (and dropped) up to this many
 * further bytes so the client gets its 413; past that the connection is cut. */
#define DRAIN_MAX ((size_t)1 << 20)

static enum MHD_Result take_upload(struct hreq *r, const char *data, size_t n)
{
	if (r->early.kind != ERR_NONE) {
		/* refused: drop the rest (a Content-Length refusal was answered
		 * already and the connection closes) */
		r->drained += n;
		return r->drained > DRAIN_MAX ? MHD_NO : MHD_YES;
	}
	if (n > r->limit - r->len) {
		free(r->body);
		r->body = NULL;
		r->len = 0;
		r->drained = n;
		err_set(&r->early, ERR_TOO_LARGE, "http.body_too_large", "The body is larger than %zu bytes.", r->limit);
		return MHD_YES;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > r->limit + 1)
			cap = r->limit + 1;
		char *b = realloc(r->body, cap);
		if (!b)
			abort();
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	if (r->len == 0)
		crypto_hash_sha256_init(&r->sha);
	crypto_hash_sha256_update(&r->sha, (const unsigned char *)data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return MHD_YES;
}

/* libmicrohttpd calls this with the raw request target as soon as the
 * request line is in, before it splits the query into arguments; what it
 * returns becomes the request's context. A target over the limits is
 * answered 414 later; its query is cut here (the buffer is libmicrohttpd's
 * own read buffer, writable), because splitting hundreds of arguments would
 * exhaust the connection's memory pool and libmicrohttpd would then answer
 * nothing at all. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	struct hreq *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->conn = conn;
	r->hc = hconn_of(conn);
	if (r->hc)
		atomic_store(&r->hc->deadline_ms, mono_ms() + 1000LL * g_cfg->header_timeout);
	size_t n = strlen(uri);
	r->uri_space = strchr(uri, ' ') != NULL;
	const char *q = strchr(uri, '?');
	size_t args = 0;
	for (const char *p = q; p && *p; p++)
		args += *p == '&' || *p == ';';
	if (q && (n > MAX_URI_BYTES || args + 1 > MAX_QUERY_ARGS)) {
		r->uri_too_long = true;
		((char *)(uintptr_t)q)[1] = '\0';
	} else if (n > MAX_URI_BYTES) {
		r->uri_too_long = true;
	}
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)cls;
	struct hreq *r = *con_cls;
	if (!r) { /* no URI callback ran (it always does; kept for safety) */
		r = on_uri(NULL, url, conn);
		*con_cls = r;
	}
	if (!r->begun) {
		r->begun = true;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		arena_init(&r->arena);
		metrics_inflight_add(1);
		first_call(r, method, url, version);
		if (r->hc) {
			/* headers are in: from now on the body's deadline, if any */
			atomic_store(&r->hc->in_body, r->has_body);
			atomic_store(&r->hc->deadline_ms, r->has_body ? mono_ms() + 1000LL * g_cfg->body_timeout : 0);
		}
		if (r->early.kind != ERR_NONE && (r->has_body || r->close_now))
			return answer_now(r); /* never read a body we refuse */
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		return take_upload(r, upload_data, n);
	}
	if (r->hc && atomic_load(&r->hc->in_body)) {
		atomic_store(&r->hc->in_body, 0);
		atomic_store(&r->hc->deadline_ms, 0);
	}
	if (r->resp || r->queued)
		return queue(r);
	if (r->early.kind != ERR_NONE || r->preflight)
		return answer_now(r);
	prepare_ctx(r);
	if (r->m.route->tx == API_TX_NONE) {
		run(r);
		return queue(r);
	}
	MHD_suspend_connection(conn);
	pool_submit(run_job, r);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	struct hreq *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	struct hconn *hc = hconn_of(conn);
	if (hc) { /* idle again: the next request's allowance starts now */
		atomic_store(&hc->in_body, 0);
		atomic_store(&hc->deadline_ms, idle_deadline());
	}
	if (!r->begun) { /* refused by libmicrohttpd before our handler saw it */
		free(r);
		return;
	}
	double secs = elapsed(&r->t0);
	int status = r->queued ? r->status : 0;
	metrics_observe(r->m.index, status, secs);
	metrics_inflight_add(-1);
	if (log_enabled(LOG_INFO)) {
		json_t *f = json_pack("{s:s, s:s, s:s, s:i, s:f, s:s}", "event", "access", "method",
				      r->ctx.method ? r->ctx.method : "-", "route",
				      r->m.route ? r->m.route->path : "unmatched", "status", status, "duration_ms",
				      secs * 1000.0, "client", r->client);
		if (r->ctx.who.authenticated)
			json_object_set_new(f, "user", json_string(r->ctx.who.subject));
		if (r->db_statements)
			json_object_set_new(f, "db_statements", json_integer(r->db_statements));
		if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
			json_object_set_new(f, "terminated", json_integer((json_int_t)toe));
		log_json(LOG_INFO, r->request_id, NULL, f);
	}
	if (r->resp)
		MHD_destroy_response(r->resp);
	json_decref(r->ctx.json);
	json_decref(r->ctx.out);
	free(r->body);
	arena_cleanup(&r->arena);
	free(r);
}

/* libmicrohttpd's format strings; the attribute lets the compiler check the
 * call as a printf-style forwarder. */
__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	log_msg(LOG_DEBUG, NULL, "http: %s", buf);
}

/* ---- lifecycle ---------------------------------------------------------- */

bool http_start(const struct config *cfg, struct err *e)
{
	g_cfg = cfg;
	char port[8];
	snprintf(port, sizeof port, "%d", cfg->listen_port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai;
	int rc = getaddrinfo(cfg->listen_host, port, &hints, &ai);
	if (rc != 0)
		return err_set(e, ERR_INVALID, "config.listen", "ALURD_LISTEN: cannot resolve %s: %s", cfg->listen_host,
			       gai_strerror(rc));
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	pool_start(cfg->threads);
	/* libmicrohttpd's own limits are the hard safety net above the soft
	 * ones answered with 503 (see on_connection); behind trusted proxies
	 * every client shares the proxy's address, so there the per-address
	 * check is ours alone */
	unsigned hard_total = (unsigned)cfg->connection_limit + (unsigned)(cfg->connection_limit / 4 + 64);
	unsigned hard_per_ip = cfg->trusted_proxies.n ? 0 : (unsigned)cfg->per_ip_limit * 2;
	static bool collector_added;
	if (!collector_added)
		metrics_add_collector(http_metrics_write);
	collector_added = true;
	g_reaper_stop = false;
	if (pthread_create(&g_reaper, NULL, reaper_main, NULL) != 0)
		abort();
	g_reaper_running = true;
	g_daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, hard_per_ip, MHD_OPTION_CONNECTION_LIMIT, hard_total,
		/* 0: Host and the request line are checked here (libmicrohttpd's
		 * own 400 for a missing Host sends its header block twice) */
		MHD_OPTION_STRICT_FOR_CLIENT, (int)0, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		/* a pool of one is no pool: libmicrohttpd warns, so pass it only when > 1 */
		cfg->http_threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (unsigned)cfg->http_threads,
		MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!g_daemon) {
		pool_stop();
		reaper_stop();
		return err_set(e, ERR_UNAVAILABLE, "config.listen", "ALURD_LISTEN: cannot listen on %s:%d (in use?)",
			       cfg->listen_host, cfg->listen_port);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(g_daemon, MHD_DAEMON_INFO_BIND_PORT);
	g_port = info ? info->port : cfg->listen_port;
	return true;
}

int http_port(void)
{
	return g_port;
}

/* The listening socket MHD_quiesce_daemon hands back: libmicrohttpd's
 * threads drop it from their epoll set a moment later, so it is closed only
 * after MHD_stop_daemon has joined them (closing it at once raced with their
 * epoll_ctl on it). */
static MHD_socket g_quiesced = MHD_INVALID_SOCKET;

void http_quiesce(void)
{
	if (g_daemon && g_quiesced == MHD_INVALID_SOCKET)
		g_quiesced = MHD_quiesce_daemon(g_daemon);
}

bool http_drain(int timeout_s)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (metrics_inflight() > 0) {
		if (elapsed(&t0) >= timeout_s)
			return false;
		struct timespec nap = {0, 20 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	return true;
}

void http_stop(void)
{
	pool_stop(); /* finishes queued jobs, which resume their connections */
	if (g_daemon)
		MHD_stop_daemon(g_daemon);
	g_daemon = NULL;
	if (g_quiesced != MHD_INVALID_SOCKET)
		close(g_quiesced);
	g_quiesced = MHD_INVALID_SOCKET;
	reaper_stop();
}
