/* bg.c — see bg.h. Waits use CLOCK_REALTIME deadlines (the condition
 * variables are statically initialised); a clock step only lengthens or
 * shortens one wait. */
#include "server/bg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

void bg_start(struct bg *b, void *(*fn)(void *), void *arg)
{
	pthread_mutex_lock(&b->lock);
	b->stop = false;
	b->kicked = false;
	pthread_mutex_unlock(&b->lock);
	if (pthread_create(&b->thread, NULL, fn, arg) != 0)
		abort();
	b->running = true;
}

bool bg_wait(struct bg *b, double seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	double whole, frac = modf(seconds > 0 ? seconds : 0, &whole);
	until.tv_sec += (time_t)whole;
	until.tv_nsec += (long)(frac * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->lock);
	while (!b->stop && !b->kicked && pthread_cond_timedwait(&b->cond, &b->lock, &until) != ETIMEDOUT)
		;
	b->kicked = false;
	bool stop = b->stop;
	pthread_mutex_unlock(&b->lock);
	return stop;
}

bool bg_stopping(struct bg *b)
{
	pthread_mutex_lock(&b->lock);
	bool stop = b->stop;
	pthread_mutex_unlock(&b->lock);
	return stop;
}

void bg_kick(struct bg *b)
{
	pthread_mutex_lock(&b->lock);
	b->kicked = true;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

void bg_stop(struct bg *b)
{
	if (!b->running)
		return;
	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	b->running = false;
}
