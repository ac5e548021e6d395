/* timer.h — the SLA timer thread. Every ALURD_TIMER_INTERVAL seconds it
 * flags the step instances that newly crossed warn_at (warning) or due_at
 * (breach): the flag, an audit row and an event, in one transaction per
 * scan. Rows are claimed with FOR UPDATE SKIP LOCKED and flagged only while
 * their flag is still empty, so with several daemons on one database each
 * warning and breach is flagged exactly once. After each scan it works the
 * queued recomputes of deadlines after a holiday change (bounded batches),
 * then deletes events older than ALURD_EVENT_RETENTION days, in small
 * batches that several instances can run at once. */
#ifndef ALURD_SERVER_TIMER_H
#define ALURD_SERVER_TIMER_H

#include "server/config.h"

void timer_start(const struct config *cfg);
/* Wakes the thread now (a recompute was queued); returns at once. */
void timer_kick(void);
/* Wakes the thread and joins it (returns within one scan). */
void timer_stop(void);

#endif
