#!/usr/bin/env bash
# DNS failover benchmark: Vedette vs gdnsd, in one run, on loopback.
#
# (a) In-process: `go test -run '^$' -bench . ./bench/failover/` starts a whole
#     node, injects health status changes at the health feed and times each
#     until a UDP query in a tight loop sees the other answer (p50/p99/max).
# (b) End to end: two endpoint processes (127.0.0.1:PORT primary,
#     127.0.0.2:PORT secondary), `vedette serve` with HTTP checks at
#     RequestInterval 1 / FailureThreshold 1 and a failover pair (TTL 1), and
#     gdnsd with a simplefo resource over the same two addresses, monitored by
#     http_status at gdnsd's shortest interval and thresholds of 1. Each trial
#     SIGKILLs the primary endpoint once and times, for both servers
#     concurrently, how long until DNS answers the secondary (Go poller every
#     10 ms by default), then starts the endpoint again.
#
# Usage: bench/failover/run.sh            (from anywhere in the repository)
#
# Environment (defaults in brackets):
#   TRIALS       end-to-end trials [20]
#   CHANGES      in-process status changes (half down, half up) [400]
#   POLLER       go (miekg/dns client, one UDP socket) or dig [go]
#   POLL         poll period of the end-to-end poller [10ms]
#   INTERVAL     Vedette's RequestInterval in seconds [1]
#   THRESHOLD    Vedette's FailureThreshold [1]
#   GDNSD_INTERVAL  gdnsd's interval; empty: the shortest its checkconf accepts, trying 1 then 2 []
#   PARTS        which parts to run ["inprocess e2e"]
#   SKIP_GDNSD   1: end to end against Vedette only [0]
#   VEDETTE_BIN  measure this vedette binary instead of building ./cmd/vedette
#   RESULTS_DIR  where the results file goes [<repo>/bench/results]
#   KEEP         1: keep the temporary work directory (configs, logs) [0]
#   MAX_TIMEWAIT wait (up to 120 s) until fewer TCP sockets are in TIME_WAIT [2000]
#
# Everything listens on 127.0.0.0/8 only. Every process the script starts is
# stopped on exit, also on failure or Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

TRIALS=${TRIALS:-20}
CHANGES=${CHANGES:-400}
POLLER=${POLLER:-go}
POLL=${POLL:-10ms}
INTERVAL=${INTERVAL:-1}
THRESHOLD=${THRESHOLD:-1}
GDNSD_INTERVAL=${GDNSD_INTERVAL:-}
PARTS=${PARTS:-"inprocess e2e"}
SKIP_GDNSD=${SKIP_GDNSD:-0}
RESULTS_DIR=${RESULTS_DIR:-$root/bench/results}
KEEP=${KEEP:-0}
MAX_TIMEWAIT=${MAX_TIMEWAIT:-2000}
stamp=$(date -u +%Y%m%d-%H%M%S)
ZONE=fo.bench
NAME=app.fo.bench

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# --- tools ------------------------------------------------------------------

need=()
if [ "$SKIP_GDNSD" != 1 ] && ! command -v gdnsd >/dev/null 2>&1 && [ ! -x /usr/sbin/gdnsd ]; then need+=(gdnsd); fi
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	log "installing ${need[*]}"
	$sudo apt-get install -y "${need[@]}" >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null && $sudo apt-get install -y "${need[@]}" >/dev/null; } ||
		die "could not install ${need[*]}"
fi
# The Debian package enables a gdnsd service on port 53; this benchmark runs
# its own instance and needs no system one.
GDNSD=$(command -v gdnsd || echo /usr/sbin/gdnsd)

# --- work directory and cleanup ----------------------------------------------

work=$(mktemp -d /tmp/vedette-failover-XXXXXX)
pids=()
cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	if [ "$KEEP" = 1 ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# freeport prints a port free on loopback for TCP and UDP, below the
# ephemeral range so that client sockets do not take it meanwhile.
freeport() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 10000))
		if [ -z "$(ss -Hltun "( sport = :$p )" 2>/dev/null)" ] && ! grep -qw "$p" "$work/ports" 2>/dev/null; then
			echo "$p" >>"$work/ports"
			echo "$p"
			return
		fi
	done
	die "no free port"
}

timewait() { ss -s | awk '/^TCP:/ { for (i = 1; i <= NF; i++) if ($i == "timewait") { gsub(/[^0-9]/, "", $(i+1)); print $(i+1) } }'; }

# --- machine state ----------------------------------------------------------

for _ in $(seq 60); do
	tw=$(timewait)
	[ "${tw:-0}" -lt "$MAX_TIMEWAIT" ] && break
	log "waiting: $tw TCP sockets in TIME_WAIT"
	sleep 2
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
tw_before=$(timewait)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- cmd internal 2>/dev/null)" ] || commit="$commit+uncommitted changes"
gdnsd_version=$("$GDNSD" -V 2>&1 | awk '/version/ { print $3; exit }' || true)

out="$work/report.txt"
{
	echo "DNS failover benchmark: Vedette vs gdnsd ($stamp UTC)"
	echo "commit $commit; $(go version | cut -d' ' -f3); gdnsd ${gdnsd_version:-?}"
	echo "machine: $(nproc) CPUs, $cpu; load before: $load_before; TCP TIME_WAIT before: $tw_before"
	echo
} >"$out"

# --- build ------------------------------------------------------------------

log "building"
if [ -n "${VEDETTE_BIN:-}" ]; then
	cp "$VEDETTE_BIN" "$work/vedette"
else
	go build -o "$work/vedette" ./cmd/vedette
fi
for c in endpoint setup trials; do go build -o "$work/$c" "./bench/failover/$c"; done

# --- (a) in-process -----------------------------------------------------------

if [[ " $PARTS " == *" inprocess "* ]]; then
	log "(a) in-process: $CHANGES status changes"
	{
		echo "== (a) in-process: status change → answer change ($CHANGES changes)"
		echo "go test -run '^\$' -bench . -benchtime ${CHANGES}x ./bench/failover/"
		go test -run '^$' -bench . -benchtime "${CHANGES}x" ./bench/failover/ 2>&1 | grep -v -e '^goos:' -e '^goarch:' -e '^pkg:'
		echo
	} | tee -a "$out" >&2
fi

# --- (b) end to end ---------------------------------------------------------

if [[ " $PARTS " == *" e2e "* ]]; then
	ep_port=$(freeport)
	vdns=$(freeport)
	vhttp=$(freeport)
	gdns=$(freeport)
	primary=127.0.0.1:$ep_port
	secondary=127.0.0.2:$ep_port

	# The secondary endpoint runs throughout; the trials program owns the primary.
	"$work/endpoint" -listen "$secondary" 2>"$work/secondary.log" &
	pids+=($!)

	export VEDETTE_ROOT_ACCESS_KEY_ID=AKIDFAILOVERBENCH
	export VEDETTE_ROOT_SECRET_ACCESS_KEY=failover-bench-secret-key
	"$work/vedette" serve --data-dir "$work/vedette-data" --dns-listen "127.0.0.1:$vdns" \
		--http-listen "127.0.0.1:$vhttp" --nameservers "ns1.$ZONE" 2>"$work/vedette.log" &
	pids+=($!)
	for _ in $(seq 100); do
		curl -fsS "http://127.0.0.1:$vhttp/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	curl -fsS "http://127.0.0.1:$vhttp/healthz" >/dev/null || die "vedette did not start: $(tail -5 "$work/vedette.log")"
	eval "$("$work/setup" -api "http://127.0.0.1:$vhttp" -zone "$ZONE" -name "$NAME" \
		-primary "$primary" -secondary "$secondary" -interval "$INTERVAL" -threshold "$THRESHOLD" -ttl 1)"
	log "vedette: DNS 127.0.0.1:$vdns, API 127.0.0.1:$vhttp, checks $HC_PRIMARY (primary) $HC_SECONDARY (secondary)"

	gdnsd_args=()
	gdnsd_note=""
	if [ "$SKIP_GDNSD" != 1 ]; then
		g="$work/gdnsd"
		mkdir -p "$g/zones"
		cat >"$g/zones/$ZONE" <<-EOF
			\$TTL 1
			@    SOA ns1 hostmaster 1 7200 900 1209600 1
			@    NS  ns1
			ns1  A   127.0.0.1
			app  1/1 DYNA simplefo!app
		EOF
		gdnsd_config() { # interval timeout
			cat >"$g/config" <<-EOF
				options => {
				  listen => [ 127.0.0.1:$gdns ]
				  run_dir => $g/run
				  state_dir => $g/state
				  min_ttl => 1
				}
				service_types => {
				  web => {
				    plugin => http_status
				    port => $ep_port
				    url_path => /health
				    interval => $1
				    timeout => $2
				    up_thresh => 1
				    ok_thresh => 1
				    down_thresh => 1
				  }
				}
				plugins => {
				  simplefo => {
				    app => { service_types => [ web ], primary => 127.0.0.1, secondary => 127.0.0.2 }
				  }
				}
			EOF
		}
		if [ -n "$GDNSD_INTERVAL" ]; then
			gi=$GDNSD_INTERVAL
			gdnsd_config "$gi" 1
			"$GDNSD" -c "$g" checkconf >"$g/checkconf.log" 2>&1 || die "gdnsd checkconf: $(cat "$g/checkconf.log")"
		else
			# The manual says interval min 1, timeout min 1 and below interval:
			# try 1 (timeout 1), then 2, and record what checkconf said.
			for gi in 1 2; do
				gdnsd_config "$gi" 1
				if "$GDNSD" -c "$g" checkconf >"$g/checkconf.log" 2>&1; then break; fi
				gdnsd_note="$gdnsd_note gdnsd checkconf refused interval $gi: $(grep -m1 fatal "$g/checkconf.log");"
				[ "$gi" = 2 ] && die "gdnsd checkconf: $(cat "$g/checkconf.log")"
			done
		fi
		[ -z "$gdnsd_note" ] || log "$gdnsd_note"
		"$GDNSD" -c "$g" start 2>"$g/gdnsd.log" &
		pids+=($!)
		for _ in $(seq 100); do
			[ -n "$(dig +short +tries=1 +time=1 -p "$gdns" @127.0.0.1 "$NAME" A 2>/dev/null)" ] && break
			sleep 0.1
		done
		[ -n "$(dig +short +tries=1 +time=1 -p "$gdns" @127.0.0.1 "$NAME" A 2>/dev/null)" ] || die "gdnsd does not answer: $(tail -5 "$g/gdnsd.log")"
		gdnsd_args=(-gdnsd-dns "127.0.0.1:$gdns" -gdnsd-bound "$((gi * 1000 + 300))ms")
		log "gdnsd: DNS 127.0.0.1:$gdns, http_status interval $gi s, thresholds 1"
	fi

	bound_ms=$((INTERVAL * THRESHOLD * 1000 + 300))
	{
		echo "== (b) end to end: primary endpoint SIGKILLed → DNS answers the secondary ($TRIALS trials)"
		echo "endpoints: primary $primary, secondary $secondary (one process each)"
		echo "vedette: HTTP checks RequestInterval $INTERVAL, FailureThreshold $THRESHOLD, failover A records TTL 1"
		[ "$SKIP_GDNSD" = 1 ] || echo "gdnsd: simplefo, http_status interval ${gi} s, timeout 1 s, up/ok/down_thresh 1, DYNA TTL 1;${gdnsd_note}"
		echo "poller: $POLLER every $POLL; time = from just before SIGKILL to the receipt of the first answer with the secondary"
	} | tee -a "$out" >&2
	log "(b) end to end: $TRIALS trials"
	timeout --signal=TERM 600 "$work/trials" -trials "$TRIALS" -endpoint-bin "$work/endpoint" -primary "$primary" \
		-secondary-ip 127.0.0.2 -name "$NAME." -vedette-dns "127.0.0.1:$vdns" -vedette-api "http://127.0.0.1:$vhttp" \
		-hc-primary "$HC_PRIMARY" -poller "$POLLER" -poll "$POLL" -bound "${bound_ms}ms" "${gdnsd_args[@]}" 2>&1 | tee -a "$out" >&2
	[ "${PIPESTATUS[0]}" = 0 ] || die "trials failed"
	{
		echo
		echo "dig +short after the trials (the primary is up again):"
		echo "  vedette: $(dig +short +tries=1 +time=1 -p "$vdns" @127.0.0.1 "$NAME" A | tr '\n' ' ')"
		[ "$SKIP_GDNSD" = 1 ] || echo "  gdnsd:   $(dig +short +tries=1 +time=1 -p "$gdns" @127.0.0.1 "$NAME" A | tr '\n' ' ')"
	} | tee -a "$out" >&2
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
mkdir -p "$RESULTS_DIR"
cp "$out" "$RESULTS_DIR/failover-$stamp.txt"
log "results: $RESULTS_DIR/failover-$stamp.txt"
