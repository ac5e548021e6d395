/* mono.h — the monotonic clock every thread of server/ measures intervals
 * and deadlines with (never the wall clock, which may step). */
#ifndef ALURD_SERVER_MONO_H
#define ALURD_SERVER_MONO_H

#include <time.h>

static inline long long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static inline double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
