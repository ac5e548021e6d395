#!/usr/bin/env bash
# deploy/test.sh: the second command. Installs missing Debian packages, starts
# the development PostgreSQL cluster, then builds and runs the whole test suite
# twice: in build/ (RelWithDebInfo) and in build-asan/ (AddressSanitizer and
# UndefinedBehaviorSanitizer); then two shorter passes: build-tsan/
# (ThreadSanitizer, gcc) runs the tests labelled `tsan` (the suites that
# exercise the event thread, the worker pool, the timer, the token cache and
# the account snapshot), and build-fuzz/ (clang, so the project is also built
# warning-free by a second compiler, with libFuzzer, ASan and UBSan) runs the
# `unit` and `fuzz` labels (every libFuzzer harness for ALURD_FUZZ_SECONDS,
# default 10). Arguments go to every pass's ctest, e.g. `deploy/test.sh -R core`.
# ALURD_TEST_ASAN=0, ALURD_TEST_TSAN=0 and ALURD_TEST_FUZZ=0 skip those passes.
#
# What the tests get in their environment:
#   ALURD_TEST_ADMIN_URL  role alurd on database postgres (alurd may create databases)
#   ALURD_TEST_TEMPLATE   a migrated database to copy, one per build:
#                         alurd_test_template_build, alurd_test_template_build_asan
#   ALURD_TEST_PGCTL      deploy/pg.sh, to stop and start the cluster
# Exits non-zero when any pass fails.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

SECONDS=0
alurd_install_packages
alurd_pg_start

ALURD_TEST_ADMIN_URL=$(alurd_pg_admin_url)
ALURD_TEST_PGCTL="$ROOT/deploy/pg.sh"
export ALURD_TEST_ADMIN_URL ALURD_TEST_PGCTL

# Node packages of the contract tests and of the console's browser test
# (puppeteer-core drives Debian's chromium: no browser is downloaded), from
# their committed lock files.
export PUPPETEER_SKIP_DOWNLOAD=1
for pkg in "$ROOT/tests/contract" "$ROOT/tests/console"; do
    [ -f "$pkg/package.json" ] || continue
    rel=${pkg#"$ROOT/"}
    command -v npm >/dev/null 2>&1 || alurd_die "$rel needs npm, which is not on PATH"
    if [ ! -d "$pkg/node_modules" ] ||
        [ "$pkg/package-lock.json" -nt "$pkg/node_modules/.package-lock.json" ]; then
        if [ -f "$pkg/package-lock.json" ]; then
            alurd_log "installing $rel node packages (npm ci)"
            (cd "$pkg" && npm ci --no-audit --no-fund)
        else
            alurd_warn "$rel has no package-lock.json; using npm install (commit the lock file)"
            (cd "$pkg" && npm install --no-audit --no-fund)
        fi
    fi
done

# Drops and recreates the template database NAME and migrates it with BIN.
make_template() {
    local bin=$1 name=$2
    alurd_log "preparing template database $name"
    PGOPTIONS='-c client_min_messages=warning' alurd_psql -q -d "$ALURD_TEST_ADMIN_URL" \
        -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
        -c "CREATE DATABASE $name OWNER $ALURD_PG_ROLE" || return 1
    ALURD_DATABASE_URL="postgresql://$ALURD_PG_ROLE@127.0.0.1:$ALURD_PG_PORT/$name" \
        "$bin" migrate || return 1
}

# run_pass DIR [cmake arguments...] -- [ctest arguments...]
# Builds DIR, prepares its template and runs ctest; the result goes to
# summaries[] and failed. CTEST_WRAP (an array, normally empty) is put in
# front of ctest, for the ThreadSanitizer pass's ASLR work-around.
summaries=()
figures=()
failed=0
CTEST_WRAP=()
run_pass() {
    local dir=$1 name cmake_args=() rc=0 log summary
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        cmake_args+=("$1")
        shift
    done
    if [ $# -gt 0 ]; then shift; fi
    name=$(basename "$dir")
    log="$dir/ctest.log"

    alurd_log "pass $name"
    if ! alurd_build "$dir" "${cmake_args[@]}"; then
        summaries+=("$name: FAILED to build")
        failed=1
        return 0
    fi
    # The tests stop and start the cluster; a pass that failed half-way may have
    # left it stopped.
    if ! alurd_pg_start; then
        summaries+=("$name: FAILED, the PostgreSQL cluster would not start")
        failed=1
        return 0
    fi
    rm -f "$dir/drill-figures.txt" # the fault drills append their figures here
    ALURD_TEST_TEMPLATE="alurd_test_template_${name//-/_}"
    export ALURD_TEST_TEMPLATE
    if ! make_template "$dir/alurd" "$ALURD_TEST_TEMPLATE"; then
        summaries+=("$name: FAILED to prepare $ALURD_TEST_TEMPLATE")
        failed=1
        return 0
    fi
    "${CTEST_WRAP[@]}" ctest --test-dir "$dir" --output-on-failure -j2 "$@" 2>&1 | tee "$log" || rc=$?
    summary=$(grep -E 'tests passed|No tests were found' "$log" | tail -n 1 || true)
    if [ -s "$dir/drill-figures.txt" ]; then
        figures+=("$name:")
        mapfile -t -O "${#figures[@]}" figures <"$dir/drill-figures.txt"
    fi
    if [ "$rc" -eq 0 ]; then
        summaries+=("$name: ok, ${summary:-no ctest summary}")
    else
        summaries+=("$name: FAILED (ctest status $rc), ${summary:-no ctest summary}")
        failed=1
    fi
}

run_pass "$ROOT/build" -- "$@"

if [ "${ALURD_TEST_ASAN:-1}" != 0 ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    run_pass "$ROOT/build-asan" -DALURD_SANITIZE=ON -- "$@"
else
    summaries+=("build-asan: skipped (ALURD_TEST_ASAN=0)")
fi

# ThreadSanitizer maps its shadow memory at fixed addresses. On kernels that
# randomise mmap with more bits than it expects (vm.mmap_rnd_bits above 28,
# e.g. 32 on recent distribution kernels) a TSan binary dies at start with
# "FATAL: ThreadSanitizer: unexpected memory mapping". tsan_aslr_wrap probes
# one instrumented binary and, when it fails that way, runs the pass under
# `setarch -R` (no address randomisation for ctest and everything it starts)
# instead of changing the machine's sysctl.
tsan_aslr_wrap() {
    local probe=$1 out
    CTEST_WRAP=()
    if out=$("$probe" --version 2>&1); then
        return 0
    fi
    if printf '%s' "$out" | grep -q 'unexpected memory mapping\|ThreadSanitizer'; then
        if setarch "$(uname -m)" -R "$probe" --version >/dev/null 2>&1; then
            alurd_warn "ThreadSanitizer cannot run with this kernel's ASLR (vm.mmap_rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo '?')); running the tsan pass under setarch -R"
            CTEST_WRAP=(setarch "$(uname -m)" -R)
            return 0
        fi
    fi
    alurd_warn "the ThreadSanitizer probe failed: $out"
    return 1
}

if [ "${ALURD_TEST_TSAN:-1}" != 0 ]; then
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=$ROOT/tests/tsan.supp}"
    if alurd_build "$ROOT/build-tsan" -DALURD_TSAN=ON && tsan_aslr_wrap "$ROOT/build-tsan/alurd"; then
        run_pass "$ROOT/build-tsan" -DALURD_TSAN=ON -- -L tsan "$@"
    else
        summaries+=("build-tsan: FAILED to build or to start a ThreadSanitizer binary")
        failed=1
    fi
    CTEST_WRAP=()
else
    summaries+=("build-tsan: skipped (ALURD_TEST_TSAN=0)")
fi

if [ "${ALURD_TEST_FUZZ:-1}" != 0 ]; then
    command -v clang >/dev/null 2>&1 || alurd_die "the clang pass needs clang (deploy/packages.txt)"
    run_pass "$ROOT/build-fuzz" -DCMAKE_C_COMPILER=clang -DALURD_FUZZ=ON -- -L 'unit|fuzz' "$@"
else
    summaries+=("build-fuzz: skipped (ALURD_TEST_FUZZ=0)")
fi

echo
if [ "${#figures[@]}" -gt 0 ]; then
    echo "fault drill figures:"
    for s in "${figures[@]}"; do
        echo "  $s"
    done
fi
for s in "${summaries[@]}"; do
    echo "  $s"
done
elapsed=$(printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60)))
if [ "$failed" -eq 0 ]; then
    echo "all test passes succeeded in $elapsed"
else
    echo "some test passes FAILED (total time $elapsed)"
fi
exit "$failed"
