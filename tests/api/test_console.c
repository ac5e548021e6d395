/* test_console.c — the staff console as the browser meets it, over HTTP
 * against the real daemon: its files served at `/`, and the cookie session
 * the console signs in with.
 *
 *   console_serve   the embedded files: index.html for `/` and the client
 *                   routes (not for unknown paths, which stay 404), content
 *                   types, the fingerprinted asset URLs cached for a year
 *                   (an old fingerprint revalidates), ETag and 304, gzip
 *                   (decompressed here and compared with the repository's
 *                   file), the browser policy headers on every answer
 *   console_dir     ALURD_CONSOLE_DIR: a folder made here, served live (an
 *                   edit shows without a restart), nothing outside it or
 *                   hidden in it; an unusable folder stops the start
 *   console_off     ALURD_CONSOLE=false: `/` is 404 again, the API unchanged
 *   console_cookie  login with "cookie": true: the refresh token only in an
 *                   HttpOnly; Secure; SameSite=Strict cookie scoped to
 *                   /api/v1/auth; refresh and logout from the cookie need the
 *                   X-CSRF-Token bound to that session (missing, wrong,
 *                   another session's, cross-site: 403, nothing rotated or
 *                   revoked); rotation and reuse detection as for JSON
 *                   tokens; sign-out revokes and clears the cookies
 *
 * Static files are not API operations, so those exchanges are not recorded
 * for the contract check (ts_http_unrecorded); the auth exchanges are.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/support/fixture.h"
#include "tests/support/harness.h"

#ifndef ALURD_SOURCE_DIR
#error "ALURD_SOURCE_DIR must be defined by the build"
#endif
#ifndef ALURD_TEST_BINARY_DIR
#error "ALURD_TEST_BINARY_DIR must be defined by the build"
#endif

#define ADMIN_PASSWORD "console-admin-passphrase-1"

static char g_db[512];
static struct ts_daemon *g_d;
static char g_fp[64]; /* the fingerprint index.html names */

static void each_after(void)
{
	ts_gc();
}

static void down(void)
{
	tf_suite_down(&g_d, g_db);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_msg(buf && fread(buf, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static char *gunzip(const char *data, size_t len, size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	ck_assert(inflateInit2(&zs, 15 + 16) == Z_OK);
	size_t cap = len * 20 + 1024;
	char *out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	int rc = inflate(&zs, Z_FINISH);
	*outlen = cap - zs.avail_out;
	inflateEnd(&zs);
	ck_assert_msg(rc == Z_STREAM_END, "the gzip body does not inflate (%d)", rc);
	return out;
}

/* The headers every console answer carries. */
static void assert_browser_policy(const struct ts_resp *r)
{
	const char *csp = ts_header(r, "Content-Security-Policy");
	ck_assert_msg(csp != NULL, "no Content-Security-Policy");
	ck_assert_msg(strstr(csp, "frame-ancestors 'none'"), "CSP: %s", csp);
	ck_assert_msg(strstr(csp, "script-src 'self'"), "CSP: %s", csp);
	ck_assert_msg(strstr(csp, "default-src 'self'"), "CSP: %s", csp);
	ck_assert_msg(!strstr(csp, "unsafe-inline") && !strstr(csp, "unsafe-eval"), "CSP: %s", csp);
	ck_assert_pstr_eq(ts_header(r, "X-Content-Type-Options"), "nosniff");
	ck_assert_pstr_eq(ts_header(r, "Referrer-Policy"), "no-referrer");
	ck_assert_pstr_eq(ts_header(r, "X-Frame-Options"), "DENY");
}

static struct ts_resp *get_h(const char *path, const char *h1)
{
	const char *h[] = {h1, NULL};
	return ts_http_unrecorded(g_d, "GET", path, h1 ? h : NULL, NULL, 0);
}

/* ==== console_serve =============================================================== */

static void up_serve(void)
{
	g_d = tf_suite_start("console_serve", NULL, g_db, sizeof g_db);
}

START_TEST(test_index_at_root)
{
	struct ts_resp *r = get_h("/", NULL);
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_msg(tf_media_type_is(r->content_type, "text/html"), "type %s", r->content_type);
	ck_assert_pstr_eq(ts_header(r, "Cache-Control"), "no-cache");
	ck_assert_ptr_nonnull(ts_header(r, "ETag"));
	assert_browser_policy(r);
	/* the placeholder became the fingerprint: 16 hex digits */
	ck_assert_msg(!strstr(r->body, "__FP__"), "index.html still holds the placeholder");
	const char *p = strstr(r->body, "/assets/");
	ck_assert_msg(p != NULL, "index.html names no asset");
	p += 8;
	size_t n = strspn(p, "0123456789abcdef");
	ck_assert_msg(n == 16 && p[n] == '/', "fingerprint '%.20s'", p);
	snprintf(g_fp, sizeof g_fp, "%.*s", (int)n, p);
	/* no inline script: every <script> has a src */
	for (const char *s = r->body; (s = strstr(s, "<script")); s++) {
		const char *end = strchr(s, '>');
		ck_assert_msg(end && memmem(s, (size_t)(end - s), "src=", 4), "an inline script in index.html");
	}
	/* HEAD: the same headers, no body */
	struct ts_resp *h = ts_http_unrecorded(g_d, "HEAD", "/", NULL, NULL, 0);
	tf_assert_status_at(__FILE__, __LINE__, h, 200);
	ck_assert_uint_eq(h->len, 0);
	ck_assert_pstr_eq(ts_header(h, "ETag"), ts_header(r, "ETag"));
	/* other methods are refused */
	struct ts_resp *post = ts_http_unrecorded(g_d, "POST", "/", NULL, NULL, 0);
	tf_assert_problem_at(__FILE__, __LINE__, post, 405, "http.method_not_allowed");
}
END_TEST

START_TEST(test_client_routes_get_index)
{
	struct ts_resp *root = get_h("/", NULL);
	static const char *const routes[] = {"/masuk", "/antrean", "/permohonan", "/permohonan/0b9a3c5e-1111-4222-8333-444455556666",
					     "/permohonan?status=submitted&q=a%20b", "/dasbor", "/admin/pengguna", NULL};
	for (int i = 0; routes[i]; i++) {
		struct ts_resp *r = get_h(routes[i], NULL);
		tf_assert_status_at(__FILE__, __LINE__, r, 200);
		ck_assert_msg(r->len == root->len && memcmp(r->body, root->body, r->len) == 0, "%s is not index.html",
			      routes[i]);
		assert_browser_policy(r);
	}
	/* everything else stays what it was */
	tf_assert_problem_at(__FILE__, __LINE__, get_h("/no/such/thing", NULL), 404, "http.not_found");
	tf_assert_problem_at(__FILE__, __LINE__, get_h("/favicon.ico", NULL), 404, "http.not_found");
	tf_assert_problem_at(__FILE__, __LINE__, get_h("/api/v1/antrean", NULL), 404, "http.not_found");
	tf_assert_problem_at(__FILE__, __LINE__, get_h("/antreanx", NULL), 404, "http.not_found");
	struct ts_resp *h = get_h("/healthz", NULL);
	tf_assert_status_at(__FILE__, __LINE__, h, 200);
	ck_assert_ptr_null(ts_header(h, "Content-Security-Policy"));
}
END_TEST

START_TEST(test_assets_typed_and_cached)
{
	ck_assert_msg(g_fp[0], "test_index_at_root found no fingerprint");
	static const struct {
		const char *file, *type;
	} files[] = {
		{"js/app.js", "text/javascript"},
		{"css/app.css", "text/css"},
		{"icon.svg", "image/svg+xml"},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char url[256], path[512];
		snprintf(url, sizeof url, "/assets/%s/%s", g_fp, files[i].file);
		snprintf(path, sizeof path, "%s/console/app/%s", ALURD_SOURCE_DIR, files[i].file);
		struct ts_resp *r = get_h(url, NULL);
		tf_assert_status_at(__FILE__, __LINE__, r, 200);
		ck_assert_msg(tf_media_type_is(r->content_type, files[i].type), "%s: %s", url, r->content_type);
		ck_assert_pstr_eq(ts_header(r, "Cache-Control"), "public, max-age=31536000, immutable");
		ck_assert_ptr_null(ts_header(r, "Content-Encoding"));
		assert_browser_policy(r);
		size_t len;
		char *want = read_file(path, &len);
		ck_assert_msg(r->len == len && memcmp(r->body, want, len) == 0, "%s differs from %s", url, path);
		free(want);
		/* a strong ETag, answered 304 */
		const char *etag = ts_header(r, "ETag");
		ck_assert_msg(etag && etag[0] == '"', "ETag %s", etag ? etag : "(none)");
		char inm[128];
		snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
		struct ts_resp *c = get_h(url, inm);
		tf_assert_status_at(__FILE__, __LINE__, c, 304);
		ck_assert_uint_eq(c->len, 0);
		ck_assert_pstr_eq(ts_header(c, "ETag"), etag);
		struct ts_resp *other = get_h(url, "If-None-Match: \"something-else\"");
		tf_assert_status_at(__FILE__, __LINE__, other, 200);
	}
	/* index.html revalidates too */
	struct ts_resp *root = get_h("/", NULL);
	char inm[128];
	snprintf(inm, sizeof inm, "If-None-Match: %s", ts_header(root, "ETag"));
	tf_assert_status_at(__FILE__, __LINE__, get_h("/antrean", inm), 304);
}
END_TEST

START_TEST(test_assets_old_fingerprint_and_missing)
{
	/* an old build's URL still gets the file, but must revalidate */
	struct ts_resp *r = get_h("/assets/0123456789abcdef/js/app.js", NULL);
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_pstr_eq(ts_header(r, "Cache-Control"), "no-cache");
	char url[256];
	snprintf(url, sizeof url, "/assets/%s/js/no-such-file.js", g_fp);
	tf_assert_problem_at(__FILE__, __LINE__, get_h(url, NULL), 404, "http.not_found");
	snprintf(url, sizeof url, "/assets/%s/index.html", g_fp);
	tf_assert_problem_at(__FILE__, __LINE__, get_h(url, NULL), 404, "http.not_found");
	tf_assert_problem_at(__FILE__, __LINE__, get_h("/assets/", NULL), 404, "http.not_found");
	tf_assert_problem_at(__FILE__, __LINE__, get_h("/assets/x", NULL), 404, "http.not_found");
}
END_TEST

START_TEST(test_gzip_when_accepted)
{
	char url[256], path[512];
	snprintf(url, sizeof url, "/assets/%s/js/app.js", g_fp);
	snprintf(path, sizeof path, "%s/console/app/js/app.js", ALURD_SOURCE_DIR);
	size_t len;
	char *want = read_file(path, &len);
	struct ts_resp *plain = get_h(url, NULL);
	struct ts_resp *r = get_h(url, "Accept-Encoding: br, gzip, deflate");
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_pstr_eq(ts_header(r, "Content-Encoding"), "gzip");
	ck_assert_pstr_eq(ts_header(r, "Vary"), "Accept-Encoding");
	ck_assert_pstr_eq(ts_header(plain, "Vary"), "Accept-Encoding");
	ck_assert_msg(r->len < len, "gzip did not shrink %zu bytes (%zu)", len, r->len);
	size_t n;
	char *out = gunzip(r->body, r->len, &n);
	ck_assert_msg(n == len && memcmp(out, want, len) == 0, "the gzip body is not the file");
	free(out);
	/* the two representations have their own ETags; each revalidates */
	const char *etag = ts_header(r, "ETag");
	ck_assert_str_ne(etag, ts_header(plain, "ETag"));
	const char *h[] = {"Accept-Encoding: gzip", NULL, NULL};
	char inm[128];
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	h[1] = inm;
	struct ts_resp *c = ts_http_unrecorded(g_d, "GET", url, h, NULL, 0);
	tf_assert_status_at(__FILE__, __LINE__, c, 304);
	/* refused codings */
	static const char *const no[] = {"Accept-Encoding: gzip;q=0", "Accept-Encoding: identity",
					 "Accept-Encoding: *;q=0", "Accept-Encoding: gzip;q=0, *", NULL};
	for (int i = 0; no[i]; i++) {
		struct ts_resp *x = get_h(url, no[i]);
		tf_assert_status_at(__FILE__, __LINE__, x, 200);
		ck_assert_msg(!ts_header(x, "Content-Encoding"), "%s got %s", no[i], ts_header(x, "Content-Encoding"));
		ck_assert_msg(x->len == len && memcmp(x->body, want, len) == 0, "%s: not the file", no[i]);
	}
	struct ts_resp *star = get_h(url, "Accept-Encoding: *");
	ck_assert_pstr_eq(ts_header(star, "Content-Encoding"), "gzip");
	/* index.html is compressed too; a PNG-like binary would not be */
	struct ts_resp *root = get_h("/", "Accept-Encoding: gzip");
	ck_assert_pstr_eq(ts_header(root, "Content-Encoding"), "gzip");
	free(want);
}
END_TEST

START_TEST(test_serve_clean_stop)
{
	tf_assert_clean_stop(g_d);
}
END_TEST

static Suite *serve_suite(void)
{
	Suite *s = suite_create("console_serve");
	TCase *tc = tf_tcase("console_serve", up_serve, down, each_after, 60);
	tcase_add_test(tc, test_index_at_root);
	tcase_add_test(tc, test_client_routes_get_index);
	tcase_add_test(tc, test_assets_typed_and_cached);
	tcase_add_test(tc, test_assets_old_fingerprint_and_missing);
	tcase_add_test(tc, test_gzip_when_accepted);
	tcase_add_test(tc, test_serve_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== console_dir ================================================================= */

static char g_dir[512], g_outside[600];

static void up_dir(void)
{
	ts_init("console_dir");
	snprintf(g_dir, sizeof g_dir, "%s/console-dir-%d", ALURD_TEST_BINARY_DIR, (int)getpid());
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/app/js'", g_dir, g_dir);
	ck_assert(system(cmd) == 0);
	char p[700];
	snprintf(p, sizeof p, "%s/app/index.html", g_dir);
	write_file(p, "<!doctype html><script type=module src=\"/assets/__FP__/js/a.js\"></script>\n");
	snprintf(p, sizeof p, "%s/app/js/a.js", g_dir);
	write_file(p, "export const version = 1;\n");
	snprintf(p, sizeof p, "%s/app/.env", g_dir);
	write_file(p, "SECRET=1\n");
	snprintf(g_outside, sizeof g_outside, "%s/outside.txt", g_dir);
	write_file(g_outside, "not served\n");
	char env[700];
	snprintf(env, sizeof env, "ALURD_CONSOLE_DIR=%s/app", g_dir);
	const char *extra[] = {env, NULL};
	g_d = tf_suite_start("console_dir", extra, g_db, sizeof g_db);
}

static void down_dir(void)
{
	down();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", g_dir);
}

START_TEST(test_dir_served_live)
{
	struct ts_resp *r = get_h("/", NULL);
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_msg(strstr(r->body, "/assets/dev/js/a.js"), "index: %s", r->body);
	assert_browser_policy(r);
	r = get_h("/assets/dev/js/a.js", NULL);
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_str_eq(r->body, "export const version = 1;\n");
	ck_assert_pstr_eq(ts_header(r, "Cache-Control"), "no-cache");
	const char *etag1 = ts_header(r, "ETag");
	char p[700];
	snprintf(p, sizeof p, "%s/app/js/a.js", g_dir);
	write_file(p, "export const version = 2;\n");
	struct ts_resp *r2 = get_h("/assets/dev/js/a.js", NULL);
	ck_assert_str_eq(r2->body, "export const version = 2;\n");
	ck_assert_str_ne(ts_header(r2, "ETag"), etag1);
	char inm[128];
	snprintf(inm, sizeof inm, "If-None-Match: %s", ts_header(r2, "ETag"));
	tf_assert_status_at(__FILE__, __LINE__, get_h("/assets/dev/js/a.js", inm), 304);
}
END_TEST

START_TEST(test_dir_nothing_outside_or_hidden)
{
	static const char *const bad[] = {"/assets/dev/../outside.txt", "/assets/dev/%2e%2e/outside.txt",
					  "/assets/dev/js/../../outside.txt", "/assets/dev/.env",
					  "/assets/dev//etc/passwd", "/assets/dev/js", NULL};
	for (int i = 0; bad[i]; i++) {
		struct ts_resp *r = get_h(bad[i], NULL);
		ck_assert_msg(r->status == 404, "%s answered %ld: %.80s", bad[i], r->status, r->body);
		ck_assert_msg(!strstr(r->body, "not served") && !strstr(r->body, "SECRET"), "%s leaked", bad[i]);
	}
	/* a symbolic link out of the folder is not followed out */
	char link[700];
	snprintf(link, sizeof link, "%s/app/js/out.txt", g_dir);
	ck_assert(symlink(g_outside, link) == 0);
	tf_assert_problem_at(__FILE__, __LINE__, get_h("/assets/dev/js/out.txt", NULL), 404, "http.not_found");
}
END_TEST

START_TEST(test_dir_unusable_stops_start)
{
	char env_url[700], env_dir[700], out[4096];
	snprintf(env_url, sizeof env_url, "ALURD_DATABASE_URL=%s", g_db);
	const char *args[] = {"serve", NULL};
	snprintf(env_dir, sizeof env_dir, "ALURD_CONSOLE_DIR=%s/no-such-folder", g_dir);
	const char *env[] = {env_url, env_dir, "ALURD_JWT_SECRET=" TS_JWT_SECRET, "ALURD_LISTEN=127.0.0.1:0", NULL};
	int st = ts_run_cli(args, env, NULL, out, sizeof out);
	ck_assert_msg(st == 2 && strstr(out, "ALURD_CONSOLE_DIR"), "exit %d: %s", st, out);
	/* a folder without index.html */
	snprintf(env_dir, sizeof env_dir, "ALURD_CONSOLE_DIR=%s/app/js", g_dir);
	st = ts_run_cli(args, env, NULL, out, sizeof out);
	ck_assert_msg(st == 2 && strstr(out, "ALURD_CONSOLE_DIR") && strstr(out, "index.html"), "exit %d: %s", st, out);
}
END_TEST

START_TEST(test_dir_clean_stop)
{
	tf_assert_clean_stop(g_d);
}
END_TEST

static Suite *dir_suite(void)
{
	Suite *s = suite_create("console_dir");
	TCase *tc = tf_tcase("console_dir", up_dir, down_dir, each_after, 60);
	tcase_add_test(tc, test_dir_served_live);
	tcase_add_test(tc, test_dir_nothing_outside_or_hidden);
	tcase_add_test(tc, test_dir_unusable_stops_start);
	tcase_add_test(tc, test_dir_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== console_off ================================================================= */

static void up_off(void)
{
	const char *extra[] = {"ALURD_CONSOLE=false", NULL};
	g_d = tf_suite_start("console_off", extra, g_db, sizeof g_db);
}

START_TEST(test_off_is_404)
{
	static const char *const paths[] = {"/", "/antrean", "/assets/0123456789abcdef/js/app.js", NULL};
	for (int i = 0; paths[i]; i++)
		tf_assert_problem_at(__FILE__, __LINE__, get_h(paths[i], NULL), 404, "http.not_found");
	tf_assert_status_at(__FILE__, __LINE__, ts_get(g_d, "/healthz", NULL), 200);
	tf_assert_clean_stop(g_d);
}
END_TEST

static Suite *off_suite(void)
{
	Suite *s = suite_create("console_off");
	TCase *tc = tf_tcase("console_off", up_off, down, each_after, 60);
	tcase_add_test(tc, test_off_is_404);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== console_cookie ============================================================== */

#define LOGIN "/api/v1/auth/login"
#define REFRESH "/api/v1/auth/refresh"
#define LOGOUT "/api/v1/auth/logout"
#define LOGIN_BODY "{\"username\":\"console.admin\",\"password\":\"" ADMIN_PASSWORD "\",\"cookie\":true}"

struct session {
	char refresh[256]; /* the alurd_refresh cookie's value */
	char csrf[128];    /* the alurd_csrf cookie's value */
	char access[2048];
};

static void up_cookie(void)
{
	g_d = tf_suite_start("console_cookie", NULL, g_db, sizeof g_db);
	tf_admin_create(g_db, "console.admin", ADMIN_PASSWORD);
}

/* The Set-Cookie header of cookie name, or NULL. */
static const char *set_cookie(const struct ts_resp *r, const char *name)
{
	size_t nl = strlen(name);
	for (int i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, "Set-Cookie") == 0 && strncmp(r->headers[i].value, name, nl) == 0 &&
		    r->headers[i].value[nl] == '=')
			return r->headers[i].value;
	return NULL;
}

static void cookie_value(const char *header, char *out, size_t n)
{
	const char *eq = strchr(header, '=');
	snprintf(out, n, "%.*s", (int)strcspn(eq + 1, ";"), eq + 1);
}

/* Attribute attr (e.g. "HttpOnly", "Path=/api/v1/auth") is among the cookie's. */
static bool has_attr(const char *header, const char *attr)
{
	for (const char *s = strchr(header, ';'); s; s = strchr(s + 1, ';')) {
		const char *a = s + 1 + strspn(s + 1, " ");
		size_t n = strcspn(a, ";");
		if (n == strlen(attr) && strncasecmp(a, attr, n) == 0)
			return true;
	}
	return false;
}

static void take_session(const struct ts_resp *r, struct session *s)
{
	const char *rc = set_cookie(r, "alurd_refresh"), *cc = set_cookie(r, "alurd_csrf");
	ck_assert_msg(rc && cc, "the answer sets no session cookies");
	cookie_value(rc, s->refresh, sizeof s->refresh);
	cookie_value(cc, s->csrf, sizeof s->csrf);
	const char *a = json_string_value(json_object_get(r->json, "access_token"));
	ck_assert_ptr_nonnull(a);
	snprintf(s->access, sizeof s->access, "%s", a);
}

static void console_login(struct session *s)
{
	struct ts_resp *r = ts_post_json(g_d, LOGIN, NULL, LOGIN_BODY);
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	take_session(r, s);
}

/* POST path with the session's cookie; csrf (NULL: no header) and extra (NULL:
 * none) as headers. */
static struct ts_resp *with_cookie(const char *path, const struct session *s, const char *csrf, const char *extra)
{
	char cookie[512], csrf_h[200];
	snprintf(cookie, sizeof cookie, "Cookie: theme=dark; alurd_refresh=%s; alurd_csrf=%s", s->refresh, s->csrf);
	const char *h[5] = {"Content-Type: application/json", cookie, NULL, NULL, NULL};
	int n = 2;
	if (csrf) {
		snprintf(csrf_h, sizeof csrf_h, "X-CSRF-Token: %s", csrf);
		h[n++] = csrf_h;
	}
	if (extra)
		h[n++] = extra;
	return ts_http(g_d, "POST", path, h, "{}", 2);
}

START_TEST(test_cookie_only_when_asked)
{
	/* an API client: the tokens in JSON, no cookie */
	struct ts_resp *r = ts_post_json(g_d, LOGIN, NULL,
					 "{\"username\":\"console.admin\",\"password\":\"" ADMIN_PASSWORD "\"}");
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r->json, "refresh_token")));
	ck_assert_ptr_null(ts_header(r, "Set-Cookie"));
	r = ts_post_json(g_d, LOGIN, NULL,
			 "{\"username\":\"console.admin\",\"password\":\"" ADMIN_PASSWORD "\",\"cookie\":false}");
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_ptr_null(ts_header(r, "Set-Cookie"));
	/* a bad flag is a field error */
	r = ts_post_json(g_d, LOGIN, NULL,
			 "{\"username\":\"console.admin\",\"password\":\"" ADMIN_PASSWORD "\",\"cookie\":\"yes\"}");
	tf_assert_problem_at(__FILE__, __LINE__, r, 400, NULL);
	ck_assert_ptr_nonnull(tf_field_error(r, "cookie"));
	/* the console: the refresh token only in the cookie */
	r = ts_post_json(g_d, LOGIN, NULL, LOGIN_BODY);
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_ptr_null(json_object_get(r->json, "refresh_token"));
	ck_assert(json_is_true(json_object_get(r->json, "refresh_cookie")));
	const char *rc = set_cookie(r, "alurd_refresh"), *cc = set_cookie(r, "alurd_csrf");
	ck_assert_msg(rc && cc, "no session cookies");
	ck_assert_msg(has_attr(rc, "HttpOnly") && has_attr(rc, "Secure") && has_attr(rc, "SameSite=Strict") &&
			      has_attr(rc, "Path=/api/v1/auth") && has_attr(rc, "Max-Age=1209600"),
		      "refresh cookie: %s", rc);
	ck_assert_msg(!has_attr(cc, "HttpOnly") && has_attr(cc, "Secure") && has_attr(cc, "SameSite=Strict") &&
			      has_attr(cc, "Path=/"),
		      "csrf cookie: %s", cc);
	struct session s;
	take_session(r, &s);
	ck_assert_msg(strlen(s.refresh) >= 43 && strlen(s.csrf) >= 32, "cookie values %s / %s", s.refresh, s.csrf);
	ck_assert_str_ne(s.refresh, s.csrf);
	tf_assert_status_at(__FILE__, __LINE__, ts_get(g_d, "/api/v1/me", s.access), 200);
}
END_TEST

START_TEST(test_refresh_needs_its_csrf)
{
	struct session s, other;
	console_login(&s);
	console_login(&other);
	struct ts_resp *r = with_cookie(REFRESH, &s, NULL, NULL);
	tf_assert_problem_at(__FILE__, __LINE__, r, 403, "auth.csrf_failed");
	ck_assert_ptr_null(ts_header(r, "Set-Cookie"));
	tf_assert_problem_at(__FILE__, __LINE__, with_cookie(REFRESH, &s, "wrong", NULL), 403, "auth.csrf_failed");
	/* another session's CSRF value does not fit this cookie */
	tf_assert_problem_at(__FILE__, __LINE__, with_cookie(REFRESH, &s, other.csrf, NULL), 403, "auth.csrf_failed");
	/* nor does the right one from another site */
	tf_assert_problem_at(__FILE__, __LINE__, with_cookie(REFRESH, &s, s.csrf, "Sec-Fetch-Site: cross-site"), 403,
			     "auth.csrf_failed");
	/* none of that rotated anything: the cookie works once, as the console sends it */
	r = with_cookie(REFRESH, &s, s.csrf, "Sec-Fetch-Site: same-origin");
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_ptr_null(json_object_get(r->json, "refresh_token"));
	struct session next;
	take_session(r, &next);
	ck_assert_str_ne(next.refresh, s.refresh);
	ck_assert_str_ne(next.csrf, s.csrf);
	tf_assert_status_at(__FILE__, __LINE__, ts_get(g_d, "/api/v1/me", next.access), 200);
	/* the rotated-out cookie comes back: the whole sign-in is closed */
	tf_assert_problem_at(__FILE__, __LINE__, with_cookie(REFRESH, &s, s.csrf, NULL), 401, "auth.refresh_token_reused");
	tf_assert_problem_at(__FILE__, __LINE__, with_cookie(REFRESH, &next, next.csrf, NULL), 401,
			     "auth.invalid_refresh_token");
	/* the other session was never touched */
	tf_assert_status_at(__FILE__, __LINE__, with_cookie(REFRESH, &other, other.csrf, NULL), 200);
}
END_TEST

START_TEST(test_body_token_wins_and_none_is_400)
{
	/* an API client's body token is used as before, cookie or not */
	struct ts_resp *r = ts_post_json(g_d, LOGIN, NULL,
					 "{\"username\":\"console.admin\",\"password\":\"" ADMIN_PASSWORD "\"}");
	char body[400];
	snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}",
		 json_string_value(json_object_get(r->json, "refresh_token")));
	const char *h[] = {"Content-Type: application/json", "Cookie: alurd_refresh=garbage", NULL};
	r = ts_http(g_d, "POST", REFRESH, h, body, strlen(body));
	tf_assert_status_at(__FILE__, __LINE__, r, 200);
	ck_assert_ptr_nonnull(json_object_get(r->json, "refresh_token"));
	ck_assert_ptr_null(ts_header(r, "Set-Cookie"));
	/* neither a body token nor a cookie */
	r = ts_post_json(g_d, REFRESH, NULL, "{}");
	tf_assert_problem_at(__FILE__, __LINE__, r, 400, NULL);
	ck_assert_str_eq(tf_field_error_code(r, "refresh_token"), "required");
	const char *empty[] = {"Content-Type: application/json", "Cookie: alurd_refresh=", NULL};
	r = ts_http(g_d, "POST", LOGOUT, empty, "{}", 2);
	tf_assert_problem_at(__FILE__, __LINE__, r, 400, NULL);
}
END_TEST

START_TEST(test_sign_out_revokes)
{
	struct session s;
	console_login(&s);
	/* without the CSRF value, sign-out is refused and the session lives */
	tf_assert_problem_at(__FILE__, __LINE__, with_cookie(LOGOUT, &s, NULL, NULL), 403, "auth.csrf_failed");
	struct ts_resp *r = with_cookie(LOGOUT, &s, s.csrf, NULL);
	tf_assert_status_at(__FILE__, __LINE__, r, 204);
	const char *rc = set_cookie(r, "alurd_refresh"), *cc = set_cookie(r, "alurd_csrf");
	ck_assert_msg(rc && has_attr(rc, "Max-Age=0") && has_attr(rc, "Path=/api/v1/auth"), "refresh cookie: %s",
		      rc ? rc : "(none)");
	ck_assert_msg(cc && has_attr(cc, "Max-Age=0"), "csrf cookie: %s", cc ? cc : "(none)");
	/* the token is revoked in the database: the cookie no longer refreshes */
	tf_assert_problem_at(__FILE__, __LINE__, with_cookie(REFRESH, &s, s.csrf, NULL), 401,
			     "auth.invalid_refresh_token");
	char n[32];
	ck_assert(ts_sql_value(g_db, "SELECT count(*) FROM audit_log WHERE action = 'auth.logout'", n, sizeof n));
	ck_assert_str_eq(n, "1");
	tf_assert_clean_stop(g_d);
}
END_TEST

static Suite *cookie_suite(void)
{
	Suite *s = suite_create("console_cookie");
	TCase *tc = tf_tcase("console_cookie", up_cookie, down, each_after, 120);
	tcase_add_test(tc, test_cookie_only_when_asked);
	tcase_add_test(tc, test_refresh_needs_its_csrf);
	tcase_add_test(tc, test_body_token_wins_and_none_is_400);
	tcase_add_test(tc, test_sign_out_revokes);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {serve_suite, dir_suite, off_suite, cookie_suite, NULL};
	return tf_main(argc, argv, suites);
}
