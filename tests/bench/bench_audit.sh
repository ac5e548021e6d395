#!/usr/bin/env bash
# The audit log's cost on the write path (issue: a transition within 10 % of
# its cost without the log) and the offline verifier's speed.
#
#   tests/bench/bench_audit.sh
#
# 1. A fresh database and `alurd serve` with a checkpoint key; a pd user and
#    its token. The measured call is the SOP's first transition as the API
#    takes it: POST /api/v1/requests with "submit": true (a request created
#    and submitted in one transaction: the request, its step instance, two
#    audit rows), by wrk -t2 -c8 for BENCH_SECONDS (default 15) per round.
# 2. Rounds alternate "with the log" (as shipped: the audit_log_enqueue
#    trigger queues each audit row, the daemon's sequencer appends them in
#    the background every 0.2 s) and "without" (the trigger disabled by the
#    superuser, so nothing is queued and the sequencer idles): A B A B A B,
#    so drift on a shared machine falls on both; the ratio is the mean
#    without / the mean with.
# 3. bench_verify (built in build/tests/bench): BENCH_ENTRIES (default
#    1 000 000) entries of the size the seeded entries have, checkpoints
#    every 100 000, verified in memory; then `alurd audit verify` on the
#    same export file, timed.
#
# Environment: ALURD_BIN (default build/alurd), ALURD_PG_PORT as for
# deploy/pg.sh. Cleans up the daemon, the database and its files.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${ALURD_BIN:-$ROOT/build/alurd}
VERIFY=${BENCH_VERIFY:-$(dirname "$BIN")/tests/bench/bench_verify}
SECONDS_PER=${BENCH_SECONDS:-15}
ENTRIES=${BENCH_ENTRIES:-1000000}
PORT_PG=${ALURD_PG_PORT:-55432}
ADMIN_URL="postgresql://alurd@127.0.0.1:$PORT_PG/postgres"
DB=alurd_bench_audit_$$
DB_URL="postgresql://alurd@127.0.0.1:$PORT_PG/$DB"
SU_URL="postgresql://postgres@127.0.0.1:$PORT_PG/$DB"
SECRET=bench-audit-secret-0123456789-0123456789-abcdef
WORK=$(mktemp -d)
PID=
cleanup() {
	if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
for tool in psql wrk curl python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench_audit: $tool is not installed" >&2; exit 2; }
done
say() { printf '== %s\n' "$*"; }

say "database $DB, daemon with a checkpoint key"
psql -X -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
ALURD_DATABASE_URL="$DB_URL" "$BIN" migrate >/dev/null
ALURD_DATABASE_URL="$DB_URL" ALURD_JWT_SECRET=$SECRET "$BIN" seed-demo >"$WORK/seed.txt"
"$BIN" audit keygen bench/audit "$WORK/log.key" >"$WORK/log.pub"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ALURD_DATABASE_URL="$DB_URL" ALURD_LISTEN="127.0.0.1:$PORT" ALURD_JWT_SECRET=$SECRET ALURD_LOG_LEVEL=warn \
	ALURD_AUDIT_KEY="$WORK/log.key" ALURD_AUDIT_SEQUENCE_INTERVAL=0.2 ALURD_AUDIT_CHECKPOINT_INTERVAL=60 \
	"$BIN" serve 2>"$WORK/daemon.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
PW=$(awk '$1 == "pd.dinkes" {print $3}' "$WORK/seed.txt")
TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d "{\"username\":\"pd.dinkes\",\"password\":\"$PW\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.body = '{"kind":"pengembangan","title":"Aplikasi uji beban","description":"Permohonan untuk pengukuran.","submit":true}'
LUA

round() { # prints requests per second
	wrk -t2 -c8 -d"${SECONDS_PER}s" -s "$WORK/post.lua" "http://127.0.0.1:$PORT/api/v1/requests" |
		awk '/Requests\/sec/ {print $2}'
}
with=() without=()
for i in 1 2 3; do
	psql -X -q "$SU_URL" -c "ALTER TABLE audit_log ENABLE TRIGGER audit_log_enqueue" >/dev/null
	with+=("$(round)")
	psql -X -q "$SU_URL" -c "ALTER TABLE audit_log DISABLE TRIGGER audit_log_enqueue" >/dev/null
	without+=("$(round)")
	say "round $i: with the log ${with[-1]} req/s, without ${without[-1]} req/s"
done
psql -X -q "$SU_URL" -c "ALTER TABLE audit_log ENABLE TRIGGER audit_log_enqueue" >/dev/null
for _ in $(seq 600); do
	[ "$(psql -X -At "$DB_URL" -c 'SELECT count(*) FROM audit_tlog_pending')" = 0 ] && break
	sleep 0.1
done
psql -X -At "$DB_URL" -c "SELECT 'audit rows: ' || (SELECT count(*) FROM audit_log) || ', logged: ' ||
	(SELECT count(*) FROM audit_tlog) || ', queued: ' || (SELECT count(*) FROM audit_tlog_pending)"
python3 - "${with[@]}" -- "${without[@]}" <<'PY'
import sys
args = sys.argv[1:]
k = args.index("--")
w = [float(x) for x in args[:k]]
wo = [float(x) for x in args[k + 1:]]
mw, mwo = sum(w) / len(w), sum(wo) / len(wo)
print("POST /requests (create + submit), wrk -t2 -c8: with the log %.0f req/s, without %.0f req/s;"
      " cost ratio (time per transition) with/without = %.3f" % (mw, mwo, mwo / mw))
PY

if [ -x "$VERIFY" ]; then
	say "offline verification of $ENTRIES entries"
	"$VERIFY" "$ENTRIES" "$WORK/export.jsonl" "$WORK/verify.pub"
	/usr/bin/time -f "alurd audit verify: %e s wall, %M KiB max resident" \
		"$BIN" audit verify --key "$WORK/verify.pub" "$WORK/export.jsonl" | tail -n 1
else
	echo "bench_audit: $VERIFY is missing (build the tests) — skipping the verifier" >&2
fi
