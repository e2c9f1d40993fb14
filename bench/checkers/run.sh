#!/usr/bin/env bash
# Remote-checkers benchmark: one `vedette serve --checker=false` and three
# `vedette checker` processes (regions a, b, c; --source-ip 127.0.0.11–13)
# carry CHECKS TCP health checks with RequestInterval INTERVAL; measured:
# observation lag (server applied − probe finished), observations/s per
# checker, CPU and RSS of the server and of each checker.
#
# bench/checkers/lagbench does the work: TCP targets that reset (SO_LINGER
# 0, so no TIME_WAIT build-up) each connection once its client has closed
# it, on ADDRS loopback addresses 127.0.0.21…; the server; the checks (the first 200 through the
# Route 53 API with aws-sdk-go-v2, the API's limit; the rest copies of an
# API-made check written into the stopped server's store, then the server
# restarts); a reverse proxy between the checkers and the server that
# forwards every request unchanged and, when the server answers a POST of
# observations with a 2xx, records now − Time for each observation in it;
# the three checkers; WARMUP s unmeasured (every check's random first delay
# is below its interval), then DURATION s measured.
#
# Usage: bench/checkers/run.sh          (from anywhere in the repository)
#
# Environment (defaults in brackets):
#   CHECKS    health checks [10000]
#   INTERVAL  RequestInterval, 10 or 30 [30]
#   WARMUP    seconds before the window [40]
#   DURATION  seconds measured [90]
#   ADDRS     target addresses [4]
#   RESULTS_DIR  where the results file goes [<repo>/bench/results]
#   KEEP      1: keep the work directory (logs, data) [0]
#
# Loopback only; every process stops on exit, also on failure or Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

CHECKS=${CHECKS:-10000}
INTERVAL=${INTERVAL:-30}
WARMUP=${WARMUP:-40}
DURATION=${DURATION:-90}
ADDRS=${ADDRS:-4}
RESULTS_DIR=${RESULTS_DIR:-$root/bench/results}
KEEP=${KEEP:-0}

work=$(mktemp -d "${TMPDIR:-/tmp}/vedette-checkers.XXXXXX")
pid=
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	if [[ $KEEP == 1 ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building…" >&2
go build -o "$work/vedette" ./cmd/vedette
go build -o "$work/lagbench" ./bench/checkers/lagbench

mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/checkers-$(date -u +%Y%m%d-%H%M%S).txt"
{
	echo "# bench/checkers/run.sh  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# CHECKS=$CHECKS INTERVAL=$INTERVAL WARMUP=$WARMUP DURATION=$DURATION ADDRS=$ADDRS"
	echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
	echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(go version | cut -d' ' -f3)"
	echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"

"$work/lagbench" -vedette "$work/vedette" -dir "$work" -checks "$CHECKS" -interval "$INTERVAL" \
	-warmup "${WARMUP}s" -duration "${DURATION}s" -addrs "$ADDRS" > "$work/report.txt" 2> "$work/lagbench.log" &
pid=$!
rc=0
wait "$pid" || rc=$?
pid=
if [[ $rc != 0 ]]; then
	cat "$work/lagbench.log" >&2
	echo "lagbench failed ($rc); logs in $work" >&2
	KEEP=1
	exit "$rc"
fi
cat "$work/report.txt" | tee -a "$out"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
echo "results: $out" >&2
