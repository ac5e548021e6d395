/* idempotency.c — see idempotency.h. */
#include "db/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

DB_STMT(st_expire, "DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2"
		   " AND created_at < now() - interval '24 hours'");
DB_STMT(st_claim, "INSERT INTO idempotency_keys (owner, key, fingerprint) VALUES ($1, $2, $3)"
		  " ON CONFLICT (owner, key) DO NOTHING RETURNING 1");
DB_STMT(st_read, "SELECT fingerprint, status, content_type, location, body, etag FROM idempotency_keys"
		 " WHERE owner = $1 AND key = $2");
DB_STMT(st_store, "UPDATE idempotency_keys SET status = $3::int, content_type = $4, location = $5, body = $6,"
		  " etag = $7"
		  " WHERE owner = $1 AND key = $2");

bool db_idem_claim(struct err *e, struct arena *a, const char *owner, const char *key, const char *fingerprint,
		   enum db_idem_outcome *outcome, struct db_idem_answer *answer)
{
	const char *p[] = {owner, key, fingerprint};
	PGresult *r;
	if (!db_exec(e, &st_expire, 2, p, NULL) || !db_exec(e, &st_claim, 3, p, &r))
		return false;
	bool claimed = PQntuples(r) == 1;
	PQclear(r);
	if (claimed) {
		*outcome = DB_IDEM_NEW;
		return true;
	}
	const char *c[6];
	bool found;
	if (!db_one(e, a, &st_read, 2, p, 6, c, &found))
		return false;
	if (!found || !c[1]) /* vanished meanwhile: let the client retry */
		return err_set(e, ERR_RETRY, "db.retry", "A concurrent request with this key is still running.");
	if (strcmp(c[0], fingerprint) != 0) {
		*outcome = DB_IDEM_MISMATCH;
		return true;
	}
	*outcome = DB_IDEM_REPLAY;
	answer->status = atoi(c[1]);
	answer->content_type = c[2];
	answer->location = c[3];
	answer->body = c[4];
	answer->etag = c[5];
	return true;
}

bool db_idem_store(struct err *e, const char *owner, const char *key, const struct db_idem_answer *answer)
{
	char status[8];
	snprintf(status, sizeof status, "%d", answer->status);
	const char *p[] = {owner, key, status, answer->content_type, answer->location, answer->body, answer->etag};
	return db_exec(e, &st_store, 7, p, NULL);
}
