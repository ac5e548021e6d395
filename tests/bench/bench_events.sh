#!/usr/bin/env bash
# What the outbox costs a transition, and how fast webhooks go out.
#
#   tests/bench/bench_events.sh
#
# 1. Transition cost with and without the outbox. The transition statement
#    is taken from db/steps.c at run time (st_apply with the macros it uses
#    from db/requests.h and db/events.h, compiled into its SQL text), so this
#    never measures a stale copy; a second version is the same text with its
#    `ev` CTE (the event inserts, and with them the webhook fan-out trigger)
#    cut out. Both run under pgbench (-M prepared, BENCH_CLIENTS clients,
#    BENCH_SECONDS each, the order alternated over BENCH_ROUNDS rounds) as a
#    registration (submitted -> awaiting_disposition: state history, request
#    row, audit row, and one event) on random requests of BENCH_REQUESTS.
#    Printed: tps of each and the ratio with / without. Then the same with
#    one subscription for every event (each event also writes a delivery row).
# 2. Deliveries per second: `alurd serve` with ALURD_WEBHOOK_WORKERS
#    (default 8) delivers BENCH_DELIVERIES events to tests/api/receiver.py
#    (Python's threading HTTP server, path /ok/...) on loopback; the time from
#    the events' commit to the last delivery recorded.
#
# Environment: ALURD_BIN (default build/alurd), ALURD_PG_PORT as for
# deploy/pg.sh, BENCH_REQUESTS (10000), BENCH_CLIENTS (4), BENCH_SECONDS (10),
# BENCH_ROUNDS (2), BENCH_DELIVERIES (2000), ALURD_WEBHOOK_WORKERS (8).
# Cleans up after itself (daemon, receiver, databases). Needs psql, pgbench,
# curl, python3 and a C compiler.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${ALURD_BIN:-$ROOT/build/alurd}
REQUESTS=${BENCH_REQUESTS:-10000}
CLIENTS=${BENCH_CLIENTS:-4}
SECONDS_EACH=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-2}
DELIVERIES=${BENCH_DELIVERIES:-2000}
WORKERS=${ALURD_WEBHOOK_WORKERS:-8}

for tool in psql pgbench curl python3 cc; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench_events: $tool is not installed" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "bench_events: $BIN is missing; build first" >&2; exit 2; }

"$ROOT/deploy/pg.sh" start >/dev/null
ADMIN=$("$ROOT/deploy/pg.sh" admin-url)
DB=alurd_bench_events_$$
WORK=$(mktemp -d)
PID=
RPID=
psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" "$@"; }
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$PID" ] && { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
	[ -n "$RPID" ] && { kill -TERM "$RPID" 2>/dev/null || true; wait "$RPID" 2>/dev/null || true; }
	psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '\n== %s\n' "$*"; }

URL=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$ADMIN" "$DB")
psql_admin -c "CREATE DATABASE $DB"
ALURD_DATABASE_URL="$URL" "$BIN" migrate >/dev/null
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 "$URL" "$@"; }

say "data: $REQUESTS submitted requests"
q <<SQL
INSERT INTO agencies (code, name, head_name) VALUES ('BENCH', 'Dinas Bench', 'Kepala Bench');
CREATE TABLE bench_ids (n int PRIMARY KEY, id uuid NOT NULL);
WITH r AS (
  INSERT INTO requests (kind, title, channel, agency_id, state, current_step, created_by, updated_by)
  SELECT 'integrasi', 'Bench ' || g, 'tertulis', (SELECT id FROM agencies), 'submitted', 2,
         gen_random_uuid(), gen_random_uuid() FROM generate_series(1, $REQUESTS) g RETURNING id)
INSERT INTO bench_ids SELECT row_number() OVER (), id FROM r;
INSERT INTO state_history (request_id, state, entered_at) SELECT id, 'submitted', now() FROM bench_ids;
VACUUM ANALYZE requests, bench_ids, state_history;
SQL

# ---- the statement, from db/steps.c ----------------------------------------------
{
	echo '#include <stdio.h>'
	echo '#define DB_STMT(var, text) static const char *var = text'
	for m in DB_REQUEST_JSON DB_REQUEST_COLS; do
		awk -v m="$m" '$0 ~ "^#define " m "\\(" {on = 1} on {print; if ($0 !~ /\\$/) exit}' "$ROOT/db/requests.h"
	done
	awk '/^#define DB_EVENT_DATA/ {on = 1} on {print; if ($0 !~ /\\$/) exit}' "$ROOT/db/events.h"
	awk '/^DB_STMT\(st_apply,/ {on = 1} on {print; if ($0 ~ /\);[[:space:]]*$/) exit}' "$ROOT/db/steps.c"
	echo 'int main(void) { fputs(st_apply, stdout); return 0; }'
} >"$WORK/extract.c"
cc -std=c11 -w -o "$WORK/extract" "$WORK/extract.c"
"$WORK/extract" >"$WORK/apply.sql"
grep -q ' ev AS (INSERT INTO events' "$WORK/apply.sql" || { echo "bench_events: st_apply looks wrong" >&2; exit 1; }
ACTOR=$(q -c "SELECT gen_random_uuid()")
python3 - "$WORK" "$ACTOR" <<'PY'
import re, sys
work, actor = sys.argv[1:3]
sql = open(f'{work}/apply.sql').read()
# a registration: submitted -> awaiting_disposition, nothing starts or stops
params = {1: ':rid', 2: f"'{actor}'", 3: "'sekretariat'", 4: "'bench'", 5: "'awaiting_disposition'", 6: '2',
          7: 'NULL', 8: 'NULL', 9: 'false', 10: '0', 11: 'NULL', 12: '0', 13: 'NULL', 14: 'NULL', 15: 'NULL',
          16: '0', 17: '0', 18: '0', 19: 'NULL', 20: 'NULL', 21: "'request.register'",
          22: "'{\"state\": \"submitted\"}'", 23: 'NULL', 24: "'request.registered'", 25: 'NULL'}
sql = re.sub(r'\$(\d+)', lambda m: params[int(m.group(1))], sql)
start = sql.index(' ev AS (INSERT INTO events')
end = sql.index(' SELECT id, state, agency_id, client_id, version, current_step, doc FROM moved')
without = sql[:start].rstrip().rstrip(',') + sql[end:]
head = '\\set n random(1, %s)\nSELECT id AS rid FROM bench_ids WHERE n = :n \\gset\n'
import os
n = os.environ.get('BENCH_REQUESTS', '10000')
for name, text in (('with', sql), ('without', without)):
    open(f'{work}/{name}.pgb', 'w').write(head % n + text.replace('\n', ' ') + ';\n')
PY

tps() { pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_EACH" -f "$WORK/$1.pgb" "$URL" 2>/dev/null |
	awk '/^tps/ {printf "%.0f", $3; exit}'; }
measure() {
	local label=$1 w=0 wo=0 a b
	for r in $(seq "$ROUNDS"); do
		if [ $((r % 2)) -eq 1 ]; then a=$(tps with); b=$(tps without); else b=$(tps without); a=$(tps with); fi
		w=$((w + a)); wo=$((wo + b))
		echo "   round $r: with the outbox $a tps, without $b tps"
	done
	w=$((w / ROUNDS)); wo=$((wo / ROUNDS))
	printf '%s: with %d tps, without %d tps; cost ratio (without / with) %s\n' "$label" "$w" "$wo" \
		"$(awk -v a="$w" -v b="$wo" 'BEGIN{printf "%.2f", b / a}')"
}
say "transition (registration), pgbench -M prepared -c $CLIENTS -j 2 -T $SECONDS_EACH, $ROUNDS rounds"
measure "no subscription"
q -c "INSERT INTO webhooks (url, event_types, secret_box, created_by) VALUES ('https://example.invalid/x', '{*}', '\\x00', gen_random_uuid())"
measure "one subscription for every event (a delivery row per event)"
q -c "DELETE FROM webhooks"

# ---- deliveries per second ------------------------------------------------------------
say "deliveries: $DELIVERIES events to a local receiver, ALURD_WEBHOOK_WORKERS=$WORKERS"
python3 "$ROOT/tests/api/receiver.py" "$WORK/port" "$WORK/received.jsonl" "$WORK/secrets.json" &
RPID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
RPORT=$(cat "$WORK/port")
KEY=$(head -c 32 /dev/urandom | base64)
SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 48)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PASS="bench-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')A1!"
printf '%s\n' "$PASS" | ALURD_DATABASE_URL="$URL" ALURD_JWT_SECRET="$SECRET" "$BIN" admin create benchadmin >/dev/null
ALURD_DATABASE_URL="$URL" ALURD_LISTEN="127.0.0.1:$PORT" ALURD_LOG_LEVEL=warn ALURD_JWT_SECRET="$SECRET" \
	ALURD_SECRET_KEY="$KEY" ALURD_WEBHOOK_ALLOW_HTTP=true ALURD_WEBHOOK_ALLOW_PRIVATE=true ALURD_WEBHOOK_POLL=0.05 \
	ALURD_WEBHOOK_WORKERS="$WORKERS" ALURD_WEBHOOK_PER_ENDPOINT="$WORKERS" "$BIN" serve 2>"$WORK/alurd.log" &
PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN=$(curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"benchadmin\",\"password\":\"$PASS\"}" \
	"http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d "{\"url\":\"http://127.0.0.1:$RPORT/ok/bench\",\"event_types\":[\"*\"]}" "http://127.0.0.1:$PORT/api/v1/webhooks" >/dev/null
t0=$(date +%s.%N)
q -c "INSERT INTO events (type, request_id, agency_id, data)
      SELECT 'request.updated', b.id, (SELECT id FROM agencies), '{}' FROM bench_ids b WHERE b.n <= $DELIVERIES"
until [ "$(q -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'")" -ge "$DELIVERIES" ]; do
	sleep 0.05
	if [ "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print (b - a > 300)}')" = 1 ]; then
		echo "bench_events: deliveries did not finish in 300 s" >&2; exit 1
	fi
done
t1=$(date +%s.%N)
printf 'delivered %d events in %.2f s: %.0f deliveries/s (receiver: Python ThreadingHTTPServer)\n' "$DELIVERIES" \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" "$(awk -v a="$t0" -v b="$t1" -v n="$DELIVERIES" 'BEGIN{print n / (b - a)}')"
echo "requests at the receiver: $(wc -l <"$WORK/received.jsonl")"
curl -fs "http://127.0.0.1:$PORT/metrics" | awk '
	/^alurd_webhook_latency_seconds_sum/ {s = $2} /^alurd_webhook_latency_seconds_count/ {c = $2}
	END {if (c) printf "mean HTTP attempt (POST to the receiver and its answer): %.1f ms over %d attempts\n", 1000 * s / c, c}'
