#!/usr/bin/env bash
# The read routes of requests under load, next to pgbench -S on the same
# cluster in the same run (SPEC §6: reads by id and filtered lists must stay
# close to what PostgreSQL itself serves).
#
#   tests/bench/bench_requests.sh [seconds per run, default 10]
#
# What it does, bounded in time (a watchdog ends it after BENCH_LIMIT
# seconds, default 600) and cleaning up after itself (the daemon it started,
# both databases it made):
#   1. a fresh database migrated by `alurd migrate`, filled with SQL
#      (generate_series): 20 agencies, 100 000 requests spread over them and
#      over all twelve states, their step instances (open deadlines in the
#      future, so the timer has nothing to flag), then VACUUM ANALYZE;
#   2. `alurd serve` on it (ALURD_THREADS=8, log level warn), an admin token;
#   3. wrk -t2 -c16 on GET /api/v1/requests/{id} (one id, then 1000 ids
#      rotated by a Lua script), the enriched list (every row with its
#      running step's due_at, warn_at, sla_state, waiting_on and
#      allowed_actions) ?limit=50&status=submitted, ?limit=50&agency_id=...
#      and the queue-like ?waiting_on=kepala_dinas&sort=due_at, and
#      GET /api/v1/me/queue as a Kepala Dinas;
#   4. pgbench -n -S -M prepared -c 8 -j 2 on a `pgbench -i -s 10` database;
#   5. req/s, latency, and the ratios alurd/pgbench;
#   6. EXPLAIN (ANALYZE, BUFFERS) of the daemon's own list and queue
#      statements — their text is read out of the binary (strings), so the
#      plans are of exactly what it runs — with literal values: no filter,
#      status, agency, step, q, waiting_on + sort=due_at, and the queue.
#      The daemon runs the list unprepared with its parameters, so
#      PostgreSQL plans each call for its values, as it does the literal text
#      here; the queue is prepared (its plan does not depend on the values).
#
# Environment: ALURD_BIN (default build/alurd), ALURD_PG_PORT as for
# deploy/pg.sh, BENCH_ROWS (default 100000), BENCH_LIMIT (default 600).
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=watchdog.sh
. "$ROOT/tests/bench/watchdog.sh"
SECS=${1:-10}
BIN=${ALURD_BIN:-$ROOT/build/alurd}
ROWS=${BENCH_ROWS:-100000}
LIMIT=${BENCH_LIMIT:-600}
THREADS=8

case $SECS in '' | *[!0-9]*) echo "usage: $0 [seconds per run]" >&2; exit 2 ;; esac
for tool in wrk pgbench psql curl jq python3 strings; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench_requests: $tool is not installed" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "bench_requests: $BIN is missing; build first" >&2; exit 2; }

"$ROOT/deploy/pg.sh" start >/dev/null
ADMIN=$("$ROOT/deploy/pg.sh" admin-url)
DB=alurd_bench_req_$$
PGB=alurd_bench_pgb_$$
DB_URL="${ADMIN%/*}/$DB"
PGB_URL="${ADMIN%/*}/$PGB"
WORK=$(mktemp -d)
SECRET=$(head -c 36 /dev/urandom | base64 | tr -d '/+=' | head -c 48)
PID=
WATCHDOG=

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" "$@"; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 "$DB_URL" "$@"; }

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	if [ -n "$WATCHDOG" ]; then kill "$WATCHDOG" 2>/dev/null || true; fi
	psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $PGB WITH (FORCE)" \
		>/dev/null 2>&1 || true
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench_requests: interrupted" >&2; exit 130' INT TERM
bench_watchdog "$LIMIT" # tests/bench/watchdog.sh

say() { printf '== %s\n' "$*"; }

# ---- 1. the data --------------------------------------------------------------
say "database $DB: migrate and fill ($ROWS requests over 20 agencies and 12 states)"
psql_admin -c "CREATE DATABASE $DB" >/dev/null
ALURD_DATABASE_URL="$DB_URL" "$BIN" migrate >/dev/null
printf 'Bench.Admin.Password.1\n' |
	ALURD_DATABASE_URL="$DB_URL" ALURD_JWT_SECRET="$SECRET" "$BIN" admin create bench.admin >/dev/null
t0=$(date +%s.%N)
timeout 300 psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" "$DB_URL" <<'SQL'
SET synchronous_commit = off;
INSERT INTO agencies (code, name, head_name)
SELECT 'PD-' || lpad(g::text, 2, '0'), 'Perangkat Daerah ' || g, 'Kepala PD ' || g FROM generate_series(1, 20) g;

WITH a AS (SELECT array_agg(id ORDER BY code) AS ids FROM agencies),
     u AS (SELECT id FROM users WHERE username = 'bench.admin'),
     s AS (SELECT ARRAY['draft', 'submitted', 'awaiting_disposition', 'disposed', 'in_discussion_awal',
                        'in_discussion_lanjutan', 'in_discussion_final', 'awaiting_pd_completion', 'agreed',
                        'completed', 'withdrawn', 'rejected'] AS states,
                  ARRAY[1, 2, 2, 3, 4, 5, 6, 4, 7, 0, 0, 0] AS steps)
INSERT INTO requests (kind, title, description, channel, letter_number, letter_date, agency_id, state, current_step,
                      agenda_number, version, created_by, updated_by, created_at, updated_at, submitted_at)
SELECT (ARRAY['pembangunan', 'pengembangan', 'integrasi'])[1 + g % 3],
       'Aplikasi ' || (ARRAY['kesehatan', 'pendapatan', 'kepegawaian', 'arsip', 'perizinan', 'pariwisata',
                             'pendidikan', 'perhubungan', 'pertanian', 'kebudayaan'])[1 + g % 10] || ' nomor ' || g,
       'Permohonan pengembangan aplikasi, baris deskripsi untuk permohonan ' || g || '.',
       CASE WHEN g % 4 = 0 THEN 'e_office' ELSE 'tertulis' END,
       '027/' || g || '/PD', DATE '2026-01-01' + (g % 300),
       a.ids[1 + g % 20],
       s.states[1 + (g * 7) % 12], s.steps[1 + (g * 7) % 12],
       CASE WHEN (g * 7) % 12 >= 2 THEN lpad(g::text, 6, '0') || '/AGENDA/D.KOMINFOS/BENCH' END,
       1 + g % 5, u.id, u.id,
       now() - g * interval '30 seconds', now() - g * interval '30 seconds' + interval '1 hour',
       CASE WHEN (g * 7) % 12 >= 1 THEN now() - g * interval '30 seconds' + interval '5 minutes' END
FROM generate_series(1, :rows) g, a, u, s;

-- steps 1..current_step: the earlier ones completed, the current one open
-- with deadlines in the future (nothing for the timer to flag)
INSERT INTO step_instances (request_id, step, started_at, warn_at, due_at, completed_at, completed_by, closed_reason)
SELECT r.id, st, r.created_at + (st - 1) * interval '10 minutes',
       CASE WHEN st > 1 AND st = r.current_step THEN now() + interval '20 days' END,
       CASE WHEN st > 1 AND st = r.current_step THEN now() + interval '30 days' END,
       CASE WHEN st < r.current_step THEN r.created_at + st * interval '10 minutes' END,
       CASE WHEN st < r.current_step THEN r.created_by END,
       CASE WHEN st < r.current_step THEN 'completed' END
FROM requests r, generate_series(1, r.current_step) st;
SQL
psql_db -c "VACUUM ANALYZE agencies, users, requests, step_instances" >/dev/null
t1=$(date +%s.%N)
psql_db -At -F ' ' -c "SELECT 'rows:', (SELECT count(*) FROM requests), 'requests,',
	(SELECT count(*) FROM step_instances), 'step instances,', pg_size_pretty(pg_database_size(current_database()))" |
	sed "s/^/   /; s/\$/ (filled in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s)/"

# ---- 2. the daemon ---------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ALURD_DATABASE_URL="$DB_URL" ALURD_LISTEN="127.0.0.1:$PORT" ALURD_THREADS=$THREADS ALURD_LOG_LEVEL=warn \
	ALURD_JWT_SECRET="$SECRET" "$BIN" serve 2>"$WORK/alurd.log" &
PID=$!
for _ in $(seq 100); do
	curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	kill -0 "$PID" 2>/dev/null || { echo "bench_requests: the daemon exited:" >&2; cat "$WORK/alurd.log" >&2; exit 1; }
	sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "bench_requests: the daemon is not ready" >&2; exit 1; }
TOKEN=$(curl -fs -H 'Content-Type: application/json' \
	-d '{"username":"bench.admin","password":"Bench.Admin.Password.1"}' \
	"http://127.0.0.1:$PORT/api/v1/auth/login" | jq -r .access_token)
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { echo "bench_requests: no token" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"
BASE="http://127.0.0.1:$PORT"
# a Kepala Dinas, for the queue: everything awaiting a disposition or agreed waits on them
curl -fs -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' \
	-d '{"username":"bench.kadis","full_name":"Kepala Dinas Bench","role":"kepala_dinas","password":"Bench.Kadis.Password.1"}' \
	"$BASE/api/v1/users" || { echo "bench_requests: cannot create the kepala_dinas" >&2; exit 1; }
KTOKEN=$(curl -fs -H 'Content-Type: application/json' \
	-d '{"username":"bench.kadis","password":"Bench.Kadis.Password.1"}' \
	"$BASE/api/v1/auth/login" | jq -r .access_token)
[ -n "$KTOKEN" ] && [ "$KTOKEN" != null ] || { echo "bench_requests: no kepala_dinas token" >&2; exit 1; }
KADIS_ID=$(psql_db -At -c "SELECT id FROM users WHERE username = 'bench.kadis'")
ONE_ID=$(psql_db -At -c "SELECT id FROM requests ORDER BY created_at DESC, id DESC OFFSET 500 LIMIT 1")
AGENCY=$(psql_db -At -c "SELECT id FROM agencies ORDER BY code OFFSET 6 LIMIT 1")
{
	printf 'local ids = {'
	psql_db -At -c "SELECT '\"' || id || '\",' FROM requests ORDER BY md5(id::text) LIMIT 1000" | tr -d '\n'
	printf '}\nlocal i = 0\nrequest = function()\n  i = i %% #ids + 1\n'
	printf '  return wrk.format("GET", "/api/v1/requests/" .. ids[i])\nend\n'
} >"$WORK/rotate.lua"
# sanity: every route answers 200 with what it should
for path in "/api/v1/requests/$ONE_ID" "/api/v1/requests?limit=50&waiting_on=kepala_dinas&sort=due_at" \
	"/api/v1/requests?limit=50&agency_id=$AGENCY" "/api/v1/requests?limit=50&status=submitted"; do
	code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H "$AUTH" "$BASE$path")
	[ "$code" = 200 ] || { echo "bench_requests: GET $path answered $code: $(head -c 300 "$WORK/body")" >&2; exit 1; }
done
echo "   list page: $(jq '.items | length' "$WORK/body") items, $(wc -c <"$WORK/body") bytes;" \
	"one request: $(curl -s -H "$AUTH" "$BASE/api/v1/requests/$ONE_ID" | wc -c) bytes"
code=$(curl -s -o "$WORK/queue" -w '%{http_code}' -H "Authorization: Bearer $KTOKEN" "$BASE/api/v1/me/queue")
[ "$code" = 200 ] || { echo "bench_requests: GET /me/queue answered $code: $(head -c 300 "$WORK/queue")" >&2; exit 1; }
echo "   queue of the Kepala Dinas: total $(jq .total "$WORK/queue"), groups" \
	"$(jq -c '[.groups[] | {(.kind): .count}] | add' "$WORK/queue"), $(wc -c <"$WORK/queue") bytes"

# ---- 3. wrk --------------------------------------------------------------------------
declare -A RPS LAT P50 P99
run_wrk() { # name, then wrk arguments before the URL, then the URL
	local name=$1
	shift
	say "wrk -t2 -c16 -d${SECS}s: $name"
	timeout $((SECS + 30)) wrk -t2 -c16 -d"${SECS}s" --latency -H "$AUTH" "$@" >"$WORK/wrk" 2>&1 || true
	sed -n '/Latency Distribution/,/^ *99%/p; /Requests\/sec/p; /Non-2xx/p; /Socket errors/p' "$WORK/wrk" | sed 's/^/   /'
	if grep -q 'Non-2xx' "$WORK/wrk"; then
		echo "bench_requests: $name got non-2xx answers" >&2
		exit 1
	fi
	RPS[$name]=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk")
	LAT[$name]=$(awk '$1 == "Latency" && NF > 3 {print $2; exit}' "$WORK/wrk")
	P50[$name]=$(awk '$1 == "50%" {print $2}' "$WORK/wrk")
	P99[$name]=$(awk '$1 == "99%" {print $2}' "$WORK/wrk")
}
run_wrk "GET /requests/{id} (one id)" "$BASE/api/v1/requests/$ONE_ID"
run_wrk "GET /requests/{id} (1000 ids)" -s "$WORK/rotate.lua" "$BASE"
run_wrk "GET /requests?limit=50&status=submitted" "$BASE/api/v1/requests?limit=50&status=submitted"
run_wrk "GET /requests?limit=50&agency_id=..." "$BASE/api/v1/requests?limit=50&agency_id=$AGENCY"
run_wrk "GET /requests?waiting_on=kepala_dinas&sort=due_at" \
	"$BASE/api/v1/requests?limit=50&waiting_on=kepala_dinas&sort=due_at"
AUTH="Authorization: Bearer $KTOKEN" run_wrk "GET /me/queue (kepala_dinas)" "$BASE/api/v1/me/queue"

# ---- 4. the same SQL without the daemon, and pgbench -S ---------------------------------
# The daemon's statements, read out of its binary (each is one string literal
# there), with $N replaced by SQL literals, highest N first.
stmt() { # a fixed piece of the statement's text (strings may die of SIGPIPE once grep has it)
	strings -n 40 "$BIN" | grep -m 1 -F -- "$1" || true
}
bind() { # the statement on stdin; then the literals of $1, $2, ...
	local sql i
	sql=$(cat)
	for ((i = $#; i >= 1; i--)); do
		sql=${sql//"\$$i"/${!i}}
	done
	printf '%s;\n' "$sql"
}
LIST_SQL=$(stmt 'ORDER BY r.created_at DESC, r.id DESC LIMIT $15')
DUE_SQL=$(stmt 'ORDER BY o.due_at, o.request_id LIMIT $15')
QUEUE_SQL=$(stmt 'WITH counts AS (')
BYID_SQL=$(strings -n 40 "$BIN" | grep -F 'FROM requests r WHERE r.id = $1::uuid' | grep -m 1 -v 'FOR UPDATE' || true)
for v in LIST_SQL DUE_SQL QUEUE_SQL BYID_SQL; do
	[ -n "${!v}" ] || { echo "bench_requests: $v not found in $BIN" >&2; exit 1; }
done
# what the daemon passes: whom each state waits on (core/workflow.c) and, for
# the admin, no actions anywhere; for the Kepala Dinas the states it is waited on in
WAITING="'{\"draft\":\"pd\",\"submitted\":\"sekretariat\",\"awaiting_disposition\":\"kepala_dinas\",\"disposed\":\"kabid_iai\",\"in_discussion_awal\":\"kasi_ai_tim_spbe\",\"in_discussion_lanjutan\":\"kasi_ai_tim_spbe\",\"in_discussion_final\":\"kasi_ai_tim_spbe\",\"awaiting_pd_completion\":\"pd\",\"agreed\":\"kepala_dinas\"}'"
ACTIONS="'{\"awaiting_disposition\":[\"dispose\",\"reject\"],\"agreed\":[\"issue_st\",\"reject\"]}'"
OPEN="'{draft,submitted,awaiting_disposition,disposed,in_discussion_awal,in_discussion_lanjutan,in_discussion_final,awaiting_pd_completion,agreed}'"
list_sql() { # status agency step q [states [due: sort=due_at with waiting_on]]
	local sql=$LIST_SQL
	[ "${6:-}" = due ] && sql=$DUE_SQL
	printf '%s' "$sql" | bind "$1" NULL "$2" "$3" NULL NULL "$4" "'Asia/Makassar'" false "${5:-NULL}" NULL NULL \
		NULL NULL 50 "$WAITING" "$ACTIONS"
}
queue_sql() {
	printf '%s' "$QUEUE_SQL" | bind "'$KADIS_ID'" "'{awaiting_disposition,agreed}'" NULL "$OPEN" "$ACTIONS" 50
}
printf '%s' "$BYID_SQL" | bind "'$ONE_ID'" >"$WORK/byid.sql"
list_sql "'submitted'" NULL 0 NULL >"$WORK/list_status.sql"
list_sql NULL NULL 0 NULL "'{awaiting_disposition,agreed}'" due >"$WORK/list_due.sql"
queue_sql >"$WORK/queue.sql"

declare -A TPSX LATX
run_pgbench() { # name, url, then pgbench arguments
	local name=$1 url=$2
	shift 2
	say "pgbench -n -c 8 -j 2 -T $SECS $*: $name"
	timeout $((SECS + 30)) pgbench -n -c 8 -j 2 -T "$SECS" "$@" "$url" >"$WORK/pgb" 2>&1 ||
		{ cat "$WORK/pgb" >&2; exit 1; }
	grep -E '^(latency average|tps)' "$WORK/pgb" | sed 's/^/   /'
	TPSX[$name]=$(awk '/^tps/ {printf "%.0f", $3; exit}' "$WORK/pgb")
	LATX[$name]=$(awk '/^latency average/ {print $4 "ms"; exit}' "$WORK/pgb")
}
psql_admin -c "CREATE DATABASE $PGB" >/dev/null
timeout 300 pgbench -q -i -s 10 "$PGB_URL" >/dev/null 2>&1
run_pgbench "pgbench -S (scale 10)" "$PGB_URL" -S -M prepared
run_pgbench "st_get by id, prepared" "$DB_URL" -M prepared -f "$WORK/byid.sql"
run_pgbench "st_list status=submitted, simple" "$DB_URL" -M simple -f "$WORK/list_status.sql"
run_pgbench "st_list_due waiting_on, simple" "$DB_URL" -M simple -f "$WORK/list_due.sql"
run_pgbench "st_queue, simple" "$DB_URL" -M simple -f "$WORK/queue.sql"
TPS=${TPSX["pgbench -S (scale 10)"]}

# ---- 5. the figures ------------------------------------------------------------------------
say "summary: $("$BIN" --version), $(nproc) CPUs, ALURD_THREADS=$THREADS, wrk -t2 -c16, pgbench -c8 -j2"
printf '   %-42s %9s %9s %9s %9s %9s %9s\n' route req/s avg p50 p99 "/pgb -S" "/same SQL"
row() { # name, the same SQL's pgbench name
	printf '   %-42s %9.0f %9s %9s %9s %9s %9s\n' "$1" "${RPS[$1]}" "${LAT[$1]}" "${P50[$1]}" "${P99[$1]}" \
		"$(awk -v a="${RPS[$1]}" -v b="$TPS" 'BEGIN{printf "%.2f", a/b}')" \
		"$(awk -v a="${RPS[$1]}" -v b="${TPSX[$2]}" 'BEGIN{printf "%.2f", a/b}')"
}
row "GET /requests/{id} (one id)" "st_get by id, prepared"
row "GET /requests/{id} (1000 ids)" "st_get by id, prepared"
row "GET /requests?limit=50&status=submitted" "st_list status=submitted, simple"
row "GET /requests?limit=50&agency_id=..." "st_list status=submitted, simple"
row "GET /requests?waiting_on=kepala_dinas&sort=due_at" "st_list_due waiting_on, simple"
row "GET /me/queue (kepala_dinas)" "st_queue, simple"
for name in "pgbench -S (scale 10)" "st_get by id, prepared" "st_list status=submitted, simple" \
	"st_list_due waiting_on, simple" "st_queue, simple"; do
	printf '   %-42s %9s %9s\n' "$name" "${TPSX[$name]}" "${LATX[$name]}"
done

# ---- 6. the plans of the list and the queue ----------------------------------------------------
explain() { # label, then the SQL on stdin
	say "EXPLAIN (ANALYZE, BUFFERS) $1"
	{ printf 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) '; cat; } |
		psql -X -q -v ON_ERROR_STOP=1 "$DB_URL" >"$WORK/plan"
	sed 's/^/   /' "$WORK/plan"
	grep -q 'Index' "$WORK/plan" || { echo "bench_requests: the plan of $1 uses no index" >&2; exit 1; }
}
list_sql NULL NULL 0 NULL | explain "list: no filter"
list_sql "'submitted'" NULL 0 NULL | explain "list: status=submitted"
list_sql NULL "'$AGENCY'" 0 NULL | explain "list: agency_id"
list_sql NULL NULL 5 NULL | explain "list: step=5"
list_sql NULL NULL 0 "'%perizinan%'" | explain "list: q=perizinan (a tenth of the rows)"
list_sql NULL NULL 0 "'%000042/AGENDA%'" | explain "list: q=000042/AGENDA (an agenda number)"
explain "list: waiting_on=kepala_dinas&sort=due_at" <"$WORK/list_due.sql"
explain "GET /me/queue (kepala_dinas)" <"$WORK/queue.sql"

if [ -s "$WORK/alurd.log" ]; then
	say "daemon log (warnings and errors)"
	head -n 20 "$WORK/alurd.log" | sed 's/^/   /'
fi
