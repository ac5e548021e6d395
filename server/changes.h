/* changes.h — hearing at once what another instance changed.
 *
 * Other modules subscribe a refresh function to a topic ("accounts",
 * "holidays", "policy", ...; the names the database triggers of
 * migrations/0050 send). One thread keeps a LISTEN connection on channel
 * alurd_change and calls a topic's subscribers when a notification for it
 * arrives (after the sending transaction committed). When that connection is
 * lost (a failover, a restart) it re-listens and calls every subscriber,
 * since notifications sent meanwhile are gone; and every ALURD_AUTH_REFRESH
 * seconds it calls every subscriber anyway, the safety net should a
 * notification ever be missed.
 */
#ifndef ALURD_SERVER_CHANGES_H
#define ALURD_SERVER_CHANGES_H

#include "server/config.h"

/* Subscribes fn to topic (borrowed; a string literal). Call before
 * changes_start. fn runs on the listener thread: it must be quick (signal a
 * refresher, drop a cache), never block on the database. */
void changes_subscribe(const char *topic, void (*fn)(void));
/* Starts the listener thread (after db_configure). */
void changes_start(const struct config *cfg);
/* Stops and joins it; a no-op when not started. */
void changes_stop(void);

#endif
