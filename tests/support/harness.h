/* harness.h — the integration-test harness: the real alurd binary, spoken to
 * over HTTP, against a real PostgreSQL.
 *
 * A suite calls ts_init() once, copies the migrated template into a database
 * of its own (ts_db_create), starts one daemon on it (ts_daemon_start) and
 * talks to it with ts_http() and its wrappers, with raw sockets (ts_raw,
 * struct ts_conn) when the point is bytes libcurl would never send, and with
 * ts_run_cli() for the command line. The design choice that matters: nothing
 * is mocked. The daemon is fork/exec'd with a clean environment, finds its
 * own port (ALURD_LISTEN=127.0.0.1:0; the harness reads the port from the
 * "listening" log line), and writes its JSON log to a file the test can read.
 *
 * Environment the harness reads (deploy/test.sh sets the first three):
 *   ALURD_TEST_ADMIN_URL   a role that may CREATE DATABASE, on database postgres
 *   ALURD_TEST_TEMPLATE    a migrated database to copy per suite
 *   ALURD_TEST_PGCTL       deploy/pg.sh, for ts_pg_ctl("stop"/"start")
 *   ALURD_TEST_RECORD_DIR  when set, every ts_http() exchange is appended to
 *                          <dir>/<suite>.jsonl for the contract check
 *
 * Ownership, in one rule: every struct ts_resp and every json_t the harness
 * hands out belongs to the harness until ts_gc(), which a checked fixture
 * calls after each test, so an assertion that fails half-way leaks nothing.
 * Daemons, connections and processes are the caller's: free, close or wait.
 *
 * Failure reporting: harness functions never abort the test. They print what
 * went wrong to stderr and return NULL, false, 0 or -1 as documented, so the
 * test's own assertion fails with the harness's explanation just above it.
 * Not thread-safe except ts_http() and its wrappers, which may run on several
 * threads at once (after ts_init()).
 */
#ifndef ALURD_TESTS_SUPPORT_HARNESS_H
#define ALURD_TESTS_SUPPORT_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The HS256 secret every test daemon gets (48 characters), for tests that
 * sign their own tokens. */
#define TS_JWT_SECRET "alurd-integration-tests-hs256-secret-0123456789a"

/* ---- process-wide ------------------------------------------------------- */

/* Names the running suite: it appears in database names, log file names and
 * the recording file. suite is [a-z0-9_]+. Initialises libcurl and ignores
 * SIGPIPE. May be called again to switch suites. */
void ts_init(const char *suite);
/* The current suite name ("unnamed" before ts_init). Borrowed. */
const char *ts_suite(void);
/* Frees every response and JSON value handed out since the last call. */
void ts_gc(void);
/* Releases libcurl; call once at the end of main. */
void ts_shutdown(void);
/* How many daemons exited non-zero without being asked to die by a signal
 * other than SIGTERM/SIGINT (an ASan report, a crash, a failed drain). A test
 * program fails when this is not 0, whatever its assertions said. */
int ts_failures(void);

/* ---- databases ---------------------------------------------------------- */

/* Drops (if it exists) and creates the database alurd_t_<suite>_<pid> as a
 * copy of $ALURD_TEST_TEMPLATE, and writes its connection URL to url. */
bool ts_db_create(const char *suite, char *url, size_t n);
/* The same, but an empty database (no template copy, no migrations). */
bool ts_db_create_empty(const char *suite, char *url, size_t n);
/* Drops the database url names, disconnecting its sessions. NULL or "" is a
 * no-op. */
bool ts_db_drop(const char *url);
/* Runs parameterless SQL (one or more statements) on url. */
bool ts_sql(const char *url, const char *sql);
/* Runs a query and copies the first column of its first row to out ("" for
 * NULL). False on error or when there is no row. */
bool ts_sql_value(const char *url, const char *sql, char *out, size_t n);
/* Runs "$ALURD_TEST_PGCTL" action (stop, start) and returns its exit status,
 * or -1 when it could not be run. */
int ts_pg_ctl(const char *action);

/* ---- the daemon ---------------------------------------------------------- */

struct ts_daemon;

/* Starts `alurd serve` on db_url with a clean environment: ALURD_DATABASE_URL,
 * ALURD_LISTEN=127.0.0.1:0, ALURD_JWT_SECRET=TS_JWT_SECRET, ALURD_THREADS=4,
 * ALURD_AUTH_REFRESH=1, ALURD_LOG_LEVEL=debug, then extra_env ("NAME=value"
 * overrides or adds; a bare "NAME" removes; NULL-terminated, may be NULL),
 * plus PATH and the sanitizer options passed through. Standard error goes to
 * <build>/tests/logs/<suite>-<n>.log. Waits (up to 10 s) for the "listening"
 * log line, then for GET /healthz to answer 200. NULL on failure, with the log
 * printed to stderr. Free with ts_daemon_free. */
struct ts_daemon *ts_daemon_start(const char *db_url, const char *const *extra_env);
/* A handle on a server the harness did not start (an instance of a cluster,
 * the load balancer in front of them) listening on host:port (host an IPv4
 * loopback address, copied), for ts_http, its wrappers and ts_conn_open. It
 * has no process: signals and waits do nothing, ts_daemon_free only frees
 * it. */
struct ts_daemon *ts_daemon_at(const char *host, int port);
int ts_daemon_port(const struct ts_daemon *d);
pid_t ts_daemon_pid(const struct ts_daemon *d);
/* Sends sig to the daemon (no wait). False when it has already exited. */
bool ts_daemon_signal(struct ts_daemon *d, int sig);
/* Waits up to timeout_ms for the daemon to exit. Returns its exit status
 * (0..255, or 128 + signal number when a signal killed it), or -1 when it is
 * still running. Once it has exited, later calls return the same status. */
int ts_daemon_wait(struct ts_daemon *d, int timeout_ms);
/* Sends sig and waits up to 15 s; then kills it (SIGKILL) and returns -1.
 * Otherwise returns the exit status as ts_daemon_wait does. */
int ts_daemon_stop(struct ts_daemon *d, int sig);
/* The whole log so far, read afresh. Owned by d; valid until the next call
 * with d or ts_daemon_free. */
const char *ts_daemon_log(struct ts_daemon *d);
/* Waits up to timeout_ms for needle to appear in the log. */
bool ts_daemon_log_wait(struct ts_daemon *d, const char *needle, int timeout_ms);
/* Stops a daemon that is still running (SIGTERM; its status counts towards
 * ts_failures) and frees d. NULL is a no-op. */
void ts_daemon_free(struct ts_daemon *d);

/* ---- HTTP ---------------------------------------------------------------- */

struct ts_header {
	char *name;
	char *value;
};

struct ts_resp {
	long status;               /* 0 when no response arrived (see error) */
	char *body;                /* NUL-terminated (the NUL is not in len) */
	size_t len;
	const char *content_type;  /* "" when absent */
	json_t *json;              /* parsed body for JSON media types, else NULL */
	struct ts_header *headers; /* the final response's headers, in order */
	int nheaders;
	char error[256];           /* transport error, "" when status != 0 */
};

/* Sends one request to the daemon over a new connection: method, path (with
 * query string, sent as is), headers ("Name: value", NULL-terminated, may be
 * NULL), and body/len (body NULL: none). A body without a Content-Type header
 * is sent without one; "Expect: 100-continue" is never sent. HEAD reads no
 * body. Timeout 15 s. Never NULL: a transport failure gives status 0. The
 * exchange is recorded when ALURD_TEST_RECORD_DIR is set. */
struct ts_resp *ts_http(struct ts_daemon *d, const char *method, const char *path, const char *const *headers,
			const char *body, size_t len);
/* The same, not recorded: for deliberate probes of undocumented paths and
 * methods (404, 405, HEAD, OPTIONS), which the contract check would rightly
 * report as undocumented. */
/* Every exchange on this thread tries a 503 auth.busy again after its
 * Retry-After, as a client should (on by default); a test that wants to see
 * auth.busy itself turns it off for its thread. */
void ts_busy_retry(bool on);
struct ts_resp *ts_http_unrecorded(struct ts_daemon *d, const char *method, const char *path,
				   const char *const *headers, const char *body, size_t len);
/* Conveniences; token may be NULL, otherwise "Authorization: Bearer token"
 * is added. Bodies are sent as application/json. */
struct ts_resp *ts_get(struct ts_daemon *d, const char *path, const char *token);
struct ts_resp *ts_delete(struct ts_daemon *d, const char *path, const char *token);
struct ts_resp *ts_post_json(struct ts_daemon *d, const char *path, const char *token, const char *json_text);
struct ts_resp *ts_put_json(struct ts_daemon *d, const char *path, const char *token, const char *json_text);
struct ts_resp *ts_patch_json(struct ts_daemon *d, const char *path, const char *token, const char *json_text);
/* The first header called name (case-insensitive), or NULL. Borrowed. */
const char *ts_header(const struct ts_resp *r, const char *name);
/* The problem's "code" member, or "" when the body has none. Borrowed. */
const char *ts_problem_code(const struct ts_resp *r);
/* Runs n GETs of path at once on n threads and returns how many got 200. */
int ts_get_burst(struct ts_daemon *d, const char *path, int n);

/* ---- raw sockets --------------------------------------------------------- */

struct ts_conn;

/* Opens a TCP connection to the daemon; NULL (errno set) when it is refused
 * or not accepted within 2 s. Close with ts_conn_close. */
struct ts_conn *ts_conn_open(const struct ts_daemon *d);
/* Sends all n bytes. False when the peer has gone. */
bool ts_conn_send(struct ts_conn *c, const void *bytes, size_t n);
/* Reads into out (NUL-terminated, at most outn - 1 bytes) until one complete
 * HTTP response has arrived (headers plus Content-Length bytes, or the last
 * chunk), the peer closes, or timeout_ms passes. Returns the bytes read by
 * this call. */
size_t ts_conn_read(struct ts_conn *c, char *out, size_t outn, int timeout_ms);
/* True once a read saw the peer close (or reset) the connection. */
bool ts_conn_eof(const struct ts_conn *c);
void ts_conn_close(struct ts_conn *c);
/* One shot: connect, send the n bytes, read as ts_conn_read does. Returns the
 * bytes read (0 when the connection failed or nothing came back). */
size_t ts_raw(struct ts_daemon *d, const char *bytes, size_t n, char *out, size_t outn, int timeout_ms);
/* The status code of a raw response ("HTTP/1.1 400 ..."), 0 when there is
 * none. */
int ts_raw_status(const char *response);
/* The value of header name in a raw response, copied to out; false if absent. */
bool ts_raw_header(const char *response, const char *name, char *out, size_t n);
/* The JSON body of the first raw response in text (Content-Length bytes when
 * the header is there), or NULL. Owned by the harness (ts_gc). */
json_t *ts_raw_json(const char *response);

/* ---- the command line ---------------------------------------------------- */

struct ts_proc;

/* Starts the alurd binary with args (NULL-terminated, not including the
 * program name) and exactly env ("NAME=value", may be NULL) plus PATH and the
 * sanitizer options; stdin_text (may be NULL) is written to its standard
 * input, which is then closed. Standard output and error are combined. NULL
 * when it could not be started. Finish with ts_cli_wait. */
struct ts_proc *ts_cli_start(const char *const *args, const char *const *env, const char *stdin_text);
/* Waits (up to 60 s, then SIGKILL) and frees p. Copies the combined output
 * to out (NUL-terminated, truncated to n - 1). Returns the exit status as
 * ts_daemon_wait does, or -1 on timeout. */
int ts_cli_wait(struct ts_proc *p, char *out, size_t n);
/* ts_cli_start + ts_cli_wait. */
int ts_run_cli(const char *const *args, const char *const *env, const char *stdin_text, char *out, size_t n);

/* ---- small parsers ------------------------------------------------------- */

/* Finds the sample `series value` (series written exactly as in the page,
 * labels included) in a Prometheus text page. */
bool ts_metric(const char *page, const char *series, double *value);

/* CLOCK_MONOTONIC in milliseconds, for the bounds of waits (never for an
 * expectation about how long something takes). */
long long ts_now_ms(void);
/* Sleeps ms milliseconds between two looks at a condition (EINTR resumed). */
void ts_nap_ms(int ms);
/* Runs query on url every 50 ms until its first value is want, for at most
 * within_ms; true when it was. */
bool ts_sql_wait(const char *url, const char *query, const char *want, int within_ms);

#endif
