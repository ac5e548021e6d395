#!/usr/bin/env bash
# tests/fuzz/run_long.sh: runs every libFuzzer harness for a long time, one
# after the other in rounds, niced, keeping the working corpus between runs
# (build-fuzz/fuzz-corpus/<name>, grown from the committed seeds in
# tests/fuzz/corpus/<name>). A crash, leak, sanitizer report or broken
# invariant stops that harness's round and leaves the input in
# build-fuzz/fuzz-artifacts/<name>-crash-...; the script goes on with the
# others and exits non-zero at the end when anything was found.
#
#   tests/fuzz/run_long.sh [HOURS [HARNESS...]]   (default: 4 hours, all)
#   ALURD_FUZZ_JOBS=2 tests/fuzz/run_long.sh 8    (two harnesses at a time)
#
# Builds build-fuzz/ first (clang, -DALURD_FUZZ=ON) when it is missing. Needs
# no database. Prints, per harness, the seconds run, executions and corpus
# size, and a total.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILD=${ALURD_FUZZ_BUILD:-$ROOT/build-fuzz}
HOURS=${1:-4}
shift || true
JOBS=${ALURD_FUZZ_JOBS:-1}
ROUND=${ALURD_FUZZ_ROUND:-600} # seconds per harness per round

harnesses=("$@")
if [ "${#harnesses[@]}" -eq 0 ]; then
    harnesses=(json_input router jwt tz duration officehours numfmt docsniff config)
fi

if [ ! -x "$BUILD/tests/fuzz/fuzz_${harnesses[0]}" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALURD_FUZZ=ON
    nice cmake --build "$BUILD" -j"$(nproc)"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$BUILD/fuzz-artifacts" "$BUILD/fuzz-logs"

deadline=$((SECONDS + $(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 }')))
declare -A ran=() found=()
for h in "${harnesses[@]}"; do ran[$h]=0; found[$h]=0; done

run_one() {
    local h=$1 secs=$2 log
    log="$BUILD/fuzz-logs/$h.log"
    mkdir -p "$BUILD/fuzz-corpus/$h"
    nice -n 15 "$BUILD/tests/fuzz/fuzz_$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$BUILD/fuzz-artifacts/$h-" \
        "$BUILD/fuzz-corpus/$h" "$ROOT/tests/fuzz/corpus/$h" >>"$log" 2>&1
}

while [ "$SECONDS" -lt "$deadline" ]; do
    i=0
    pids=() names=()
    for h in "${harnesses[@]}"; do
        left=$((deadline - SECONDS))
        [ "$left" -gt 0 ] || break
        secs=$((left < ROUND ? left : ROUND))
        run_one "$h" "$secs" &
        pids+=($!) names+=("$h")
        ran[$h]=$((ran[$h] + secs))
        i=$((i + 1))
        if [ "$i" -ge "$JOBS" ]; then
            for k in "${!pids[@]}"; do
                wait "${pids[$k]}" || found[${names[$k]}]=1
            done
            pids=() names=() i=0
        fi
    done
    for k in "${!pids[@]}"; do
        wait "${pids[$k]}" || found[${names[$k]}]=1
    done
done

status=0 total=0
for h in "${harnesses[@]}"; do
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/fuzz-logs/$h.log" 2>/dev/null |
        awk '{ s += $2 } END { print s + 0 }')
    corpus=$(find "$BUILD/fuzz-corpus/$h" -type f | wc -l)
    printf '%-12s %7ss %12s execs %6s corpus files %s\n' "$h" "${ran[$h]}" "$execs" "$corpus" \
        "$([ "${found[$h]}" -eq 0 ] && echo ok || echo "FOUND SOMETHING: see $BUILD/fuzz-logs/$h.log")"
    total=$((total + ran[$h]))
    [ "${found[$h]}" -eq 0 ] || status=1
done
echo "total fuzzing time: ${total}s"
exit "$status"
