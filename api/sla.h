/* sla.h — the SLA engine's routes (api/sla.c): a request's timeline with SLA
 * states, the overdue list, the compliance summary, the policy versions and
 * the holidays. The clock the lifecycle starts and pauses is api/clock.h's. */
#ifndef ALURD_API_SLA_H
#define ALURD_API_SLA_H

#include "api/api.h"

extern const struct route api_sla_routes[];

#endif
