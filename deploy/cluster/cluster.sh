#!/usr/bin/env bash
# deploy/cluster/cluster.sh: the whole production shape on one machine, on
# loopback, for development and the cluster drills: etcd, two PostgreSQL 15
# nodes under Patroni (a primary and a synchronous streaming replica), HAProxy
# (database read-write and read-only ports, and the front of the alurd
# instances) and three alurd instances. Everything runs as an unprivileged
# user (PostgreSQL refuses root: as root, the development cluster's user, see
# deploy/lib.sh) in var/cluster, or in /var/lib/alurd-dev/cluster-<hash> when
# that user cannot enter the checkout.
#
#   cluster.sh up          start whatever is not running (creating it the first time)
#   cluster.sh down        stop everything (data kept)
#   cluster.sh destroy     down, then delete the data
#   cluster.sh status      one line per process, the Patroni members, and the URLs
#   cluster.sh env         the URLs and ports as shell assignments
#   cluster.sh restart-instance N   drain instance N in HAProxy, SIGTERM it, start it, re-enable it
#   cluster.sh rolling-restart      restart-instance 1, 2, 3 (a zero-downtime upgrade)
#   cluster.sh kill-instance N      SIGKILL instance N (a drill)
#   cluster.sh start-instance N     start instance N if it is not running
#   cluster.sh kill-primary         SIGKILL the leader's postmaster (a drill)
#   cluster.sh wait-healthy         until a leader and a streaming synchronous standby exist
#
# Ports: ALURD_CLUSTER_PORT_BASE (default 55483) and the 12 ports above it,
# all on ALURD_CLUSTER_HOST (default 127.0.0.15): etcd client +0, peer +1;
# PostgreSQL nodes +2, +3; Patroni
# REST +4, +5; HAProxy database read-write +6, read-only +7, alurd front +8,
# stats page +9; alurd instances +10, +11, +12. ALURD_CLUSTER_BIN is the alurd
# binary (default build/alurd); it is copied into the cluster directory, so
# `rolling-restart` after a rebuild is an upgrade.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"

HERE="$ROOT/deploy/cluster"
BASE=${ALURD_CLUSTER_PORT_BASE:-55483}
case $BASE in '' | *[!0-9]*) alurd_die "ALURD_CLUSTER_PORT_BASE must be a port number" ;; esac
# 127.0.0.15, not .1: the ports lie in Linux's ephemeral range, and an
# outgoing loopback connection takes its source port on 127.0.0.1 (a
# listener on .15 never meets one; the slow-client drill uses .2-.5), see README.md
HOST=${ALURD_CLUSTER_HOST:-127.0.0.15}
case $HOST in 127.*) ;; *) alurd_die "ALURD_CLUSTER_HOST must be a loopback address (127.x.y.z)" ;; esac
ETCD_CLIENT=$BASE ETCD_PEER=$((BASE + 1))
PG_PORTS=($((BASE + 2)) $((BASE + 3)))
REST_PORTS=($((BASE + 4)) $((BASE + 5)))
PG_RW=$((BASE + 6)) PG_RO=$((BASE + 7)) FRONT=$((BASE + 8)) STATS=$((BASE + 9))
INSTANCE_PORTS=($((BASE + 10)) $((BASE + 11)) $((BASE + 12)))
NODES=(pg1 pg2)
BIN_SRC=${ALURD_CLUSTER_BIN:-$ROOT/build/alurd}
THREADS=${ALURD_CLUSTER_THREADS:-4}
TIMER_INTERVAL=${ALURD_CLUSTER_TIMER_INTERVAL:-1}

# The cluster's directory, owned by the user everything runs as (the same
# placement rules as the development cluster, deploy/lib.sh).
cl_setup() {
    local link="$ROOT/var/cluster" hash outside
    ALURD_PG_BIN=$(alurd_pg_bindir) || return 1
    ALURD_PG_OSUSER=$(alurd_pg_osuser) || return 1
    mkdir -p "$ROOT/var"
    if [ -L "$link" ]; then
        CL=$(readlink "$link")
    else
        CL=$link
        if [ ! -d "$link" ]; then
            alurd_pg_own_dir "$link" || return 1
            if alurd_is_root && ! alurd_pg_can_write "$link"; then
                hash=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
                outside=/var/lib/alurd-dev/cluster-$hash
                alurd_log "user $ALURD_PG_OSUSER cannot reach $ROOT/var; keeping the cluster in $outside"
                mkdir -p /var/lib/alurd-dev && chmod 755 /var/lib/alurd-dev
                rmdir "$link"
                ln -s "$outside" "$link"
                CL=$outside
            fi
        fi
    fi
    [ -d "$CL" ] || alurd_pg_own_dir "$CL" || return 1
}

# Runs "$@" as the cluster's user, in the cluster directory.
as_cl() {
    if alurd_is_root; then
        (cd "$CL" && runuser -u "$ALURD_PG_OSUSER" -- "$@" 9>&-)
    else
        (cd "$CL" && "$@" 9>&-)
    fi
}

# Writes standard input to FILE (relative to the cluster directory) as that user.
put() { as_cl sh -c 'umask 077; cat >"$1"' sh "$CL/$1"; }

# Fills a template's @NAME@ fields from "NAME=value" arguments.
fill() {
    local tpl=$1 expr=() kv
    shift
    for kv in "$@"; do
        local k=${kv%%=*} v=${kv#*=}
        v=${v//\\/\\\\}
        v=${v//|/\\|}
        v=${v//&/\\&}
        expr+=(-e "s|@$k@|$v|g")
    done
    sed "${expr[@]}" "$tpl"
}

pid_of() { # NAME: the PID in NAME.pid when that process is alive
    local f="$CL/$1.pid" pid
    [ -f "$f" ] || return 1
    pid=$(cat "$f" 2>/dev/null || true)
    case $pid in '' | *[!0-9]*) return 1 ;; esac
    kill -0 "$pid" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

# spawn NAME COMMAND...: runs COMMAND as the cluster's user in its own
# session, output appended to NAME.log, PID in NAME.pid.
spawn() {
    local name=$1
    shift
    pid_of "$name" >/dev/null && return 0
    # shellcheck disable=SC2016 # expanded by the inner shell
    as_cl setsid sh -c 'n=$1; shift; exec "$@" >>"$n.log" 2>&1 </dev/null & echo $! >"$n.pid"' sh \
        "$CL/$name" "$@"
}

stop_pid() { # NAME SIGNAL SECONDS: signal it and wait for it to exit
    local name=$1 sig=$2 secs=$3 pid i
    pid=$(pid_of "$name") || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$CL/$name.pid"; return 0; }
        sleep 0.1
    done
    alurd_warn "$name (pid $pid) did not stop within $secs s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$CL/$name.pid"
}

wait_until() { # SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s
    local secs=$1 what=$2 i
    shift 2
    for ((i = 0; i < secs * 5; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    alurd_warn "$what did not happen within $secs s"
    return 1
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }
psql_rw() { alurd_psql -qAt -h "$HOST" -p "$PG_RW" -U postgres -d "${PGDB:-postgres}" "$@"; }
db_url() { printf 'postgresql://%s@%s:%s/%s\n' "$ALURD_PG_ROLE" "$HOST" "${1:-$PG_RW}" "$ALURD_PG_DB"; }
secret_key() { # 32 random bytes in base64 (ALURD_SECRET_KEY), kept in the cluster directory
    [ -f "$CL/secret-key" ] || head -c 32 /dev/urandom | base64 | tr -d '\n' | put secret-key
    cat "$CL/secret-key"
}
secret() { # NAME: a random secret kept in the cluster directory
    [ -f "$CL/$1" ] || head -c 36 /dev/urandom | base64 | tr -d '\n/+=' | put "$1"
    cat "$CL/$1"
}

write_configs() {
    local i su repl pg_servers="" alurd_servers="" hosts
    su=$(secret superuser.pw)
    repl=$(secret replication.pw)
    hosts="$HOST:$ETCD_CLIENT"
    fill "$HERE/etcd.yml.in" ETCD_NAME=etcd1 "ETCD_DATA=$CL/etcd" ETCD_HOST=$HOST \
        "ETCD_CLIENT_PORT=$ETCD_CLIENT" "ETCD_PEER_PORT=$ETCD_PEER" \
        "ETCD_INITIAL_CLUSTER=etcd1=http://$HOST:$ETCD_PEER" | put etcd.yml
    for i in 0 1; do
        as_cl mkdir -p "$CL/${NODES[$i]}"
        fill "$HERE/patroni.yml.in" "NODE_NAME=${NODES[$i]}" "NODE_DIR=$CL/${NODES[$i]}" NODE_HOST=$HOST \
            "REST_PORT=${REST_PORTS[$i]}" "PG_PORT=${PG_PORTS[$i]}" "ETCD_HOSTS=$hosts" \
            "PG_BIN=$ALURD_PG_BIN" "SUPERUSER_PASSWORD=$su" "REPLICATION_PASSWORD=$repl" \
            PG_MAX_CONNECTIONS=100 PG_SHARED_BUFFERS=32MB HBA_NETWORK=127.0.0.0/8 HBA_METHOD=trust \
            | put "${NODES[$i]}/patroni.yml"
        pg_servers+="    server ${NODES[$i]} $HOST:${PG_PORTS[$i]} check port ${REST_PORTS[$i]}"$'\n'
    done
    for i in 0 1 2; do
        alurd_servers+="    server a$((i + 1)) $HOST:${INSTANCE_PORTS[$i]} check"$'\n'
        fill "$HERE/alurd.env.in" "DATABASE_URL=$(db_url)" "DATABASE_READ_URL=$(db_url "$PG_RO")" INSTANCE_HOST=$HOST \
            "INSTANCE_PORT=${INSTANCE_PORTS[$i]}" "THREADS=$THREADS" TRUSTED_PROXIES=127.0.0.1 "JWT_SECRET=$(secret jwt-secret)" \
            "SECRET_KEY=$(secret_key)" WEBHOOK_ALLOW_DEV=true \
            "TIMER_INTERVAL=$TIMER_INTERVAL" | put "alurd$((i + 1)).env"
    done
    # multi-line values go in with awk, not sed
    fill "$HERE/haproxy.cfg.in" "CLUSTER_DIR=$CL" LB_HOST=$HOST "PG_RW_PORT=$PG_RW" "PG_RO_PORT=$PG_RO" \
        "ALURD_FRONT_PORT=$FRONT" "STATS_PORT=$STATS" |
        awk -v pg="$pg_servers" -v al="$alurd_servers" \
            '$1 == "@PG_SERVERS@" { printf "%s", pg; next } $1 == "@ALURD_SERVERS@" { printf "%s", al; next } { print }' |
        put haproxy.cfg
}

# The leader's name per Patroni's REST API, or nothing.
leader() {
    local i
    for i in 0 1; do
        if http_ok "http://$HOST:${REST_PORTS[$i]}/primary"; then
            printf '%s\n' "${NODES[$i]}"
            return 0
        fi
    done
    return 1
}

healthy() { # a leader, and the other node a streaming synchronous standby
    local cl
    cl=$(curl -fsS --max-time 2 "http://$HOST:${REST_PORTS[0]}/cluster") || return 1
    python3 -c '
import json, sys
c = json.loads(sys.argv[1])
roles = sorted(m.get("role") for m in c.get("members", []) if m.get("state") == "running" or m.get("state") == "streaming")
sys.exit(0 if roles == ["leader", "sync_standby"] else 1)' "$cl"
}

haproxy_cmd() { # a command on HAProxy's admin socket; prints the answer
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())' "$CL/haproxy.sock" "$1"
}

# The number of sessions HAProxy has open to instance N (stats column scur).
instance_sessions() {
    haproxy_cmd "show stat" | awk -F, -v s="a$1" '$1 == "alurd" && $2 == s { print $5 }'
}

install_bin() {
    [ -x "$BIN_SRC" ] || alurd_die "no alurd binary at $BIN_SRC (build first, or set ALURD_CLUSTER_BIN)"
    as_cl mkdir -p "$CL/bin"
    # a new file, then a rename: a running instance keeps its old binary
    as_cl sh -c 'cat >"$1.new" && chmod 755 "$1.new" && mv -f "$1.new" "$1"' sh "$CL/bin/alurd" <"$BIN_SRC"
}

start_instance() {
    local n=$1 port=${INSTANCE_PORTS[$(($1 - 1))]}
    # shellcheck disable=SC2016 # expanded by the inner shell
    spawn "alurd$n" sh -c 'set -a; . "$1"; set +a; exec "$2" serve' sh "$CL/alurd$n.env" "$CL/bin/alurd"
    wait_until 30 "alurd$n ready on port $port" http_ok "http://$HOST:$port/readyz"
}

cmd_up() {
    local i
    for i in etcd haproxy; do
        command -v "$i" >/dev/null || alurd_die "$i is not installed (deploy/packages.txt lists it; run deploy/test.sh or install it)"
    done
    command -v patroni >/dev/null || alurd_die "patroni is not installed"
    write_configs
    install_bin
    spawn etcd etcd --config-file "$CL/etcd.yml"
    wait_until 30 "etcd health" http_ok "http://$HOST:$ETCD_CLIENT/health"
    spawn "${NODES[0]}" patroni "$CL/${NODES[0]}/patroni.yml"
    # the first node bootstraps alone, so it is the first leader
    wait_until 120 "a Patroni leader" leader
    spawn "${NODES[1]}" patroni "$CL/${NODES[1]}/patroni.yml"
    spawn haproxy haproxy -db -f "$CL/haproxy.cfg"
    wait_until 180 "a synchronous standby" healthy
    wait_until 30 "the read-write port" psql_rw -c 'SELECT 1'
    psql_rw <<SQL >/dev/null
SELECT 'CREATE ROLE $ALURD_PG_ROLE LOGIN CREATEDB NOSUPERUSER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ALURD_PG_ROLE') \gexec
SELECT 'CREATE DATABASE $ALURD_PG_DB OWNER $ALURD_PG_ROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$ALURD_PG_DB') \gexec
SQL
    # migrations run once, before any instance starts
    as_cl env "ALURD_DATABASE_URL=$(db_url)" "$CL/bin/alurd" migrate >/dev/null
    for i in 1 2 3; do
        start_instance "$i"
    done
    wait_until 30 "the alurd front" http_ok "http://$HOST:$FRONT/readyz"
    alurd_log "cluster up: alurd at http://$HOST:$FRONT/ (database $(db_url))"
}

cmd_down() {
    local i
    for i in 3 2 1; do stop_pid "alurd$i" TERM 20; done
    stop_pid haproxy TERM 10
    # the replica first, so the primary does not wait on it
    for i in 1 0; do stop_pid "${NODES[$i]}" TERM 60; done
    stop_pid etcd TERM 20
    # a postmaster left behind by a killed Patroni
    for i in 0 1; do
        local pidfile="$CL/${NODES[$i]}/data/postmaster.pid" pid
        if [ -f "$pidfile" ]; then
            pid=$(head -n 1 "$pidfile")
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                as_cl "$ALURD_PG_BIN/pg_ctl" stop -D "$CL/${NODES[$i]}/data" -m fast -w -t 30 >/dev/null || true
            fi
        fi
    done
}

cmd_status() {
    local name pid rc=0
    for name in etcd "${NODES[@]}" haproxy alurd1 alurd2 alurd3; do
        if pid=$(pid_of "$name"); then
            printf '%-8s running (pid %s)\n' "$name" "$pid"
        else
            printf '%-8s stopped\n' "$name"
            rc=3
        fi
    done
    if pid_of etcd >/dev/null; then
        as_cl patronictl -c "$CL/${NODES[0]}/patroni.yml" list 2>/dev/null || true
    fi
    cmd_env
    return "$rc"
}

cmd_env() {
    printf 'ALURD_CLUSTER_DIR=%s\n' "$CL"
    printf 'ALURD_CLUSTER_URL=http://%s:%s\n' "$HOST" "$FRONT"
    printf 'ALURD_CLUSTER_DATABASE_URL=%s\n' "$(db_url)"
    printf 'ALURD_CLUSTER_READ_URL=%s\n' "$(db_url "$PG_RO")"
    printf 'ALURD_CLUSTER_INSTANCE_PORTS="%s"\n' "${INSTANCE_PORTS[*]}"
    printf 'ALURD_CLUSTER_STATS_URL=http://%s:%s/\n' "$HOST" "$STATS"
}

check_n() { case ${1:-} in 1 | 2 | 3) ;; *) alurd_die "instance number 1, 2 or 3 expected" ;; esac; }

# Takes instance N out of HAProxy, waits for its sessions to end, stops it
# with SIGTERM (it drains what is in flight), starts the installed binary and
# puts it back once /readyz answers.
cmd_restart_instance() {
    local n=$1 i sessions
    check_n "$n"
    haproxy_cmd "set server alurd/a$n state drain" >/dev/null
    haproxy_cmd "set server alurd/a$n state maint" >/dev/null
    for ((i = 0; i < 150; i++)); do
        sessions=$(instance_sessions "$n")
        [ "${sessions:-0}" = 0 ] && break
        sleep 0.1
    done
    stop_pid "alurd$n" TERM 30
    start_instance "$n"
    haproxy_cmd "set server alurd/a$n state ready" >/dev/null
    wait_until 30 "HAProxy to see a$n up" sh -c \
        "$(declare -f haproxy_cmd); CL='$CL'; haproxy_cmd 'show stat' | grep -q '^alurd,a$n,.*,UP,'"
}

cmd_kill_primary() {
    local name pidfile pid
    name=$(leader) || alurd_die "no leader to kill"
    pidfile="$CL/$name/data/postmaster.pid"
    pid=$(head -n 1 "$pidfile")
    kill -KILL "$pid"
    printf '%s %s\n' "$name" "$pid"
}

# The end of each log, when bringing the cluster up failed.
diagnose() {
    local f
    for f in etcd.log pg1/patroni.log pg2/patroni.log haproxy.log alurd1.log alurd2.log alurd3.log; do
        [ -f "$CL/$f" ] || continue
        printf '%s\n' "--- $CL/$f (last lines)" >&2
        tail -n 12 "$CL/$f" >&2 || true
    done
}

cmd=${1:-status}
shift || true
cl_setup
case $cmd in
    up)
        set -E
        trap 'rc=$?; trap - ERR; diagnose; exit $rc' ERR
        cmd_up
        ;;
    down) cmd_down ;;
    destroy)
        cmd_down
        [ -n "$CL" ] && [ "$CL" != / ] && rm -rf -- "${CL:?}"/*
        ;;
    status) cmd_status ;;
    env) cmd_env ;;
    restart-instance) cmd_restart_instance "${1:-}" ;;
    rolling-restart) install_bin; for i in 1 2 3; do cmd_restart_instance "$i"; done ;;
    kill-instance) check_n "${1:-}"; stop_pid "alurd$1" KILL 10 ;;
    start-instance) check_n "${1:-}"; start_instance "$1"; haproxy_cmd "set server alurd/a$1 state ready" >/dev/null ;;
    kill-primary) cmd_kill_primary ;;
    wait-healthy) wait_until "${1:-120}" "a leader and a synchronous standby" healthy ;;
    leader) leader ;;
    *) alurd_die "usage: cluster.sh up|down|destroy|status|env|restart-instance N|rolling-restart|kill-instance N|start-instance N|kill-primary|wait-healthy [S]|leader" ;;
esac
