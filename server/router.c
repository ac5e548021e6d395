/* router.c — see router.h. A linear scan over some tens of templates costs
 * well under a microsecond; a trie would be premature. */
#include "server/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/console.h"

extern struct route server_routes[];
extern const struct route server_ready_routes[];

static const struct route **g_routes;
static char **g_labels;
static int g_n;

static void add_table(const struct route *t, int *cap)
{
	for (; t->method; t++) {
		if (g_n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			g_routes = realloc(g_routes, (size_t)*cap * sizeof *g_routes);
			g_labels = realloc(g_labels, (size_t)*cap * sizeof *g_labels);
			if (!g_routes || !g_labels)
				abort();
		}
		char *label = malloc(strlen(t->method) + strlen(t->path) + 2);
		if (!label)
			abort();
		sprintf(label, "%s %s", t->method, t->path);
		g_routes[g_n] = t;
		g_labels[g_n] = label;
		g_n++;
	}
}

void router_init(void)
{
	int cap = 0;
	for (int i = 0; api_route_tables[i]; i++)
		add_table(api_route_tables[i], &cap);
	add_table(server_routes, &cap);
	add_table(server_ready_routes, &cap);
	if (console_enabled())
		add_table(console_routes, &cap); /* the wildcard: what console_claims, below every other */
}

void router_cleanup(void)
{
	for (int i = 0; i < g_n; i++)
		free(g_labels[i]);
	free(g_labels);
	free(g_routes);
	g_labels = NULL;
	g_routes = NULL;
	g_n = 0;
}

int router_count(void)
{
	return g_n;
}

const char *const *router_labels(void)
{
	return (const char *const *)g_labels;
}

static void allow_add(char *allow, size_t n, const char *method)
{
	if (strstr(allow, method)) /* methods are distinct words; no prefix clashes */
		return;
	size_t len = strlen(allow);
	snprintf(allow + len, n - len, "%s%s", len ? ", " : "", method);
}

bool router_find(const char *method, const char *path, struct router_match *m)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	int best = -1, best_spec = -1;
	m->index = -1;
	m->route = NULL;
	m->nparams = 0;
	m->allow[0] = '\0';
	for (int i = 0; i < g_n; i++) {
		struct path_param params[PATH_MAX_PARAMS];
		int np;
		bool wildcard = strcmp(g_routes[i]->path, "/*") == 0;
		if (wildcard ? !console_claims(path) : !path_match(g_routes[i]->path, path, params, &np))
			continue;
		if (wildcard)
			np = 0;
		allow_add(m->allow, sizeof m->allow, g_routes[i]->method);
		if (strcmp(g_routes[i]->method, "GET") == 0)
			allow_add(m->allow, sizeof m->allow, "HEAD");
		int spec = wildcard ? 0 : path_specificity(g_routes[i]->path);
		if (strcmp(g_routes[i]->method, want) == 0 && spec > best_spec) {
			best = i;
			best_spec = spec;
			memcpy(m->params, params, sizeof params);
			m->nparams = np;
		}
	}
	if (m->allow[0])
		allow_add(m->allow, sizeof m->allow, "OPTIONS");
	if (best < 0)
		return false;
	m->index = best;
	m->route = g_routes[best];
	return true;
}
