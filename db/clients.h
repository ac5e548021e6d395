/* clients.h — machine clients (the e-office) using the client-credentials
 * grant. Only a SHA-256 of the secret is stored. */
#ifndef ALURD_DB_CLIENTS_H
#define ALURD_DB_CLIENTS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_client {
	const char *id, *client_id, *secret_hash, *agency_id, *json;
	bool revoked;
};

/* write_scope: "own" or "visible" (see migrations/0015). */
bool db_client_insert(struct err *e, struct arena *a, const char *client_id, const char *secret_hash,
		      const char *name, const char *agency_id, const char *created_by, const char *write_scope,
		      struct db_client *out);
bool db_client_by_client_id(struct err *e, struct arena *a, const char *client_id, struct db_client *out, bool *found);
/* Revokes; *found false when no such client. Revoking twice is harmless. */
bool db_client_revoke(struct err *e, struct arena *a, const char *id, struct db_client *out, bool *found);
/* Sets a client's write_scope; *found false when no such client. */
bool db_client_set_scope(struct err *e, struct arena *a, const char *id, const char *write_scope,
			 struct db_client *out, bool *found);
/* The write_scope of client id (the clients row's uuid) into *write_scope
 * (arena text), NULL when no such client. */
bool db_client_scope(struct err *e, struct arena *a, const char *id, const char **write_scope);
bool db_client_list(struct err *e, struct arena *a, const char *after_created, const char *after_id, int limit,
		    struct db_page *page);

#endif
