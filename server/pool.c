/* pool.c — a mutex/condvar FIFO feeding a fixed set of threads. */
#include "server/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "db/db.h"

struct job {
	pool_fn fn;
	void *arg;
	struct job *next;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static struct job *g_head, *g_tail;
static bool g_stopping;
static pthread_t *g_threads;
static int g_nthreads;

static void *worker(void *unused)
{
	(void)unused;
	for (;;) {
		pthread_mutex_lock(&g_lock);
		while (!g_head && !g_stopping)
			pthread_cond_wait(&g_cond, &g_lock);
		struct job *j = g_head;
		if (j) {
			g_head = j->next;
			if (!g_head)
				g_tail = NULL;
		}
		pthread_mutex_unlock(&g_lock);
		if (!j)
			break; /* stopping and drained */
		j->fn(j->arg);
		free(j);
	}
	db_thread_cleanup();
	return NULL;
}

void pool_start(int n)
{
	g_threads = calloc((size_t)n, sizeof *g_threads);
	if (!g_threads)
		abort();
	g_stopping = false;
	for (int i = 0; i < n; i++)
		if (pthread_create(&g_threads[i], NULL, worker, NULL) != 0)
			abort();
	g_nthreads = n;
}

void pool_submit(pool_fn fn, void *arg)
{
	struct job *j = malloc(sizeof *j);
	if (!j)
		abort();
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&g_lock);
	if (g_tail)
		g_tail->next = j;
	else
		g_head = j;
	g_tail = j;
	pthread_cond_signal(&g_cond);
	pthread_mutex_unlock(&g_lock);
}

void pool_stop(void)
{
	pthread_mutex_lock(&g_lock);
	g_stopping = true;
	pthread_cond_broadcast(&g_cond);
	pthread_mutex_unlock(&g_lock);
	for (int i = 0; i < g_nthreads; i++)
		pthread_join(g_threads[i], NULL);
	free(g_threads);
	g_threads = NULL;
	g_nthreads = 0;
}
