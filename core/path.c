/* path.c — segment-by-segment template matching. */
#include "core/path.h"

#include <string.h>

bool path_match(const char *tmpl, const char *path, struct path_param *params, int *nparams)
{
	int n = 0;
	const char *t = tmpl, *p = path;
	if (*t != '/' || *p != '/')
		return false;
	while (*t && *p) {
		if (*t != '/' || *p != '/')
			return false;
		t++;
		p++;
		const char *tend = strchr(t, '/');
		const char *pend = strchr(p, '/');
		size_t tl = tend ? (size_t)(tend - t) : strlen(t);
		size_t pl = pend ? (size_t)(pend - p) : strlen(p);
		if (tl >= 2 && t[0] == '{' && t[tl - 1] == '}') {
			if (pl == 0 || n >= PATH_MAX_PARAMS)
				return false;
			params[n].start = p;
			params[n].len = pl;
			n++;
		} else if (tl != pl || memcmp(t, p, tl) != 0) {
			return false;
		}
		t += tl;
		p += pl;
	}
	if (*t || *p)
		return false;
	*nparams = n;
	return true;
}

int path_specificity(const char *tmpl)
{
	int literal = 0;
	for (const char *s = tmpl; *s; s++)
		if (*s == '/' && s[1] && s[1] != '{')
			literal++;
	return literal;
}
