/* pool.h — the worker threads that run database-bound handlers.
 *
 * libmicrohttpd's event thread never blocks on PostgreSQL: it suspends the
 * connection and queues the job here; a worker (each with its own database
 * connection) runs it and resumes the connection. So a slow query occupies
 * one worker, never the other clients' connections.
 */
#ifndef ALURD_SERVER_POOL_H
#define ALURD_SERVER_POOL_H

typedef void (*pool_fn)(void *arg);

/* Starts n workers. */
void pool_start(int n);
/* Queues fn(arg) for a worker. */
void pool_submit(pool_fn fn, void *arg);
/* Lets queued jobs finish, then joins the workers. */
void pool_stop(void);

#endif
