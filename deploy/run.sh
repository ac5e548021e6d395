#!/usr/bin/env bash
# deploy/run.sh: the first command. Installs missing Debian packages, builds
# build/, starts the development PostgreSQL cluster (deploy/pg.sh), applies the
# migrations, seeds demo accounts when the binary offers seed-demo, and runs the
# daemon in the foreground on http://127.0.0.1:${ALURD_PORT:-8080}/.
#
# Every ALURD_* variable already set in the environment wins over the defaults
# below; with ALURD_DATABASE_URL set, the local cluster is not started at all.
# Safe to run again: each step is a no-op or idempotent.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

alurd_install_packages
alurd_build "$ROOT/build"
bin="$ROOT/build/alurd"
[ -x "$bin" ] || alurd_die "the build did not produce $bin"

if [ -z "${ALURD_DATABASE_URL:-}" ]; then
    alurd_pg_start
    ALURD_DATABASE_URL=$(alurd_pg_url)
fi
export ALURD_DATABASE_URL

# Development keys, each made once and kept in var/ (not in git), for what
# the environment does not set: VAR FILE BYTES.
dev_key() {
    local var=$1 file="$ROOT/var/$2" bytes=$3
    [ -z "${!var:-}" ] || return 0
    if [ ! -s "$file" ]; then
        mkdir -p "$ROOT/var"
        (
            umask 077
            head -c "$bytes" /dev/urandom | base64 -w 0 >"$file.tmp"
            mv -f "$file.tmp" "$file"
        )
    fi
    chmod 600 "$file"
    printf -v "$var" '%s' "$(cat "$file")"
    export "${var?}"
}
dev_key ALURD_JWT_SECRET jwt-secret 48  # signs the demo's tokens
dev_key ALURD_SECRET_KEY secret-key 32  # seals webhook secrets at rest

export ALURD_LISTEN="${ALURD_LISTEN:-127.0.0.1:${ALURD_PORT:-8080}}"

alurd_log "applying migrations"
"$bin" migrate

help=$("$bin" --help 2>&1 || true)
if grep -qw -- seed-demo <<<"$help"; then
    alurd_log "seeding demo data"
    rc=0
    "$bin" seed-demo || rc=$?
    [ "$rc" -eq 0 ] || alurd_warn "seed-demo exited with status $rc; continuing without demo data"
else
    alurd_log "this build has no seed-demo command; no demo accounts were created"
fi

host=${ALURD_LISTEN%:*}
port=${ALURD_LISTEN##*:}
case $host in '' | 0.0.0.0 | '[::]' | '*') host=127.0.0.1 ;; esac
alurd_log "alurd is starting on http://$host:$port/ (Ctrl-C stops it)"
exec "$bin" serve
