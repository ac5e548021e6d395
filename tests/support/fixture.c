/* fixture.c — see fixture.h. */
#include "tests/support/fixture.h"

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
