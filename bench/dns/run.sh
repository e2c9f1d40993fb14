#!/usr/bin/env bash
# DNS benchmark: Vedette vs Knot DNS vs NSD, in one run, on loopback.
#
# Serves the same generated zone (bench.example., ~1300 records) from all three
# servers, drives each with dnsperf at a fixed rate (default 20k qps) and
# uncapped, measures the server's CPU time (utime+stime of its process tree
# from /proc) around each dnsperf run, and prints qps, server CPU µs per
# query, lost queries and the ratios Vedette/Knot and Vedette/NSD.
#
# Usage: bench/dns/run.sh            (from anywhere in the repository)
#
# Environment (defaults in brackets):
#   DURATION     seconds per measured dnsperf run [10]
#   WARMUP       seconds of unmeasured load before each server's runs [2]
#   ROUNDS       rounds; servers are interleaved per round, the table shows medians [5]
#   RATE         the fixed rate in qps [20000]
#   WORKERS      UDP workers: Knot udp-workers, NSD server-count, Vedette --dns-sockets [nproc]
#   CLIENTS      dnsperf -c (sockets, i.e. source ports) [8]
#   OUTSTANDING  dnsperf -q in the uncapped mode [100]
#   THREADS      dnsperf -T [1]
#   EDNS         1: dnsperf -e (queries carry an OPT record) [0]
#   HOSTS        number of host-N A records [1000]
#   QUERIES      lines in the dnsperf query file [100000]
#   SERVERS      which servers to measure ["vedette knot nsd"]
#   VEDETTE_BIN  measure this vedette binary instead of building ./cmd/vedette
#   RESULTS_DIR  where the results file goes [<repo>/bench/results]
#   KEEP         1: keep the temporary work directory (configs, logs) [0]
#   MAX_OTHER    a run during which other processes used more than this many
#                percent of a CPU is discarded and repeated (0: never) [25]
#   RETRIES      how often a disturbed run is repeated; the last try counts [2]
#   BUDGET       seconds of measuring after which disturbed runs are no longer
#                repeated nor quiet moments awaited, to bound the run time [900]
#   PROFILE      1: afterwards, profile Vedette with perf(1) during one more
#                fixed-rate run; the report goes into the results file [0]
#   GOMAXPROCS   passed through to Vedette (and only matters to it) [unset]
#
# Everything listens on 127.0.0.1 only. Every process the script starts is
# stopped on exit, also on failure or Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-5}
RATE=${RATE:-20000}
WORKERS=${WORKERS:-$(nproc)}
CLIENTS=${CLIENTS:-8}
OUTSTANDING=${OUTSTANDING:-100}
THREADS=${THREADS:-1}
EDNS=${EDNS:-0}
HOSTS=${HOSTS:-1000}
QUERIES=${QUERIES:-100000}
SERVERS=${SERVERS:-"vedette knot nsd"}
RESULTS_DIR=${RESULTS_DIR:-$root/bench/results}
KEEP=${KEEP:-0}
PROFILE=${PROFILE:-0}
MAX_OTHER=${MAX_OTHER:-25}
RETRIES=${RETRIES:-2}
BUDGET=${BUDGET:-900}
stamp=$(date -u +%Y%m%d-%H%M%S)
ORIGIN=bench.example.

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# --- tools ------------------------------------------------------------------

need=()
command -v knotd >/dev/null 2>&1 || [ -x /usr/sbin/knotd ] || need+=(knot)
command -v nsd >/dev/null 2>&1 || [ -x /usr/sbin/nsd ] || need+=(nsd)
command -v dnsperf >/dev/null 2>&1 || need+=(dnsperf)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
[ -x /usr/bin/aws ] || command -v aws >/dev/null 2>&1 || need+=(awscli)
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	log "installing: ${need[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian installs the daemons into /usr/sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/sbin
# The Debian package's AWS CLI v2 is preferred over whatever else is on PATH.
if [ -x /usr/bin/aws ]; then aws_bin=/usr/bin/aws; else aws_bin=$(command -v aws); fi
# Debian's Knot and NSD packages enable and start their system services; those
# listen on port 53 and do not disturb the benchmark ports.

# --- processes and cleanup --------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/vedette-dnsbench.XXXXXX")
started=() # pids of the servers this script started

descendants() { # pid -> pid and all its descendants, one per line
	local p
	echo "$1"
	for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$p"; done
}

alive() { # a pid that exists and is not a zombie
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}

cleanup() {
	local rc=$? pid all=() deadline
	set +e
	trap - EXIT INT TERM
	for pid in "${started[@]}"; do
		mapfile -t -O "${#all[@]}" all < <(descendants "$pid")
		kill -TERM "$pid" 2>/dev/null
	done
	deadline=$((SECONDS + 10))
	for pid in "${all[@]}"; do
		while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
	done
	for pid in "${all[@]}"; do
		alive "$pid" && { log "killing $pid"; kill -KILL "$pid" 2>/dev/null; }
	done
	for pid in "${started[@]}"; do wait "$pid" 2>/dev/null; done
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

# wait_until SECONDS DESCRIPTION COMMAND…: poll COMMAND until it succeeds.
wait_until() {
	local limit=$1 what=$2
	shift 2
	local deadline=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
	log "$what"
}

dig_short() { # port name type
	dig @127.0.0.1 -p "$1" +norec +time=1 +tries=1 +short "$2" "$3"
}

answers() { # port name type value: the server answers with value
	dig_short "$1" "$2" "$3" | grep -qxF -- "$4"
}

# --- build and generate -----------------------------------------------------

hz=$(getconf CLK_TCK)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "building dnsbench"
go build -o "$work/bin/dnsbench" ./bench/dns/dnsbench
if [[ " $SERVERS " == *" vedette "* ]]; then
	if [ -n "${VEDETTE_BIN:-}" ]; then
		cp "$VEDETTE_BIN" "$work/bin/vedette"
	else
		log "building vedette"
		go build -o "$work/bin/vedette" ./cmd/vedette ||
			die "vedette does not build; run with SERVERS=\"knot nsd\" to measure only the others"
	fi
fi
mkdir -p "$work/zones"
"$work/bin/dnsbench" gen -dir "$work/zones" -origin "$ORIGIN" -hosts "$HOSTS" -queries "$QUERIES" >&2
zonefile=$work/zones/${ORIGIN%.}.zone
read -r last_name last_type last_value < "$work/zones/last.txt"

read -r p_vdns p_vhttp p_knot p_nsd < <("$work/bin/dnsbench" freeport -n 4)
declare -A port pid
port[vedette]=$p_vdns
port[knot]=$p_knot
port[nsd]=$p_nsd

# --- servers ----------------------------------------------------------------

start_knot() {
	local d=$work/knot
	mkdir -p "$d/db"
	cat > "$d/knot.conf" <<-EOF
		server:
		    rundir: "$d"
		    pidfile: "$d/knot.pid"
		    listen: 127.0.0.1@${port[knot]}
		    udp-workers: $WORKERS
		    tcp-workers: 1
		    background-workers: 1
		    identity: ""
		    version: ""
		database:
		    storage: "$d/db"
		log:
		  - target: stderr
		    any: warning
		template:
		  - id: default
		    storage: "$work/zones"
		    file: "%s.zone"
		    zonefile-load: whole
		    zonefile-sync: -1
		    journal-content: none
		zone:
		  - domain: $ORIGIN
	EOF
	knotd -c "$d/knot.conf" > "$d/knotd.log" 2>&1 &
	pid[knot]=$!
	started+=("${pid[knot]}")
}

start_nsd() {
	local d=$work/nsd
	mkdir -p "$d"
	# No rate limiting; minimal responses (no additional section for MX, as
	# Route 53 answers); server-count processes with SO_REUSEPORT sockets.
	cat > "$d/nsd.conf" <<-EOF
		server:
		    ip-address: 127.0.0.1@${port[nsd]}
		    server-count: $WORKERS
		    reuseport: yes
		    username: ""
		    chroot: ""
		    zonesdir: "$work/zones"
		    pidfile: "$d/nsd.pid"
		    database: ""
		    zonelistfile: "$d/zone.list"
		    xfrdfile: "$d/xfrd.state"
		    xfrdir: "$d"
		    logfile: "$d/nsd.log"
		    rrl-ratelimit: 0
		    rrl-whitelist-ratelimit: 0
		    minimal-responses: yes
		    hide-version: yes
		    hide-identity: yes
		remote-control:
		    control-enable: no
		zone:
		    name: ${ORIGIN%.}
		    zonefile: "$(basename "$zonefile")"
	EOF
	nsd-checkzone "$ORIGIN" "$zonefile" >&2 || die "nsd-checkzone rejects the zone"
	# -d: stay in the foreground (NSD still forks its xfrd and server processes).
	nsd -d -c "$d/nsd.conf" > "$d/nsd.out" 2>&1 &
	pid[nsd]=$!
	started+=("${pid[nsd]}")
}

start_vedette() {
	local d=$work/vedette
	mkdir -p "$d"
	VEDETTE_ROOT_ACCESS_KEY_ID=AKIABENCH VEDETTE_ROOT_SECRET_ACCESS_KEY=benchsecret \
		"$work/bin/vedette" serve --data-dir "$d/data" \
		--dns-listen "127.0.0.1:${port[vedette]}" --http-listen "127.0.0.1:$p_vhttp" \
		--dns-sockets "$WORKERS" --log-level warn > "$d/vedette.log" 2>&1 &
	pid[vedette]=$!
	started+=("${pid[vedette]}")
}

healthy() { curl -fsS --max-time 1 "http://127.0.0.1:$p_vhttp/healthz"; }

aws_cli() {
	AWS_ACCESS_KEY_ID=AKIABENCH AWS_SECRET_ACCESS_KEY=benchsecret AWS_DEFAULT_REGION=us-east-1 \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" \
		timeout --foreground 120 "$aws_bin" --endpoint-url "http://127.0.0.1:$p_vhttp" "$@"
}

load_vedette() {
	local zone_id batch status
	zone_id=$(aws_cli route53 create-hosted-zone --name "${ORIGIN%.}" \
		--caller-reference "dnsbench-$$-$(date +%s)" --query HostedZone.Id --output text) ||
		die "create-hosted-zone failed"
	log "vedette: hosted zone $zone_id"
	for batch in "$work"/zones/batch-*.json; do
		status=$(aws_cli route53 change-resource-record-sets --hosted-zone-id "$zone_id" \
			--change-batch "file://$batch" --query ChangeInfo.Status --output text) ||
			die "change-resource-record-sets $(basename "$batch") failed"
		log "vedette: $(basename "$batch") $status"
	done
}

check_pid() { alive "${pid[$1]}" || die "$1 exited; its log is in $work/$1"; }

for s in $SERVERS; do
	case $s in
	vedette)
		start_vedette
		wait_until 30 "vedette: /healthz OK on 127.0.0.1:$p_vhttp" healthy ||
			{ cat "$work/vedette/vedette.log" >&2; die "vedette did not become healthy"; }
		load_vedette
		wait_until 30 "vedette: serves $last_name $last_type (last batch)" \
			answers "${port[vedette]}" "$last_name" "$last_type" "$last_value" ||
			die "vedette does not answer $last_name $last_type with $last_value"
		;;
	knot)
		start_knot
		wait_until 30 "knot: serves the zone on 127.0.0.1:${port[knot]}" \
			answers "${port[knot]}" "$last_name" "$last_type" "$last_value" ||
			{ cat "$work/knot/knotd.log" >&2; die "knot does not answer"; }
		;;
	nsd)
		start_nsd
		wait_until 60 "nsd: serves the zone on 127.0.0.1:${port[nsd]}" \
			answers "${port[nsd]}" "$last_name" "$last_type" "$last_value" ||
			{ cat "$work/nsd/nsd.out" "$work/nsd/nsd.log" >&2; die "nsd does not answer"; }
		;;
	*) die "unknown server $s (want vedette, knot, nsd)" ;;
	esac
	check_pid "$s"
done

# --- same answers everywhere ------------------------------------------------

edns_dig=+noedns
[ "$EDNS" = 1 ] && edns_dig=+edns=0
# One line per query: rcode, response size, sorted answer RRs.
describe() { # port name type
	local out st size rrs
	out=$(dig @127.0.0.1 -p "$1" +norec +time=1 +tries=1 "$edns_dig" +noall +comments +answer +stats "$2" "$3") || true
	st=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<< "$out")
	size=$(sed -n 's/.*MSG SIZE  rcvd: //p' <<< "$out")
	rrs=$(grep -v '^;' <<< "$out" | grep . | tr -s ' \t' ' ' | sort | paste -sd'|') || true
	printf '%s\t%s\t%s\n' "${st:-TIMEOUT}" "${size:-0}" "$rrs"
}

log "checking that the servers give the same answers"
mismatches=0
first=${SERVERS%% *}
printf '%-32s %-5s' "query" "type" >&2
for s in $SERVERS; do printf ' %-22s' "$s rcode/answers/bytes" >&2; done
echo >&2
while read -r qname qtype; do
	printf '%-32s %-5s' "$qname" "$qtype" >&2
	declare -A got=()
	for s in $SERVERS; do
		IFS=$'\t' read -r st size rrs < <(describe "${port[$s]}" "$qname" "$qtype")
		got[$s]="$st $rrs"
		n=0
		[ -n "$rrs" ] && n=$(tr '|' '\n' <<< "$rrs" | wc -l)
		printf ' %-22s' "$st/$n/$size" >&2
	done
	flag=""
	for s in $SERVERS; do
		if [ "${got[$s]}" != "${got[$first]}" ]; then
			flag="  <-- differs"
			mismatches=$((mismatches + 1))
			break
		fi
	done
	echo "$flag" >&2
	if [ -n "$flag" ]; then
		for s in $SERVERS; do log "  $s: ${got[$s]}"; done
	fi
	unset got
done < "$work/zones/check.txt"
[ $mismatches -eq 0 ] || log "WARNING: $mismatches check queries are answered differently (see above)"

# --- measure ----------------------------------------------------------------

mode_fixed="${RATE}qps"
[ $((RATE % 1000)) -eq 0 ] && mode_fixed="$((RATE / 1000))k"
results=$work/results.tsv
perf_common=(-s 127.0.0.1 -d "$work/zones/queries.txt" -c "$CLIENTS" -T "$THREADS" -t 2)
[ "$EDNS" = 1 ] && perf_common+=(-e)

run_perf() { # server mode round seconds record(0/1) dnsperf-args…
	local s=$1 mode=$2 round=$3 secs=$4 record=$5
	shift 5
	local args=(-pid "${pid[$s]}" -hz "$hz" -server "$s" -mode "$mode" -round "$round"
		-timeout "$((secs + 60))s" -log "$work/dnsperf-$s-$mode-$round.log")
	if [ "$record" = 0 ]; then
		"$work/bin/dnsbench" run "${args[@]}" -quiet -- dnsperf "${perf_common[@]}" -p "${port[$s]}" -l "$secs" "$@"
		return
	fi
	local try rc limit
	for try in $(seq 0 "$RETRIES"); do
		# Other tenants of the machine (builds, tests) distort the numbers:
		# start on a quiet machine, and repeat a run they disturbed; the last
		# try, or any try once the time budget is spent, is recorded as it is.
		limit=$MAX_OTHER
		if [ "$try" -eq "$RETRIES" ] || [ $SECONDS -ge "$budget_end" ]; then
			limit=0
		fi
		[ $SECONDS -ge "$budget_end" ] || "$work/bin/dnsbench" quiet -hz "$hz" -max 15 -timeout 20s
		rc=0
		"$work/bin/dnsbench" run "${args[@]}" -results "$results" -max-other "$limit" -- \
			dnsperf "${perf_common[@]}" -p "${port[$s]}" -l "$secs" "$@" || rc=$?
		[ $rc -eq 3 ] || return $rc
	done
}

read -ra order <<< "$SERVERS"
budget_end=$((SECONDS + BUDGET))
log "measuring: ${#order[@]} servers x (${mode_fixed}, uncapped) x $ROUNDS rounds x ${DURATION}s" \
	"(+${WARMUP}s warm-up each); $WORKERS workers; dnsperf -c $CLIENTS -T $THREADS"
for round in $(seq 1 "$ROUNDS"); do
	for s in "${order[@]}"; do
		check_pid "$s"
		if [ "$WARMUP" -gt 0 ]; then
			run_perf "$s" warmup "$round" "$WARMUP" 0 -Q "$RATE" -q 500
		fi
		run_perf "$s" "$mode_fixed" "$round" "$DURATION" 1 -Q "$RATE" -q 500
		run_perf "$s" uncapped "$round" "$DURATION" 1 -q "$OUTSTANDING"
		check_pid "$s"
	done
	order=("${order[@]:1}" "${order[0]}") # rotate, so no server always goes first
done

# --- profile ----------------------------------------------------------------

profile_top=""
if [ "$PROFILE" = 1 ] && [ -n "${pid[vedette]:-}" ]; then
	if command -v perf >/dev/null 2>&1; then
		log "profiling vedette with perf during ${DURATION}s at $RATE qps (not part of the table)"
		perf record -F 999 -g -p "${pid[vedette]}" -o "$work/perf.data" -- sleep "$DURATION" > "$work/perf.log" 2>&1 &
		perf_pid=$!
		started+=("$perf_pid")
		run_perf vedette profile 1 "$((DURATION + 1))" 0 -Q "$RATE" -q 500
		wait "$perf_pid" || log "perf record failed: $(cat "$work/perf.log")"
		profile_top=$work/perf-top.txt
		{
			echo "perf record -F 999 -g -p <vedette> during ${DURATION}s at $RATE qps; top symbols, children included:"
			# awk, not head: an early close would kill perf with SIGPIPE (pipefail).
			perf report -i "$work/perf.data" --children --sort symbol -g none --stdio 2> /dev/null |
				awk '/^ +[0-9]/ && n++ < 60 { print substr($0, 1, 130) }' || true
		} > "$profile_top"
		mkdir -p "$RESULTS_DIR"
		cp "$work/perf.data" "$RESULTS_DIR/dns-$stamp.perf.data"
		log "perf data: $RESULTS_DIR/dns-$stamp.perf.data (perf report -i …)"
	else
		log "PROFILE=1 but perf is not installed (apt-get install linux-perf)"
	fi
fi

# --- report -----------------------------------------------------------------

git_rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || git_rev="$git_rev+dirty"
header() {
	echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "machine:  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)"
	echo "versions: vedette ${VEDETTE_BIN:-$git_rev} ($(go version | cut -d' ' -f3)), $(knotd -V 2>&1 | head -1), $(nsd -v 2>&1 | head -1), dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p')"
	echo "settings: DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS MAX_OTHER=$MAX_OTHER RETRIES=$RETRIES BUDGET=$BUDGET RATE=$RATE WORKERS=$WORKERS CLIENTS=$CLIENTS OUTSTANDING=$OUTSTANDING THREADS=$THREADS EDNS=$EDNS HOSTS=$HOSTS GOMAXPROCS=${GOMAXPROCS:-unset}"
	echo "load:     $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1, 5, 15 min)"
	echo "check:    $mismatches of $(wc -l < "$work/zones/check.txt") check queries answered differently"
}
echo
header
echo
"$work/bin/dnsbench" report -results "$results"

mkdir -p "$RESULTS_DIR"
out=$RESULTS_DIR/dns-$stamp.txt
{
	header
	echo
	"$work/bin/dnsbench" report -results "$results" -markdown
	echo
	echo "raw results (one line per dnsperf run):"
	cat "$results"
	if [ -n "$profile_top" ]; then
		echo
		cat "$profile_top"
	fi
} > "$out"
log "results written to $out"
