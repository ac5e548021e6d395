#!/usr/bin/env bash
# deploy/lib.sh: shared functions for deploy/run.sh, deploy/test.sh and
# deploy/pg.sh. Source it; it defines ROOT (the repository root, taken from this
# file's location, never from the caller's working directory) and functions
# prefixed alurd_. It changes no shell options of its own; the scripts that
# source it run under `set -euo pipefail`.
#
# The design choice that matters: development and CI use a private PostgreSQL
# cluster that belongs to this checkout (data in var/pg, TCP 127.0.0.1 only, a
# port of its own), so nothing here touches a system cluster, and the same
# commands work as root (CI containers) and as an ordinary user. Functions that
# can fail return non-zero explicitly, because callers often use them in `if`,
# where `set -e` does not apply.

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)

ALURD_PG_PORT=${ALURD_PG_PORT:-55432}
case $ALURD_PG_PORT in
    '' | *[!0-9]*)
        echo "ALURD_PG_PORT must be a port number, not '$ALURD_PG_PORT'" >&2
        # shellcheck disable=SC2317 # exit is for when this file is run, not sourced
        return 1 2>/dev/null || exit 1
        ;;
esac

# Role and database the daemon uses; the cluster's superuser is always postgres.
ALURD_PG_ROLE=alurd
ALURD_PG_DB=alurd
ALURD_PG_SUPERUSER=postgres

alurd_log() { printf '%s\n' "== $*" >&2; }
alurd_warn() { printf '%s\n' "warning: $*" >&2; }
alurd_die() {
    printf '%s\n' "error: $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------

# Prints the packages from deploy/packages.txt that are not installed, one a
# line. A package marked unless-command=CMD counts as present when CMD is on PATH.
alurd_missing_packages() {
    local line pkg extra status
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        read -r pkg extra _ <<<"$line" || true
        [ -n "${pkg:-}" ] || continue
        if [ -n "${extra:-}" ]; then
            case $extra in
                unless-command=?*)
                    if command -v "${extra#unless-command=}" >/dev/null 2>&1; then
                        continue
                    fi
                    ;;
                *)
                    alurd_warn "packages.txt: ignoring unknown field '$extra' after $pkg"
                    ;;
            esac
        fi
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        case $status in
            *' ok installed') ;;
            *) printf '%s\n' "$pkg" ;;
        esac
    done <"$ROOT/deploy/packages.txt"
}

# Installs whatever deploy/packages.txt lists and the machine lacks. Does
# nothing (and needs no privileges) when everything is present; otherwise runs
# apt-get update once and apt-get install, through sudo when not root.
alurd_install_packages() {
    local missing=() sudo=()
    command -v dpkg-query >/dev/null 2>&1 ||
        { alurd_warn "dpkg-query not found; not a Debian system, skipping package check"; return 0; }
    mapfile -t missing < <(alurd_missing_packages)
    [ "${#missing[@]}" -gt 0 ] || return 0
    alurd_log "installing missing packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            printf '%s\n' "error: these packages are missing and this is not root (and sudo is not available):" \
                "  ${missing[*]}" \
                "install them as root: apt-get install --no-install-recommends ${missing[*]}" >&2
            return 1
        fi
        sudo=(sudo)
        [ -t 0 ] || sudo=(sudo -n) # no terminal to ask for a password on
    fi
    "${sudo[@]}" apt-get update || return 1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}" || return 1
}

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

# alurd_build DIR [extra cmake arguments...]
# Configures and builds the tree in DIR (RelWithDebInfo, warnings as errors).
# The sanitizer build is: alurd_build "$ROOT/build-asan" -DALURD_SANITIZE=ON
alurd_build() {
    local dir=$1
    shift
    [ -f "$ROOT/CMakeLists.txt" ] || { alurd_warn "no CMakeLists.txt in $ROOT"; return 1; }
    alurd_log "building $dir"
    cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALURD_WERROR=ON "$@" || return 1
    cmake --build "$dir" -j"$(nproc)" || return 1
}

# ---------------------------------------------------------------------------
# PostgreSQL development cluster
#
# Data directory: $ROOT/var/pg. Under root, PostgreSQL runs as the postgres
# system user (or alurdpg, created when postgres does not exist). If that user
# cannot write to $ROOT/var/pg (typically a checkout under /root, mode 700), the
# data lives in /var/lib/alurd-dev/pg-<hash of $ROOT> instead and $ROOT/var/pg
# is a symlink to it. No unix sockets; TCP on 127.0.0.1 only; trust
# authentication for 127.0.0.1, so this is a development cluster only.
# ---------------------------------------------------------------------------

alurd_pg_bindir() {
    local d
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            printf '%s\n' "$d"
            return 0
        fi
    fi
    if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
        printf '%s\n' /usr/lib/postgresql/15/bin
        return 0
    fi
    while IFS= read -r d; do
        if [ -x "$d/pg_ctl" ]; then
            printf '%s\n' "$d"
            return 0
        fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
    alurd_warn "PostgreSQL server binaries not found (install postgresql)"
    return 1
}

alurd_is_root() { [ "$(id -u)" -eq 0 ]; }

# The operating-system user the server runs as.
alurd_pg_osuser() {
    if ! alurd_is_root; then
        id -un
    elif id -u postgres >/dev/null 2>&1; then
        echo postgres
    else
        if ! id -u alurdpg >/dev/null 2>&1; then
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin alurdpg >&2 || return 1
        fi
        echo alurdpg
    fi
}

# Runs a command as the server's user, from /, so that an unreachable working
# directory does not get in the way. File descriptor 9 (the cluster lock, see
# alurd_pg_locked) is closed so a server started from here does not inherit it.
alurd_as_pg() {
    if alurd_is_root; then
        (cd / && runuser -u "$ALURD_PG_OSUSER" -- "$@" 9>&-)
    else
        "$@" 9>&-
    fi
}

# True when the server's user can create and remove a file in DIR.
alurd_pg_can_write() {
    # shellcheck disable=SC2016 # $1 is expanded by the inner shell
    alurd_as_pg sh -c 'p="$1/.alurd-probe.$$" && : >"$p" && rm -f "$p"' sh "$1" 2>/dev/null
}

# Makes DIR an empty-or-existing directory owned by the server's user, mode 700.
alurd_pg_own_dir() {
    local dir=$1
    if [ -L "$dir" ]; then
        alurd_warn "$dir is a symlink; refusing to use it as a data directory"
        return 1
    fi
    mkdir -p "$dir" || return 1
    if alurd_is_root; then
        chown "$ALURD_PG_OSUSER:" "$dir" || return 1
    fi
    chmod 700 "$dir" || return 1
}

# Sets ALURD_PG_OSUSER, ALURD_PG_BIN and ALURD_PG_DATA (the real data directory,
# created if needed, following the location rules above).
alurd_pg_setup() {
    local link="$ROOT/var/pg" hash outside
    ALURD_PG_BIN=$(alurd_pg_bindir) || return 1
    ALURD_PG_OSUSER=$(alurd_pg_osuser) || return 1
    mkdir -p "$ROOT/var" || return 1

    if [ -L "$link" ]; then
        ALURD_PG_DATA=$(readlink "$link")
        case $ALURD_PG_DATA in
            /*) ;;
            *) alurd_warn "$link points to a relative path; expected an absolute one"; return 1 ;;
        esac
        [ -d "$ALURD_PG_DATA" ] || alurd_pg_own_dir "$ALURD_PG_DATA" || return 1
    else
        alurd_pg_own_dir "$link" || return 1
        ALURD_PG_DATA=$link
        if alurd_is_root && ! alurd_pg_can_write "$link"; then
            if [ -f "$link/PG_VERSION" ]; then
                alurd_warn "user $ALURD_PG_OSUSER can no longer reach the cluster in $link" \
                    "(a parent directory is not searchable by it); fix the permissions or move the checkout"
                return 1
            fi
            hash=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
            outside=/var/lib/alurd-dev/pg-$hash
            alurd_log "user $ALURD_PG_OSUSER cannot reach $ROOT/var; keeping the cluster in $outside"
            mkdir -p /var/lib/alurd-dev || return 1
            chmod 755 /var/lib/alurd-dev || return 1
            alurd_pg_own_dir "$outside" || return 1
            rmdir "$link" || return 1
            ln -s "$outside" "$link" || return 1
            ALURD_PG_DATA=$outside
        fi
    fi
    if alurd_is_root && ! alurd_pg_can_write "$ALURD_PG_DATA"; then
        alurd_warn "user $ALURD_PG_OSUSER cannot write to $ALURD_PG_DATA"
        return 1
    fi
}

alurd_pg_url() { printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$ALURD_PG_ROLE" "$ALURD_PG_PORT" "$ALURD_PG_DB"; }
alurd_pg_admin_url() { printf 'postgresql://%s@127.0.0.1:%s/postgres\n' "$ALURD_PG_ROLE" "$ALURD_PG_PORT"; }

# psql with the cluster's own client binary, no ~/.psqlrc, stop on first error.
alurd_psql() {
    local bin
    bin=$(alurd_pg_bindir) || return 1
    "$bin/psql" -X -v ON_ERROR_STOP=1 "$@"
}

# Prints the PID of this cluster's postmaster if it is running. A postmaster.pid
# whose PID is dead, or belongs to some other process (PIDs are reused after a
# container restart), is stale: it is removed so it cannot block a start.
alurd_pg_running_pid() {
    local pidfile="$ALURD_PG_DATA/postmaster.pid" pid cwd comm
    [ -f "$pidfile" ] || return 1
    pid=$(head -n 1 "$pidfile" 2>/dev/null || true)
    case $pid in '' | *[!0-9]*) pid=0 ;; esac
    if [ "$pid" -gt 0 ] && [ -d "/proc/$pid" ]; then
        comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
        cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
        if [ "$comm" = postgres ] && [ "$cwd" = "$(readlink -f "$ALURD_PG_DATA")" ]; then
            printf '%s\n' "$pid"
            return 0
        fi
    fi
    alurd_warn "removing stale $pidfile (PID $pid is not this cluster's server)"
    rm -f "$pidfile"
    return 1
}

# Sends SIG (STOP or CONT) to the running server and every process it forked
# (backends, checkpointer, walwriter...): a frozen database accepts TCP
# connections in the kernel but answers nothing, as a stalled host would.
alurd_pg_signal_all() {
    local sig=$1 pid
    alurd_pg_setup || return 1
    pid=$(alurd_pg_running_pid) || { alurd_warn "the cluster is not running"; return 1; }
    kill -"$sig" "$pid" || return 1
    pkill -"$sig" -P "$pid" || true
}

# The port a running server listens on (line 4 of postmaster.pid).
alurd_pg_running_port() {
    sed -n 4p "$ALURD_PG_DATA/postmaster.pid" 2>/dev/null
}

# Writes standard input to FILE in the data directory, as the server's user;
# with "append" as the second argument, appends instead.
alurd_pg_put() {
    # shellcheck disable=SC2016 # $1 and $2 are expanded by the inner shell
    alurd_as_pg sh -c 'if [ "$2" = append ]; then cat >>"$1"; else cat >"$1"; fi' \
        sh "$ALURD_PG_DATA/$1" "${2:-replace}"
}

alurd_pg_initdb() {
    local locale=(--no-locale)
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale=(--locale=C.UTF-8)
    fi
    alurd_log "creating PostgreSQL cluster in $ALURD_PG_DATA"
    alurd_as_pg "$ALURD_PG_BIN/initdb" -D "$ALURD_PG_DATA" -U "$ALURD_PG_SUPERUSER" \
        --encoding=UTF8 "${locale[@]}" --data-checksums --auth=trust >/dev/null || return 1
    alurd_pg_put pg_hba.conf <<'EOF' || return 1
# Development cluster made by deploy/pg.sh: anyone on 127.0.0.1 may connect as
# any role without a password. Never expose this cluster beyond the loopback.
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  trust
EOF
    alurd_pg_put postgresql.conf append <<'EOF' || return 1

# Settings of the alurd development cluster (rewritten on every start).
include 'alurd.conf'
EOF
}

# Rewritten on every start, so a changed ALURD_PG_PORT takes effect.
alurd_pg_write_conf() {
    alurd_pg_put alurd.conf <<EOF || return 1
# Written by deploy/pg.sh on every start; edits here are overwritten.
listen_addresses = '127.0.0.1'
port = $ALURD_PG_PORT
unix_socket_directories = ''
max_connections = 200
fsync = on
synchronous_commit = on
full_page_writes = on
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

alurd_pg_wait_ready() {
    local i
    for ((i = 0; i < 120; i++)); do
        if "$ALURD_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$ALURD_PG_PORT" \
            -U "$ALURD_PG_SUPERUSER" -d postgres; then
            return 0
        fi
        sleep 0.5
    done
    alurd_warn "PostgreSQL on 127.0.0.1:$ALURD_PG_PORT did not become ready"
    return 1
}

# Creates the alurd role (LOGIN CREATEDB, not a superuser) and the alurd
# database owned by it, unless they exist.
alurd_pg_ensure_role_db() {
    alurd_psql -q -h 127.0.0.1 -p "$ALURD_PG_PORT" -U "$ALURD_PG_SUPERUSER" -d postgres <<EOF >/dev/null || return 1
SELECT 'CREATE ROLE $ALURD_PG_ROLE LOGIN CREATEDB NOSUPERUSER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ALURD_PG_ROLE') \gexec
SELECT 'CREATE DATABASE $ALURD_PG_DB OWNER $ALURD_PG_ROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$ALURD_PG_DB') \gexec
EOF
}

# Starts the cluster (creating it first if needed), waits until it accepts
# connections, and makes sure the role and database exist. A no-op apart from
# the last check when it is already running.
alurd_pg_start_unlocked() {
    local pid port log
    alurd_pg_setup || return 1
    if pid=$(alurd_pg_running_pid); then
        port=$(alurd_pg_running_port)
        if [ "$port" != "$ALURD_PG_PORT" ]; then
            alurd_warn "the cluster is already running on port $port, not $ALURD_PG_PORT;" \
                "run deploy/pg.sh restart to move it"
            return 1
        fi
    else
        [ -f "$ALURD_PG_DATA/PG_VERSION" ] || alurd_pg_initdb || return 1
        local ready=0
        "$ALURD_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$ALURD_PG_PORT" -t 2 || ready=$?
        if [ "$ready" -ne 2 ]; then # 2 is "no response"
            alurd_warn "something else already answers on 127.0.0.1:$ALURD_PG_PORT;" \
                "stop it or choose another port with ALURD_PG_PORT"
            return 1
        fi
        alurd_pg_write_conf || return 1
        log="$ALURD_PG_DATA/server.log"
        alurd_log "starting PostgreSQL on 127.0.0.1:$ALURD_PG_PORT (data: $ALURD_PG_DATA)"
        if ! alurd_as_pg "$ALURD_PG_BIN/pg_ctl" start -D "$ALURD_PG_DATA" -l "$log" \
            -w -t 120 >/dev/null; then
            alurd_warn "PostgreSQL did not start; the end of $log:"
            tail -n 20 "$log" >&2 || true
            return 1
        fi
    fi
    alurd_pg_wait_ready || return 1
    alurd_pg_ensure_role_db || return 1
}

alurd_pg_stop_unlocked() {
    alurd_pg_setup || return 1
    alurd_pg_running_pid >/dev/null || return 0
    alurd_log "stopping PostgreSQL (data: $ALURD_PG_DATA)"
    alurd_as_pg "$ALURD_PG_BIN/pg_ctl" stop -D "$ALURD_PG_DATA" -m fast -w -t 120 >/dev/null
}

# Runs "$@" holding an exclusive lock on var/pg.lock, so that concurrent start,
# stop and destroy calls (tests stop and start the cluster) do not interleave.
alurd_pg_locked() {
    local rc=0
    mkdir -p "$ROOT/var" || return 1
    exec 9>>"$ROOT/var/pg.lock" || return 1
    flock 9 || return 1
    "$@" || rc=$?
    exec 9>&-
    return "$rc"
}

alurd_pg_start() { alurd_pg_locked alurd_pg_start_unlocked; }
alurd_pg_stop() { alurd_pg_locked alurd_pg_stop_unlocked; }

# Stops the cluster and deletes its data directory (and var/pg, which may be a
# symlink to a directory outside the checkout).
alurd_pg_destroy_unlocked() {
    alurd_pg_stop_unlocked || return 1
    [ -n "${ALURD_PG_DATA:-}" ] && [ "$ALURD_PG_DATA" != / ] || return 1
    alurd_log "deleting $ALURD_PG_DATA"
    rm -rf -- "$ALURD_PG_DATA" || return 1
    if [ -L "$ROOT/var/pg" ]; then
        rm -f -- "$ROOT/var/pg" || return 1
    fi
}
alurd_pg_destroy() { alurd_pg_locked alurd_pg_destroy_unlocked; }

# Prints the cluster's state; returns 0 when running, 3 when stopped.
alurd_pg_status() {
    local pid
    alurd_pg_setup || return 1
    if pid=$(alurd_pg_running_pid); then
        printf 'running: pid %s, 127.0.0.1:%s, data %s\n' "$pid" "$(alurd_pg_running_port)" "$ALURD_PG_DATA"
        return 0
    fi
    printf 'stopped: data %s\n' "$ALURD_PG_DATA"
    return 3
}
