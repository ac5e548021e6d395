/* users.h — accounts, refresh-token families and the login throttle.
 *
 * Reads return the public JSON document of a user (SPEC §3 field names)
 * built by PostgreSQL, so a read is one round trip and the shape is written
 * once (USER_JSON in users.c). All strings are copied into the caller's arena.
 */
#ifndef ALURD_DB_USERS_H
#define ALURD_DB_USERS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_user {
	const char *id, *username, *role, *agency_id, *password_hash, *json;
	bool active, must_change_password, is_signatory;
	long valid_after; /* tokens issued before (epoch s, rounded up) are revoked */
};

/* What a create or update sets; NULL pointers / !set_* leave a field alone. */
struct db_user_change {
	const char *username, *full_name, *role, *password_hash;
	bool set_nip;
	const char *nip;        /* NULL with set_nip clears it */
	bool set_agency;
	const char *agency_id;  /* NULL with set_agency clears it */
	const char *is_signatory, *active, *must_change_password; /* "true"/"false" or NULL */
	bool set_position;
	const char *position;   /* jabatan; on create NULL = none, NULL with set_position clears it */
};

bool db_user_insert(struct err *e, struct arena *a, const struct db_user_change *u, struct db_user *out);
/* Loads (FOR UPDATE when lock) by id; *found false when absent. */
bool db_user_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_user *out, bool *found);
bool db_user_by_username(struct err *e, struct arena *a, const char *username, struct db_user *out, bool *found);
/* Applies the change; when role, agency or active changes, or revoke_sessions
 * is set, tokens issued before now are revoked and refresh families closed. */
bool db_user_update(struct err *e, struct arena *a, const char *id, const struct db_user_change *u,
		    bool revoke_sessions, struct db_user *out);
/* Filters are NULL when unused; after is the last username of the previous page. */
bool db_user_list(struct err *e, struct arena *a, const char *role, const char *agency_id, const char *active,
		  const char *q, const char *after, int limit, struct db_page *page);

/* Refresh tokens (hash = SHA-256 as bytea text). */
bool db_session_create(struct err *e, const char *user_id, const char *family_id, const char *hash, int ttl_seconds);
struct db_session {
	const char *id, *family_id, *user_id;
	bool rotated, revoked, expired;
};
bool db_session_find(struct err *e, struct arena *a, const char *hash, struct db_session *out, bool *found);
bool db_session_rotate(struct err *e, const char *id);
bool db_session_revoke_family(struct err *e, const char *family_id);

/* Login throttle: *retry_after = seconds still blocked (0 = free). */
bool db_throttle_check(struct err *e, const char *key1, const char *key2, int *retry_after);
/* Counts a failure for key; *blocked_for = seconds now blocked (0 = not). */
bool db_throttle_fail(struct err *e, const char *key, int max_failures, int *blocked_for);
/* Clears one key's counter (an account's or a client's, after it signed in;
 * never the address's, which only time clears). */
bool db_throttle_reset(struct err *e, const char *key);

#endif
