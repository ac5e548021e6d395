#!/usr/bin/env bash
# deploy/pg.sh: manage this checkout's development PostgreSQL cluster.
#
#   deploy/pg.sh start      create the cluster if needed, start it, wait until it
#                           accepts connections, ensure role and database alurd
#   deploy/pg.sh stop       stop it (fast shutdown); no-op when stopped
#   deploy/pg.sh restart    stop, then start
#   deploy/pg.sh status     print the state; exit 0 running, 3 stopped
#   deploy/pg.sh url        print the daemon's database URL
#   deploy/pg.sh admin-url  the same role, database postgres (to create databases)
#   deploy/pg.sh psql [ARGS...]  psql on the alurd database
#   deploy/pg.sh destroy    stop and delete the data directory
#   deploy/pg.sh freeze     stop (SIGSTOP) the server and its backends: a stalled
#                           database, for fault drills
#   deploy/pg.sh thaw       let them go on (SIGCONT)
#
# The port is ALURD_PG_PORT (default 55432). See deploy/README.md for where the
# data lives.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    sed -n '4,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
    start) alurd_pg_start ;;
    stop) alurd_pg_stop ;;
    restart) alurd_pg_stop && alurd_pg_start ;;
    status) alurd_pg_status ;;
    url) alurd_pg_url ;;
    admin-url) alurd_pg_admin_url ;;
    psql) exec "$(alurd_pg_bindir)/psql" -X "$(alurd_pg_url)" "$@" ;;
    destroy) alurd_pg_destroy ;;
    freeze) alurd_pg_signal_all STOP ;;
    thaw) alurd_pg_signal_all CONT ;;
    -h | --help | help) usage ;;
    *)
        echo "unknown command: $cmd" >&2
        usage
        ;;
esac
