/* tlog.c — see tlog.h. Bulk writes pass arrays as text ("{1,2,3}") and
 * unnest them, so one append of a batch is three statements whatever its
 * size; hashes travel as hex and are decoded in SQL. */
#include "db/tlog.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TLOG_LOCK "7165127001" /* the sequencer's advisory lock key */

#define ROW_COLS                                                                                              \
	"a.id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), a.actor_id, a.actor_role," \
	" a.action, a.record_type, a.record_id, a.request_id, a.http_request_id, a.before::text, a.after::text"

DB_STMT(st_try_lock, "SELECT pg_try_advisory_xact_lock(" TLOG_LOCK ")");
DB_STMT(st_lock, "SELECT pg_advisory_xact_lock(" TLOG_LOCK ") IS NOT NULL");

bool db_tlog_lock(struct err *e, bool wait, bool *got)
{
	PGresult *r;
	if (!db_exec(e, wait ? &st_lock : &st_try_lock, 0, NULL, &r))
		return false;
	*got = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return true;
}

DB_STMT(st_size, "SELECT coalesce(max(idx) + 1, 0) FROM audit_tlog");

bool db_tlog_size(struct err *e, uint64_t *size)
{
	PGresult *r;
	if (!db_exec(e, &st_size, 0, NULL, &r))
		return false;
	*size = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return true;
}

DB_STMT(st_pending, "SELECT " ROW_COLS " FROM audit_tlog_pending p JOIN audit_log a ON a.id = p.audit_id"
		    " ORDER BY p.audit_id LIMIT $1::int");

bool db_tlog_pending(struct err *e, struct arena *a, int limit, struct db_rows *rows)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {lim};
	return db_rows(e, a, &st_pending, 1, p, rows);
}

DB_STMT(st_append_log, "INSERT INTO audit_tlog (idx, audit_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])");
DB_STMT(st_append_nodes, "INSERT INTO audit_tlog_nodes (level, idx, hash)"
			 " SELECT l, i, decode(h, 'hex') FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS u(l, i, h)");
DB_STMT(st_dequeue, "DELETE FROM audit_tlog_pending WHERE audit_id = ANY($1::bigint[])");

/* "{a,b,c}" of n numbers. */
static char *u64_array(struct arena *a, int n, const uint64_t *v)
{
	char *s = arena_alloc(a, (size_t)n * 21 + 3), *p = s;
	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%" PRIu64, i ? "," : "", v[i]);
	*p++ = '}';
	return s;
}

bool db_tlog_append(struct err *e, struct arena *a, int n, const uint64_t *index, const char *const *audit_id,
		    int nn, const int *level, const uint64_t *node_index, const uint8_t (*hash)[32])
{
	size_t ids_len = 3;
	for (int i = 0; i < n; i++)
		ids_len += strlen(audit_id[i]) + 1;
	char *ids = arena_alloc(a, ids_len), *p = ids;
	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", audit_id[i]);
	*p++ = '}';
	char *levels = arena_alloc(a, (size_t)nn * 4 + 3), *q = levels;
	*q++ = '{';
	for (int i = 0; i < nn; i++)
		q += sprintf(q, "%s%d", i ? "," : "", level[i]);
	*q++ = '}';
	char *hashes = arena_alloc(a, (size_t)nn * 66 + 3), *h = hashes;
	*h++ = '{';
	for (int i = 0; i < nn; i++) {
		if (i)
			*h++ = ',';
		sodium_bin2hex(h, 65, hash[i], 32);
		h += 64;
	}
	*h++ = '}';
	const char *p1[] = {u64_array(a, n, index), ids};
	const char *p2[] = {levels, u64_array(a, nn, node_index), hashes};
	const char *p3[] = {ids};
	return db_exec(e, &st_append_log, 2, p1, NULL) && db_exec(e, &st_append_nodes, 3, p2, NULL) &&
	       db_exec(e, &st_dequeue, 1, p3, NULL);
}

DB_STMT(st_nodes, "SELECT n.level, n.idx, encode(n.hash, 'hex') FROM audit_tlog_nodes n"
		  " JOIN unnest($1::smallint[], $2::bigint[]) AS u(l, i) ON n.level = u.l AND n.idx = u.i");

bool db_tlog_nodes(struct err *e, struct arena *a, int n, const int *level, const uint64_t *index,
		   uint8_t (*hash)[32], int *missing)
{
	char *levels = arena_alloc(a, (size_t)n * 4 + 3), *q = levels;
	*q++ = '{';
	for (int i = 0; i < n; i++)
		q += sprintf(q, "%s%d", i ? "," : "", level[i]);
	*q++ = '}';
	const char *p[] = {levels, u64_array(a, n, index)};
	PGresult *r;
	if (!db_exec(e, &st_nodes, 2, p, &r))
		return false;
	*missing = 0;
	for (int i = 0; i < n; i++) {
		bool got = false;
		for (int k = 0; k < PQntuples(r) && !got; k++)
			if (atoi(PQgetvalue(r, k, 0)) == level[i] && strtoull(PQgetvalue(r, k, 1), NULL, 10) == index[i])
				got = sodium_hex2bin(hash[i], 32, PQgetvalue(r, k, 2), 64, NULL, NULL, NULL) == 0;
		*missing += !got;
	}
	PQclear(r);
	return true;
}

DB_STMT(st_entries, "SELECT t.idx, t.audit_id, encode(n.hash, 'hex'), " ROW_COLS " FROM audit_tlog t"
		    " LEFT JOIN audit_tlog_nodes n ON n.level = 0 AND n.idx = t.idx"
		    " LEFT JOIN audit_log a ON a.id = t.audit_id"
		    " WHERE t.idx >= $1::bigint ORDER BY t.idx LIMIT $2::int");

bool db_tlog_entries(struct err *e, struct arena *a, uint64_t from, int limit, struct db_rows *rows)
{
	char f[24], lim[16];
	snprintf(f, sizeof f, "%" PRIu64, from);
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {f, lim};
	return db_rows(e, a, &st_entries, 2, p, rows);
}

DB_STMT(st_request_entries, "SELECT " ROW_COLS ", t.idx, encode(n.hash, 'hex') FROM audit_log a"
			    " LEFT JOIN audit_tlog t ON t.audit_id = a.id"
			    " LEFT JOIN audit_tlog_nodes n ON n.level = 0 AND n.idx = t.idx"
			    " WHERE a.request_id = $1::uuid ORDER BY a.id");

bool db_tlog_request_entries(struct err *e, struct arena *a, const char *request_id, struct db_rows *rows)
{
	return db_rows(e, a, &st_request_entries, 1, &request_id, rows);
}

DB_STMT(st_entry, "SELECT " ROW_COLS ", t.idx, encode(n.hash, 'hex') FROM audit_log a"
		  " LEFT JOIN audit_tlog t ON t.audit_id = a.id"
		  " LEFT JOIN audit_tlog_nodes n ON n.level = 0 AND n.idx = t.idx"
		  " WHERE a.id = $1::bigint");

bool db_tlog_entry(struct err *e, struct arena *a, const char *audit_id, struct db_rows *rows)
{
	return db_rows(e, a, &st_entry, 1, &audit_id, rows);
}

DB_STMT(st_cp_insert, "INSERT INTO audit_checkpoints (tree_size, root_hash, note, key_name)"
		      " VALUES ($1::bigint, decode($2, 'hex'), $3, $4) ON CONFLICT (tree_size) DO NOTHING");

bool db_checkpoint_insert(struct err *e, uint64_t size, const uint8_t root[32], const char *note, const char *key_name)
{
	char s[24], hex[65];
	snprintf(s, sizeof s, "%" PRIu64, size);
	sodium_bin2hex(hex, sizeof hex, root, 32);
	const char *p[] = {s, hex, note, key_name};
	return db_exec(e, &st_cp_insert, 4, p, NULL);
}

#define CP_CREATED "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

DB_STMT(st_cp_latest, "SELECT tree_size, note, " CP_CREATED " FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1");

bool db_checkpoint_latest(struct err *e, struct arena *a, const char **size, const char **note, const char **created,
			  bool *found)
{
	const char *cols[3];
	if (!db_one(e, a, &st_cp_latest, 0, NULL, 3, cols, found))
		return false;
	if (*found) {
		*size = cols[0];
		*note = cols[1];
		*created = cols[2];
	}
	return true;
}

DB_STMT(st_cp_get, "SELECT note FROM audit_checkpoints WHERE tree_size = $1::bigint");

bool db_checkpoint_get(struct err *e, struct arena *a, uint64_t size, const char **note, bool *found)
{
	char s[24];
	snprintf(s, sizeof s, "%" PRIu64, size);
	const char *p[] = {s};
	return db_one(e, a, &st_cp_get, 1, p, 1, note, found);
}

DB_STMT(st_cp_list, "SELECT json_build_object('tree_size', tree_size, 'root_hash', encode(root_hash, 'base64'),"
		    " 'note', note, 'key_name', key_name, 'created_at', " CP_CREATED "), tree_size"
		    " FROM audit_checkpoints WHERE ($1::bigint IS NULL OR tree_size < $1::bigint)"
		    " ORDER BY tree_size DESC LIMIT $2::int + 1");

bool db_checkpoint_list(struct err *e, struct arena *a, const char *before_size, int limit, struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {before_size, lim};
	return db_page(e, a, &st_cp_list, 2, p, limit, 1, page);
}

DB_STMT(st_cp_notes, "SELECT note FROM audit_checkpoints ORDER BY tree_size");

bool db_checkpoint_notes(struct err *e, struct arena *a, struct db_rows *rows)
{
	return db_rows(e, a, &st_cp_notes, 0, NULL, rows);
}
