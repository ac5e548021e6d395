/* router.h — the flat table of every route and method+path matching.
 *
 * Built once at start from api_route_tables (and the server's own routes);
 * read-only afterwards, so threads share it without locks. When several
 * templates match a path, the one with more literal segments wins. The
 * wildcard path (slash, star: the console) matches what console_claims and loses to any
 * other template.
 */
#ifndef ALURD_SERVER_ROUTER_H
#define ALURD_SERVER_ROUTER_H

#include <stdbool.h>

#include "api/api.h"
#include "core/path.h"

struct router_match {
	int index;                 /* into the flat table; -1 when none */
	const struct route *route; /* NULL when none */
	struct path_param params[PATH_MAX_PARAMS];
	int nparams;
	char allow[160];           /* methods the path accepts ("" = unknown path) */
};

void router_init(void);
void router_cleanup(void);
/* Finds the route for method+path. HEAD matches GET routes. Returns false
 * when there is none; m->allow then tells 405 (non-empty) from 404. */
bool router_find(const char *method, const char *path, struct router_match *m);
int router_count(void);
const char *const *router_labels(void);

#endif
