/* idempotency.h — Idempotency-Key records: the first successful answer to
 * (caller, key) is kept with a fingerprint of the request, inside the same
 * transaction as the work it answers. A concurrent duplicate waits on the
 * key's unique index until the first commits, then replays it. */
#ifndef ALURD_DB_IDEMPOTENCY_H
#define ALURD_DB_IDEMPOTENCY_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"

enum db_idem_outcome { DB_IDEM_NEW, DB_IDEM_REPLAY, DB_IDEM_MISMATCH };

struct db_idem_answer {
	int status;
	const char *content_type, *location, *etag, *body;
};

/* Claims (owner, key) for this transaction, or finds the stored answer.
 * Keys older than 24 hours are forgotten. */
bool db_idem_claim(struct err *e, struct arena *a, const char *owner, const char *key, const char *fingerprint,
		   enum db_idem_outcome *outcome, struct db_idem_answer *answer);
/* Stores the answer of a claimed key (same transaction as the claim). */
bool db_idem_store(struct err *e, const char *owner, const char *key, const struct db_idem_answer *answer);

#endif
