/* directory.c — GET /api/v1/directory: the people a screen picks from (the
 * Kepala Dinas disposing to a Kabid, the Kabid to a Kasi, the Kasi choosing
 * attendees, the Kepala Dinas naming the Tim SPBE of a Surat Tugas).
 *
 * Every signed-in person may read it, scoped by least privilege: the
 * procedure's people (staff and pd users) for everyone; administrators and
 * auditors also see admin and auditor accounts; a pd user sees only its own
 * agency's people and the Kominfos officials who act on its requests.
 * Inactive accounts appear only when an administrator asks. */
#include <string.h>

#include "api/input.h"
#include "core/validate.h"
#include "db/directory.h"

#define OFFICIALS "kepala_dinas,sekretariat,kabid_iai,kasi_ai,tim_spbe"

static const char *const params[] = {"role", "agency_id", "q", "include_inactive", "limit", "cursor", NULL};

static bool list_directory(struct api_ctx *c, struct err *e)
{
	struct db_directory_filter f = {
		.role = api_query(c, "role"),
		.agency_id = api_query(c, "agency_id"),
		.q = api_query(c, "q"),
	};
	const char *inactive = api_query(c, "include_inactive");
	int limit;
	const char **cursor;
	bool everyone = c->who.role == ROLE_ADMIN || c->who.role == ROLE_AUDITOR;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 2, &cursor, e);
	if (f.role && role_parse(f.role) == ROLE_NONE)
		err_field(e, "role", "invalid", "Not a role.");
	if (f.agency_id && !val_is_uuid(f.agency_id))
		err_field(e, "agency_id", "invalid", "Must be a UUID.");
	if (f.q)
		val_text(e, "q", f.q, 100, false, false);
	if (inactive && strcmp(inactive, "true") != 0 && strcmp(inactive, "false") != 0)
		err_field(e, "include_inactive", "invalid", "true or false.");
	if (cursor && !val_is_uuid(cursor[1]))
		err_field(e, "cursor", "invalid", "This cursor was not made by this server.");
	if (e->kind)
		return false;
	f.include_inactive = inactive && strcmp(inactive, "true") == 0;
	if (f.include_inactive && c->who.role != ROLE_ADMIN)
		return err_set(e, ERR_FORBIDDEN, "directory.inactive_forbidden",
			       "Only an administrator may list inactive accounts.");
	f.roles = everyone ? "{" OFFICIALS ",pd,admin,auditor}" : "{" OFFICIALS ",pd}";
	if (authz_agency_bound(&c->who)) {
		f.own_agency = c->who.agency_id;
		f.also_roles = "{" OFFICIALS "}";
	}
	if (cursor) {
		f.after_name = cursor[0];
		f.after_id = cursor[1];
	}
	struct db_page page;
	if (!db_directory_list(e, c->arena, &f, limit, &page))
		return false;
	api_reply_page(c, &page, 2);
	return true;
}

const struct route api_directory_routes[] = {
	{"GET", "/api/v1/directory", list_directory, ACT_DIRECTORY_READ, API_TX_READ, API_BODY_NONE, 0, params},
	{0},
};
