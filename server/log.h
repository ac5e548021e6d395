/* log.h — one JSON object per line on standard error.
 *
 * Every line carries time (RFC 3339, UTC, milliseconds), level, and the
 * request id when there is one, so a request's lines can be grepped together.
 * Lines are written whole under a lock, so threads never interleave.
 */
#ifndef ALURD_SERVER_LOG_H
#define ALURD_SERVER_LOG_H

#include <jansson.h>

#include "server/config.h"

void log_set_level(enum log_level min);
/* True when lines of this level are written (to skip building them). */
int log_enabled(enum log_level l);
/* Writes fields (taken; may be NULL) plus time/level/request_id/msg. */
void log_json(enum log_level l, const char *request_id, const char *msg, json_t *fields);
/* Formatted message line. */
void log_msg(enum log_level l, const char *request_id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
