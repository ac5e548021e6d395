/* path.h — matching request paths against route templates.
 *
 * A template is a literal path whose segments may be "{name}" placeholders:
 * "/api/v1/requests/{id}/dispositions". A placeholder matches one non-empty
 * segment (no '/'). Matching is exact otherwise: no trailing-slash folding,
 * no case folding. Pure string work, no allocation.
 */
#ifndef ALURD_CORE_PATH_H
#define ALURD_CORE_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define PATH_MAX_PARAMS 4

struct path_param {
	const char *start; /* points into the matched path */
	size_t len;
};

/* Returns true when path matches tmpl; fills params[0..*nparams) in template
 * order (at most PATH_MAX_PARAMS; a template with more never matches). */
bool path_match(const char *tmpl, const char *path, struct path_param *params, int *nparams);

/* Number of literal (non-placeholder) segments: the more, the more specific
 * the template, so "/requests/mine" wins over "/requests/{id}". */
int path_specificity(const char *tmpl);

#endif
