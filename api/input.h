/* input.h — reading request input: JSON body fields, query arguments,
 * cursors and list limits.
 *
 * Every reader adds a field error to e when a value is missing (and
 * required), of the wrong JSON type, or fails its check, and goes on, so a
 * handler reads all of its fields and then returns once:
 *     api_in_str(body, "title", API_REQUIRED, 200, &title, e);
 *     api_in_str(body, "description", API_MULTILINE, 5000, &desc, e);
 *     if (e->kind) return false;
 * Numbers are read only from JSON integers: 1.5 or "1" for an integer field
 * is an error, never silently converted.
 */
#ifndef ALURD_API_INPUT_H
#define ALURD_API_INPUT_H

#include "api/api.h"

enum api_in_flags {
	API_OPTIONAL = 0,
	API_REQUIRED = 1,  /* absent -> field error */
	API_NULLABLE = 2,  /* JSON null accepted (*out = NULL) */
	API_MULTILINE = 4, /* text may contain newlines and tabs */
	API_EMPTY_OK = 8,  /* "" accepted */
};

/* The body object: c->json, or an empty object when there was no body. The
 * result is borrowed from the request. */
json_t *api_body(struct api_ctx *c);

/* Adds a field error for every key of obj not listed in allowed (NULL-ended).
 * prefix names the enclosing field in messages ("" at top level). */
bool api_only_fields(json_t *obj, const char *prefix, const char *const *allowed, struct err *e);

/* For an action that takes no input (route body API_BODY_JSON): no body and
 * `{}` are accepted alike, as many HTTP clients send `{}`; any member is a
 * field error. */
bool api_no_fields(struct api_ctx *c, struct err *e);

/* Names the field errors added since mark (an earlier e->nfields) as members
 * of prefix: "note" becomes "checklist.role_pengguna.note". Call it after
 * reading a nested object with the readers below. */
void api_err_scope(struct err *e, int mark, const char *prefix);

/* Each returns true when the key is present with an accepted value (or null
 * with API_NULLABLE: *out then NULL / *is_null true), false when absent or bad. */
bool api_in_str(json_t *obj, const char *key, unsigned flags, long max, const char **out, struct err *e);
bool api_in_bool(json_t *obj, const char *key, unsigned flags, bool *out, struct err *e);
bool api_in_int(json_t *obj, const char *key, unsigned flags, long min, long max, long *out, struct err *e);
/* A string that must be a canonical UUID. */
bool api_in_uuid(json_t *obj, const char *key, unsigned flags, const char **out, struct err *e);

/* Query arguments: refuses any name not in allowed (NULL allows none). The
 * dispatcher applies it with the route's `query` list before the handler. */
bool api_only_query(const struct api_ctx *c, const char *const *allowed, struct err *e);
/* A route's query list that accepts every argument (the console's pages,
 * whose query is the browser's business, not the server's). */
extern const char *const api_any_query[];
/* ?limit= (default 50, 1..200). */
bool api_query_limit(const struct api_ctx *c, int *limit, struct err *e);
/* ?cursor=: decodes an opaque cursor made by api_cursor_make into its parts
 * (NULL-terminated array of strings in the arena; NULL when no cursor). */
bool api_query_cursor(struct api_ctx *c, int nparts, const char ***parts, struct err *e);
/* The same for the query argument called name (the event feed's ?after=). */
bool api_query_cursor_named(struct api_ctx *c, const char *name, int nparts, const char ***parts, struct err *e);
/* Encodes parts (nparts strings) as an opaque URL-safe cursor. */
const char *api_cursor_make(struct arena *a, int nparts, const char *const *parts);

/* Answers 200 {"items": <json array text>, "next_cursor": null}: a whole,
 * short list (a request's documents, discussions, ...). */
void api_reply_items(struct api_ctx *c, const char *json_array);

/* Answers 200 {"items": [...], "next_cursor": "..." | null} for a page
 * whose keys (nkeys) make the cursor of the next page. */
struct db_page;
void api_reply_page(struct api_ctx *c, const struct db_page *page, int nkeys);

/* The path parameter i, which must be a UUID; a malformed one is answered as
 * not found (ERR_NOT_FOUND with code not_found_code). */
bool api_param_uuid(const struct api_ctx *c, int i, const char *not_found_code, const char **out, struct err *e);

#endif
