/* harness.c — see harness.h.
 *
 * Processes are fork/exec'd with PR_SET_PDEATHSIG, so a test program killed
 * by a ctest timeout takes its daemons with it instead of leaving them bound
 * to ports. Every child's exit status goes through reap(), the one place that
 * decides whether an exit counts as a failure (ts_failures). Everything a
 * test receives (responses, parsed JSON, raw connections) sits on one list
 * that ts_gc() empties, so Check's non-local exit on a failed assertion never
 * turns into a leak report under the sanitizer build.
 */
#include "tests/support/harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef ALURD_BIN
#error "ALURD_BIN (the path of the alurd executable) must be defined by the build"
#endif
#ifndef TS_LOG_DIR
#error "TS_LOG_DIR (where daemon logs go) must be defined by the build"
#endif

_Static_assert(sizeof TS_JWT_SECRET - 1 == 48, "the test JWT secret is 48 characters");

extern char **environ;

/* Variables a child inherits from the test's own environment. */
static const char *const passthrough[] = {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", NULL};

static char g_suite[64] = "unnamed";
static bool g_curl_ready;
static atomic_int g_failures;
static int g_daemon_seq;

/* ---- small utilities ---------------------------------------------------- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("harness: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

long long ts_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void ts_nap_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

bool ts_sql_wait(const char *url, const char *query, const char *want, int within_ms)
{
	char v[256];
	for (long long until = ts_now_ms() + within_ms;; ts_nap_ms(50)) {
		if (ts_sql_value(url, query, v, sizeof v) && strcmp(v, want) == 0)
			return true;
		if (ts_now_ms() >= until)
			return false;
	}
}

/* mkdir -p */
static bool make_dirs(const char *path)
{
	char tmp[1024];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return false;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	return mkdir(tmp, 0755) == 0 || errno == EEXIST;
}

/* Reads a whole file; *len gets its size. NULL when it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *p = xmalloc(cap);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap *= 2;
			p = xrealloc(p, cap);
		}
		size_t k = fread(p + n, 1, cap - n - 1, f);
		n += k;
		if (k == 0)
			break;
	}
	fclose(f);
	p[n] = '\0';
	if (len)
		*len = n;
	return p;
}

static int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -1;
}

/* ---- what ts_gc frees --------------------------------------------------- */

enum gc_kind { GC_RESP, GC_JSON, GC_CONN };

struct gc_item {
	enum gc_kind kind;
	void *p;
	struct gc_item *next;
};

static pthread_mutex_t g_gc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gc_item *g_gc;

static void gc_add(enum gc_kind kind, void *p)
{
	struct gc_item *it = xmalloc(sizeof *it);
	it->kind = kind;
	it->p = p;
	pthread_mutex_lock(&g_gc_lock);
	it->next = g_gc;
	g_gc = it;
	pthread_mutex_unlock(&g_gc_lock);
}

static void resp_free(struct ts_resp *r)
{
	for (int i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	free((char *)(uintptr_t)r->content_type);
	json_decref(r->json);
	free(r);
}

struct ts_conn {
	int fd;
	bool eof;
};

void ts_gc(void)
{
	pthread_mutex_lock(&g_gc_lock);
	struct gc_item *it = g_gc;
	g_gc = NULL;
	pthread_mutex_unlock(&g_gc_lock);
	while (it) {
		struct gc_item *next = it->next;
		switch (it->kind) {
		case GC_RESP: resp_free(it->p); break;
		case GC_JSON: json_decref(it->p); break;
		case GC_CONN:
			ts_conn_close(it->p);
			free(it->p);
			break;
		}
		free(it);
		it = next;
	}
}

/* ---- process-wide ------------------------------------------------------- */

static bool suite_name_ok(const char *s)
{
	if (!*s || strlen(s) >= sizeof g_suite)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

void ts_init(const char *suite)
{
	if (!suite_name_ok(suite)) {
		say("suite name '%s' must match [a-z0-9_]+ (under %zu characters)", suite, sizeof g_suite);
		abort();
	}
	snprintf(g_suite, sizeof g_suite, "%s", suite);
	if (!g_curl_ready) {
		signal(SIGPIPE, SIG_IGN);
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			abort();
		g_curl_ready = true;
	}
}

const char *ts_suite(void)
{
	return g_suite;
}

void ts_shutdown(void)
{
	ts_gc();
	if (g_curl_ready)
		curl_global_cleanup();
	g_curl_ready = false;
}

int ts_failures(void)
{
	return atomic_load(&g_failures);
}

/* ---- environments for children ----------------------------------------- */

struct envb {
	char **v;
	int n, cap;
};

static void env_unset(struct envb *b, const char *name, size_t namelen)
{
	for (int i = 0; i < b->n; i++)
		if (strncmp(b->v[i], name, namelen) == 0 && b->v[i][namelen] == '=') {
			free(b->v[i]);
			b->v[i] = b->v[--b->n];
			return;
		}
}

/* "NAME=value" sets (replacing), a bare "NAME" removes. */
static void env_put(struct envb *b, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t namelen = eq ? (size_t)(eq - entry) : strlen(entry);
	env_unset(b, entry, namelen);
	if (!eq)
		return;
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->v = xrealloc(b->v, (size_t)b->cap * sizeof *b->v);
	}
	b->v[b->n++] = xstrdup(entry);
	b->v[b->n] = NULL;
}

static void env_set(struct envb *b, const char *name, const char *value)
{
	char *entry = xmalloc(strlen(name) + strlen(value) + 2);
	sprintf(entry, "%s=%s", name, value);
	env_put(b, entry);
	free(entry);
}

static void env_passthrough(struct envb *b)
{
	for (const char *const *p = passthrough; *p; p++) {
		const char *v = getenv(*p);
		if (v)
			env_set(b, *p, v);
	}
}

static void env_free(struct envb *b)
{
	for (int i = 0; i < b->n; i++)
		free(b->v[i]);
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

/* fork + exec of path with argv/envp; the child's fds 0, 1, 2 become in, out,
 * err (-1: /dev/null). Returns the pid or -1. */
static pid_t spawn(const char *path, char *const *argv, char *const *envp, int in, int out, int err)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	/* the child: die with the test program */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	int null = open("/dev/null", O_RDWR);
	dup2(in >= 0 ? in : null, 0);
	dup2(out >= 0 ? out : null, 1);
	dup2(err >= 0 ? err : null, 2);
	close_range(3, ~0u, 0);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (envp)
		execve(path, argv, envp);
	else
		execv(path, argv);
	dprintf(2, "harness: cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* ---- databases ---------------------------------------------------------- */

static const char *need_env(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		say("%s is not set: run the tests through deploy/test.sh, or set it as deploy/README.md describes", name);
		return NULL;
	}
	return v;
}

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static PGconn *connect_to(const char *url)
{
	PGconn *pg = PQconnectdb(url);
	if (!pg)
		abort();
	if (PQstatus(pg) != CONNECTION_OK) {
		say("cannot connect to %s: %s", url, PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeProcessor(pg, quiet_notice, NULL);
	return pg;
}

/* Runs sql; when sqlstate matches retry_state, tries again for up to 10 s. */
static bool exec_on(PGconn *pg, const char *sql, const char *retry_state)
{
	long long until = ts_now_ms() + 10000;
	for (;;) {
		PGresult *r = PQexec(pg, sql);
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			PQclear(r);
			return true;
		}
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		bool again = retry_state && state && strcmp(state, retry_state) == 0 && ts_now_ms() < until;
		if (!again)
			say("SQL failed: %s\n  %s", sql, PQresultErrorMessage(r));
		PQclear(r);
		if (!again)
			return false;
		ts_nap_ms(100);
	}
}

/* The base URL with its database replaced by db. */
static bool url_with_db(const char *base, const char *db, char *out, size_t n)
{
	int w;
	if (strncmp(base, "postgresql://", 13) == 0 || strncmp(base, "postgres://", 11) == 0) {
		const char *auth = strstr(base, "://") + 3;
		const char *q = strchr(auth, '?');
		const char *slash = strchr(auth, '/');
		if (slash && q && slash > q)
			slash = NULL;
		size_t head = (size_t)((slash ? slash : q ? q : auth + strlen(auth)) - base);
		w = snprintf(out, n, "%.*s/%s%s", (int)head, base, db, q ? q : "");
	} else {
		w = snprintf(out, n, "%s dbname=%s", base, db);
	}
	if (w < 0 || (size_t)w >= n) {
		say("database URL too long for the buffer");
		return false;
	}
	return true;
}

static bool db_create(const char *suite, bool from_template, char *url, size_t n)
{
	if (!suite_name_ok(suite)) {
		say("database suite name '%s' must match [a-z0-9_]+", suite);
		return false;
	}
	const char *admin = need_env("ALURD_TEST_ADMIN_URL");
	const char *tmpl = from_template ? need_env("ALURD_TEST_TEMPLATE") : "";
	if (!admin || !tmpl)
		return false;
	char name[128];
	snprintf(name, sizeof name, "alurd_t_%s_%ld", suite, (long)getpid());
	if (!url_with_db(admin, name, url, n))
		return false;
	PGconn *pg = connect_to(admin);
	if (!pg)
		return false;
	char *qtmpl = PQescapeIdentifier(pg, tmpl, strlen(tmpl));
	char sql[512];
	bool ok = qtmpl != NULL;
	if (ok) {
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
		ok = exec_on(pg, sql, NULL);
	}
	if (ok) {
		if (from_template)
			snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE %s", name, qtmpl);
		else
			snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", name);
		/* 55006: the template is being accessed by another session */
		ok = exec_on(pg, sql, "55006");
	}
	PQfreemem(qtmpl);
	PQfinish(pg);
	return ok;
}

bool ts_db_create(const char *suite, char *url, size_t n)
{
	return db_create(suite, true, url, n);
}

bool ts_db_create_empty(const char *suite, char *url, size_t n)
{
	return db_create(suite, false, url, n);
}

bool ts_db_drop(const char *url)
{
	if (!url || !*url)
		return true;
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &errmsg);
	if (!opts) {
		say("cannot parse %s: %s", url, errmsg ? errmsg : "out of memory");
		PQfreemem(errmsg);
		return false;
	}
	char name[256] = "";
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val)
			snprintf(name, sizeof name, "%s", o->val);
	PQconninfoFree(opts);
	const char *admin = need_env("ALURD_TEST_ADMIN_URL");
	if (!name[0] || !admin)
		return false;
	PGconn *pg = connect_to(admin);
	if (!pg)
		return false;
	char *q = PQescapeIdentifier(pg, name, strlen(name));
	char sql[512];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", q ? q : "\"\"");
	bool ok = q && exec_on(pg, sql, NULL);
	PQfreemem(q);
	PQfinish(pg);
	return ok;
}

bool ts_sql(const char *url, const char *sql)
{
	PGconn *pg = connect_to(url);
	if (!pg)
		return false;
	bool ok = exec_on(pg, sql, NULL);
	PQfinish(pg);
	return ok;
}

bool ts_sql_value(const char *url, const char *sql, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	PGconn *pg = connect_to(url);
	if (!pg)
		return false;
	PGresult *r = PQexec(pg, sql);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		say("SQL failed: %s\n  %s", sql, PQresultErrorMessage(r));
	else if (PQntuples(r) < 1 || PQnfields(r) < 1)
		ok = false;
	else
		snprintf(out, n, "%s", PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(pg);
	return ok;
}

int ts_pg_ctl(const char *action)
{
	const char *ctl = need_env("ALURD_TEST_PGCTL");
	if (!ctl)
		return -1;
	char *argv[] = {(char *)(uintptr_t)ctl, (char *)(uintptr_t)action, NULL};
	/* its output goes to the test's standard error, next to the test's own */
	pid_t pid = spawn(ctl, argv, NULL, -1, 2, 2);
	if (pid < 0)
		return -1;
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status_of(ws);
}

/* ---- the daemon ---------------------------------------------------------- */

struct ts_daemon {
	pid_t pid;
	int port;
	char host[64]; /* IPv4 loopback address it listens on */
	bool exited;
	int status;
	int last_signal;
	char log_path[512];
	char *log;
};

static void print_log_tail(struct ts_daemon *d)
{
	size_t len;
	char *text = read_file(d->log_path, &len);
	if (!text)
		return;
	size_t from = len > 6000 ? len - 6000 : 0;
	fprintf(stderr, "---- %s%s ----\n%s---- end of log ----\n", d->log_path, from ? " (end)" : "", text + from);
	free(text);
}

/* The one place that turns an exit into a status and decides if it counts. */
static void reap(struct ts_daemon *d, int ws)
{
	d->exited = true;
	d->status = status_of(ws);
	bool asked_to_die = d->last_signal != 0 && d->last_signal != SIGTERM && d->last_signal != SIGINT;
	if (d->status != 0 && !asked_to_die) {
		atomic_fetch_add(&g_failures, 1);
		if (d->last_signal)
			say("daemon pid %ld exited with status %d after the harness sent signal %d; its log is %s",
			    (long)d->pid, d->status, d->last_signal, d->log_path);
		else
			say("daemon pid %ld exited with status %d on its own; its log is %s", (long)d->pid, d->status,
			    d->log_path);
		print_log_tail(d);
	}
}

int ts_daemon_wait(struct ts_daemon *d, int timeout_ms)
{
	if (!d)
		return -1;
	long long until = ts_now_ms() + timeout_ms;
	while (!d->exited) {
		int ws;
		pid_t p = waitpid(d->pid, &ws, WNOHANG);
		if (p == d->pid) {
			reap(d, ws);
			break;
		}
		if (p < 0 && errno != EINTR) {
			say("waitpid(%ld): %s", (long)d->pid, strerror(errno));
			return -1;
		}
		if (ts_now_ms() >= until)
			return -1;
		ts_nap_ms(5);
	}
	return d->status;
}

bool ts_daemon_signal(struct ts_daemon *d, int sig)
{
	if (!d || ts_daemon_wait(d, 0) >= 0)
		return false;
	d->last_signal = sig;
	return kill(d->pid, sig) == 0;
}

int ts_daemon_stop(struct ts_daemon *d, int sig)
{
	if (!d)
		return -1;
	if (d->exited)
		return d->status;
	ts_daemon_signal(d, sig);
	int st = ts_daemon_wait(d, 15000);
	if (st >= 0)
		return st;
	say("daemon pid %ld did not exit within 15 s of signal %d; killing it", (long)d->pid, sig);
	atomic_fetch_add(&g_failures, 1);
	print_log_tail(d);
	d->last_signal = SIGKILL;
	kill(d->pid, SIGKILL);
	ts_daemon_wait(d, 5000);
	return -1;
}

struct ts_daemon *ts_daemon_at(const char *host, int port)
{
	struct ts_daemon *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	snprintf(d->host, sizeof d->host, "%s", host);
	d->port = port;
	d->exited = true; /* nothing to wait for or signal */
	return d;
}

int ts_daemon_port(const struct ts_daemon *d)
{
	return d ? d->port : 0;
}

pid_t ts_daemon_pid(const struct ts_daemon *d)
{
	return d ? d->pid : -1;
}

const char *ts_daemon_log(struct ts_daemon *d)
{
	free(d->log);
	d->log = read_file(d->log_path, NULL);
	if (!d->log)
		d->log = xstrdup("");
	return d->log;
}

bool ts_daemon_log_wait(struct ts_daemon *d, const char *needle, int timeout_ms)
{
	long long until = ts_now_ms() + timeout_ms;
	for (;;) {
		if (strstr(ts_daemon_log(d), needle))
			return true;
		if (ts_now_ms() >= until)
			return false;
		ts_nap_ms(10);
	}
}

/* The port from the "listening" line, 0 while there is none. */
static int port_from_log(const char *log)
{
	for (const char *line = log; line && *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			break; /* a line still being written */
		if (memmem(line, (size_t)(end - line), "\"msg\":\"listening\"", 17)) {
			json_t *j = json_loadb(line, (size_t)(end - line), 0, NULL);
			json_t *port = json_object_get(j, "port");
			int p = json_is_integer(port) ? (int)json_integer_value(port) : 0;
			json_decref(j);
			if (p > 0)
				return p;
		}
		line = end + 1;
	}
	return 0;
}

struct ts_daemon *ts_daemon_start(const char *db_url, const char *const *extra_env)
{
	if (!g_curl_ready)
		ts_init(g_suite);
	if (!make_dirs(TS_LOG_DIR)) {
		say("cannot create %s: %s", TS_LOG_DIR, strerror(errno));
		return NULL;
	}
	struct ts_daemon *d = xmalloc(sizeof *d);
	memset(d, 0, sizeof *d);
	snprintf(d->log_path, sizeof d->log_path, "%s/%s-%d.log", TS_LOG_DIR, g_suite, ++g_daemon_seq);
	int logfd = open(d->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		say("cannot open %s: %s", d->log_path, strerror(errno));
		free(d);
		return NULL;
	}
	struct envb env = {0};
	env_passthrough(&env);
	env_set(&env, "ALURD_DATABASE_URL", db_url);
	env_set(&env, "ALURD_LISTEN", "127.0.0.1:0");
	env_set(&env, "ALURD_JWT_SECRET", TS_JWT_SECRET);
	env_set(&env, "ALURD_THREADS", "4");
	env_set(&env, "ALURD_AUTH_REFRESH", "1");
	env_set(&env, "ALURD_LOG_LEVEL", "debug");
	for (const char *const *p = extra_env; p && *p; p++)
		env_put(&env, *p);
	char *argv[] = {(char *)(uintptr_t)"alurd", (char *)(uintptr_t)"serve", NULL};
	d->pid = spawn(ALURD_BIN, argv, env.v, -1, logfd, logfd);
	env_free(&env);
	close(logfd);
	if (d->pid < 0) {
		free(d);
		return NULL;
	}
	long long until = ts_now_ms() + 10000;
	while (!d->port) {
		d->port = port_from_log(ts_daemon_log(d));
		if (d->port)
			break;
		if (ts_daemon_wait(d, 0) >= 0 || ts_now_ms() >= until) {
			if (!d->exited) {
				say("no \"listening\" line from the daemon within 10 s");
				print_log_tail(d);
			} else if (d->status == 0) { /* a non-zero exit was reported by reap() */
				say("the daemon exited with status 0 before listening");
				print_log_tail(d);
			}
			ts_daemon_free(d);
			return NULL;
		}
		ts_nap_ms(10);
	}
	until = ts_now_ms() + 5000;
	for (;;) {
		struct ts_resp *r = ts_http_unrecorded(d, "GET", "/healthz", NULL, NULL, 0);
		if (r->status == 200)
			break;
		if (ts_now_ms() >= until || ts_daemon_wait(d, 0) >= 0) {
			say("GET /healthz did not answer 200 within 5 s (last: %ld %s)", r->status, r->error);
			print_log_tail(d);
			ts_daemon_free(d);
			return NULL;
		}
		ts_nap_ms(20);
	}
	return d;
}

void ts_daemon_free(struct ts_daemon *d)
{
	if (!d)
		return;
	if (ts_daemon_wait(d, 0) < 0)
		ts_daemon_stop(d, SIGTERM);
	free(d->log);
	free(d);
}

/* ---- HTTP ---------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct ts_resp *r = ud;
	size_t n = size * nmemb;
	r->body = xrealloc(r->body, r->len + n + 1);
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct ts_resp *r = ud;
	size_t n = size * nmemb;
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after an interim one): start over */
		for (int i = 0; i < r->nheaders; i++) {
			free(r->headers[i].name);
			free(r->headers[i].value);
		}
		r->nheaders = 0;
		return n;
	}
	const char *colon = memchr(data, ':', n);
	if (!colon)
		return n;
	size_t nl = (size_t)(colon - data);
	const char *v = colon + 1;
	const char *end = data + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	r->headers = xrealloc(r->headers, (size_t)(r->nheaders + 1) * sizeof *r->headers);
	r->headers[r->nheaders].name = strndup(data, nl);
	r->headers[r->nheaders].value = strndup(v, (size_t)(end - v));
	if (!r->headers[r->nheaders].name || !r->headers[r->nheaders].value)
		abort();
	r->nheaders++;
	return n;
}

static bool is_json_type(const char *ct)
{
	size_t n = strcspn(ct, ";");
	while (n && ct[n - 1] == ' ')
		n--;
	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	       (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

static void record(const char *method, const char *path, const struct ts_resp *r)
{
	const char *dir = getenv("ALURD_TEST_RECORD_DIR");
	if (!dir || !*dir || r->status == 0)
		return;
	if (!make_dirs(dir)) {
		say("cannot create %s: %s", dir, strerror(errno));
		return;
	}
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s%}", "method", method, "path", path, "status", (int)r->status,
			      "content_type", r->content_type, "body", r->body ? r->body : "", r->len);
	if (!o) /* a body that is not UTF-8 text */
		o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "method", method, "path", path, "status", (int)r->status,
			      "content_type", r->content_type, "body", "");
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return;
	size_t n = strlen(text);
	text = xrealloc(text, n + 2);
	text[n++] = '\n';
	char file[1024];
	snprintf(file, sizeof file, "%s/%s.jsonl", dir, g_suite);
	int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n) /* one write: lines never interleave */
		say("cannot append to %s: %s", file, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(text);
}

static bool has_header(const char *const *headers, const char *name)
{
	size_t n = strlen(name);
	for (const char *const *h = headers; h && *h; h++)
		if (strncasecmp(*h, name, n) == 0 && (*h)[n] == ':')
			return true;
	return false;
}

static _Thread_local bool tl_no_busy_retry;

void ts_busy_retry(bool on)
{
	tl_no_busy_retry = !on;
}

static struct ts_resp *exchange_once(struct ts_daemon *d, const char *method, const char *path,
				     const char *const *headers, const char *body, size_t len, bool recorded);

/* As a well-behaved client does: a 503 auth.busy (the daemon's sign-in queue
 * was full) is tried again after its Retry-After, a bounded number of times;
 * only the final answer is recorded. */
static struct ts_resp *exchange(struct ts_daemon *d, const char *method, const char *path,
				const char *const *headers, const char *body, size_t len, bool recorded)
{
	for (int attempt = 0;; attempt++) {
		bool last = tl_no_busy_retry || attempt == 60;
		struct ts_resp *r = exchange_once(d, method, path, headers, body, len, recorded && last);
		if (last || r->status != 503 || strcmp(ts_problem_code(r), "auth.busy") != 0) {
			if (recorded && !last)
				record(method, path, r);
			return r;
		}
		const char *ra = ts_header(r, "Retry-After");
		int secs = ra ? atoi(ra) : 1;
		ts_nap_ms(1000 * (secs > 0 && secs < 10 ? secs : 1));
	}
}

static struct ts_resp *exchange_once(struct ts_daemon *d, const char *method, const char *path,
				     const char *const *headers, const char *body, size_t len, bool recorded)
{
	struct ts_resp *r = xmalloc(sizeof *r);
	memset(r, 0, sizeof *r);
	r->body = xstrdup("");
	gc_add(GC_RESP, r);
	if (!d || !d->port) {
		snprintf(r->error, sizeof r->error, "no daemon to talk to");
		r->content_type = xstrdup("");
		say("%s %s: %s", method, path, r->error);
		return r;
	}
	char url[4096];
	snprintf(url, sizeof url, "http://%s:%d%s", d->host[0] ? d->host : "127.0.0.1", d->port, path);
	CURL *c = curl_easy_init();
	if (!c)
		abort();
	struct curl_slist *list = NULL;
	for (const char *const *h = headers; h && *h; h++)
		list = curl_slist_append(list, *h);
	list = curl_slist_append(list, "Expect:");
	if (body && !has_header(headers, "Content-Type"))
		list = curl_slist_append(list, "Content-Type:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || body)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		char *ct = NULL;
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		r->content_type = xstrdup(ct ? ct : "");
	} else {
		r->status = 0;
		r->content_type = xstrdup("");
		snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(rc));
		say("%s %s: %s", method, path, r->error);
	}
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	if (r->status && r->len && is_json_type(r->content_type))
		r->json = json_loadb(r->body, r->len, 0, NULL);
	if (recorded)
		record(method, path, r);
	return r;
}

struct ts_resp *ts_http(struct ts_daemon *d, const char *method, const char *path, const char *const *headers,
			const char *body, size_t len)
{
	return exchange(d, method, path, headers, body, len, true);
}

struct ts_resp *ts_http_unrecorded(struct ts_daemon *d, const char *method, const char *path,
				   const char *const *headers, const char *body, size_t len)
{
	return exchange(d, method, path, headers, body, len, false);
}

static struct ts_resp *with_token(struct ts_daemon *d, const char *method, const char *path, const char *token,
				  const char *json_text)
{
	char auth[4096];
	const char *headers[3];
	int n = 0;
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		headers[n++] = auth;
	}
	if (json_text)
		headers[n++] = "Content-Type: application/json";
	headers[n] = NULL;
	return ts_http(d, method, path, headers, json_text, json_text ? strlen(json_text) : 0);
}

struct ts_resp *ts_get(struct ts_daemon *d, const char *path, const char *token)
{
	return with_token(d, "GET", path, token, NULL);
}

struct ts_resp *ts_delete(struct ts_daemon *d, const char *path, const char *token)
{
	return with_token(d, "DELETE", path, token, NULL);
}

struct ts_resp *ts_post_json(struct ts_daemon *d, const char *path, const char *token, const char *json_text)
{
	return with_token(d, "POST", path, token, json_text);
}

struct ts_resp *ts_put_json(struct ts_daemon *d, const char *path, const char *token, const char *json_text)
{
	return with_token(d, "PUT", path, token, json_text);
}

struct ts_resp *ts_patch_json(struct ts_daemon *d, const char *path, const char *token, const char *json_text)
{
	return with_token(d, "PATCH", path, token, json_text);
}

const char *ts_header(const struct ts_resp *r, const char *name)
{
	for (int i = 0; r && i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

const char *ts_problem_code(const struct ts_resp *r)
{
	const char *code = r ? json_string_value(json_object_get(r->json, "code")) : NULL;
	return code ? code : "";
}

struct burst {
	struct ts_daemon *d;
	const char *path;
	long status;
};

static void *burst_one(void *arg)
{
	struct burst *b = arg;
	b->status = ts_get(b->d, b->path, NULL)->status;
	return NULL;
}

int ts_get_burst(struct ts_daemon *d, const char *path, int n)
{
	if (n > 64)
		n = 64;
	pthread_t th[64];
	struct burst b[64];
	int started = 0, ok = 0;
	for (int i = 0; i < n; i++) {
		b[i] = (struct burst){d, path, 0};
		if (pthread_create(&th[i], NULL, burst_one, &b[i]) != 0)
			break;
		started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		ok += b[i].status == 200;
	}
	return ok;
}

/* ---- raw sockets --------------------------------------------------------- */

struct ts_conn *ts_conn_open(const struct ts_daemon *d)
{
	if (!d || !d->port) {
		errno = EINVAL;
		return NULL;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)d->port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (d->host[0])
		inet_pton(AF_INET, d->host, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (errno != EINPROGRESS) {
			int saved = errno;
			close(fd);
			errno = saved;
			return NULL;
		}
		struct pollfd p = {fd, POLLOUT, 0};
		int err = 0;
		socklen_t len = sizeof err;
		if (poll(&p, 1, 2000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
			close(fd);
			errno = err ? err : ETIMEDOUT;
			return NULL;
		}
	}
	struct ts_conn *c = xmalloc(sizeof *c);
	c->fd = fd;
	c->eof = false;
	gc_add(GC_CONN, c);
	return c;
}

bool ts_conn_send(struct ts_conn *c, const void *bytes, size_t n)
{
	const char *p = bytes;
	while (c && c->fd >= 0 && n) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = {c->fd, POLLOUT, 0};
			if (poll(&pf, 1, 5000) == 1)
				continue;
		}
		return false;
	}
	return c && c->fd >= 0;
}

/* True when buf holds one whole response. */
static bool response_complete(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return false;
	size_t head = (size_t)(end - buf) + 4;
	int status = ts_raw_status(buf);
	if (status == 204 || status == 304 || (status >= 100 && status < 200))
		return true;
	char v[64];
	if (ts_raw_header(buf, "Content-Length", v, sizeof v))
		return len - head >= strtoull(v, NULL, 10);
	if (ts_raw_header(buf, "Transfer-Encoding", v, sizeof v) && strcasecmp(v, "chunked") == 0)
		return (len - head >= 5 && memcmp(buf + head, "0\r\n\r\n", 5) == 0) ||
		       memmem(buf + head, len - head, "\r\n0\r\n\r\n", 7) != NULL;
	return false; /* delimited by the close */
}

size_t ts_conn_read(struct ts_conn *c, char *out, size_t outn, int timeout_ms)
{
	size_t n = 0;
	if (outn)
		out[0] = '\0';
	if (!c || c->fd < 0 || outn < 2)
		return 0;
	long long until = ts_now_ms() + timeout_ms;
	while (n + 1 < outn && !c->eof) {
		long long left = until - ts_now_ms();
		if (left <= 0)
			break;
		struct pollfd p = {c->fd, POLLIN, 0};
		int ready = poll(&p, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			break;
		ssize_t k = recv(c->fd, out + n, outn - 1 - n, 0);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			c->eof = true;
			break;
		}
		n += (size_t)k;
		out[n] = '\0';
		if (response_complete(out, n))
			break;
	}
	out[n] = '\0';
	return n;
}

bool ts_conn_eof(const struct ts_conn *c)
{
	return !c || c->eof;
}

void ts_conn_close(struct ts_conn *c)
{
	if (c && c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

size_t ts_raw(struct ts_daemon *d, const char *bytes, size_t n, char *out, size_t outn, int timeout_ms)
{
	if (outn)
		out[0] = '\0';
	struct ts_conn *c = ts_conn_open(d);
	if (!c) {
		say("raw connection to port %d: %s", ts_daemon_port(d), strerror(errno));
		return 0;
	}
	ts_conn_send(c, bytes, n); /* the server may close before taking it all */
	size_t got = ts_conn_read(c, out, outn, timeout_ms);
	ts_conn_close(c);
	return got;
}

int ts_raw_status(const char *response)
{
	int major, minor, status;
	if (!response || sscanf(response, "HTTP/%d.%d %d", &major, &minor, &status) != 3)
		return 0;
	return status;
}

bool ts_raw_header(const char *response, const char *name, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	if (!response)
		return false;
	const char *end = strstr(response, "\r\n\r\n");
	size_t len = strlen(name);
	for (const char *line = strstr(response, "\r\n"); line && (!end || line < end); line = strstr(line, "\r\n")) {
		line += 2;
		if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
			const char *v = line + len + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t vl = strcspn(v, "\r\n");
			snprintf(out, n, "%.*s", (int)vl, v);
			return true;
		}
	}
	return false;
}

json_t *ts_raw_json(const char *response)
{
	const char *end = response ? strstr(response, "\r\n\r\n") : NULL;
	if (!end)
		return NULL;
	const char *body = end + 4;
	size_t len = strlen(body);
	char cl[32];
	if (ts_raw_header(response, "Content-Length", cl, sizeof cl) && strtoull(cl, NULL, 10) < len)
		len = (size_t)strtoull(cl, NULL, 10); /* more may follow: a second response */
	json_t *j = json_loadb(body, len, 0, NULL);
	if (j)
		gc_add(GC_JSON, j);
	return j;
}

/* ---- the command line ---------------------------------------------------- */

struct ts_proc {
	pid_t pid;
	int out;
};

struct ts_proc *ts_cli_start(const char *const *args, const char *const *env, const char *stdin_text)
{
	int nargs = 0;
	while (args && args[nargs])
		nargs++;
	char **argv = xmalloc((size_t)(nargs + 2) * sizeof *argv);
	argv[0] = (char *)(uintptr_t)"alurd";
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	argv[nargs + 1] = NULL;
	struct envb e = {0};
	env_passthrough(&e);
	for (const char *const *p = env; p && *p; p++)
		env_put(&e, *p);
	if (!e.v) {
		e.v = xmalloc(sizeof *e.v);
		e.v[0] = NULL;
	}
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
		abort();
	pid_t pid = spawn(ALURD_BIN, argv, e.v, in[0], out[1], out[1]);
	free(argv);
	env_free(&e);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return NULL;
	}
	if (stdin_text) {
		size_t n = strlen(stdin_text);
		const char *p = stdin_text;
		while (n) {
			ssize_t k = write(in[1], p, n);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break; /* it does not read its input: fine */
			p += k;
			n -= (size_t)k;
		}
	}
	close(in[1]);
	struct ts_proc *proc = xmalloc(sizeof *proc);
	proc->pid = pid;
	proc->out = out[0];
	return proc;
}

int ts_cli_wait(struct ts_proc *p, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	if (!p)
		return -1;
	size_t got = 0;
	long long until = ts_now_ms() + 60000;
	bool timed_out = false;
	char scratch[4096];
	for (;;) {
		long long left = until - ts_now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pf = {p->out, POLLIN, 0};
		int ready = poll(&pf, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			timed_out = ready == 0;
			break;
		}
		ssize_t k = read(p->out, scratch, sizeof scratch);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		size_t take = (size_t)k;
		if (n && got + take > n - 1)
			take = n - 1 - got;
		if (n) {
			memcpy(out + got, scratch, take);
			got += take;
			out[got] = '\0';
		}
	}
	close(p->out);
	if (timed_out) {
		say("alurd (pid %ld) did not finish within 60 s; killing it", (long)p->pid);
		kill(p->pid, SIGKILL);
	}
	int ws;
	while (waitpid(p->pid, &ws, 0) < 0)
		if (errno != EINTR) {
			free(p);
			return -1;
		}
	free(p);
	return timed_out ? -1 : status_of(ws);
}

int ts_run_cli(const char *const *args, const char *const *env, const char *stdin_text, char *out, size_t n)
{
	return ts_cli_wait(ts_cli_start(args, env, stdin_text), out, n);
}

/* ---- small parsers ------------------------------------------------------- */

bool ts_metric(const char *page, const char *series, double *value)
{
	size_t n = strlen(series);
	for (const char *line = page; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ') {
			char *end;
			double v = strtod(line + n + 1, &end);
			if (end == line + n + 1)
				return false;
			if (value)
				*value = v;
			return true;
		}
	}
	return false;
}
