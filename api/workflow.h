/* workflow.h — what every handler of a request's life shares: loading a
 * request the caller may see and optimistic concurrency (ETag / If-Match).
 * Changing a request (api_request_apply and the rest) is api/lifecycle.h's,
 * included here for the handlers.
 */
#ifndef ALURD_API_WORKFLOW_H
#define ALURD_API_WORKFLOW_H

#include "api/api.h"
#include "api/lifecycle.h"
#include "core/workflow.h"
#include "db/requests.h"

/* Loads the request named by path parameter `param` (FOR UPDATE when lock).
 * A malformed id, a missing request and a request of another agency (for a
 * caller bound to one agency) all answer 404 request.not_found. */
bool api_request_load(struct api_ctx *c, int param, bool lock, struct db_request *r, struct err *e);
/* The same for a request id the handler already has. */
bool api_request_load_id(struct api_ctx *c, const char *id, bool lock, struct db_request *r, struct err *e);

/* Checks If-Match against version: a stale value answers 412
 * request.version_mismatch; a missing one answers 428 when required. */
bool api_if_match(struct api_ctx *c, int version, bool required, struct err *e);

/* Sets ETag: "<version>". */
void api_set_etag(struct api_ctx *c, int version);

#endif
