/* fixture.c — see fixture.h. */
#include "tests/support/fixture.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool tf_media_type_is(const char *content_type, const char *want)
{
	size_t n = strlen(want);
	return content_type && strncasecmp(content_type, want, n) == 0 &&
	       (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

void tf_assert_status_at(const char *file, int line, const struct ts_resp *r, long status)
{
	ck_assert_msg(r->status == status, "%s:%d: status %ld, expected %ld; body: %.800s%s", file, line, r->status,
		      status, r->body ? r->body : "", r->error);
}

void tf_assert_problem_at(const char *file, int line, const struct ts_resp *r, long status, const char *code)
{
	tf_assert_status_at(file, line, r, status);
	ck_assert_msg(tf_media_type_is(r->content_type, "application/problem+json"),
		      "%s:%d: Content-Type '%s', expected application/problem+json", file, line, r->content_type);
	ck_assert_msg(json_is_object(r->json), "%s:%d: the problem body is not a JSON object: %.400s", file, line,
		      r->body);
	ck_assert_msg(json_is_string(json_object_get(r->json, "type")) &&
			      json_is_string(json_object_get(r->json, "title")) &&
			      json_is_string(json_object_get(r->json, "detail")),
		      "%s:%d: type, title and detail must be strings: %.400s", file, line, r->body);
	ck_assert_msg(json_integer_value(json_object_get(r->json, "status")) == status,
		      "%s:%d: the problem's status member is not %ld: %.400s", file, line, status, r->body);
	if (code)
		ck_assert_msg(strcmp(ts_problem_code(r), code) == 0, "%s:%d: code '%s', expected '%s'; body: %.400s",
			      file, line, ts_problem_code(r), code, r->body);
	const char *rid = json_string_value(json_object_get(r->json, "request_id"));
	const char *hdr = ts_header(r, "X-Request-Id");
	ck_assert_msg(rid && hdr && strcmp(rid, hdr) == 0, "%s:%d: request_id '%s' differs from X-Request-Id '%s'",
		      file, line, rid ? rid : "(none)", hdr ? hdr : "(none)");
}

json_t *tf_field_error(const struct ts_resp *r, const char *field)
{
	json_t *errors = json_object_get(r->json, "errors");
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		if (f && (strcmp(f, field) == 0 || (f[0] == '/' && strcmp(f + 1, field) == 0)))
			return e;
	}
	return NULL;
}

const char *tf_field_error_code(const struct ts_resp *r, const char *field)
{
	const char *code = json_string_value(json_object_get(tf_field_error(r, field), "code"));
	return code ? code : "";
}

struct ts_daemon *tf_suite_start(const char *suite, const char *const *extra_env, char *db, size_t n)
{
	ts_init(suite);
	ck_assert_msg(ts_db_create(suite, db, n), "cannot create the suite's database");
	struct ts_daemon *d = ts_daemon_start(db, extra_env);
	if (!d) {
		ts_db_drop(db);
		db[0] = '\0';
	}
	ck_assert_msg(d != NULL, "the daemon did not start (its log is above)");
	return d;
}

void tf_suite_down(struct ts_daemon **d, char *db)
{
	ts_daemon_free(*d);
	*d = NULL;
	if (db[0])
		ts_db_drop(db);
	db[0] = '\0';
	ts_gc();
}

const char *tf_admin_create(const char *db_url, const char *username, const char *password)
{
	static char out[4096];
	char url_env[1024], input[512];
	ck_assert_msg((size_t)snprintf(url_env, sizeof url_env, "ALURD_DATABASE_URL=%s", db_url) < sizeof url_env,
		      "database URL too long");
	ck_assert_msg((size_t)snprintf(input, sizeof input, "%s\n", password) < sizeof input, "password too long");
	const char *args[] = {"admin", "create", username, NULL};
	const char *env[] = {url_env, "ALURD_JWT_SECRET=" TS_JWT_SECRET, NULL};
	int st = ts_run_cli(args, env, input, out, sizeof out);
	ck_assert_msg(st == 0, "admin create: exit %d: %s", st, out);
	return out;
}

static struct ts_resp *post_json_as(struct ts_daemon *d, const char *token, const char *path, const char *body)
{
	char auth[2200];
	const char *h[3];
	int n = 0;
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	return ts_http(d, "POST", path, h, body, strlen(body));
}

static const char *member(const struct ts_resp *r, const char *key)
{
	const char *s = json_string_value(json_object_get(r->json, key));
	return s ? s : "";
}

bool tf_create_user(struct ts_daemon *d, const char *admin_token, const char *username, const char *body, char *id,
		    size_t n)
{
	struct ts_resp *r = post_json_as(d, admin_token, "/api/v1/users", body);
	if (r->status != 201) {
		fprintf(stderr, "creating %s: %ld %s\n", username, r->status, r->body);
		return false;
	}
	snprintf(id, n, "%s", member(r, "id"));
	return true;
}

bool tf_login(struct ts_daemon *d, const char *username, const char *password, char *token, size_t n)
{
	char body[1024];
	if ((size_t)snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", username, password) >=
	    sizeof body) {
		fprintf(stderr, "login of %s: credentials too long\n", username);
		return false;
	}
	struct ts_resp *r = post_json_as(d, NULL, "/api/v1/auth/login", body);
	if (r->status != 200 || !*member(r, "access_token")) {
		fprintf(stderr, "login of %s: %ld %s\n", username, r->status, r->body);
		return false;
	}
	snprintf(token, n, "%s", member(r, "access_token"));
	return true;
}

TCase *tf_tcase(const char *name, void (*setup)(void), void (*teardown)(void), void (*each_after)(void),
		int timeout_s)
{
	TCase *tc = tcase_create(name);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tc, NULL, each_after);
	if (timeout_s > 0)
		tcase_set_timeout(tc, timeout_s);
	return tc;
}

struct job {
	bool (*fn)(void *);
	void *arg;
	pthread_t th;
	bool started, ok;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	j->ok = j->fn(j->arg);
	return NULL;
}

bool tf_all_at_once(int n, bool (*fn)(void *), void *const *args)
{
	struct job *jobs = calloc((size_t)(n > 0 ? n : 1), sizeof *jobs);
	if (!jobs)
		return false;
	bool all = true;
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct job){.fn = fn, .arg = args[i]};
		jobs[i].started = pthread_create(&jobs[i].th, NULL, run_job, &jobs[i]) == 0;
		if (!jobs[i].started) {
			fprintf(stderr, "set-up: cannot start thread %d\n", i);
			all = false;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!jobs[i].started)
			continue;
		pthread_join(jobs[i].th, NULL);
		all &= jobs[i].ok;
	}
	free(jobs);
	return all;
}

void tf_assert_clean_stop(struct ts_daemon *d)
{
	struct ts_resp *r = ts_get(d, "/healthz", NULL);
	ck_assert_msg(r->status == 200, "after everything above, /healthz answers %ld (%s)", r->status, r->error);
	int status = ts_daemon_stop(d, SIGTERM);
	ck_assert_msg(status == 0, "SIGTERM: the daemon exited with status %d (see its log)", status);
}

void tf_assert_drained(struct ts_daemon *d)
{
	ck_assert_msg(strstr(ts_daemon_log(d), "\"drained\":true"), "the stop was not drained");
}

int tf_run(SRunner *sr, const char *only)
{
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run(sr, only, NULL, CK_VERBOSE);
	int run = srunner_ntests_run(sr), failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ts_shutdown();
	if (run == 0) {
		fprintf(stderr, "no test ran (is '%s' a suite?)\n", only ? only : "");
		return EXIT_FAILURE;
	}
	if (ts_failures() > 0) {
		fprintf(stderr, "%d daemon(s) exited abnormally (see above)\n", ts_failures());
		return EXIT_FAILURE;
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int tf_main(int argc, char **argv, Suite *(*const *suites)(void))
{
	const char *only = argc > 1 ? argv[1] : NULL;
	SRunner *sr = srunner_create(suites[0]());
	for (int i = 1; suites[i]; i++)
		srunner_add_suite(sr, suites[i]());
	return tf_run(sr, only);
}
