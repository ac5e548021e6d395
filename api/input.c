/* input.c — see input.h. Cursors are base64url of the parts joined with
 * "\x1f" and prefixed "1:", so their format can change without clients
 * noticing (they are opaque). */
#include "api/input.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "db/db.h"


json_t *api_body(struct api_ctx *c)
{
	if (c->json)
		return c->json;
	c->json = json_object();
	return c->json;
}

static const char *field_name(char *buf, size_t n, const char *prefix, const char *key)
{
	if (prefix && *prefix)
		snprintf(buf, n, "%s.%s", prefix, key);
	else
		snprintf(buf, n, "%s", key);
	return buf;
}

bool api_only_fields(json_t *obj, const char *prefix, const char *const *allowed, struct err *e)
{
	const char *key;
	json_t *v;
	bool ok = true;
	json_object_foreach(obj, key, v) {
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		if (!known) {
			char name[128];
			ok = err_field(e, field_name(name, sizeof name, prefix, key), "unknown_field",
				       "This field is not accepted here.");
		}
	}
	return ok;
}

bool api_no_fields(struct api_ctx *c, struct err *e)
{
	static const char *const none[] = {NULL};
	return api_only_fields(api_body(c), "", none, e);
}

void api_err_scope(struct err *e, int mark, const char *prefix)
{
	for (int i = mark; i < e->nfields; i++) {
		char name[sizeof e->fields[i].name];
		snprintf(name, sizeof name, "%s.%s", prefix, e->fields[i].name);
		memcpy(e->fields[i].name, name, sizeof name);
	}
}

/* Common prologue: presence, null. Returns 1 = go on with v, 0 = done (ret). */
static int lookup(json_t *obj, const char *key, unsigned flags, json_t **v, bool *ret, struct err *e)
{
	*v = json_object_get(obj, key);
	if (!*v) {
		if (flags & API_REQUIRED)
			err_field(e, key, "required", "This field is required.");
		*ret = false;
		return 0;
	}
	if (json_is_null(*v)) {
		if (flags & API_NULLABLE) {
			*ret = true;
			return 0;
		}
		err_field(e, key, "null", "Must not be null.");
		*ret = false;
		return 0;
	}
	return 1;
}

bool api_in_str(json_t *obj, const char *key, unsigned flags, long max, const char **out, struct err *e)
{
	json_t *v;
	bool ret;
	*out = NULL;
	if (!lookup(obj, key, flags, &v, &ret, e))
		return ret;
	if (!json_is_string(v))
		return err_field(e, key, "type", "Must be a string.");
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return err_field(e, key, "control_character", "Must not contain NUL.");
	if (!val_text(e, key, s, max, flags & API_EMPTY_OK, flags & API_MULTILINE))
		return false;
	*out = s;
	return true;
}

bool api_in_bool(json_t *obj, const char *key, unsigned flags, bool *out, struct err *e)
{
	json_t *v;
	bool ret;
	if (!lookup(obj, key, flags & ~(unsigned)API_NULLABLE, &v, &ret, e))
		return ret;
	if (!json_is_boolean(v))
		return err_field(e, key, "type", "Must be true or false.");
	*out = json_is_true(v);
	return true;
}

bool api_in_int(json_t *obj, const char *key, unsigned flags, long min, long max, long *out, struct err *e)
{
	json_t *v;
	bool ret;
	if (!lookup(obj, key, flags & ~(unsigned)API_NULLABLE, &v, &ret, e))
		return ret;
	if (!json_is_integer(v))
		return err_field(e, key, "type", "Must be an integer.");
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return err_field(e, key, "range", "Must be between %ld and %ld.", min, max);
	*out = (long)n;
	return true;
}

bool api_in_uuid(json_t *obj, const char *key, unsigned flags, const char **out, struct err *e)
{
	if (!api_in_str(obj, key, flags, 36, out, e))
		return false;
	if (*out && !val_is_uuid(*out)) {
		*out = NULL;
		return err_field(e, key, "invalid", "Must be a UUID.");
	}
	return true;
}

const char *const api_any_query[] = {NULL};

bool api_only_query(const struct api_ctx *c, const char *const *allowed, struct err *e)
{
	bool ok = true;
	if (allowed == api_any_query)
		return true;
	for (int i = 0; i < c->nquery; i++) {
		bool known = false;
		for (const char *const *a = allowed; a && *a && !known; a++)
			known = strcmp(*a, c->query[i].key) == 0;
		if (!known)
			ok = err_field(e, c->query[i].key, "unknown_parameter", "This query parameter is not accepted here.");
	}
	return ok;
}

bool api_query_limit(const struct api_ctx *c, int *limit, struct err *e)
{
	const char *s = api_query(c, "limit");
	*limit = 50;
	if (!s)
		return true;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 1 || v > 200)
		return err_field(e, "limit", "range", "limit is a whole number from 1 to 200.");
	*limit = (int)v;
	return true;
}

const char *api_cursor_make(struct arena *a, int nparts, const char *const *parts)
{
	size_t len = 2;
	for (int i = 0; i < nparts; i++)
		len += strlen(parts[i]) + 1;
	char *raw = arena_alloc(a, len + 1);
	strcpy(raw, "1:");
	for (int i = 0; i < nparts; i++) {
		if (i)
			strcat(raw, "\x1f");
		strcat(raw, parts[i]);
	}
	size_t rawlen = strlen(raw);
	size_t outlen = sodium_base64_ENCODED_LEN(rawlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, outlen);
	sodium_bin2base64(out, outlen, (const unsigned char *)raw, rawlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

bool api_query_cursor(struct api_ctx *c, int nparts, const char ***parts, struct err *e)
{
	return api_query_cursor_named(c, "cursor", nparts, parts, e);
}

bool api_query_cursor_named(struct api_ctx *c, const char *name, int nparts, const char ***parts, struct err *e)
{
	const char *s = api_query(c, name);
	*parts = NULL;
	if (!s)
		return true;
	size_t n = strlen(s);
	if (n == 0 || n > 1024)
		return err_field(e, name, "invalid", "This cursor was not made by this server.");
	unsigned char *raw = arena_alloc(c->arena, n + 1);
	size_t rawlen;
	if (sodium_base642bin(raw, n, s, n, NULL, &rawlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    rawlen < 2 || memcmp(raw, "1:", 2) != 0 || memchr(raw, '\0', rawlen))
		return err_field(e, name, "invalid", "This cursor was not made by this server.");
	raw[rawlen] = '\0';
	const char **out = arena_alloc(c->arena, sizeof *out * (size_t)(nparts + 1));
	char *p = (char *)raw + 2;
	for (int i = 0; i < nparts; i++) {
		char *sep = strchr(p, '\x1f');
		if ((sep == NULL) != (i == nparts - 1))
			return err_field(e, name, "invalid", "This cursor was not made by this server.");
		if (sep)
			*sep = '\0';
		out[i] = p;
		p = sep ? sep + 1 : p + strlen(p);
	}
	*parts = out;
	return true;
}

bool api_param_uuid(const struct api_ctx *c, int i, const char *not_found_code, const char **out, struct err *e)
{
	*out = i < c->nparams ? c->params[i] : NULL;
	if (!*out || !val_is_uuid(*out))
		return err_set(e, ERR_NOT_FOUND, not_found_code, "No such record.");
	return true;
}

void api_reply_items(struct api_ctx *c, const char *json_array)
{
	const char *text = arena_printf(c->arena, "{\"items\":%s,\"next_cursor\":null}", json_array);
	api_reply_bytes(c, 200, "application/json", text, strlen(text));
}

void api_reply_page(struct api_ctx *c, const struct db_page *page, int nkeys)
{
	const char *cursor = page->more ? api_cursor_make(c->arena, nkeys, page->next) : NULL;
	if (!cursor) {
		api_reply_items(c, page->items);
		return;
	}
	const char *text = arena_printf(c->arena, "{\"items\":%s,\"next_cursor\":\"%s\"}", page->items, cursor);
	api_reply_bytes(c, 200, "application/json", text, strlen(text));
}
