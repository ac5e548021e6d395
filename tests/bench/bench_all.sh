#!/usr/bin/env bash
# Every performance figure of the README's table in one run, as ratios
# against what the stack itself serves on this machine in the same run.
#
#   tests/bench/bench_all.sh
#
# What it does, bounded in time (a watchdog ends it after BENCH_LIMIT seconds,
# default 1800) and cleaning up after itself (the daemons and reference
# programs it started, every database it made):
#   1. a fresh database migrated by `alurd migrate` and filled by the SQL of
#      bench_requests.sh (read out of that script, so both fill the same
#      data): 20 agencies, BENCH_ROWS (100 000) requests over all twelve
#      states with their step instances; `alurd serve` on it
#      (ALURD_THREADS=8, ALURD_HTTP_THREADS=1, log level warn); an admin, a
#      Kepala Dinas and a PD user of one agency, each with a token;
#   2. a `pgbench -i -s 10` database on the same cluster; when
#      BENCH_REFERENCE_DIR names the folder of the reference programs (the
#      ideal libmicrohttpd + libpq + jansson + JWT server `getbyid.c`, its
#      token minter `mkjwt.c`, its wrk scripts and `setup_db.sql`), they are
#      compiled into a temporary folder and the ideal server runs on that
#      database (pool BENCH_REF_POOL, default 8, JWT checked per request);
#   3. BENCH_ROUNDS (default 3) rounds, alternated so that the machine's load
#      falls on every column alike, each of BENCH_SECS (default 5) seconds per
#      run with wrk -t2: GET /api/v1/requests/{id} on random ids of every
#      request at -c16 and -c64, the ideal GET at -c16 and -c64, the lists
#      ?limit=50&status=submitted and ?limit=50&agency_id= and GET /me/queue
#      (Kepala Dinas) at -c16, POST /api/v1/requests (a draft: request, step,
#      history, audit row, event; synchronous commit) at -c16 and -c64, the
#      ideal POST (one INSERT, synchronous commit) at -c16 and -c64, and
#      pgbench -n -S -M prepared -c8 -j2; per figure the median of the
#      rounds and the ratios of each round (median, min–max);
#   4. the round trips of the transitions: a daemon at log level info on the
#      same database, one request created, its two documents uploaded,
#      submitted and registered, each access line's `db_statements` (round
#      trips to PostgreSQL: a BEGIN travels with the first statement, the
#      COMMIT is not counted);
#   5. memory: BENCH_RSS_SECS (default 300) of mixed load at -c64 (as the PD
#      user: 8 reads by id, 1 list, 1 creation in 10) on the first daemon,
#      its VmRSS sampled every tenth of the window; the growth from the end
#      of minute 1 (or of the first tenth, in a shorter window) to the end;
#   6. last, after the other figures are printed, unless BENCH_TIMER=0,
#      tests/bench/bench_timer.sh (its own databases,
#      BENCH_REPS=3) and its summary: the scan with 1 000 steps crossing at
#      1 000 000 and 100 000 open steps, and their ratio.
#
# Environment: ALURD_BIN (default build/alurd), ALURD_PG_PORT as for
# deploy/pg.sh, BENCH_REFERENCE_DIR (none: the ideal columns are left out),
# BENCH_SECS, BENCH_ROUNDS, BENCH_ROWS, BENCH_RSS_SECS, BENCH_TIMER,
# BENCH_REF_POOL, BENCH_LIMIT. Needs wrk, pgbench, psql, curl, jq, python3,
# and a C compiler with the -dev packages for the reference programs.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=watchdog.sh
. "$ROOT/tests/bench/watchdog.sh"
BIN=${ALURD_BIN:-$ROOT/build/alurd}
SECS=${BENCH_SECS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
ROWS=${BENCH_ROWS:-100000}
RSS_SECS=${BENCH_RSS_SECS:-300}
TIMER=${BENCH_TIMER:-1}
REF=${BENCH_REFERENCE_DIR:-}
REF_POOL=${BENCH_REF_POOL:-8}
LIMIT=${BENCH_LIMIT:-1800}
THREADS=8

for n in "$SECS" "$ROUNDS" "$ROWS" "$RSS_SECS" "$REF_POOL" "$LIMIT"; do
	case $n in '' | *[!0-9]*) echo "bench_all: '$n' is not a number" >&2; exit 2 ;; esac
done
for tool in wrk pgbench psql curl jq python3 awk; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench_all: $tool is not installed" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "bench_all: $BIN is missing; build first" >&2; exit 2; }
if [ -n "$REF" ]; then
	for f in getbyid.c mkjwt.c get_random.lua post_item.lua setup_db.sql; do
		[ -r "$REF/$f" ] || { echo "bench_all: BENCH_REFERENCE_DIR has no $f" >&2; exit 2; }
	done
fi

"$ROOT/deploy/pg.sh" start >/dev/null
ADMIN=$("$ROOT/deploy/pg.sh" admin-url)
DB=alurd_bench_all_$$
PGB=alurd_bench_all_pgb_$$
DB_URL="${ADMIN%/*}/$DB"
PGB_URL="${ADMIN%/*}/$PGB"
WORK=$(mktemp -d)
SECRET=$(head -c 36 /dev/urandom | base64 | tr -d '/+=' | head -c 48)
PID=
PID2=
REFPID=
WATCHDOG=

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" "$@"; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 "$DB_URL" "$@"; }

stop() { # pid
	local p=$1
	[ -n "$p" ] || return 0
	if kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	fi
	wait "$p" 2>/dev/null || true
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop "$PID"
	stop "$PID2"
	stop "$REFPID"
	if [ -n "$WATCHDOG" ]; then kill "$WATCHDOG" 2>/dev/null || true; fi
	psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $PGB WITH (FORCE)" \
		>/dev/null 2>&1 || true
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench_all: interrupted" >&2; exit 130' INT TERM
bench_watchdog "$LIMIT" # tests/bench/watchdog.sh

say() { printf '== %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # url pid log
	for _ in $(seq 150); do
		curl -fs -o /dev/null "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || { echo "bench_all: $1's server exited:" >&2; cat "$3" >&2; exit 1; }
		sleep 0.1
	done
	echo "bench_all: $1 does not answer" >&2
	exit 1
}

# ---- 1. the data and the daemon ---------------------------------------------------------
say "database $DB: migrate and fill ($ROWS requests, the data of bench_requests.sh)"
awk '/<<.SQL.$/ {on = 1; next} on && /^SQL$/ {exit} on {print}' "$ROOT/tests/bench/bench_requests.sh" >"$WORK/fill.sql"
grep -q 'INSERT INTO step_instances' "$WORK/fill.sql" || { echo "bench_all: no fill SQL in bench_requests.sh" >&2; exit 1; }
psql_admin -c "CREATE DATABASE $DB" >/dev/null
ALURD_DATABASE_URL="$DB_URL" "$BIN" migrate >/dev/null
printf 'Bench.Admin.Password.1\n' |
	ALURD_DATABASE_URL="$DB_URL" ALURD_JWT_SECRET="$SECRET" "$BIN" admin create bench.admin >/dev/null
timeout 300 psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" "$DB_URL" -f "$WORK/fill.sql"
psql_db -c "VACUUM ANALYZE agencies, users, requests, step_instances" >/dev/null

serve() { # port log level -> pid in SERVED
	ALURD_DATABASE_URL="$DB_URL" ALURD_LISTEN="127.0.0.1:$1" ALURD_THREADS=$THREADS ALURD_LOG_LEVEL=$3 \
		ALURD_JWT_SECRET="$SECRET" ALURD_PER_IP_LIMIT=256 "$BIN" serve 2>"$2" &
	SERVED=$!
	wait_http "http://127.0.0.1:$1/readyz" "$SERVED" "$2"
}
PORT=$(free_port)
serve "$PORT" "$WORK/alurd.log" warn
PID=$SERVED
BASE="http://127.0.0.1:$PORT"
login() { # base username password
	curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"$3\"}" \
		"$1/api/v1/auth/login" | jq -r .access_token
}
TOKEN=$(login "$BASE" bench.admin Bench.Admin.Password.1)
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { echo "bench_all: no admin token" >&2; exit 1; }
AGENCY=$(psql_db -At -c "SELECT id FROM agencies ORDER BY code OFFSET 6 LIMIT 1")
mkuser() { # username role [agency]
	local body="{\"username\":\"$1\",\"full_name\":\"Bench $2\",\"role\":\"$2\",\"password\":\"Bench.User.Password.1\""
	[ -n "${3:-}" ] && body="$body,\"agency_id\":\"$3\""
	curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$body}" \
		"$BASE/api/v1/users" || { echo "bench_all: cannot create $1" >&2; exit 1; }
	login "$BASE" "$1" Bench.User.Password.1
}
KTOKEN=$(mkuser bench.kadis kepala_dinas)
PTOKEN=$(mkuser bench.pd pd "$AGENCY")
STOKEN=$(mkuser bench.sekretariat sekretariat)
for t in "$KTOKEN" "$PTOKEN" "$STOKEN"; do
	[ -n "$t" ] && [ "$t" != null ] || { echo "bench_all: a user has no token" >&2; exit 1; }
done

lua_ids() { # file, then the SQL picking the ids
	{
		printf 'local ids = {'
		psql_db -At -c "$2" | sed 's/.*/"&",/' | tr -d '\n'
		printf '}\nlocal counter = 1\nfunction setup(thread) thread:set("tid", counter); counter = counter + 1 end\n'
		printf 'function init(args) math.randomseed(os.time() * 1000 + (tid or 0)) end\n'
		printf 'request = function()\n  return wrk.format("GET", "/api/v1/requests/" .. ids[math.random(1, #ids)])\nend\n'
	} >"$1"
}
lua_ids "$WORK/random.lua" "SELECT id FROM requests"
cat >"$WORK/create.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"kind":"pembangunan","title":"Aplikasi bench","description":"Permohonan dari benchmark.",' ..
  '"letter_number":"027/1/PD","letter_date":"2026-11-30"}'
LUA
# the mixed load of the memory figure: as the PD user, 8 reads by id of its
# agency, 1 list and 1 creation in every 10 requests
{
	printf 'local ids = {'
	psql_db -At -c "SELECT id FROM requests WHERE agency_id = '$AGENCY'" | sed 's/.*/"&",/' | tr -d '\n'
	cat <<'LUA'
}
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
local n = 0
function init(args) math.randomseed(os.time() * 1000 + (tid or 0)) end
local body = '{"kind":"integrasi","title":"Aplikasi campuran","letter_number":"027/2/PD","letter_date":"2026-11-30"}'
request = function()
  n = n + 1
  local k = n % 10
  if k == 0 then
    -- a headers table replaces wrk.headers (the -H token) in wrk.format
    local h = {["Content-Type"] = "application/json"}
    for k, v in pairs(wrk.headers) do h[k] = v end
    return wrk.format("POST", "/api/v1/requests", h, body)
  elseif k == 5 then
    return wrk.format("GET", "/api/v1/requests?limit=50&status=submitted")
  end
  return wrk.format("GET", "/api/v1/requests/" .. ids[math.random(1, #ids)])
end
LUA
} >"$WORK/mixed.lua"
for path in "/api/v1/requests?limit=50&status=submitted" "/api/v1/requests?limit=50&agency_id=$AGENCY"; do
	code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
	[ "$code" = 200 ] || { echo "bench_all: GET $path answered $code" >&2; exit 1; }
	echo "   $path: $(jq '.items | length' "$WORK/body") items, $(wc -c <"$WORK/body") bytes"
done

# ---- 2. pgbench's database and the reference programs ------------------------------------------
say "database $PGB: pgbench -i -s 10"
psql_admin -c "CREATE DATABASE $PGB" >/dev/null
timeout 300 pgbench -q -i -s 10 "$PGB_URL" >/dev/null 2>&1
if [ -n "$REF" ]; then
	say "the reference programs from $REF (pool $REF_POOL, JWT on)"
	psql -X -q -v ON_ERROR_STOP=1 "$PGB_URL" -f "$REF/setup_db.sql" >/dev/null 2>&1
	cc -O2 -g -pthread -o "$WORK/getbyid" "$REF/getbyid.c" \
		$(pkg-config --cflags --libs libmicrohttpd jansson libjwt libpq) 2>"$WORK/cc.err" &&
		cc -O2 -pthread -o "$WORK/mkjwt" "$REF/mkjwt.c" $(pkg-config --cflags --libs libjwt) 2>>"$WORK/cc.err" ||
		{ echo "bench_all: cannot build the reference programs:" >&2; cat "$WORK/cc.err" >&2; exit 1; }
	REFTOKEN=$("$WORK/mkjwt" 86400)
	REFPORT=$(free_port)
	BENCH_PG="$PGB_URL" "$WORK/getbyid" "$REFPORT" "$REF_POOL" 1 0 0 2>"$WORK/ref.log" >/dev/null &
	REFPID=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$REFPORT/" && break
		kill -0 "$REFPID" 2>/dev/null || { echo "bench_all: the reference server exited" >&2; cat "$WORK/ref.log" >&2; exit 1; }
		sleep 0.1
	done
fi

# ---- 3. the rounds --------------------------------------------------------------------------------
declare -A RPS P99 NAMES
ORDER=()
add() { # name value p99 (one round)
	[ -n "${NAMES[$1]:-}" ] || { NAMES[$1]=1; ORDER+=("$1"); }
	RPS[$1]="${RPS[$1]:-} $2"
	P99[$1]="${P99[$1]:-} $3"
}
to_ms() { awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.2f", v}'; }
wrk_run() { # name conns token-or-"" url [lua]
	local name=$1 c=$2 tok=$3 url=$4 lua=${5:-} args=(-t2 -c"$2" -d"${SECS}s" --latency)
	[ -n "$lua" ] && args+=(-s "$lua")
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	BENCH_TOKEN=${REFTOKEN:-} timeout $((SECS + 30)) wrk "${args[@]}" "$url" >"$WORK/wrk" 2>&1 || true
	if grep -q 'Non-2xx' "$WORK/wrk"; then
		echo "bench_all: $name got non-2xx answers:" >&2
		cat "$WORK/wrk" >&2
		exit 1
	fi
	add "$name" "$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/wrk")" \
		"$(awk '$1 == "99%" {print $2}' "$WORK/wrk" | to_ms)"
}
pgb_run() {
	timeout $((SECS + 30)) pgbench -n -S -M prepared -c 8 -j 2 -T "$SECS" "$PGB_URL" >"$WORK/pgb" 2>&1 ||
		{ cat "$WORK/pgb" >&2; exit 1; }
	add "pgbench -S -M prepared -c8 -j2" "$(awk '/^tps/ {printf "%.0f", $3; exit}' "$WORK/pgb")" \
		"$(awk '/^latency average/ {print $4; exit}' "$WORK/pgb")"
}
RNAME=ideal
for round in $(seq "$ROUNDS"); do
	say "round $round of $ROUNDS (wrk -t2 -d${SECS}s each)"
	for c in 16 64; do
		wrk_run "alurd GET /requests/{id} c$c" "$c" "$TOKEN" "$BASE" "$WORK/random.lua"
		[ -z "$REF" ] || wrk_run "$RNAME GET /accounts/{id} c$c" "$c" "" "http://127.0.0.1:$REFPORT" "$REF/get_random.lua"
	done
	wrk_run "alurd GET /requests?limit=50&status=submitted c16" 16 "$TOKEN" "$BASE/api/v1/requests?limit=50&status=submitted"
	wrk_run "alurd GET /requests?limit=50&agency_id=… c16" 16 "$TOKEN" "$BASE/api/v1/requests?limit=50&agency_id=$AGENCY"
	wrk_run "alurd GET /me/queue (kepala_dinas) c16" 16 "$KTOKEN" "$BASE/api/v1/me/queue"
	for c in 16 64; do
		wrk_run "alurd POST /requests c$c" "$c" "$PTOKEN" "$BASE/api/v1/requests" "$WORK/create.lua"
		[ -z "$REF" ] || wrk_run "$RNAME POST /items c$c" "$c" "" "http://127.0.0.1:$REFPORT/items" "$REF/post_item.lua"
	done
	pgb_run
done
stop "$REFPID"
REFPID=

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
ratios() { # a-name b-name: per-round ratios "median (min–max)"
	local -a a b
	read -ra a <<<"${RPS[$1]}"
	read -ra b <<<"${RPS[$2]}"
	local i out=""
	for i in "${!a[@]}"; do out="$out $(awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN{printf "%.3f", (y > 0 ? x / y : 0)}')"; done
	printf '%s (%s–%s)' "$(printf '%s' "$out" | median | awk '{printf "%.2f", $1}')" \
		"$(printf '%s' "$out" | tr ' ' '\n' | grep -v '^$' | sort -g | head -1 | awk '{printf "%.2f", $1}')" \
		"$(printf '%s' "$out" | tr ' ' '\n' | grep -v '^$' | sort -g | tail -1 | awk '{printf "%.2f", $1}')"
}

# ---- 4. round trips per transition ----------------------------------------------------------------
say "round trips per transition (a daemon at log level info, access lines' db_statements)"
PORT2=$(free_port)
serve "$PORT2" "$WORK/info.log" info
PID2=$SERVED
B2="http://127.0.0.1:$PORT2"
H() { printf 'Authorization: Bearer %s' "$1"; }
RID=$(curl -fs -H "$(H "$PTOKEN")" -H 'Content-Type: application/json' -d @- "$B2/api/v1/requests" <<<'{"kind":"pembangunan","title":"Aplikasi walk","letter_number":"027/9/PD","letter_date":"2026-11-30"}' | jq -r .id)
printf '%%PDF-1.4\n%% bench\n1 0 obj << >> endobj\ntrailer << >>\n%%%%EOF\n' >"$WORK/doc.pdf"
for type in surat_permohonan proses_bisnis; do
	curl -fs -o /dev/null -H "$(H "$PTOKEN")" -H 'Content-Type: application/pdf' --data-binary @"$WORK/doc.pdf" \
		"$B2/api/v1/requests/$RID/documents?type=$type&filename=$type.pdf" ||
		{ echo "bench_all: the upload of $type failed" >&2; exit 1; }
done
curl -fs -o /dev/null -H "$(H "$PTOKEN")" -X POST "$B2/api/v1/requests/$RID/submit" ||
	{ echo "bench_all: the submission failed" >&2; exit 1; }
curl -fs -o /dev/null -H "$(H "$STOKEN")" -X POST "$B2/api/v1/requests/$RID/register" ||
	{ echo "bench_all: the registration failed" >&2; exit 1; }
stop "$PID2"
PID2=
jq -r 'select(.event == "access" and .method == "POST") | "   \(.route): \(.db_statements // 0) statements"' \
	"$WORK/info.log" | tee "$WORK/trips"

# ---- 5. memory under mixed load ---------------------------------------------------------------------
say "memory: ${RSS_SECS}s of mixed load at -c64 (8 reads, 1 list, 1 creation in 10, as the PD user)"
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$PID/status"; }
RSS0=$(rss)
STEP=$((RSS_SECS / 10 > 0 ? RSS_SECS / 10 : 1))
# wrk runs one step longer than the window, so the last sample is under load
BENCH_TOKEN= timeout $((RSS_SECS + STEP + 60)) wrk -t2 -c64 -d"$((RSS_SECS + STEP))s" -H "$(H "$PTOKEN")" \
	-s "$WORK/mixed.lua" "$BASE" >"$WORK/wrk_mixed" 2>&1 &
WRK=$!
FIRST_AT=$((RSS_SECS >= 120 ? 60 : STEP))
SAMPLES=()
T=0
while kill -0 "$WRK" 2>/dev/null && [ "$T" -lt "$RSS_SECS" ]; do
	# the window of wrk is the clock here; a sample every STEP seconds
	sleep "$STEP" & wait $!
	T=$((T + STEP))
	SAMPLES+=("$T:$(rss)")
	[ "$T" = "$FIRST_AT" ] && RSS_FIRST=${SAMPLES[-1]#*:}
done
if [ "${#SAMPLES[@]}" -gt 0 ]; then RSS_END=${SAMPLES[-1]#*:}; else RSS_END=$(rss); fi
wait "$WRK" || true
echo "   VmRSS before: $RSS0 MiB; samples (s:MiB): ${SAMPLES[*]}"
sed -n '/Requests\/sec/p; /Non-2xx/p; /Socket errors/p' "$WORK/wrk_mixed" | sed 's/^/   /'
MIXED_NON2XX=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk_mixed")

# ---- the figures (all but the timer) ------------------------------------------------------------------------------------
say "summary: $("$BIN" --version), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
	"ALURD_THREADS=$THREADS, $ROUNDS rounds of ${SECS}s, wrk -t2; medians of the rounds"
printf '   %-58s %9s %9s\n' what req/s p99ms
for n in "${ORDER[@]}"; do
	printf '   %-58s %9s %9s\n' "$n" "$(printf '%s' "${RPS[$n]}" | median)" "$(printf '%s' "${P99[$n]}" | median)"
done
PGS="pgbench -S -M prepared -c8 -j2"
echo "   ratios (per round: median (min–max))"
for c in 16 64; do
	printf '   %-58s %s\n' "GET by id c$c / pgbench -S" "$(ratios "alurd GET /requests/{id} c$c" "$PGS")"
	[ -z "$REF" ] || printf '   %-58s %s   goal >= 0.7\n' "GET by id c$c / ideal GET c$c" \
		"$(ratios "alurd GET /requests/{id} c$c" "$RNAME GET /accounts/{id} c$c")"
done
for n in "alurd GET /requests?limit=50&status=submitted c16" "alurd GET /requests?limit=50&agency_id=… c16" \
	"alurd GET /me/queue (kepala_dinas) c16"; do
	printf '   %-58s %s\n' "${n#alurd } / pgbench -S" "$(ratios "$n" "$PGS")"
	[ -z "$REF" ] || printf '   %-58s %s   goal >= 0.3\n' "${n#alurd } / ideal GET c16" "$(ratios "$n" "$RNAME GET /accounts/{id} c16")"
done
for c in 16 64; do
	[ -z "$REF" ] || printf '   %-58s %s   goal >= 0.4\n' "POST /requests c$c / ideal POST c$c" \
		"$(ratios "alurd POST /requests c$c" "$RNAME POST /items c$c")"
done
echo "   round trips: $(awk '{printf "%s%s %s", (NR > 1 ? "; " : ""), $1, $2}' "$WORK/trips")   goal <= 3"
echo "   memory: VmRSS ${RSS_FIRST:-?} MiB at ${FIRST_AT}s, $RSS_END MiB at ${RSS_SECS}s of mixed load" \
	"(growth $(awk -v a="${RSS_FIRST:-0}" -v b="$RSS_END" 'BEGIN{printf "%+.1f", b - a}') MiB;" \
	"non-2xx ${MIXED_NON2XX:-0})   goal < 64 MiB, no growth"
if [ -s "$WORK/alurd.log" ]; then
	say "daemon log (warnings and errors, first 10 lines)"
	head -n 10 "$WORK/alurd.log" | sed 's/^/   /'
fi
# ---- 6. the timer (after the other figures are printed: it takes longest) ---------------------------
TIMER_RC=0
if [ "$TIMER" != 0 ]; then
	say "the SLA timer: tests/bench/bench_timer.sh (BENCH_REPS=3)"
	stop "$PID"
	PID=
	ALURD_BIN="$BIN" BENCH_REPS=3 BENCH_LIMIT=$((LIMIT > 900 ? 900 : LIMIT)) "$ROOT/tests/bench/bench_timer.sh" \
		>"$WORK/timer" 2>&1 || TIMER_RC=$?
	if [ "$TIMER_RC" = 0 ]; then
		sed -n '/^== summary/,$p' "$WORK/timer" | sed 's/^/   /'
		awk '/psql: scan with 1000 crossings, median/ {n = NF; a = $(n - 1); b = $n;
		     printf "   timer scan, 1000 crossing: %s ms at 1 000 000 open steps, %s ms at 100 000, ratio %.2f   goal < 50 ms, <= 1.5\n", a, b, (b > 0 ? a / b : 0)}' \
			"$WORK/timer"
	else
		tail -n 20 "$WORK/timer" | sed 's/^/   /'
		echo "bench_all: bench_timer.sh failed (status $TIMER_RC); the figures above stand" >&2
	fi
fi
exit "$TIMER_RC"
