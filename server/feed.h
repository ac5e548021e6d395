/* feed.h — the event feed's watcher: long-poll waiters, the early wake of
 * the webhook deliverer, and the count of events by type.
 *
 * One thread reads, every FEED_POLL_MS while it runs, what committed to the
 * outbox since it last looked, in feed order (db_event_news: one indexed
 * query per round for the whole instance, however many clients wait, and
 * whichever instance wrote the events). When something new is there it
 * wakes every parked long-poll request (each re-runs its own scoped page on
 * a worker and parks again if that page is still empty) and the deliverer.
 * A waiter whose deadline passes is woken for its final, empty answer.
 * Parked requests hold a suspended connection, never a worker.
 */
#ifndef ALURD_SERVER_FEED_H
#define ALURD_SERVER_FEED_H

#include <stdbool.h>

#include "server/config.h"

#define FEED_POLL_MS 250

struct feed_waiter {
	/* called on the watcher thread, outside its lock; must only queue
	 * work. final: the deadline passed, or the server is stopping */
	void (*wake)(struct feed_waiter *w, bool final);
	long long deadline_ms; /* CLOCK_MONOTONIC */
	struct feed_waiter *next;
};

void feed_start(const struct config *cfg);
/* Parks w until the feed moves or w->deadline_ms; false when the watcher
 * is not running or is releasing (the caller answers at once). */
bool feed_park(struct feed_waiter *w);
/* Wakes every waiter with final and refuses new ones (the drain at
 * SIGTERM); safe to call when not started. */
void feed_release(void);
/* Releases, then stops and joins the watcher. */
void feed_stop(void);

#endif
