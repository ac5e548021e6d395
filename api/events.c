/* events.c — the event feed, GET /api/v1/events: the outbox read in feed
 * order (db/events.h), scoped like the records (a caller bound to one agency
 * sees only its agency's events).
 *
 * The cursor is opaque and always returned: a page's next_cursor is the
 * position after its last event, or the `after` given when nothing new has
 * committed, so a consumer stores one string and asks again. Because the
 * feed only shows events of finished transactions in (xid, id) order, an
 * event committed after a page was read can never sit behind that page's
 * cursor.
 *
 * ?wait=N (long-poll): an empty page is not answered at once; the request
 * is parked (its connection suspended, no worker held) and run again when
 * the outbox moves (server/feed.h), and answers the empty page with the
 * same cursor when N seconds pass first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/input.h"
#include "core/events.h"
#include "core/validate.h"
#include "db/events.h"

#define MAX_TYPES 16

/* ?type=a.b,c.*: known types, or "record.*" for a record that has some. */
static const char *types_param(struct api_ctx *c, struct err *e)
{
	const char *s = api_query(c, "type");
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n == 0 || n > 1000) {
		err_field(e, "type", "invalid", "A comma-separated list of event types.");
		return NULL;
	}
	char *list = arena_alloc(c->arena, n + 3);
	char *out = list;
	*out++ = '{';
	int count = 0;
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ",");
		char *one = arena_strndup(c->arena, p, len);
		bool ok = ev_find(one) != NULL;
		size_t types;
		const struct ev_type *cat = ev_catalogue(&types);
		if (!ok && len > 2 && strcmp(one + len - 2, ".*") == 0)
			for (size_t i = 0; i < types && !ok; i++)
				ok = strncmp(cat[i].type, one, len - 1) == 0;
		if (!ok || ++count > MAX_TYPES) {
			err_field(e, "type", "unknown", "Not an event type (see the webhooks section of openapi.yaml).");
			return NULL;
		}
		if (count > 1)
			*out++ = ',';
		memcpy(out, one, len); /* [a-z_.*] only, nothing to quote */
		out += len;
		p += len;
		if (*p == ',')
			p++;
	}
	*out++ = '}';
	*out = '\0';
	return list;
}

static const char *const feed_params[] = {"after", "type", "request_id", "limit", "wait", NULL};

#define MAX_WAIT 30

/* ?wait=seconds (0..MAX_WAIT): how long an empty page may be held back. */
static int wait_param(struct api_ctx *c, struct err *e)
{
	const char *s = api_query(c, "wait");
	if (!s)
		return 0;
	size_t n = strlen(s);
	if (n == 0 || n > 2 || strspn(s, "0123456789") != n || atoi(s) > MAX_WAIT) {
		err_field(e, "wait", "range", "wait is a whole number of seconds from 0 to 30.");
		return 0;
	}
	return atoi(s);
}

static bool list_events(struct api_ctx *c, struct err *e)
{
	struct db_event_filter f = {0};
	int limit;
	const char **after = NULL;
	api_query_limit(c, &limit, e);
	/* after=now: no events, only the cursor of the feed's end, to hear
	 * only what comes next (answered at once: a parked request is asked
	 * again, and "now" would have moved) */
	bool from_now = api_query(c, "after") && strcmp(api_query(c, "after"), "now") == 0;
	if (!from_now)
		api_query_cursor_named(c, "after", 2, &after, e);
	if (after && (strspn(after[0], "0123456789") != strlen(after[0]) || !*after[0] ||
		      strspn(after[1], "0123456789") != strlen(after[1]) || !*after[1]))
		err_field(e, "after", "invalid", "This cursor was not made by this server.");
	int wait = wait_param(c, e);
	if (from_now && wait)
		err_field(e, "wait", "invalid", "after=now answers at once: wait for events after the cursor it gives.");
	f.types = types_param(c, e);
	f.request_id = api_query(c, "request_id");
	if (f.request_id && !val_is_uuid(f.request_id))
		err_field(e, "request_id", "invalid", "Must be a UUID.");
	if (e->kind)
		return false;
	if (from_now) {
		char xid[24], id[24];
		if (!db_event_tail(e, xid, id))
			return false;
		const char *keys[] = {xid, id};
		const char *text = arena_printf(c->arena, "{\"items\":[],\"next_cursor\":\"%s\"}",
						api_cursor_make(c->arena, 2, keys));
		api_reply_bytes(c, 200, "application/json", text, strlen(text));
		return true;
	}
	if (after) {
		f.after_xid = after[0];
		f.after_id = after[1];
	}
	if (authz_agency_bound(&c->who))
		f.agency_id = c->who.agency_id;
	/* events about other records than requests (a webhook disabled) go to
	 * those who may read the global audit trail */
	f.beyond_requests = authz_allowed(c->who.role, ACT_AUDIT_READ) && !f.request_id;
	struct db_page page;
	if (!db_event_page(e, c->arena, &f, limit, &page))
		return false;
	if (!page.count && wait && c->may_park) {
		c->park_ms = wait * 1000; /* nothing yet: asked again when the feed moves */
		return true;
	}
	const char *next = page.count ? api_cursor_make(c->arena, 2, page.next) : api_query(c, "after");
	const char *text = next ? arena_printf(c->arena, "{\"items\":%s,\"next_cursor\":\"%s\"}", page.items, next)
				: arena_printf(c->arena, "{\"items\":%s,\"next_cursor\":null}", page.items);
	api_reply_bytes(c, 200, "application/json", text, strlen(text));
	return true;
}

const struct route api_events_routes[] = {
	{"GET", "/api/v1/events", list_events, ACT_REQUEST_READ, API_TX_READ, API_BODY_NONE, 0, feed_params},
	{0},
};
