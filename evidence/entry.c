/* entry.c — see entry.h. jansson writes the form (JSON_COMPACT |
 * JSON_SORT_KEYS); stored JSON values are parsed and written again so a
 * value's own key order or spacing in the database does not matter. */
#include "evidence/entry.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_or_null(const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
	return v ? v : json_string(s);
}

char *ev_entry_canonical(const struct ev_row *r, uint64_t log_index)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(r->id ? strtoll(r->id, NULL, 10) : 0));
	json_object_set_new(o, "log_index", json_integer((json_int_t)log_index));
	json_object_set_new(o, "at", text_or_null(r->at));
	json_object_set_new(o, "actor_id", text_or_null(r->actor_id));
	json_object_set_new(o, "actor_role", text_or_null(r->actor_role));
	json_object_set_new(o, "action", text_or_null(r->action));
	json_object_set_new(o, "record_type", text_or_null(r->record_type));
	json_object_set_new(o, "record_id", text_or_null(r->record_id));
	json_object_set_new(o, "request_id", text_or_null(r->request_id));
	json_object_set_new(o, "http_request_id", text_or_null(r->http_request_id));
	json_object_set_new(o, "before", json_or_null(r->before));
	json_object_set_new(o, "after", json_or_null(r->after));
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(o);
	if (!s)
		abort();
	return s;
}
