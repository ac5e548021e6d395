/* bg.h — one background thread with a stop flag and a wake-up.
 *
 * Every periodic job of the daemon (the SLA timer, the audit sequencer, the
 * readiness checker, the account snapshot refresher, the feed watcher) is a
 * loop of "work, then wait until the interval ends, a kick or a stop". This
 * is that loop's plumbing, in one place: the thread's body calls bg_wait
 * between rounds and leaves when it returns true.
 */
#ifndef ALURD_SERVER_BG_H
#define ALURD_SERVER_BG_H

#include <pthread.h>
#include <stdbool.h>

struct bg {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running, stop, kicked;
};

#define BG_INIT {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER}

/* Starts fn(arg) on a new thread (aborts if it cannot). */
void bg_start(struct bg *b, void *(*fn)(void *), void *arg);
/* Waits up to seconds, or until bg_kick or bg_stop; clears the kick.
 * Returns true when the thread is asked to stop. */
bool bg_wait(struct bg *b, double seconds);
/* True once bg_stop was called. */
bool bg_stopping(struct bg *b);
/* Ends the current (or the next) bg_wait early. */
void bg_kick(struct bg *b);
/* Asks the thread to stop, wakes it and joins it; a no-op when not started. */
void bg_stop(struct bg *b);

#endif
