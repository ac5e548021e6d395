#!/usr/bin/env bash
# The SLA timer's scan cost against the number of open step instances (SPEC
# §6: "the timer's cost grows with the number of steps that newly cross a
# threshold, not with the number of open requests"), next to pgbench -S on
# the same cluster in the same run for scale.
#
#   tests/bench/bench_timer.sh
#
# For each size (1 000 000 open step instances, then 100 000), bounded in
# time (a watchdog ends the run after BENCH_LIMIT seconds, default 420) and
# cleaning up after itself (the daemon it started, every database it made):
#   1. a fresh database migrated by `alurd migrate`, filled with SQL
#      (generate_series): one agency, one request per open step instance
#      (steps 2-7, policy version 1), deadlines spread over the weeks ahead so
#      nothing crosses on its own; VACUUM ANALYZE;
#   2. the flagging statement exactly as the daemon prepares it: its DB_STMT
#      lines are taken from db/steps.c (with DB_EVENT_DATA from db/events.h,
#      st_open_counts from db/sla.c) at run time and compiled into their
#      text, so this never measures a stale copy;
#   3. EXPLAIN (ANALYZE, BUFFERS) of it with nothing crossing and with 1000
#      steps just past warn_at and due_at (in a transaction rolled back);
#   4. in one psql session (as the daemon keeps its connection and its
#      prepared statements), warmed by one idle scan: BENCH_REPS timed scans
#      (\timing) where each time 1000 fresh steps cross both thresholds (one
#      UPDATE to now() - 1 s, not timed), then one transaction runs the
#      statement as server/timer.c does (until both kinds come back short of
#      BATCH = 1000, so F F for exactly 1000, each step flagged for both
#      thresholds in one update); and BENCH_REPS scans with nothing crossing
#      (F), the cost of every idle tick;
#   5. `alurd serve` with ALURD_TIMER_INTERVAL=0.2: alurd_sla_scan_duration
#      _seconds_sum/_count from /metrics over an idle window and around
#      three crossings of 1000;
#   6. the open-steps gauge as /metrics reads it at every scrape
#      (st_open_counts: the counter rows of migrations/0016 plus the crossings
#      not flagged yet), idle and with 1000 steps crossed but not flagged;
#   7. a backlog: 10% of the open steps long overdue, already flagged and
#      still open, made after the last ANALYZE (as it builds up in service):
#      the flagging statement's plan and idle scans, then the same after
#      ANALYZE. Both due_at indexes are partial, so the planner cannot probe
#      the column's actual range and relies on the histogram; which index it
#      picks decides whether an idle tick reads the backlog.
# Then pgbench -n -S -M prepared -c 8 -j 2 -T 10 on a `pgbench -i -s 10`
# database, and a table of both sizes.
#
# Environment: ALURD_BIN (default build/alurd), ALURD_PG_PORT as for
# deploy/pg.sh, BENCH_SIZES (default "1000000 100000"), BENCH_REPS (default
# 5), BENCH_LIMIT (default 420). Needs psql, pgbench, curl, python3 and a C
# compiler (for the statements).
# shellcheck disable=SC2034 # the figures' arrays are read through the nameref in row()
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=watchdog.sh
. "$ROOT/tests/bench/watchdog.sh"
BIN=${ALURD_BIN:-$ROOT/build/alurd}
SIZES=${BENCH_SIZES:-1000000 100000}
REPS=${BENCH_REPS:-5}
LIMIT=${BENCH_LIMIT:-420}
CROSS=1000 # = BATCH in server/timer.c
DAEMON_CROSSINGS=3

for tool in psql pgbench curl python3 cc awk; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench_timer: $tool is not installed" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "bench_timer: $BIN is missing; build first" >&2; exit 2; }
for n in $SIZES $REPS; do
	case $n in '' | *[!0-9]*) echo "bench_timer: '$n' is not a number" >&2; exit 2 ;; esac
done

"$ROOT/deploy/pg.sh" start >/dev/null
ADMIN=$("$ROOT/deploy/pg.sh" admin-url)
PGB=alurd_bench_timer_pgb_$$
WORK=$(mktemp -d)
SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 48)
DBS=()
PID=
WATCHDOG=

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" "$@"; }

stop_daemon() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$PID" 2>/dev/null || true
	fi
	if [ -n "$PID" ]; then wait "$PID" 2>/dev/null || true; fi
	PID=
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_daemon
	if [ -n "$WATCHDOG" ]; then kill "$WATCHDOG" 2>/dev/null || true; fi
	for db in "${DBS[@]}" "$PGB"; do
		psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench_timer: interrupted" >&2; exit 130' INT TERM
bench_watchdog "$LIMIT" # tests/bench/watchdog.sh

say() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", (b - a) * 1000}'; }

# ---- the statements, from db/steps.c and db/sla.c ------------------------------------
# The FLAG_SQL macro (a #define continued by backslashes) with the
# DB_EVENT_DATA macro it uses, the DB_STMT lines that instantiate it, and
# st_open_counts, compiled into their SQL text.
extract_sql() {
	local src=$ROOT/db/steps.c
	{
		echo '#include <stdio.h>'
		echo '#define DB_STMT(var, text) static const char *var = text'
		awk '/^#define DB_EVENT_DATA/ {on = 1} on {print; if ($0 !~ /\\$/) exit}' "$ROOT/db/events.h"
		awk '/^DB_STMT\((st_flag),/ {on = 1} on {print; if ($0 ~ /\);[[:space:]]*$/) on = 0}' "$src"
		awk '/^DB_STMT\((st_open_counts),/ {on = 1} on {print; if ($0 ~ /\);[[:space:]]*$/) on = 0}' "$ROOT/db/sla.c"
		echo 'int main(void) {'
		echo '  FILE *f;'
		for v in st_flag st_open_counts; do
			echo "  f = fopen(\"$WORK/$v.sql\", \"w\"); if (!f) return 1; fputs($v, f); fclose(f);"
		done
		echo '  return 0; }'
	} >"$WORK/extract.c"
	cc -std=c11 -w -o "$WORK/extract" "$WORK/extract.c" 2>"$WORK/extract.err" || {
		echo "bench_timer: cannot take the statements from db/steps.c and db/sla.c:" >&2
		cat "$WORK/extract.err" >&2
		exit 1
	}
	"$WORK/extract"
	grep -q 'FOR UPDATE SKIP LOCKED' "$WORK/st_flag.sql" || {
		echo "bench_timer: the flagging statement taken from db/steps.c looks wrong:" >&2
		cat "$WORK/st_flag.sql" >&2
		exit 1
	}
	# the daemon prepares it; psql does the same
	printf 'PREPARE flag(int, text) AS %s;\n' "$(cat "$WORK/st_flag.sql")" >"$WORK/prepare.sql"
}
extract_sql
say "the statements (from db/steps.c, db/sla.c)"
indent <"$WORK/st_flag.sql"

# ---- per size ------------------------------------------------------------------------
declare -A GAUGE_CROSS BACKLOG_OPEN_DUE BACKLOG_STALE BACKLOG_FRESH BACKLOG_STALE_PLAN BACKLOG_FRESH_PLAN FILL IDLE_MED IDLE_MIN CROSS_MED CROSS_MIN CROSS_MAX D_IDLE D_CROSS GAUGE FPLAN_IDLE FPLAN_CROSS

median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) printf "%.2f", a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# Sum of the "Time: x ms" lines psql printed, in ms.
sum_timing() { awk '/^Time: / {s += $2} END {printf "%.2f", s}'; }

metrics() { # prints "sum count" of the scan histogram
	curl -fs "http://127.0.0.1:$PORT/metrics" |
		awk '$1 == "alurd_sla_scan_duration_seconds_sum" {s = $2} $1 == "alurd_sla_scan_duration_seconds_count" {c = $2}
		     END {print s, c}'
}

run_size() {
	local rows=$1 db=alurd_bench_timer_${1}_$$ url t0 t1 round=0
	url="${ADMIN%/*}/$db"
	DBS+=("$db")
	psql_db() { psql -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }

	say "$rows open step instances: database $db"
	psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
	ALURD_DATABASE_URL="$url" "$BIN" migrate >/dev/null
	t0=$(date +%s.%N)
	timeout 600 psql -X -q -v ON_ERROR_STOP=1 -v rows="$rows" "$url" <<'SQL'
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
INSERT INTO agencies (code, name, head_name) VALUES ('BENCH', 'Perangkat Daerah Bench', 'Kepala PD Bench');
-- one request per open step, spread over steps 2-7 and their states
WITH a AS (SELECT id FROM agencies WHERE code = 'BENCH'),
     s AS (SELECT ARRAY['submitted', 'disposed', 'in_discussion_awal', 'in_discussion_lanjutan',
                        'in_discussion_final', 'agreed'] AS states)
INSERT INTO requests (kind, title, channel, agency_id, state, current_step, version, created_by, updated_by,
                      created_at, updated_at, submitted_at)
SELECT 'pembangunan', 'Aplikasi bench ' || g, 'tertulis', a.id, s.states[1 + g % 6], 2 + g % 6, 2,
       '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001',
       now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
FROM generate_series(1, :rows) g, a, s;
-- the open steps: deadlines from tomorrow on, spread over the weeks ahead
INSERT INTO step_instances (request_id, step, started_at, policy_version, warn_at, due_at)
SELECT r.id, r.current_step, now() - interval '1 hour', 1,
       now() + interval '1 day' + (random() * interval '20 days'),
       now() + interval '21 days' + (random() * interval '20 days')
FROM requests r;
-- which steps each round makes cross: random rows, 1000 at a time
CREATE TABLE bench_pick AS SELECT id, row_number() OVER (ORDER BY md5(id::text)) AS rn FROM step_instances;
CREATE INDEX ON bench_pick (rn);
SQL
	psql_db -c "VACUUM ANALYZE agencies, requests, step_instances, bench_pick" >/dev/null
	t1=$(date +%s.%N)
	FILL[$rows]=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b - a}')
	psql_db -At -F ' ' -c "SELECT count(*), pg_size_pretty(pg_total_relation_size('step_instances')),
		pg_size_pretty(pg_relation_size('step_instances_warn_idx')), pg_size_pretty(pg_relation_size('step_instances_due_idx')),
		pg_size_pretty(pg_database_size(current_database()))
		FROM step_instances WHERE completed_at IS NULL" |
		awk -v s="${FILL[$rows]}" '{printf "   %s open step instances (table with indexes %s %s; warn_idx %s %s, due_idx %s %s; database %s %s), filled in %s s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, s}'

	cross_sql() { # the UPDATE that makes picked set $1 (CROSS steps) pass warn_at and due_at
		echo "UPDATE step_instances s SET warn_at = now() - interval '1 s', due_at = now() - interval '1 s'
			FROM bench_pick p WHERE p.id = s.id AND p.rn > $(($1 * CROSS)) AND p.rn <= $((($1 + 1) * CROSS));"
	}
	cross() { # makes the next set cross
		cross_sql "$round" | psql_db
		round=$((round + 1))
	}

	# -- plans
	say "$rows: EXPLAIN (ANALYZE, BUFFERS), nothing crossing"
	{
		cat "$WORK/prepare.sql"
		echo "BEGIN;"
		echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE flag(1000, 'bench');"
		echo "ROLLBACK;"
	} | psql_db -P pager=off >"$WORK/plan_idle_$rows"
	indent <"$WORK/plan_idle_$rows"
	FPLAN_IDLE[$rows]=$(awk '/Execution Time/ {print $3; exit}' "$WORK/plan_idle_$rows")

	cross
	say "$rows: EXPLAIN (ANALYZE, BUFFERS), $CROSS steps past warn_at and due_at (rolled back)"
	{
		cat "$WORK/prepare.sql"
		echo "BEGIN;"
		echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE flag(1000, 'bench');"
		echo "ROLLBACK;"
	} | psql_db -P pager=off >"$WORK/plan_cross_$rows"
	indent <"$WORK/plan_cross_$rows"
	FPLAN_CROSS[$rows]=$(awk '/Execution Time/ {print $3; exit}' "$WORK/plan_cross_$rows")

	# -- timed scans, as the daemon runs them: one session (the daemon keeps
	# its connection and its prepared statements), warmed by one idle scan;
	# only the scan transactions are timed, not the UPDATEs that make the
	# steps cross
	say "$rows: $REPS scans of $CROSS fresh crossings (F F in one transaction), then $REPS idle scans (F)"
	local first=$round
	{
		cat "$WORK/prepare.sql"
		# warm-up, not timed: flags the crossing the plans above rolled back
		echo "BEGIN; EXECUTE flag(1000, 'bench'); EXECUTE flag(1000, 'bench'); COMMIT;"
		for rep in $(seq "$REPS"); do
			cross_sql $((first + rep - 1))
			printf '%s\n' '\timing on'
			echo "BEGIN;"
			echo "EXECUTE flag(1000, 'bench');"
			echo "EXECUTE flag(1000, 'bench');"
			echo "COMMIT;"
			printf '%s\n' '\timing off'
		done
		for rep in $(seq "$REPS"); do
			printf '%s\n' '\timing on'
			echo "BEGIN;"
			echo "EXECUTE flag(1000, 'bench');"
			echo "COMMIT;"
			printf '%s\n' '\timing off'
		done
	} | psql_db -At >"$WORK/out"
	round=$((first + REPS))
	counts=$(grep -v '^Time' "$WORK/out" | tr '\n' ' ')
	want="1000|1000 0|0 $(for _ in $(seq "$REPS"); do printf '1000|1000 0|0 '; done)$(for _ in $(seq "$REPS"); do printf '0|0 '; done)"
	[ "$counts" = "$want" ] || {
		echo "bench_timer: the scans flagged '$counts', expected '$want'" >&2
		exit 1
	}
	sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$WORK/out" >"$WORK/times"
	: >"$WORK/cross_$rows"
	for rep in $(seq "$REPS"); do
		stmts=$(sed -n "$(((rep - 1) * 4 + 1)),$((rep * 4))p" "$WORK/times" | tr '\n' ' ')
		total=$(echo "$stmts" | tr ' ' '\n' | awk '{s += $1} END {printf "%.2f", s}')
		echo "$total" >>"$WORK/cross_$rows"
		echo "   scan $rep: flagged 1000 warnings and 1000 breaches -> $total ms (BEGIN F F COMMIT: ${stmts}ms)"
	done
	: >"$WORK/idle_$rows"
	for rep in $(seq "$REPS"); do
		sed -n "$((REPS * 4 + (rep - 1) * 3 + 1)),$((REPS * 4 + rep * 3))p" "$WORK/times" |
			awk '{s += $1} END {printf "%.2f\n", s}' >>"$WORK/idle_$rows"
	done
	echo "   idle scans (BEGIN F COMMIT): $(tr '\n' ' ' <"$WORK/idle_$rows")ms"
	CROSS_MED[$rows]=$(median <"$WORK/cross_$rows")
	CROSS_MIN[$rows]=$(sort -n "$WORK/cross_$rows" | head -n 1)
	CROSS_MAX[$rows]=$(sort -n "$WORK/cross_$rows" | tail -n 1)
	IDLE_MED[$rows]=$(median <"$WORK/idle_$rows")
	IDLE_MIN[$rows]=$(sort -n "$WORK/idle_$rows" | head -n 1)

	# -- the gauge at scrape time: counters plus the unflagged crossings
	say "$rows: st_open_counts (the alurd_sla_open_steps gauge, at every scrape)"
	{
		echo "EXPLAIN (ANALYZE, BUFFERS) $(cat "$WORK/st_open_counts.sql");"
	} | psql_db -P pager=off >"$WORK/plan_gauge_$rows"
	grep -E 'Seq Scan|Index|Buffers|Execution Time' "$WORK/plan_gauge_$rows" | head -n 6 | indent
	GAUGE[$rows]=$(awk '/Execution Time/ {print $3; exit}' "$WORK/plan_gauge_$rows")
	psql_db -At -c "SELECT count(*) FROM sla_open_counts" | awk '{print "   counter rows: " $1}'
	say "$rows: st_open_counts with $CROSS steps crossed and not flagged yet (rolled back)"
	{
		echo "BEGIN;"
		cross_sql 50
		echo "EXPLAIN (ANALYZE, BUFFERS) $(cat "$WORK/st_open_counts.sql");"
		echo "ROLLBACK;"
	} | psql_db -P pager=off >"$WORK/plan_gauge_cross_$rows"
	grep -E 'Seq Scan|Index|Buffers|Execution Time' "$WORK/plan_gauge_cross_$rows" | head -n 8 | indent
	GAUGE_CROSS[$rows]=$(awk '/Execution Time/ {print $3; exit}' "$WORK/plan_gauge_cross_$rows")

	# -- the daemon
	say "$rows: alurd serve, ALURD_TIMER_INTERVAL=0.2"
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	ALURD_DATABASE_URL="$url" ALURD_LISTEN="127.0.0.1:$PORT" ALURD_LOG_LEVEL=warn ALURD_TIMER_INTERVAL=0.2 \
		ALURD_JWT_SECRET="$SECRET" "$BIN" serve 2>"$WORK/alurd_$rows.log" &
	PID=$!
	for _ in $(seq 100); do
		curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
		kill -0 "$PID" 2>/dev/null || { echo "bench_timer: the daemon exited:" >&2; cat "$WORK/alurd_$rows.log" >&2; exit 1; }
		sleep 0.1
	done
	curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "bench_timer: the daemon is not ready" >&2; exit 1; }
	sleep 1 # past the first scan and the first gauge refresh
	read -r s0 c0 < <(metrics)
	sleep 3
	read -r s1 c1 < <(metrics)
	D_IDLE[$rows]=$(awk -v s0="$s0" -v s1="$s1" -v c0="$c0" -v c1="$c1" 'BEGIN{printf "%.2f", (s1 - s0) / (c1 - c0) * 1000}')
	echo "   idle: $((c1 - c0)) scans in 3 s, mean ${D_IDLE[$rows]} ms"
	: >"$WORK/dcross_$rows"
	for rep in $(seq "$DAEMON_CROSSINGS"); do
		read -r s0 c0 < <(metrics)
		lo=$((round * CROSS))
		cross
		for _ in $(seq 100); do
			left=$(psql_db -At -c "SELECT count(*) FROM step_instances s JOIN bench_pick p ON p.id = s.id
				WHERE p.rn > $lo AND p.rn <= $((lo + CROSS)) AND s.breached_at IS NULL")
			[ "$left" = 0 ] && break
			sleep 0.05
		done
		[ "$left" = 0 ] || { echo "bench_timer: the daemon did not flag the crossing" >&2; exit 1; }
		read -r s1 c1 < <(metrics)
		# the window's scans: one flagged the 1000, the others were idle ticks
		est=$(awk -v s0="$s0" -v s1="$s1" -v c0="$c0" -v c1="$c1" -v idle="${D_IDLE[$rows]}" \
			'BEGIN{n = c1 - c0; t = (s1 - s0) * 1000; e = t - (n - 1) * idle; printf "%.2f", e}')
		echo "$est" >>"$WORK/dcross_$rows"
		echo "   crossing $rep: $((c1 - c0)) scans, $(awk -v a="$s0" -v b="$s1" 'BEGIN{printf "%.2f", (b - a) * 1000}') ms in all; the flagging scan ~ $est ms"
	done
	D_CROSS[$rows]=$(median <"$WORK/dcross_$rows")
	curl -fs "http://127.0.0.1:$PORT/metrics" | grep -E '^alurd_sla_(scan|warnings|breaches)' | indent
	stop_daemon

	# -- a backlog: steps long overdue, flagged, still open (late steps stay
	# open for days). It forms between two ANALYZEs, as it does in service.
	local backlog=$((rows / 10))
	say "$rows: idle scans with a backlog of $backlog overdue, flagged, open steps (statistics from before it)"
	psql_db -c "UPDATE step_instances s SET warn_at = now() - interval '10 days',
		due_at = now() - interval '1 day' - random() * interval '5 days',
		warned_at = now() - interval '1 hour', breached_at = now() - interval '1 hour'
		FROM bench_pick p WHERE p.id = s.id AND p.rn > $((rows - backlog))"
	idle_with_backlog() { # label: the flagging statement's plan, then timed idle scans, one session
		{
			cat "$WORK/prepare.sql"
			echo "BEGIN;"
			echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE flag(1000, 'bench');"
			echo "ROLLBACK;"
			printf '%s\n' '\pset format unaligned' '\pset tuples_only on'
			for _ in $(seq "$REPS"); do
				printf '%s\n' '\timing on'
				echo "BEGIN;"
				echo "EXECUTE flag(1000, 'bench');"
				echo "COMMIT;"
				printf '%s\n' '\timing off'
			done
		} | psql_db -P pager=off >"$WORK/plan_backlog"
		awk '/CTE hit/ {on = 1} /CTE flagged/ {on = 0} on; /Execution Time/' "$WORK/plan_backlog" | indent
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$WORK/plan_backlog" |
			awk '{s += $1} NR % 3 == 0 {printf "%.2f\n", s; s = 0}' >"$WORK/idle_b"
		echo "   idle scans ($1): $(tr '\n' ' ' <"$WORK/idle_b")ms"
	}
	echo "   the flagging statement's plan, nothing newly crossing:"
	idle_with_backlog "statistics from before the backlog"
	# the flagging statement reads step_instances_due_idx for the breaches;
	# what an idle tick costs when the planner cannot (another partial index
	# on due_at serves it), shown by hiding it inside a transaction that is
	# rolled back
	echo "   the same if the planner takes step_instances_open_due_idx:"
	{
		cat "$WORK/prepare.sql"
		echo "BEGIN;"
		echo "DROP INDEX step_instances_due_idx;"
		echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE flag(1000, 'bench');"
		echo "ROLLBACK;"
	} | psql_db -P pager=off >"$WORK/plan_open_due"
	awk '/CTE hit/ {on = 1} /CTE flagged/ {on = 0} on; /Execution Time/' "$WORK/plan_open_due" | indent
	BACKLOG_OPEN_DUE[$rows]=$(awk '/Execution Time/ {print $3; exit}' "$WORK/plan_open_due")
	BACKLOG_STALE[$rows]=$(median <"$WORK/idle_b")
	BACKLOG_STALE_PLAN[$rows]=$(awk '/Index Scan on|Index Scan using/ {for (i = 1; i <= NF; i++) if ($i == "using" || $i == "on") {print $(i + 1); exit}}' "$WORK/plan_backlog")
	psql_db -c "ANALYZE step_instances"
	echo "   after ANALYZE step_instances:"
	idle_with_backlog "after ANALYZE"
	BACKLOG_FRESH[$rows]=$(median <"$WORK/idle_b")
	BACKLOG_FRESH_PLAN[$rows]=$(awk '/Index Scan on|Index Scan using/ {for (i = 1; i <= NF; i++) if ($i == "using" || $i == "on") {print $(i + 1); exit}}' "$WORK/plan_backlog")
	psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}

for rows in $SIZES; do
	run_size "$rows"
done

# ---- pgbench, for scale --------------------------------------------------------------
say "pgbench -n -S -M prepared -c 8 -j 2 -T 10 (scale 10, same cluster)"
psql_admin -c "CREATE DATABASE $PGB" >/dev/null
timeout 300 pgbench -q -i -s 10 "${ADMIN%/*}/$PGB" >/dev/null 2>&1
timeout 60 pgbench -n -S -M prepared -c 8 -j 2 -T 10 "${ADMIN%/*}/$PGB" >"$WORK/pgb" 2>&1
grep -E '^(latency average|tps)' "$WORK/pgb" | indent
TPS=$(awk '/^tps/ {print $3; exit}' "$WORK/pgb")
PGLAT=$(awk '/^latency average/ {print $4; exit}' "$WORK/pgb")

# ---- the figures -----------------------------------------------------------------------
say "summary ($(nproc) CPUs; $CROSS steps crossing both thresholds = one batch; times in ms)"
printf '   %-58s' "open step instances"
for rows in $SIZES; do printf ' %12s' "$rows"; done
echo
row() { # label, array name
	local label=$1 rows
	local -n arr=$2
	printf '   %-58s' "$label"
	for rows in $SIZES; do
		printf ' %12s' "${arr[$rows]}"
	done
	echo
}
row "fill + VACUUM ANALYZE (s)" FILL
row "psql: scan with 1000 crossings, median (F F + COMMIT)" CROSS_MED
row "psql: scan with 1000 crossings, min" CROSS_MIN
row "psql: scan with 1000 crossings, max" CROSS_MAX
row "psql: idle scan, median (F + COMMIT)" IDLE_MED
row "psql: idle scan, min" IDLE_MIN
row "EXPLAIN ANALYZE flagging statement, nothing crossing" FPLAN_IDLE
row "EXPLAIN ANALYZE flagging statement, 1000 crossing" FPLAN_CROSS
row "daemon: idle scan, mean (/metrics)" D_IDLE
row "daemon: flagging scan, median estimate (/metrics)" D_CROSS
row "open-steps gauge at scrape time (st_open_counts), idle" GAUGE
row "  with 1000 crossed, not flagged yet" GAUGE_CROSS
row "idle scan, backlog of 10% overdue open, stale statistics" BACKLOG_STALE
row "  flagging statement's first index" BACKLOG_STALE_PLAN
row "  EXPLAIN ANALYZE of it through open_due_idx" BACKLOG_OPEN_DUE
row "idle scan, same backlog, after ANALYZE" BACKLOG_FRESH
row "  flagging statement's first index" BACKLOG_FRESH_PLAN
printf '   %-58s %12s\n' "pgbench -S: tps" "$TPS"
printf '   %-58s %12s\n' "pgbench -S: latency average (ms)" "$PGLAT"
printf '   %-58s %12s\n' "one pgbench transaction (1 / tps per client, ms)" "$(awk -v t="$TPS" 'BEGIN{printf "%.3f", 8000 / t}')"
