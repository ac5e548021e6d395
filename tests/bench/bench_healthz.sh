#!/usr/bin/env bash
# Throughput of the HTTP layer alone (GET /healthz: no database, no token),
# next to pgbench -S on the same machine in the same run. Uses the
# development cluster (deploy/pg.sh) and build/alurd. Bounded: about 30 s.
#   tests/bench/bench_healthz.sh [seconds per run, default 10]
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
SECS=${1:-10}
"$ROOT/deploy/pg.sh" start >/dev/null
URL=$("$ROOT/deploy/pg.sh" url)
ADMIN=$("$ROOT/deploy/pg.sh" admin-url)
PORT=18089
LOG=$(mktemp)
ALURD_DATABASE_URL="$URL" ALURD_LISTEN=127.0.0.1:$PORT ALURD_LOG_LEVEL=warn \
	ALURD_JWT_SECRET=bench-secret-bench-secret-bench-secret-1234 "$ROOT/build/alurd" serve 2>"$LOG" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -f "$LOG"; psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS alurd_bench_pgbench" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

echo "== wrk GET /healthz (-t2 -c16 -d${SECS}s)"
wrk -t2 -c16 -d"${SECS}s" "http://127.0.0.1:$PORT/healthz" | tee /tmp/wrk.$$ | sed 's/^/   /'
HZ=$(awk '/Requests\/sec/ {print $2}' /tmp/wrk.$$)

echo "== pgbench -S -M prepared -c8 -T${SECS} (scale 10)"
psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS alurd_bench_pgbench" -c "CREATE DATABASE alurd_bench_pgbench" >/dev/null
PGURL="${ADMIN%/*}/alurd_bench_pgbench"
pgbench -q -i -s 10 "$PGURL" >/dev/null 2>&1
pgbench -n -S -M prepared -c 8 -j 2 -T "$SECS" "$PGURL" 2>/dev/null | tee /tmp/pgb.$$ | sed 's/^/   /'
TPS=$(awk '/^tps/ {print $3; exit}' /tmp/pgb.$$)
rm -f /tmp/wrk.$$ /tmp/pgb.$$
echo "== healthz req/s = $HZ; pgbench tps = $TPS; ratio healthz/pgbench = $(awk -v a="$HZ" -v b="$TPS" 'BEGIN{printf "%.2f", a/b}')"
