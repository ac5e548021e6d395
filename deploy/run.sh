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

# A development signing key, made once and kept in var/ (not in git).
if [ -z "${ALURD_JWT_SECRET:-}" ]; then
    secret_file="$ROOT/var/jwt-secret"
    if [ ! -s "$secret_file" ]; then
        mkdir -p "$ROOT/var"
        (
            umask 077
            head -c 48 /dev/urandom | base64 -w 0 >"$secret_file.tmp"
            mv -f "$secret_file.tmp" "$secret_file"
        )
    fi
    chmod 600 "$secret_file"
    ALURD_JWT_SECRET=$(cat "$secret_file")
fi
export ALURD_JWT_SECRET

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
