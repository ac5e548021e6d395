/* ready.h — readiness: a thread of its own checks the database (reachable,
 * every migration of this binary applied) every READY_INTERVAL_MS on its own
 * connection, and GET /readyz answers from the latest result on the HTTP
 * thread. So /readyz never waits for a worker and never hangs: while a check
 * has been running for more than READY_STALL_MS (a stalled or partitioned
 * database) it answers 503 at once.
 */
#ifndef ALURD_SERVER_READY_H
#define ALURD_SERVER_READY_H

#include <stdbool.h>

#define READY_INTERVAL_MS 200
#define READY_STALL_MS 1500

/* Starts the checking thread and waits (at most READY_STALL_MS) for its
 * first result; ready_stop ends it. Both idempotent. */
void ready_start(void);
void ready_stop(void);

#endif
