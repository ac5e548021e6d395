/* fuzz_json_input.c — JSON request bodies through the layer every handler
 * reads them with: the server's parse (json_loadb with
 * JSON_REJECT_DUPLICATES, as server/http.c parse_json), then api/input.c
 * (api_only_fields, api_in_str/bool/int/uuid, api_err_scope for nested
 * objects) and core/validate.c (the value checks the resources apply), and
 * finally the problem document api/render.c would send for the collected
 * field errors. Oracle: a field error list never exceeds ERR_MAX_FIELDS, an
 * accepted string is valid UTF-8 of the permitted length, and the problem
 * document always serialises.
 */
#include <jansson.h>

#include "api/api.h"
#include "api/input.h"
#include "core/err.h"
#include "core/validate.h"
#include "tests/fuzz/fuzz.h"

static const char *const allowed[] = {"title", "body", "username", "password", "nip", "date",
				      "at", "agency_id", "active", "limit", "items", NULL};

static void check_fields(json_t *obj, struct err *e)
{
	const char *s = NULL;
	bool b = false;
	long n = 0;
	api_only_fields(obj, NULL, allowed, e);
	if (api_in_str(obj, "title", API_REQUIRED, 200, &s, e) && s)
		fuzz_assert(val_utf8_len(s) >= 1 && val_utf8_len(s) <= 200);
	if (api_in_str(obj, "body", API_MULTILINE | API_EMPTY_OK | API_NULLABLE, 4000, &s, e) && s)
		fuzz_assert(val_utf8_len(s) >= 0 && val_utf8_len(s) <= 4000);
	if (api_in_str(obj, "username", API_OPTIONAL, 64, &s, e) && s)
		val_username(e, "username", s);
	const char *user = s;
	if (api_in_str(obj, "password", API_OPTIONAL, 1000, &s, e) && s)
		val_password(e, "password", s, user ? user : "");
	if (api_in_str(obj, "nip", API_OPTIONAL, 18, &s, e) && s)
		val_nip(e, "nip", s);
	if (api_in_str(obj, "date", API_OPTIONAL, 10, &s, e) && s)
		val_date(e, "date", s);
	if (api_in_str(obj, "at", API_OPTIONAL, 40, &s, e) && s)
		val_timestamp(e, "at", s);
	if (api_in_uuid(obj, "agency_id", API_NULLABLE, &s, e) && s)
		fuzz_assert(val_is_uuid(s));
	api_in_bool(obj, "active", API_OPTIONAL, &b, e);
	if (api_in_int(obj, "limit", API_OPTIONAL, 1, 200, &n, e) && n)
		fuzz_assert(n >= 1 && n <= 200);
	fuzz_assert(e->nfields >= 0 && e->nfields <= ERR_MAX_FIELDS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return 0;
	}
	struct err e = {0};
	check_fields(doc, &e);
	/* nested objects, as milestones and parties are read */
	json_t *items = json_object_get(doc, "items");
	if (json_is_array(items)) {
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it) {
			if (!json_is_object(it) || i > 16)
				continue;
			int mark = e.nfields;
			check_fields(it, &e);
			char prefix[32];
			snprintf(prefix, sizeof prefix, "items[%zu]", i);
			api_err_scope(&e, mark, prefix);
		}
	}
	if (e.nfields || e.kind != ERR_NONE) {
		if (e.kind == ERR_NONE)
			e.kind = ERR_INVALID;
		json_t *problem = api_problem_new(&e, api_status_for(e.kind), "fuzz");
		fuzz_assert(problem);
		char *text = json_dumps(problem, JSON_COMPACT);
		fuzz_assert(text);
		free(text);
		json_decref(problem);
	}
	json_decref(doc);
	return 0;
}
