/* test_config.c — ALURD_* parsing: defaults, every accepted form, and a
 * one-line refusal naming the variable for every bad value. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "server/config.h"

static const char *const *g_env;

static const char *fake_getenv(const char *name)
{
	for (const char *const *p = g_env; p && *p; p += 2)
		if (strcmp(p[0], name) == 0)
			return p[1];
	return NULL;
}

static bool load(const char *const *env, struct config *c, char *msg)
{
	g_env = env;
	return config_load(c, fake_getenv, msg, 512);
}

START_TEST(test_defaults)
{
	struct config c;
	char msg[512];
	ck_assert(load(NULL, &c, msg));
	ck_assert_str_eq(c.listen_host, "127.0.0.1");
	ck_assert_int_eq(c.listen_port, 8080);
	ck_assert_int_eq(c.threads, 8);
	ck_assert_uint_eq(c.max_body, 1 << 20);
	ck_assert_uint_eq(c.max_upload, 20u << 20);
	ck_assert_int_eq(c.log_level, LOG_INFO);
	ck_assert_int_eq(c.n_origins, 0);
	ck_assert_str_eq(c.jwt_alg, "HS256");
	ck_assert_int_eq(c.access_ttl, 900);
	ck_assert_int_eq(c.auth_refresh, 60);
	ck_assert(c.timer_interval > 4.9 && c.timer_interval < 5.1);
}
END_TEST

START_TEST(test_values)
{
	const char *env[] = {"ALURD_LISTEN", "[::1]:0", "ALURD_THREADS", "16", "ALURD_MAX_BODY", "64k",
			     "ALURD_CORS_ORIGINS", " https://a.example , http://localhost:5173,*", "ALURD_LOG_LEVEL",
			     "debug", "ALURD_TIMER_INTERVAL", "0.25", "ALURD_JWT_SECRET",
			     "0123456789abcdef0123456789abcdef", "ALURD_MIGRATE_ON_START", "yes", NULL};
	struct config c;
	char msg[512];
	ck_assert_msg(load(env, &c, msg), "%s", msg);
	ck_assert_str_eq(c.listen_host, "::1");
	ck_assert_int_eq(c.listen_port, 0);
	ck_assert_int_eq(c.threads, 16);
	ck_assert_uint_eq(c.max_body, 65536);
	ck_assert_int_eq(c.n_origins, 3);
	ck_assert_str_eq(c.origins[0], "https://a.example");
	ck_assert_str_eq(c.origins[1], "http://localhost:5173");
	ck_assert_str_eq(c.origins[2], "*");
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
	ck_assert(c.timer_interval > 0.24 && c.timer_interval < 0.26);
	ck_assert_uint_eq(c.jwt_secret_len, 32);
	ck_assert(c.migrate_on_start);
}
END_TEST

static const struct {
	const char *var, *value;
} bad[] = {
	{"ALURD_LISTEN", "8080"},
	{"ALURD_LISTEN", "host:"},
	{"ALURD_LISTEN", "host:99999"},
	{"ALURD_LISTEN", ":80"},
	{"ALURD_LISTEN", "a:b:c"},
	{"ALURD_LISTEN", "[::1]80"},
	{"ALURD_THREADS", "0"},
	{"ALURD_THREADS", "many"},
	{"ALURD_THREADS", "8x"},
	{"ALURD_THREADS", "100000"},
	{"ALURD_MAX_BODY", "-1"},
	{"ALURD_MAX_BODY", "10Q"},
	{"ALURD_MAX_BODY", "12"},
	{"ALURD_MAX_BODY", "99999999999999999999999"},
	{"ALURD_LOG_LEVEL", "verbose"},
	{"ALURD_CORS_ORIGINS", "example.com"},
	{"ALURD_CORS_ORIGINS", "https://a.example/"},
	{"ALURD_TIMER_INTERVAL", "0"},
	{"ALURD_TIMER_INTERVAL", "soon"},
	{"ALURD_TIMER_INTERVAL", "nan"},
	{"ALURD_JWT_SECRET", "short"},
	{"ALURD_JWT_ALG", "none"},
	{"ALURD_JWT_ALG", "HS512"},
	{"ALURD_MIGRATE_ON_START", "maybe"},
	{"ALURD_HTTP_TIMEOUT", "0"},
	{"ALURD_ACCESS_TTL", "5"},
	{"ALURD_AUDIT_SEQUENCE_INTERVAL", "0"},
	{"ALURD_AUDIT_CHECKPOINT_INTERVAL", "-1"},
	{"ALURD_AUDIT_CHECKPOINT_INTERVAL", "often"},
};

START_TEST(test_bad_values)
{
	const char *env[] = {bad[_i].var, bad[_i].value, NULL};
	struct config c;
	char msg[512] = "";
	ck_assert_msg(!load(env, &c, msg), "%s=%s accepted", bad[_i].var, bad[_i].value);
	ck_assert_msg(strncmp(msg, bad[_i].var, strlen(bad[_i].var)) == 0, "message '%s' does not name %s", msg,
		      bad[_i].var);
	ck_assert(strchr(msg, '\n') == NULL);
}
END_TEST

START_TEST(test_sizes)
{
	size_t v;
	ck_assert(config_parse_size("20M", &v) && v == 20u << 20);
	ck_assert(config_parse_size("20MiB", &v) && v == 20u << 20);
	ck_assert(config_parse_size("1g", &v) && v == 1u << 30);
	ck_assert(config_parse_size("1024", &v) && v == 1024);
	ck_assert(!config_parse_size("", &v));
	ck_assert(!config_parse_size("M", &v));
	ck_assert(!config_parse_size("1MM", &v));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values);
	tcase_add_loop_test(tc, test_bad_values, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_sizes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
