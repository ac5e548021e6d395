/* listen.h — a connection of its own that LISTENs on one channel and hands
 * over the payloads of the notifications that arrive on it.
 *
 * PostgreSQL delivers a NOTIFY only when the sending transaction commits, and
 * only to sessions listening at that moment: a listener that lost its
 * connection has missed whatever was sent meanwhile, so whoever reopens it
 * must refresh everything it caches (server/changes.c does).
 */
#ifndef ALURD_DB_LISTEN_H
#define ALURD_DB_LISTEN_H

#include <stdbool.h>

#include "core/err.h"

struct db_listener;

/* Opens a connection (db_connect_new) and runs LISTEN channel. channel is a
 * plain identifier ([a-z_]+). NULL and e filled when the database is not
 * reachable. Free with db_listener_free. */
struct db_listener *db_listener_open(const char *channel, struct err *e);
/* Waits up to timeout_ms for notifications and calls fn(payload, arg) for
 * each that arrived (payload borrowed for the call). True when the
 * connection is still good (with or without notifications); false, with e
 * filled, when it was lost: free it and open a new one. */
bool db_listener_wait(struct db_listener *l, int timeout_ms, void (*fn)(const char *payload, void *arg), void *arg,
		      struct err *e);
/* Closes the connection. NULL is a no-op. */
void db_listener_free(struct db_listener *l);

#endif
