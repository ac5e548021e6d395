/* queue.h — what waits on one person, read in one statement.
 *
 * The statement decides nothing about whose turn it is: the caller passes
 * the states that wait on the person's party (derived from core/workflow.c's
 * wf_waiting_party), the open states (wf_is_open) and the offered-action map
 * (core/actions.c); SQL only selects by them. */
#ifndef ALURD_DB_QUEUE_H
#define ALURD_DB_QUEUE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"

struct db_queue_query {
	const char *user_id;
	const char *desks;       /* text[] literal: the desks that wait on the caller's party */
	const char *agency_id;   /* agency-bound caller: only its agency's requests; else NULL */
	const char *open_states; /* text[] literal of the open states */
	const char *actions_map; /* JSON {state: [actions]} for the caller's role */
	const char *submit_types; /* text[] literal: the documents a submission needs (DB_OFFER_REFINED) */
	int limit;               /* items per group (the counts are always complete) */
};

/* JSON text (arena) {"requests": {state: {"count", "items"}}, "dispositions":
 * {"count", "unread", "items"}, "signatures": {...}, "surat_tugas": {...}}:
 * requests in the given states (earliest due first); live dispositions
 * addressed to the user on open requests that are unread or whose request
 * still waits on the user's party (unread first); Berita Acara sent for
 * signature that name the user as a signatory who has not signed; Surat
 * Tugas naming the user (newest first). */
bool db_queue_read(struct err *e, struct arena *a, const struct db_queue_query *q, const char **json);

#endif
