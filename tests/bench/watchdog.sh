# shellcheck shell=bash
# tests/bench/watchdog.sh — sourced by the bench scripts: bench_watchdog LIMIT
# starts a watchdog that sends TERM to the script after LIMIT seconds, so a
# run never outlives its bound; its pid is in WATCHDOG (the script's cleanup
# kills it). It holds no descriptor of the script's, and takes its sleep
# with it when stopped.
bench_watchdog() {
	(
		exec </dev/null >/dev/null 2>&1
		sleep "$1" &
		nap=$!
		trap 'kill $nap; exit 0' TERM
		wait $nap && kill -TERM $$
	) &
	WATCHDOG=$!
}
