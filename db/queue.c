/* queue.c — see queue.h. One statement of CTEs; each group aggregates its
 * count and its first `limit` items. */
#include "db/queue.h"

#include <stdio.h>

#include "db/db.h"
#include "db/people.h"
#include "db/requests.h"

/* Each item: {"request": card, "allowed_actions": [...], ...extras}; c is
 * the view request_cards (migration 0030). */
#define ITEM(extras) "json_build_object('request', c.card, 'allowed_actions'," \
	" coalesce($5::jsonb -> c.state, '[]'::jsonb)" extras ")"
/* The same for the requests waiting on the caller's party, whose states
 * (a draft, a disposed request) may offer what the caller cannot do.
 * Those are grouped by desk (DB_REQUEST_DESK, migration 0090): $2 lists the
 * desks that wait on the caller's party. */
#define ITEM_REFINED "json_build_object('request', c.card, 'allowed_actions'," \
	" coalesce(" DB_OFFER_REFINED("$5::jsonb -> c.state", "c", "$7::text[]", "$1::uuid") ", '[]'::jsonb))"

/* (No indentation inside the quotes: the text stays under the 4095
 * characters a C string literal may have.) */
DB_STMT(st_queue,
	"WITH counts AS ("
	" SELECT " DB_REQUEST_DESK("r") " AS state, count(*) AS n FROM requests r"
	" WHERE " DB_REQUEST_DESK("r") " = ANY ($2::text[])"
	" AND ($3::uuid IS NULL OR r.agency_id = $3::uuid) GROUP BY 1),"
	/* per desk, its first items walked from the open steps in deadline order
	 * (every state that waits on someone has its step open); the cards are
	 * built for those only */
	" firsts AS ("
	" SELECT st.state, f.id, f.due_at FROM unnest($2::text[]) st(state) CROSS JOIN LATERAL"
	" (SELECT r.id, s.due_at FROM step_instances s JOIN requests r ON r.id = s.request_id"
	" WHERE s.completed_at IS NULL AND " DB_REQUEST_DESK("r") " = st.state AND ($3::uuid IS NULL OR r.agency_id = $3::uuid)"
	" ORDER BY s.due_at, s.request_id LIMIT $6::int) f),"
	" reqs AS ("
	" SELECT f.state, k.n, row_number() OVER (PARTITION BY f.state ORDER BY f.due_at, f.id) AS rn, " ITEM_REFINED
	" AS item FROM firsts f JOIN counts k ON k.state = f.state JOIN request_cards c ON c.id = f.id),"
" disp AS ("
	" SELECT " ITEM(", 'disposition_id', d.id, 'instruction_kind', d.instruction_kind,"
	" 'instruction', d.instruction, 'from_user', " DB_PERSON("d.from_user_id") ", 'read_at', dr.read_at,"
	" 'created_at', d.created_at") " AS item, dr.read_at,"
	" row_number() OVER (ORDER BY dr.read_at IS NOT NULL, d.created_at, d.id) AS rn"
	" FROM disposition_recipients dr JOIN dispositions d ON d.id = dr.disposition_id"
	" JOIN request_cards c ON c.id = d.request_id"
	" WHERE dr.user_id = $1::uuid AND d.withdrawn_at IS NULL AND c.state = ANY ($4::text[])"
	" AND (dr.read_at IS NULL OR c.state = ANY ($2::text[]))),"
	" sig AS ("
	" SELECT " ITEM(", 'berita_acara_id', b.id, 'number', b.number, 'party', p.party") " AS item,"
	" row_number() OVER (ORDER BY b.updated_at, b.id) AS rn"
	" FROM berita_acara b CROSS JOIN LATERAL (VALUES ('kominfos'), ('perangkat_daerah')) p(party)"
	" JOIN request_cards c ON c.id = b.request_id"
	" WHERE b.status = 'awaiting_signatures' AND b.parties -> p.party ->> 'signatory_id' = $1::text"
	" AND NOT EXISTS (SELECT 1 FROM berita_acara_signatures x WHERE x.berita_acara_id = b.id"
	" AND x.party = p.party)),"
	" st AS ("
	" SELECT " ITEM(", 'surat_tugas_id', t.id, 'number', t.number, 'date', t.date, 'purpose', t.purpose,"
	" 'issued_by_user', " DB_PERSON("t.issued_by")) " AS item,"
	" row_number() OVER (ORDER BY t.created_at DESC, t.id) AS rn"
	" FROM surat_tugas t JOIN request_cards c ON c.id = t.request_id"
	" WHERE t.member_ids @> ARRAY[$1::uuid])"
	" SELECT json_build_object('now', extract(epoch FROM now())::bigint,"
	" 'requests', (SELECT coalesce(json_object_agg(state, grp), '{}') FROM"
	" (SELECT state, json_build_object('count', max(n), 'items', json_agg(item ORDER BY rn)) AS grp"
	" FROM reqs GROUP BY state) x),"
	" 'dispositions', (SELECT json_build_object('count', count(*), 'unread', count(*) FILTER (WHERE read_at IS NULL),"
	" 'items', coalesce(json_agg(item ORDER BY rn) FILTER (WHERE rn <= $6::int), '[]')) FROM disp),"
	" 'signatures', (SELECT json_build_object('count', count(*),"
	" 'items', coalesce(json_agg(item ORDER BY rn) FILTER (WHERE rn <= $6::int), '[]')) FROM sig),"
	" 'surat_tugas', (SELECT json_build_object('count', count(*),"
	" 'items', coalesce(json_agg(item ORDER BY rn) FILTER (WHERE rn <= $6::int), '[]')) FROM st))");

bool db_queue_read(struct err *e, struct arena *a, const struct db_queue_query *q, const char **json)
{
	char lim[16];
	bool found;
	snprintf(lim, sizeof lim, "%d", q->limit);
	const char *p[] = {q->user_id, q->desks, q->agency_id, q->open_states, q->actions_map, lim, q->submit_types};
	return db_one(e, a, &st_queue, 7, p, 1, json, &found);
}
