/* discussions.h — readers of the agreed scope and milestones, shared by the
 * final discussion and the Berita Acara (which copies and may edit them). */
#ifndef ALURD_API_DISCUSSIONS_H
#define ALURD_API_DISCUSSIONS_H

#include "api/api.h"

/* b's "scope": {"summary", "features": [...]}, checked and normalised to
 * JSON text in the arena; NULL (with field errors in e) when absent or bad. */
const char *api_read_scope(struct api_ctx *c, json_t *b, struct err *e);
/* A milestones array [{"name", "start", "end"}], start <= end. */
const char *api_read_milestones(struct api_ctx *c, json_t *list, struct err *e);

#endif
