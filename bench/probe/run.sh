#!/usr/bin/env bash
# Probe benchmark: Vedette's health checker vs blackbox_exporter, in one run,
# on loopback.
#
# One local target (bench/probe/probebench target: HTTP 200 "ok" and a TCP
# port that accepts and closes) is probed, one fresh connection per probe, by
#   - Vedette's checker: bench/probe/vedetteprobe, the real checker.Checker
#     with the real probe.EndpointProber, RATE × INTERVAL checks of one type
#     with RequestInterval INTERVAL, i.e. about RATE probes/s;
#   - blackbox_exporter (Debian's prometheus-blackbox-exporter), modules
#     http_2xx and tcp_connect, driven through /probe at RATE requests/s by
#     probebench blackbox, a separate process.
# Each run warms up for WARMUP s, then measures for DURATION s the prober
# process's CPU time (utime+stime, all threads) and the probes it completed:
# CPU µs per probe. Runs are interleaved over ROUNDS rounds; the table shows
# medians and the ratios vedette/blackbox (goal: at most 1/3).
#
# Then the scale run: vedetteprobe -scale registers SCALE_CHECKS checks
# (SCALE_MIX: type:interval:fraction, mostly TCP every 30 s) spread over
# SCALE_ADDRS loopback addresses 127.0.0.1… of the same target, runs them for
# SCALE_DURATION s and reports memory per check, probes/s, schedule lag and
# failures (goals: < 1 GiB for 100,000 checks, lag p99 < 100 ms).
#
# Usage: bench/probe/run.sh            (from anywhere in the repository)
#
# Environment (defaults in brackets):
#   RATE            probes per second of the fixed-rate runs [1000]
#   INTERVAL        RequestInterval of Vedette's checks, seconds [1]
#   DURATION        seconds measured per run [10]
#   WARMUP          seconds of unmeasured load before each measurement [2]
#   ROUNDS          rounds of the four runs; the table shows medians [3]
#   CONCURRENCY     Vedette's checker concurrency [256, the server's default]
#   BB_CONCURRENCY  requests in flight at most from the blackbox driver [64]
#   SCALE           0: skip the scale run [1]
#   SCALE_CHECKS    registered checks of the scale run [100000]
#   SCALE_MIX       the scale run's mix [tcp:30:0.8,http:30:0.15,http:10:0.05]
#   SCALE_ADDRS     loopback addresses the scale targets spread over [8]
#   SCALE_DURATION  seconds of the scale run [60]; its first 10 s (warmup)
#                   are not counted in its probes/s, CPU and window lag
#   SCALE_DEAD      a fraction, e.g. 0.005: afterwards, a second scale run in
#                   which that fraction of the checks (interval 30 s, taken
#                   from the first class of the mix) probe a dead endpoint,
#                   a loopback port where connects hang until the 10 s TCP
#                   timeout; 0: none [0]
#   QUIET           wait (up to QUIET_WAIT s at the start, 10 s before each
#                   round) until other processes use less than this percent
#                   of one CPU; 0: never wait [50]
#   QUIET_WAIT      [30]
#   PROFILE         1: afterwards, CPU profiles of Vedette (one HTTP and one
#                   TCP run, and the scale run) go into the results [0]
#   RESULTS_DIR     where the results file goes [<repo>/bench/results]
#   KEEP            1: keep the temporary work directory [0]
#
# The target resets (SO_LINGER 0) each connection its client has closed, so
# that fresh connections at thousands per second do not leave the machine's
# ephemeral ports in TIME_WAIT, where other programs' bind(127.0.0.1:0)
# would fail; this changes the probers' CPU per probe by less than the noise.
#
# Everything listens on and connects to loopback addresses only (the Go
# programs refuse any other target and check the probes' source addresses).
# Every process the script starts stops by itself after a bounded time, and
# is stopped on exit, also on failure or Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

RATE=${RATE:-1000}
INTERVAL=${INTERVAL:-1}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-3}
CONCURRENCY=${CONCURRENCY:-256}
BB_CONCURRENCY=${BB_CONCURRENCY:-64}
SCALE=${SCALE:-1}
SCALE_CHECKS=${SCALE_CHECKS:-100000}
SCALE_MIX=${SCALE_MIX:-tcp:30:0.8,http:30:0.15,http:10:0.05}
SCALE_ADDRS=${SCALE_ADDRS:-8}
SCALE_DURATION=${SCALE_DURATION:-60}
SCALE_DEAD=${SCALE_DEAD:-0}
QUIET=${QUIET:-50}
QUIET_WAIT=${QUIET_WAIT:-30}
PROFILE=${PROFILE:-0}
RESULTS_DIR=${RESULTS_DIR:-$root/bench/results}
KEEP=${KEEP:-0}
stamp=$(date -u +%Y%m%d-%H%M%S)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

[ "$SCALE_ADDRS" -ge 1 ] && [ "$SCALE_ADDRS" -le 254 ] || die "SCALE_ADDRS must be in 1..254"
[ "$SCALE_DURATION" -gt 10 ] || die "SCALE_DURATION must be more than 10"

# --- tools ------------------------------------------------------------------

PATH=$PATH:/usr/sbin:/usr/bin
if ! command -v prometheus-blackbox-exporter >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	log "installing prometheus-blackbox-exporter"
	$sudo apt-get update -qq
	# Debian's package enables a system service on port 9115; the benchmark
	# starts its own exporter on another port and does not touch that one.
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq prometheus-blackbox-exporter >/dev/null
fi
bb_bin=$(command -v prometheus-blackbox-exporter)

# --- processes and cleanup --------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/vedette-probebench.XXXXXX")
started=() # pids of the long-lived processes this script started

alive() { # a pid that exists and is not a zombie
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}

cleanup() {
	local rc=$? pid deadline
	set +e
	trap - EXIT INT TERM
	for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	deadline=$((SECONDS + 10))
	for pid in "${started[@]}"; do
		while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
		alive "$pid" && { log "killing $pid"; kill -KILL "$pid" 2>/dev/null; }
		wait "$pid" 2>/dev/null
	done
	if [ "$KEEP" = 1 ] || { [ $rc -ne 0 ] && [ $rc -ne 130 ] && [ $rc -ne 143 ]; }; then
		log "work directory kept: $work"
	else
		rm -rf "$work"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The longest the whole run can take; the background processes stop by
# themselves after it even if this script is killed without its trap.
dead_runs=0
[ "$SCALE_DEAD" = 0 ] || dead_runs=1
budget=$((120 + QUIET_WAIT + ROUNDS * (10 + 4 * (WARMUP + DURATION + 20)) + (SCALE + dead_runs) * (SCALE_DURATION + 180) + PROFILE * 120))

# --- build ------------------------------------------------------------------

hz=$(getconf CLK_TCK)
mkdir -p "$work/bin" "$RESULTS_DIR"
log "building vedetteprobe and probebench"
go build -o "$work/bin/vedetteprobe" ./bench/probe/vedetteprobe
go build -o "$work/bin/probebench" ./bench/probe/probebench
pb=$work/bin/probebench
vp=$work/bin/vedetteprobe

out=$RESULTS_DIR/probe-$stamp.txt
raw=$work/results.txt
: > "$raw"
exec > >(tee "$out") # everything printed on stdout also goes to the results file

# --- machine ----------------------------------------------------------------

echo "# Probe benchmark: Vedette vs blackbox_exporter, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "command:   bench/probe/run.sh  (RATE=$RATE INTERVAL=$INTERVAL DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS CONCURRENCY=$CONCURRENCY BB_CONCURRENCY=$BB_CONCURRENCY SCALE=$SCALE SCALE_CHECKS=$SCALE_CHECKS SCALE_MIX=$SCALE_MIX SCALE_ADDRS=$SCALE_ADDRS SCALE_DURATION=$SCALE_DURATION)"
echo "commit:    $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- internal cmd 2>/dev/null || echo ' (internal/ or cmd/ modified)')"
echo "machine:   $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
echo "software:  $(go version | cut -d' ' -f3-), $("$bb_bin" --version 2>&1 | head -1)"
echo "sysctl:    ip_local_port_range=$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' '-') tcp_tw_reuse=$(sysctl -n net.ipv4.tcp_tw_reuse) tcp_max_tw_buckets=$(sysctl -n net.ipv4.tcp_max_tw_buckets) somaxconn=$(sysctl -n net.core.somaxconn)"
[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" != 0 ] ||
	log "warning: net.ipv4.tcp_tw_reuse is 0: fresh connections at $RATE/s may run out of source ports"

# --- target and exporter ------------------------------------------------------

addrs=127.0.0.1
for i in $(seq 2 "$SCALE_ADDRS"); do addrs+=",127.0.0.$i"; done
"$pb" target -addrs "$addrs" -out "$work/target.ports" -lifetime "${budget}s" 2> "$work/target.log" &
target_pid=$!
started+=("$target_pid")
for _ in $(seq 100); do [ -s "$work/target.ports" ] && break; sleep 0.1; done
[ -s "$work/target.ports" ] || die "the target did not start: $(cat "$work/target.log")"
read -r hp tp dp < "$work/target.ports"
http_port=${hp#http_port=}
tcp_port=${tp#tcp_port=}
dead_port=${dp#dead_port=}
log "target (pid $target_pid): HTTP 127.0.0.1:$http_port, TCP 127.0.0.1:$tcp_port (and on 127.0.0.2..$SCALE_ADDRS)"

cat > "$work/blackbox.yml" <<-EOF
	modules:
	  http_2xx:
	    prober: http
	    timeout: 5s
	    http:
	      preferred_ip_protocol: ip4
	      ip_protocol_fallback: false
	  tcp_connect:
	    prober: tcp
	    timeout: 5s
	    tcp:
	      preferred_ip_protocol: ip4
	      ip_protocol_fallback: false
EOF
bb_port=$("$pb" freeport)
# Under timeout(1), so that it stops by itself; its pid is timeout's child.
timeout -s TERM "$budget" "$bb_bin" --config.file="$work/blackbox.yml" \
	--web.listen-address="127.0.0.1:$bb_port" > "$work/blackbox.log" 2>&1 &
started+=("$!")
bb_pid=""
for _ in $(seq 50); do
	bb_pid=$(ps -o pid= --ppid "$!" | tr -d ' ' | head -1)
	[ -n "$bb_pid" ] && break
	sleep 0.1
done
[ -n "$bb_pid" ] || die "blackbox_exporter did not start: $(cat "$work/blackbox.log")"
"$pb" wait -url "http://127.0.0.1:$bb_port/-/healthy" -timeout 15s ||
	die "blackbox_exporter is not healthy: $(cat "$work/blackbox.log")"
log "blackbox_exporter (pid $bb_pid) on 127.0.0.1:$bb_port"

# --- fixed-rate runs ----------------------------------------------------------

quiet() { # max-wait-seconds
	if [ "$QUIET" = 0 ]; then
		"$pb" load -hz "$hz"
	else
		"$pb" load -hz "$hz" -below "$QUIET" -max-wait "${1}s"
	fi
}

run_limit=$((WARMUP + DURATION + 60))
vedette_run() { # proto round [extra flags…]
	local proto=$1 round=$2 port
	shift 2
	port=$http_port
	[ "$proto" = tcp ] && port=$tcp_port
	timeout -s KILL "$run_limit" "$vp" -type "$proto" -target "127.0.0.1:$port" -rate "$RATE" -interval "$INTERVAL" \
		-concurrency "$CONCURRENCY" -warmup "${WARMUP}s" -duration "${DURATION}s" \
		-target-pid "$target_pid" -hz "$hz" -label "round $round" "$@"
}
blackbox_run() { # proto round
	local proto=$1 round=$2 module target
	if [ "$proto" = tcp ]; then
		module=tcp_connect target=127.0.0.1:$tcp_port
	else
		module=http_2xx target=http://127.0.0.1:$http_port/
	fi
	timeout -s KILL "$run_limit" "$pb" blackbox -exporter "127.0.0.1:$bb_port" -module "$module" -target "$target" \
		-proto "$proto" -rate "$RATE" -concurrency "$BB_CONCURRENCY" -warmup "${WARMUP}s" -duration "${DURATION}s" \
		-pid "$bb_pid" -target-pid "$target_pid" -hz "$hz" -label "round $round"
}
summary() { # a RESULT line -> a short log line
	sed -E 's/.*tool=([a-z]+) proto=([a-z]+).* probes=([0-9]+) ok=([0-9]+) rate=([0-9.]+) cpu_us_per_probe=([0-9.]+).*other_pct=([-0-9.]+).*/\1 \2: \5 probes\/s, \4\/\3 ok, \6 µs CPU per probe (other processes: \7% of a CPU)/'
}

echo "load:      at start $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "quiet:     $(quiet "$QUIET_WAIT")"
echo
echo "## Fixed rate: $RATE probes/s, one fresh connection each, ${DURATION} s measured after ${WARMUP} s, $ROUNDS rounds"
for round in $(seq "$ROUNDS"); do
	[ "$round" = 1 ] || log "round $round: $(quiet 10)"
	# Alternate who goes first, so that a drift in the machine's load does
	# not always favour the same side.
	if [ $((round % 2)) = 1 ]; then order="vedette blackbox"; else order="blackbox vedette"; fi
	for proto in http tcp; do
		for tool in $order; do
			line=$("${tool}_run" "$proto" "$round" | grep '^RESULT ') || die "$tool $proto run failed"
			echo "$line" >> "$raw"
			log "round $round: $(summary <<< "$line")"
		done
	done
done
echo
"$pb" report -in "$raw"
echo
echo "Per run (CPU in seconds over the window; other_pct: CPU used by other processes, % of one CPU):"
cat "$raw"

# --- profiles -----------------------------------------------------------------

if [ "$PROFILE" = 1 ]; then
	for proto in http tcp; do
		log "profiling Vedette, $proto"
		vedette_run "$proto" profile -cpuprofile "$work/vedette-$proto.prof" > /dev/null
		echo
		echo "## CPU profile of vedetteprobe, $proto at $RATE probes/s (go tool pprof -top)"
		go tool pprof -top -nodecount=30 "$vp" "$work/vedette-$proto.prof" 2>/dev/null | sed -n '4,40p'
	done
fi

# --- scale run ----------------------------------------------------------------

tcps="" https=""
for i in $(seq "$SCALE_ADDRS"); do
	tcps+="${tcps:+,}127.0.0.$i:$tcp_port"
	https+="${https:+,}127.0.0.$i:$http_port"
done
scale_run() { # name mix [extra flags…]
	local name=$1 mix=$2
	shift 2
	echo
	echo "## Scale$name: $SCALE_CHECKS checks, mix $mix, over $SCALE_ADDRS loopback addresses, $SCALE_DURATION s"
	log "scale run$name: $(quiet 10)"
	echo "load:      before $(cut -d' ' -f1-3 /proc/loadavg)"
	timeout -s KILL $((SCALE_DURATION + 120)) "$vp" -scale -checks "$SCALE_CHECKS" -mix "$mix" \
		-tcp-targets "$tcps" -http-targets "$https" -dead-targets "127.0.0.1:$dead_port" -concurrency "$CONCURRENCY" \
		-warmup 10s -duration "$((SCALE_DURATION - 10))s" -target-pid "$target_pid" -hz "$hz" -timeline "$@" \
		2> "$work/timeline.txt" || die "the scale run$name failed: $(tail -3 "$work/timeline.txt")"
	echo
	echo "Timeline, one line per second: probes started, how many more than 10 and 100 ms late, lag p99 over the"
	echo "last 8192 probes, probes in flight, longest connect and first byte, GC, CPU of vedetteprobe, target, others:"
	sed 's/p99(last 8192)/p99/' "$work/timeline.txt"
}
if [ "$SCALE" = 1 ]; then
	prof=()
	[ "$PROFILE" = 1 ] && prof=(-cpuprofile "$work/vedette-scale.prof")
	scale_run "" "$SCALE_MIX" "${prof[@]}"
	if [ "$PROFILE" = 1 ]; then
		echo
		echo "## CPU profile of vedetteprobe, scale run (go tool pprof -top)"
		go tool pprof -top -nodecount=30 "$vp" "$work/vedette-scale.prof" 2>/dev/null | sed -n '4,40p'
	fi
fi
if [ "$SCALE_DEAD" != 0 ]; then
	# The dead checks are taken from the first class of the mix.
	first=${SCALE_MIX%%,*}
	rest=${SCALE_MIX#"$first"}
	frac=$(awk -v f="${first##*:}" -v d="$SCALE_DEAD" 'BEGIN { printf "%g", f - d }')
	scale_run " with dead endpoints" "${first%:*}:$frac$rest,dead:30:$SCALE_DEAD"
fi

echo
echo "load:      at end $(cut -d' ' -f1-3 /proc/loadavg)"
log "results: $out"
