/* discussions.h — discussion records of steps 4-6 and the PD's completion
 * rounds. Structured fields (attendees, checklist, follow-ups, scope,
 * milestones) arrive as validated, normalised JSON text and are stored as
 * jsonb. */
#ifndef ALURD_DB_DISCUSSIONS_H
#define ALURD_DB_DISCUSSIONS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_discussion {
	const char *id, *request_id, *agency_id, *phase, *scope, *milestones, *json;
	int version, round;
};

/* NULL leaves a field unchanged on update; set_* allow clearing. */
struct db_discussion_fields {
	const char *held_at, *attendees, *minutes, *decisions, *checklist, *follow_ups, *scope, *milestones;
	bool set_place, set_online_link, set_output;
	const char *place, *online_link, *output_document_id;
};

/* Inserts the next round of phase for the request. */
bool db_discussion_insert(struct err *e, struct arena *a, const char *request_id, const char *phase,
			  const struct db_discussion_fields *f, const char *actor, struct db_discussion *out);
bool db_discussion_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_discussion *out,
		       bool *found);
/* The latest discussion of phase for the request. */
bool db_discussion_latest(struct err *e, struct arena *a, const char *request_id, const char *phase,
			  struct db_discussion *out, bool *found);
bool db_discussion_update(struct err *e, struct arena *a, const char *id, const struct db_discussion_fields *f,
			  struct db_discussion *out);
bool db_discussion_list(struct err *e, struct arena *a, const char *request_id, const char **json);

/* The type of document doc_id when it belongs to request_id (*type NULL
 * otherwise). */
bool db_document_type_of(struct err *e, struct arena *a, const char *request_id, const char *doc_id,
			 const char **type);

bool db_completion_insert(struct err *e, struct arena *a, const char *request_id, const char *discussion_id,
			  const char *notes, const char *document_ids, const char *item_documents, const char *actor,
			  const char **json);
/* Of ids (a uuid[] literal), those that are not documents of request_id,
 * comma-separated in *missing ("" when all are). One round trip. */
bool db_documents_not_of(struct err *e, struct arena *a, const char *request_id, const char *ids, const char **missing);
bool db_completion_list(struct err *e, struct arena *a, const char *request_id, const char **json);

#endif
