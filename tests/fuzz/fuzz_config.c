/* fuzz_config.c — configuration values (server/config.c). The input is a
 * set of lines "NAME=VALUE" served to config_load as its environment (the
 * same getenv hook main.c passes), so every ALURD_* variable's parser sees
 * fuzzed text, alone and in combination; config_parse_listen and
 * config_parse_size get the first value directly as well. Oracle: an
 * accepted configuration has the documented ranges that the rest of the
 * daemon relies on (ports, thread counts, positive sizes), and a refused one
 * always explains itself in msg.
 */
#include "server/config.h"
#include "tests/fuzz/fuzz.h"

#define MAX_VARS 32

static char *g_names[MAX_VARS], *g_values[MAX_VARS];
static int g_nvars;

static const char *fuzz_getenv(const char *name)
{
	for (int i = g_nvars - 1; i >= 0; i--)
		if (strcmp(g_names[i], name) == 0)
			return g_values[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	g_nvars = 0;
	for (char *p = text; p && *p && g_nvars < MAX_VARS;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *eq = strchr(p, '=');
		if (eq) {
			*eq = '\0';
			g_names[g_nvars] = p;
			g_values[g_nvars] = eq + 1;
			g_nvars++;
		}
		p = nl ? nl + 1 : NULL;
	}
	static struct config c; /* large: not on the stack */
	char msg[512];
	msg[0] = '\0';
	if (config_load(&c, fuzz_getenv, msg, sizeof msg)) {
		fuzz_assert(c.listen_port >= 0 && c.listen_port <= 65535);
		fuzz_assert(c.threads >= 1 && c.http_threads >= 1);
		fuzz_assert(c.max_body > 0 && c.max_upload > 0);
		fuzz_assert(c.n_origins >= 0 && c.n_origins <= CONFIG_MAX_ORIGINS);
		fuzz_assert(c.jwt_secret_len <= sizeof c.jwt_secret);
		fuzz_assert(c.timer_interval > 0);
	} else {
		fuzz_assert(msg[0] != '\0' && strlen(msg) < sizeof msg);
	}
	if (g_nvars > 0) {
		char host[256];
		int port = -1;
		if (config_parse_listen(g_values[0], host, sizeof host, &port))
			fuzz_assert(port >= 0 && port <= 65535 && strlen(host) < sizeof host);
		size_t sz = 0;
		(void)config_parse_size(g_values[0], &sz);
	}
	free(text);
	return 0;
}
