/* requests.c — see requests.h. */
#include "db/requests.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUEST_JSON DB_REQUEST_JSON("r")
#define REQUEST_COLS DB_REQUEST_COLS("r")
#define REQUEST_NCOLS DB_REQUEST_NCOLS
#define REQUEST_PAIRS DB_REQUEST_PAIRS("r")

void db_request_fill(struct db_request *out, const char *const *c)
{
	out->id = c[0];
	out->state = c[1];
	out->agency_id = c[2];
	out->client_id = c[3];
	out->version = atoi(c[4]);
	out->current_step = atoi(c[5]);
	out->json = c[6];
	out->desk = c[7];
	out->fresh = false;
	out->doc_types = NULL;
}

/* Runs a statement returning REQUEST_COLS and fills out. */
static bool one(struct err *e, struct arena *a, struct db_stmt *st, int n, const char *const *p,
		struct db_request *out, bool *found)
{
	const char *c[REQUEST_NCOLS];
	bool dummy;
	if (!found)
		found = &dummy;
	if (!db_one(e, a, st, n, p, REQUEST_NCOLS, c, found))
		return false;
	if (*found)
		db_request_fill(out, c);
	return true;
}

DB_STMT(st_get, "SELECT " REQUEST_COLS " FROM requests r WHERE r.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " REQUEST_COLS ", (SELECT coalesce(string_agg(DISTINCT d.type, ','), '')"
		     " FROM documents d WHERE d.request_id = r.id) FROM requests r WHERE r.id = $1::uuid FOR UPDATE OF r");

bool db_request_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_request *out, bool *found)
{
	if (!lock)
		return one(e, a, &st_get, 1, &id, out, found);
	const char *c[REQUEST_NCOLS + 1];
	if (!db_one(e, a, &st_get_lock, 1, &id, REQUEST_NCOLS + 1, c, found))
		return false;
	if (*found) {
		db_request_fill(out, c);
		out->doc_types = c[REQUEST_NCOLS] ? c[REQUEST_NCOLS] : "";
	}
	return true;
}

DB_STMT(st_by_ref, "SELECT " REQUEST_COLS " FROM requests r WHERE r.client_id = $1::uuid AND r.eoffice_ref = $2");

bool db_request_by_eoffice_ref(struct err *e, struct arena *a, const char *client_id, const char *ref,
			       struct db_request *out, bool *found)
{
	const char *p[] = {client_id, ref};
	return one(e, a, &st_by_ref, 2, p, out, found);
}

DB_STMT(st_update_fields,
	"UPDATE requests AS r SET kind = coalesce($2, r.kind), title = coalesce($3, r.title),"
	" description = coalesce($4, r.description),"
	" letter_number = CASE WHEN $5::bool THEN $6 ELSE r.letter_number END,"
	" letter_date = CASE WHEN $7::bool THEN $8::date ELSE r.letter_date END,"
	" version = r.version + 1, updated_by = $9::uuid, updated_at = now()"
	" WHERE r.id = $1::uuid RETURNING " REQUEST_COLS);

bool db_request_update_fields(struct err *e, struct arena *a, const char *id, const struct db_request_fields *f,
			      const char *actor, struct db_request *out)
{
	const char *p[] = {id,
			   f->kind,
			   f->title,
			   f->description,
			   f->set_letter_number ? "true" : "false",
			   f->letter_number,
			   f->set_letter_date ? "true" : "false",
			   f->letter_date,
			   actor};
	return one(e, a, &st_update_fields, 9, p, out, NULL);
}

/* The open step of each request with its SLA state (the view open_steps,
 * migration 0030); null columns when no step is open. */
#define OPEN_STEP_JOIN                                                                                       \
	" LEFT JOIN LATERAL (SELECT * FROM open_steps x WHERE x.request_id = r.id ORDER BY x.step DESC LIMIT 1) o" \
	" ON true"

/* One WHERE serves every filter combination; each filter is either NULL
 * (ignored) or matched, and the planner (the statements are planned per call)
 * picks the index of the one given. $1..$14 are the filters. */
#define LIST_WHERE                                                                                           \
	" WHERE ($1::text IS NULL OR r.status = $1)"                                                            \
	"   AND ($2::text IS NULL OR r.phase = $2)"                                                             \
	"   AND ($3::uuid IS NULL OR r.agency_id = $3::uuid)"                                                   \
	"   AND ($4::int = 0 OR r.current_step = $4::int)"                                                      \
	"   AND ($5::date IS NULL OR r.created_at >= ($5::date::timestamp AT TIME ZONE $8))"                    \
	"   AND ($6::date IS NULL OR r.created_at < (($6::date + 1)::timestamp AT TIME ZONE $8))"               \
	"   AND ($7::text IS NULL OR (r.title || ' ' || coalesce(r.letter_number, '') || ' '"                   \
	"        || coalesce(r.agenda_number, '') || ' ' || coalesce(r.eoffice_ref, '')) ILIKE $7 ESCAPE '\\')" \
	"   AND (NOT $9::bool OR EXISTS (SELECT 1 FROM step_instances s WHERE s.request_id = r.id"              \
	"                                  AND s.completed_at IS NULL AND s.due_at <= now()))"                  \
	"   AND ($10::text[] IS NULL OR " DB_REQUEST_DESK("r") " = ANY ($10::text[]))"                             \
	"   AND ($11::text IS NULL OR o.sla_state = $11)"                                                       \
	"   AND ($12::timestamptz IS NULL OR r.updated_at >= $12::timestamptz)"                                  \
	"   AND ($13::text IS NULL OR r.eoffice_ref = $13)"                                                     \
	"   AND ($14::uuid IS NULL OR r.client_id = $14::uuid)"

/* An instant as the timeline writes it: UTC, to the second, with Z. */
#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* A list row: the request, its open step's deadlines and SLA state, whom it
 * waits on and what the caller is offered — the last two looked up by state
 * in maps the caller derives from core/ ($18, $19), so SQL holds no copy of
 * either rule; $20, when set, is a machine client that may act only on its
 * own requests: the others offer it nothing; $21 (the caller) and $22 (the
 * documents a submission needs) refine the offer (DB_OFFER_REFINED). */
#define LIST_ROW                                                                                             \
	"json_build_object(" REQUEST_PAIRS ", 'due_at', " UTC("o.due_at") ", 'warn_at', " UTC("o.warn_at") ","   \
	" 'sla_state', o.sla_state,"                                                                            \
	" 'waiting_on', $18::jsonb ->> " DB_REQUEST_DESK("r") ", 'allowed_actions',"                                            \
	"   coalesce(CASE WHEN $20::uuid IS NULL OR r.client_id = $20::uuid"                                      \
	"            THEN " DB_OFFER_REFINED("$19::jsonb -> r.state", "r", "$22::text[]", "$21::uuid") " END,"     \
	"            '[]'::jsonb))"

DB_STMT_ADHOC(st_list,
	"SELECT " LIST_ROW ", r.created_at, r.id FROM requests r" OPEN_STEP_JOIN LIST_WHERE
	"   AND ($15::timestamptz IS NULL OR (r.created_at, r.id) < ($15::timestamptz, $16::uuid))"
	" ORDER BY r.created_at DESC, r.id DESC LIMIT $17::int + 1");

/* The queue order: the earliest deadline first, requests without one last. */
DB_STMT_ADHOC(st_list_due,
	"SELECT " LIST_ROW ", coalesce(o.due_at, 'infinity'), r.id FROM requests r" OPEN_STEP_JOIN LIST_WHERE
	"   AND ($15::timestamptz IS NULL OR (coalesce(o.due_at, 'infinity'), r.id) > ($15::timestamptz, $16::uuid))"
	" ORDER BY coalesce(o.due_at, 'infinity'), r.id LIMIT $17::int + 1");

/* The same order when every state selected is open (a waiting_on filter):
 * each such request has its step open, so the rows are walked from the open
 * steps in deadline order (an index) and the walk stops at the page. */
DB_STMT_ADHOC(st_list_due_open,
	"SELECT " LIST_ROW ", coalesce(o.due_at, 'infinity'), r.id FROM open_steps o JOIN requests r ON r.id = o.request_id"
	LIST_WHERE
	"   AND ($15::timestamptz IS NULL OR (coalesce(o.due_at, 'infinity'), r.id) > ($15::timestamptz, $16::uuid))"
	" ORDER BY o.due_at, o.request_id LIMIT $17::int + 1");

DB_STMT_ADHOC(st_counts,
	"WITH m AS (SELECT r.status, o.sla_state FROM requests r" OPEN_STEP_JOIN LIST_WHERE ")"
	" SELECT json_build_object('total', (SELECT count(*) FROM m),"
	"  'by_status', (SELECT coalesce(json_object_agg(status, n), '{}') FROM"
	"                (SELECT status, count(*) AS n FROM m GROUP BY status) x),"
	"  'by_sla_state', (SELECT coalesce(json_object_agg(sla_state, n), '{}') FROM"
	"                (SELECT sla_state, count(*) AS n FROM m WHERE sla_state IS NOT NULL GROUP BY sla_state) y))");

/* Prepared statements per filter shape. A shape is the set of filters a
 * call gives, the cursor, and the order (three heads); its text has the
 * given filters' conditions and, for each filter left out, a typed
 * pseudoconstant on its parameter ("$1::text IS NULL") that keeps every
 * parameter typed and costs nothing, so a generic plan is the plan of
 * that shape and picks its index. The statement is prepared once per
 * connection: after PostgreSQL's first five custom plans it keeps the
 * generic one (plan_cache_mode auto), so a list call stops paying for
 * planning. At most LIST_SHAPES shapes are kept (a few dozen are used);
 * past that the catch-all ad hoc statements above answer. The texts live
 * as long as the process. */
static const struct {
	const char *on, *off;
} list_filters[14] = {
	{"r.status = $1::text", "$1::text IS NULL"},
	{"r.phase = $2::text", "$2::text IS NULL"},
	{"r.agency_id = $3::uuid", "$3::uuid IS NULL"},
	{"r.current_step = $4::int", "$4::int = 0"},
	{"r.created_at >= ($5::date::timestamp AT TIME ZONE $8::text)", "$5::date IS NULL"},
	{"r.created_at < (($6::date + 1)::timestamp AT TIME ZONE $8::text)", "$6::date IS NULL"},
	{"(r.title || ' ' || coalesce(r.letter_number, '') || ' ' || coalesce(r.agenda_number, '') || ' '"
	 " || coalesce(r.eoffice_ref, '')) ILIKE $7::text ESCAPE '\\'",
	 "$7::text IS NULL"},
	{"($8::text IS NULL OR true)", "($8::text IS NULL OR true)"},
	{"$9::bool AND EXISTS (SELECT 1 FROM step_instances s WHERE s.request_id = r.id"
	 " AND s.completed_at IS NULL AND s.due_at <= now())",
	 "NOT $9::bool"},
	{DB_REQUEST_DESK("r") " = ANY ($10::text[])",
	 "$10::text[] IS NULL"},
	{"o.sla_state = $11::text", "$11::text IS NULL"},
	{"r.updated_at >= $12::timestamptz", "$12::timestamptz IS NULL"},
	{"r.eoffice_ref = $13::text", "$13::text IS NULL"},
	{"r.client_id = $14::uuid", "$14::uuid IS NULL"},
};

static const struct {
	const char *head, *after, *tail;
} list_orders[3] = {
	{"SELECT " LIST_ROW ", r.created_at, r.id FROM requests r" OPEN_STEP_JOIN,
	 "(r.created_at, r.id) < ($15::timestamptz, $16::uuid)", " ORDER BY r.created_at DESC, r.id DESC LIMIT $17::int + 1"},
	{"SELECT " LIST_ROW ", coalesce(o.due_at, 'infinity'), r.id FROM requests r" OPEN_STEP_JOIN,
	 "(coalesce(o.due_at, 'infinity'), r.id) > ($15::timestamptz, $16::uuid)",
	 " ORDER BY coalesce(o.due_at, 'infinity'), r.id LIMIT $17::int + 1"},
	{"SELECT " LIST_ROW ", coalesce(o.due_at, 'infinity'), r.id FROM open_steps o JOIN requests r ON r.id = o.request_id",
	 "(coalesce(o.due_at, 'infinity'), r.id) > ($15::timestamptz, $16::uuid)",
	 " ORDER BY o.due_at, o.request_id LIMIT $17::int + 1"},
};

#define LIST_SHAPES 64
#define SHAPE_AFTER (1u << 14)

static struct {
	unsigned key;
	struct db_stmt st;
} g_shapes[LIST_SHAPES];
static atomic_int g_nshapes;
static pthread_mutex_t g_shapes_lock = PTHREAD_MUTEX_INITIALIZER;

static char *shape_sql(unsigned key)
{
	int order = (int)(key >> 15);
	size_t n = strlen(list_orders[order].head) + strlen(list_orders[order].after) +
		   strlen(list_orders[order].tail) + 128;
	for (int i = 0; i < 14; i++)
		n += strlen(list_filters[i].on) + strlen(list_filters[i].off) + 8;
	char *sql = malloc(n);
	if (!sql)
		abort();
	strcpy(sql, list_orders[order].head);
	for (int i = 0; i < 14; i++) {
		strcat(sql, i ? " AND " : " WHERE ");
		strcat(sql, key & (1u << i) ? list_filters[i].on : list_filters[i].off);
	}
	strcat(sql, " AND ");
	strcat(sql, key & SHAPE_AFTER ? list_orders[order].after : "$15::timestamptz IS NULL AND $16::uuid IS NULL");
	strcat(sql, list_orders[order].tail);
	return sql;
}

/* The prepared statement of the shape, or NULL when LIST_SHAPES are taken. */
static struct db_stmt *shape_stmt(unsigned key)
{
	int n = atomic_load_explicit(&g_nshapes, memory_order_acquire);
	for (int i = 0; i < n; i++)
		if (g_shapes[i].key == key)
			return &g_shapes[i].st;
	struct db_stmt *st = NULL;
	pthread_mutex_lock(&g_shapes_lock);
	n = atomic_load_explicit(&g_nshapes, memory_order_relaxed);
	for (int i = 0; i < n && !st; i++)
		if (g_shapes[i].key == key)
			st = &g_shapes[i].st;
	if (!st && n < LIST_SHAPES) {
		g_shapes[n].key = key;
		g_shapes[n].st = (struct db_stmt){shape_sql(key), 0, false};
		st = &g_shapes[n].st;
		atomic_store_explicit(&g_nshapes, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&g_shapes_lock);
	return st;
}

/* Fills p[0..14) with the filter parameters $1..$14. */
static void filter_params(struct arena *a, const struct db_request_filter *f, const char *p[14])
{
	p[0] = f->status;
	p[1] = f->phase;
	p[2] = f->agency_id;
	p[3] = arena_printf(a, "%d", f->step);
	p[4] = f->from;
	p[5] = f->to;
	p[6] = db_like_contains(a, f->q);
	p[7] = f->tz;
	p[8] = f->overdue ? "true" : "false";
	p[9] = f->desks;
	p[10] = f->sla_state;
	p[11] = f->updated_since;
	p[12] = f->eoffice_ref;
	p[13] = f->client_id;
}

bool db_request_list(struct err *e, struct arena *a, const struct db_request_filter *f, int limit,
		     struct db_page *page)
{
	const char *p[22];
	filter_params(a, f, p);
	p[14] = f->after_key;
	p[15] = f->after_id;
	p[16] = arena_printf(a, "%d", limit);
	p[17] = f->waiting_map;
	p[18] = f->actions_map;
	p[19] = f->acts_only_for_client;
	p[20] = f->caller_id;
	p[21] = f->submit_types;
	int order = !f->sort_due ? 0 : f->states_open ? 2 : 1;
	unsigned key = (unsigned)order << 15 | (f->after_key ? SHAPE_AFTER : 0);
	for (int i = 0; i < 14; i++)
		if (i == 3 ? f->step != 0 : i == 8 ? f->overdue : i == 7 ? false : p[i] != NULL)
			key |= 1u << i;
	struct db_stmt *st = shape_stmt(key);
	if (!st)
		st = order == 0 ? &st_list : order == 2 ? &st_list_due_open : &st_list_due;
	return db_page(e, a, st, 22, p, limit, 2, page);
}

DB_STMT(st_offer_refine,
	"SELECT " DB_OFFER_REFINED("$2::jsonb", "r", "$3::text[]", "$4::uuid") "::text FROM requests r WHERE r.id = $1::uuid");

bool db_request_offer_refine(struct err *e, struct arena *a, const char *request_id, const char *acts,
			     const char *submit_types, const char *caller_id, const char **out)
{
	const char *p[] = {request_id, acts, submit_types, caller_id};
	bool found;
	*out = acts;
	return db_one(e, a, &st_offer_refine, 4, p, 1, out, &found);
}

bool db_request_counts(struct err *e, struct arena *a, const struct db_request_filter *f, const char **json)
{
	const char *p[14];
	bool found;
	filter_params(a, f, p);
	return db_one(e, a, &st_counts, 14, p, 1, json, &found);
}

DB_STMT(st_number_next,
	"INSERT INTO number_sequences AS n (name, year, last)"
	" VALUES ($1, extract(year FROM now() AT TIME ZONE $2)::int, 1)"
	" ON CONFLICT (name, year) DO UPDATE SET last = n.last + 1"
	" RETURNING last, year, extract(month FROM now() AT TIME ZONE $2)::int");

bool db_number_next(struct err *e, const char *name, const char *tz, int *seq, int *year, int *month)
{
	const char *p[] = {name, tz};
	PGresult *r;
	if (!db_exec(e, &st_number_next, 2, p, &r))
		return false;
	*seq = atoi(PQgetvalue(r, 0, 0));
	*year = atoi(PQgetvalue(r, 0, 1));
	*month = atoi(PQgetvalue(r, 0, 2));
	PQclear(r);
	return true;
}
