/* fuzz_router.c — the request line as the daemon dispatches it: the router's
 * method+path matching (server/router.c over every route table, through
 * core/path.c) and the query arguments as api/input.c checks them
 * (api_only_query against the matched route's list, ?limit=, ?cursor=).
 * libmicrohttpd splits the query before alurd sees it; this harness splits
 * "METHOD PATH?k=v&k=v" itself, without percent-decoding, because the code
 * under test is what receives the pieces. Oracles: a match's parameters lie
 * inside the path and contain no '/', the Allow list fits its buffer, and a
 * cursor made by api_cursor_make always decodes back to its parts.
 */
#include "api/api.h"
#include "api/input.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/path.h"
#include "server/router.h"
#include "tests/fuzz/fuzz.h"

#define MAX_QUERY 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	router_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstr(data, size);
	char *sp = strchr(line, ' ');
	const char *method = "GET";
	char *path = line;
	if (sp) {
		*sp = '\0';
		method = line;
		path = sp + 1;
	}
	char *qs = strchr(path, '?');
	if (qs)
		*qs++ = '\0';

	struct router_match m;
	bool found = router_find(method, path, &m);
	fuzz_assert(strlen(m.allow) < sizeof m.allow);
	fuzz_assert(m.nparams >= 0 && m.nparams <= PATH_MAX_PARAMS);
	size_t plen = strlen(path);
	for (int i = 0; i < m.nparams; i++) {
		fuzz_assert(m.params[i].start >= path && m.params[i].start + m.params[i].len <= path + plen);
		fuzz_assert(!memchr(m.params[i].start, '/', m.params[i].len));
	}
	(void)path_specificity(path); /* any text as a template */

	struct arena arena;
	arena_init(&arena);
	struct api_kv kv[MAX_QUERY];
	int nq = 0;
	for (char *p = qs; p && *p && nq < MAX_QUERY;) {
		char *amp = strchr(p, '&');
		if (amp)
			*amp = '\0';
		char *eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		kv[nq].key = p;
		kv[nq].value = eq ? eq + 1 : "";
		nq++;
		p = amp ? amp + 1 : NULL;
	}
	struct api_ctx c;
	memset(&c, 0, sizeof c);
	c.arena = &arena;
	c.method = method;
	c.path = path;
	c.query = kv;
	c.nquery = nq;
	struct err e = {0};
	api_only_query(&c, found ? m.route->query : NULL, &e);
	int limit = 0;
	if (api_query_limit(&c, &limit, &e))
		fuzz_assert(limit >= 1 && limit <= 200);
	for (int parts = 1; parts <= 3; parts++) {
		const char **out = NULL;
		if (api_query_cursor(&c, parts, &out, &e) && out)
			for (int i = 0; i < parts; i++)
				fuzz_assert(out[i] != NULL);
	}
	/* round trip: the query values as the parts of a cursor */
	if (nq >= 1 && nq <= 3) {
		const char *parts[3];
		bool plain = true;
		for (int i = 0; i < nq; i++) {
			parts[i] = kv[i].value;
			plain = plain && !strchr(parts[i], '\x1f');
		}
		if (plain) {
			struct api_kv ck = {"cursor", api_cursor_make(&arena, nq, parts)};
			struct api_ctx cc = c;
			cc.query = &ck;
			cc.nquery = 1;
			const char **back = NULL;
			struct err e2 = {0};
			size_t clen = strlen(ck.value);
			bool ok = api_query_cursor(&cc, nq, &back, &e2);
			if (clen <= 1024) {
				fuzz_assert(ok && back);
				for (int i = 0; i < nq; i++)
					fuzz_assert(strcmp(back[i], parts[i]) == 0);
			}
		}
	}
	arena_cleanup(&arena);
	free(line);
	return 0;
}
