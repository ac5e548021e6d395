/* deliver.h — the webhook deliverer: ALURD_WEBHOOK_WORKERS threads that
 * claim due deliveries (db/webhooks.h), POST each event to its subscriber
 * with the Standard Webhooks headers through libcurl, and record the
 * outcome: delivered, retried on the schedule (with jitter and
 * Retry-After), failed once the schedule is exhausted, or the subscription
 * disabled (410, or failing everything for ALURD_WEBHOOK_DISABLE_AFTER).
 *
 * Delivery is at least once: a delivery is claimed under a lease before the
 * call and recorded after it, so an instance that dies in between leaves a
 * row that becomes due again when its lease runs out, and the receiver gets
 * the same webhook-id again. Receivers dedupe on webhook-id.
 */
#ifndef ALURD_SERVER_DELIVER_H
#define ALURD_SERVER_DELIVER_H

#include "server/config.h"

/* Starts the threads (none when cfg->webhook_workers is 0) and registers
 * the metrics. Call after curl_global_init. */
void deliver_start(const struct config *cfg);
/* Ends the idle threads' wait now (new events are in); a no-op when none
 * run. Polling the table at ALURD_WEBHOOK_POLL stays the truth. */
void deliver_kick(void);
/* Wakes the threads and joins them; an attempt in flight finishes first
 * (at most ALURD_WEBHOOK_TIMEOUT). */
void deliver_stop(void);

#endif
