/* delegations.h — Plh/Plt delegations (migration 0070): created, read,
 * revoked once, never edited (the table's trigger refuses anything else),
 * each change with its audit row and its event in the same statement.
 *
 * Dates cross this boundary as local day numbers of the business calendar
 * (days since 1970-01-01 in zone tz) so core/delegation.c decides in force,
 * expired and overlapping; the JSON's `status` is the same rule, rendered by
 * PostgreSQL for lists. Nothing here begins or commits.
 */
#ifndef ALURD_DB_DELEGATIONS_H
#define ALURD_DB_DELEGATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "db/steps.h"

struct db_delegation {
	const char *id, *kind, *position, *agency_id, *principal_id, *delegate_id, *created_by;
	const char *acts; /* text[] literal, "{dispose,sign_ba}" */
	int starts_day, ends_day, today; /* local day numbers; today: now() in tz */
	bool revoked;
	const char *json;
};

/* A new delegation; document/document_len/document_name NULL/0 when none. */
struct db_delegation_new {
	const char *kind, *position, *agency_id, *principal_id, *delegate_id, *acts;
	const char *starts_on, *ends_on, *letter_number, *letter_date;
	const char *document_name, *document_sha256;
	const void *document;
	size_t document_len;
};

/* Takes the position's lock (agency_id NULL unless a Kepala PD) for the rest
 * of the transaction, so two overlapping creations cannot both pass the
 * overlap check, then lists its delegations that are not revoked: rows
 * (id, starts_day, ends_day, acts literal). */
bool db_delegations_of_position(struct err *e, struct arena *a, const char *position, const char *agency_id,
				struct db_rows *out);

/* Inserts n as actor, with the audit row delegation.create and the event
 * delegation.created; *out is the new delegation. */
bool db_delegation_insert(struct err *e, struct arena *a, const struct db_delegation_new *n, const char *tz,
			  const struct db_actor *actor, struct db_delegation *out);

bool db_delegation_get(struct err *e, struct arena *a, const char *id, const char *tz, bool lock,
		       struct db_delegation *out, bool *found);

/* Revokes id (not revoked yet: the caller checked, holding the lock) as
 * actor with reason (or NULL), with the audit row delegation.revoke and the
 * event delegation.revoked; *out is the revoked delegation. */
bool db_delegation_revoke(struct err *e, struct arena *a, const char *id, const char *reason, const char *tz,
			  const struct db_actor *actor, struct db_delegation *out);

/* JSON array text of delegations, newest first (at most 500): all when
 * user_id is NULL, else those naming user_id as principal, delegate or
 * creator; agency_id (not NULL) keeps only that agency's Kepala PD's. */
bool db_delegation_list(struct err *e, struct arena *a, const char *tz, const char *user_id, const char *agency_id,
			const char **json);

/* The delegations in force today (zone tz) whose delegate is user_id: rows
 * (id, position, agency_id, principal_id, acts literal, kind, the principal
 * as a person object or NULL). */
bool db_delegations_in_force(struct err *e, struct arena *a, const char *user_id, const char *tz,
			     struct db_rows *out);

/* Whether user_id holds the position now: active, with the position's role
 * (and for a Kepala PD: agency_id's signatory). */
bool db_user_holds(struct err *e, struct arena *a, const char *user_id, const char *role, bool kepala_pd,
		   const char *agency_id, bool *holds);

#endif
