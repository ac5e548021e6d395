/* accounts.h — the account snapshot used to check tokens without a query
 * per request: every user and machine client with what a token must agree
 * with (role, agency, active, the time before which tokens are revoked). */
#ifndef ALURD_DB_ACCOUNTS_H
#define ALURD_DB_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/authz.h"
#include "core/err.h"

struct db_account {
	char id[40];
	enum role role;
	char agency_id[40]; /* "" when none */
	bool active;
	long valid_after;   /* epoch seconds, rounded up: tokens issued before are revoked */
};

/* Loads every account, sorted by id (strcmp order). *items is malloc'd:
 * the caller frees it. */
bool db_account_snapshot(struct err *e, struct db_account **items, size_t *n);

/* Loads one account by id (a user's or a machine client's); *found is false
 * when there is none (a malformed id is none too). */
bool db_account_find(struct err *e, const char *id, struct db_account *out, bool *found);

#endif
