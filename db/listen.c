/* listen.c — see listen.h. The connection is not one of the per-thread
 * connections of db.c (those run transactions and would drop notifications
 * arriving between statements); it waits with poll() on libpq's socket so a
 * stop request is seen within one timeout. A listener also sends an empty
 * query every 10 s of silence: a server that vanished without closing the
 * socket (a host lost) is noticed by that query failing, not never. */
#include "db/listen.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"

#define PROBE_EVERY_S 10

struct db_listener {
	PGconn *pg;
	time_t last_heard;
};

static bool lost(struct db_listener *l, struct err *e, const char *what)
{
	err_log(e, "%s: %s", what, PQerrorMessage(l->pg));
	return err_set(e, ERR_UNAVAILABLE, "db.unavailable", "The database is not reachable; try again shortly.");
}

static bool run(struct db_listener *l, const char *sql, struct err *e)
{
	PGresult *r = PQexec(l->pg, sql);
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok && r && PQresultStatus(r) == PGRES_EMPTY_QUERY)
		ok = true;
	db_done(r);
	if (!ok)
		return lost(l, e, sql);
	l->last_heard = time(NULL);
	return true;
}

struct db_listener *db_listener_open(const char *channel, struct err *e)
{
	for (const char *s = channel; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			abort(); /* a programmer error: channels are fixed names */
	PGconn *pg = db_connect_new(e);
	if (!pg)
		return NULL;
	struct db_listener *l = calloc(1, sizeof *l);
	if (!l)
		abort();
	l->pg = pg;
	char sql[96];
	snprintf(sql, sizeof sql, "LISTEN %s", channel);
	if (!run(l, sql, e)) {
		db_listener_free(l);
		return NULL;
	}
	return l;
}

static void drain(struct db_listener *l, void (*fn)(const char *payload, void *arg), void *arg)
{
	PGnotify *note;
	while ((note = PQnotifies(l->pg)) != NULL) {
		fn(note->extra, arg);
		PQfreemem(note);
	}
}

bool db_listener_wait(struct db_listener *l, int timeout_ms, void (*fn)(const char *payload, void *arg), void *arg,
		      struct err *e)
{
	if (PQstatus(l->pg) != CONNECTION_OK)
		return lost(l, e, "listen");
	drain(l, fn, arg); /* what a probe's round trip collected */
	struct pollfd p = {.fd = PQsocket(l->pg), .events = POLLIN};
	int n = poll(&p, 1, timeout_ms);
	if (n < 0 && errno != EINTR)
		return lost(l, e, "poll");
	if (n > 0) {
		if (!PQconsumeInput(l->pg))
			return lost(l, e, "listen");
		l->last_heard = time(NULL);
	}
	drain(l, fn, arg);
	if (PQstatus(l->pg) != CONNECTION_OK)
		return lost(l, e, "listen");
	if (time(NULL) - l->last_heard >= PROBE_EVERY_S)
		return run(l, "", e);
	return true;
}

void db_listener_free(struct db_listener *l)
{
	if (!l)
		return;
	PQfinish(l->pg);
	free(l);
}
