/* dispositions.h — the disposition chain (Kepala Dinas -> Kabid -> Kasi),
 * recipients and read receipts. */
#ifndef ALURD_DB_DISPOSITIONS_H
#define ALURD_DB_DISPOSITIONS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_disposition {
	const char *id, *request_id, *parent_id, *from_user_id, *json;
	bool withdrawn, any_read, has_children;
};

/* delegation_id: the delegation the author acted under, or NULL. */
bool db_disposition_insert(struct err *e, struct arena *a, const char *request_id, const char *parent_id,
			   const char *from_user_id, const char *kind, const char *instruction,
			   const char *const *to_user_ids, int nto, const char *delegation_id, struct db_disposition *out);
/* Loads one (FOR UPDATE when lock); *found false when absent. */
bool db_disposition_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_disposition *out,
			bool *found);
/* Marks user's receipt; *was_recipient false when user is not one of the
 * recipients, *first true when this is the user's first read. */
bool db_disposition_mark_read(struct err *e, const char *id, const char *user_id, bool *was_recipient, bool *first);
bool db_disposition_withdraw(struct err *e, const char *id);
/* Every disposition of a request, oldest first, as a JSON array. */
bool db_disposition_list(struct err *e, struct arena *a, const char *request_id, const char **json);
/* Whether user_id is a live (not withdrawn) recipient of disposition id. */
bool db_disposition_is_recipient(struct err *e, const char *id, const char *user_id, bool *yes);

/* The role of each active user among ids; *roles[i] NULL when the user does
 * not exist or is inactive. */
bool db_users_roles(struct err *e, struct arena *a, const char *const *ids, int n, const char **roles);

#endif
