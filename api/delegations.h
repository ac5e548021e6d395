/* delegations.h — acting under a delegation (delegations.c), for the
 * dispatcher and the handlers whose records say who acted for whom. */
#ifndef ALURD_API_DELEGATIONS_H
#define ALURD_API_DELEGATIONS_H

#include "api/api.h"

/* Resolves the request's Delegation-Id header, if any, before the handler:
 * on success with a delegation in force that lends the route's act, c->who
 * takes the position's role (and agency) and c->acting is filled; without
 * the header nothing changes. Refusals: 403 delegation.not_delegate,
 * .revoked, .not_started, .expired, .act_not_delegated; 400
 * delegation.invalid_header. Needs the database (a worker thread). */
bool api_acting_resolve(struct api_ctx *c, struct err *e);

/* {"acting_for": {position, user_id, agency_id}, "delegation_id",
 * "delegation_kind"} for the audit row and the event while acting (new
 * reference), NULL otherwise. */
json_t *api_acting_json(const struct api_ctx *c);

#endif
