/* webhooks.h — subscriptions and their deliveries (migrations/0021).
 *
 * Subscriptions are answered as JSON built by PostgreSQL (WEBHOOK_JSON in
 * webhooks.c), never with their secrets. Secrets cross this boundary only
 * sealed (bytea in the "\\x<hex>" text form). Deliveries are created by the
 * fan-out trigger with each event; the deliverer claims one due delivery at
 * a time with FOR UPDATE SKIP LOCKED (one statement, so several instances
 * share the work and no attempt runs twice at once) and records its outcome
 * under the attempt number it claimed (a late answer after the lease passed
 * to another instance changes nothing).
 */
#ifndef ALURD_DB_WEBHOOKS_H
#define ALURD_DB_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_webhook {
	const char *id, *owner_client_id, *agency_id, *json;
	int version;
};

/* Fields a create or an update sets (NULL: unchanged). event_types is a
 * text[] literal. */
struct db_webhook_fields {
	const char *url, *event_types, *agency_id, *description;
	bool set_agency, set_enabled, enabled;
};

bool db_webhook_insert(struct err *e, struct arena *a, const struct db_webhook_fields *f, const char *owner_client_id,
		       const char *secret_box, const char *actor, struct db_webhook *out);
/* With lock, FOR UPDATE. *found false when there is none. */
bool db_webhook_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_webhook *out, bool *found);
/* Every subscription (owner NULL) or those of one machine client, as a JSON array. */
bool db_webhook_list(struct err *e, struct arena *a, const char *owner_client_id, const char **json);
/* How many subscriptions exist. */
bool db_webhook_count(struct err *e, long *n);
bool db_webhook_update(struct err *e, struct arena *a, const char *id, const struct db_webhook_fields *f,
		       struct db_webhook *out);
bool db_webhook_delete(struct err *e, const char *id);
/* A new secret; the current one keeps signing for overlap seconds. */
bool db_webhook_rotate(struct err *e, struct arena *a, const char *id, const char *secret_box, int overlap,
		       struct db_webhook *out);

/* One page of a subscription's deliveries, newest first (keyset on id). */
bool db_delivery_page(struct err *e, struct arena *a, const char *webhook_id, const char *before_id, int limit,
		      struct db_page *page);
/* Makes a delivery of the subscription due now (again); *found false when
 * it has no such delivery. Answers the delivery's JSON. */
bool db_delivery_retry(struct err *e, struct arena *a, const char *webhook_id, const char *delivery_id,
		       const char **json, bool *found);
/* New deliveries to the subscription of its events in [from, to); *count
 * receives how many. */
bool db_delivery_replay(struct err *e, const char *webhook_id, const char *from, const char *to, int *count);

/* A claimed delivery: what the HTTP attempt needs. Arena memory. */
struct db_claim {
	const char *id, *webhook_id, *url, *event_uuid, *body;
	const char *secret_box, *old_secret_box; /* old: NULL unless still in its overlap */
	int attempt;                             /* 1 for the first */
	int64_t now;                             /* the database's, epoch seconds */
};
/* Claims the oldest due delivery of an enabled subscription that has fewer
 * than per_endpoint deliveries in flight, leasing it for lease seconds.
 * *found false when nothing is due. */
bool db_delivery_claim(struct err *e, struct arena *a, int per_endpoint, int lease, struct db_claim *out, bool *found);

/* What an attempt ended with. */
enum db_outcome { DB_DELIVERED, DB_RETRY, DB_FAILED };
struct db_attempt {
	enum db_outcome outcome;
	double retry_in;      /* seconds, for DB_RETRY */
	int http_status;      /* 0: no answer */
	const char *error;    /* NULL for a 2xx */
	int latency_ms;
	bool disable;         /* 410 Gone: the subscription is disabled */
	int disable_after;    /* seconds of failing everything after which it is disabled */
};
/* Records the attempt numbered attempt of delivery id. *disabled tells
 * that the subscription was disabled by it (its audit row is written too);
 * *stale that the lease had passed to another attempt (nothing written). */
bool db_delivery_record(struct err *e, const struct db_claim *c, const struct db_attempt *t, bool *disabled,
			bool *stale);

/* Pending (due or scheduled) deliveries, and the age in seconds of the
 * oldest due one (0 when none). */
bool db_delivery_backlog(struct err *e, long *pending, double *oldest_age);

#endif
