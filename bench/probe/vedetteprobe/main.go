// Command vedetteprobe runs Vedette's health checker — the real
// checker.Checker scheduling the real probe.EndpointProber, one fresh
// connection per probe — against local targets, and measures it.
//
// Rate mode (the default) registers rate × interval checks of one type
// (HTTP or TCP) against one target, so that they probe at about -rate
// probes/s, lets them run for -warmup, then measures for -duration the CPU
// time of this process (getrusage: scheduler, workers, probes, GC) and the
// probes emitted, and prints one RESULT line of key=value fields.
//
// Scale mode (-scale) registers -checks checks of a mix of types and
// intervals spread over several loopback targets, runs them for -duration
// and prints the memory per registered check, the probe rate, the schedule
// lag (checker.Stats) and the failures.
//
// Every target must be a loopback IP literal with a port: nothing is
// resolved and nothing leaves the machine; the source addresses of the
// probes are checked to be loopback too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vedette-dns/vedette/bench/probe/internal/cpustat"
	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/checkprobe"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vedetteprobe:", err)
		os.Exit(1)
	}
}

type options struct {
	scale       bool
	typ         string
	target      string
	rate        int
	interval    int
	checks      int
	mix         string
	tcpTargets  string
	httpTargets string
	deadTargets string
	warmup      time.Duration
	duration    time.Duration
	concurrency int
	targetPID   int
	cpuprofile  string
	label       string
	timeline    bool
	regMemory   bool
}

func run() error {
	var o options
	flag.BoolVar(&o.scale, "scale", false, "scale mode: -checks checks of the -mix over -tcp-targets and -http-targets")
	flag.StringVar(&o.typ, "type", "http", "rate mode: check type, http or tcp")
	flag.StringVar(&o.target, "target", "", "rate mode: the target, loopback IP:port")
	flag.IntVar(&o.rate, "rate", 1000, "rate mode: probes per second, as rate × interval checks")
	flag.IntVar(&o.interval, "interval", 1, "rate mode: RequestInterval of the checks, seconds (1..30)")
	flag.IntVar(&o.checks, "checks", 100_000, "scale mode: number of registered checks")
	flag.StringVar(&o.mix, "mix", "tcp:30:0.8,http:30:0.15,http:10:0.05", "scale mode: type:interval-seconds:fraction, comma-separated; types tcp, http, dead")
	flag.StringVar(&o.tcpTargets, "tcp-targets", "", "scale mode: TCP targets, loopback IP:port, comma-separated")
	flag.StringVar(&o.httpTargets, "http-targets", "", "scale mode: HTTP targets, loopback IP:port, comma-separated")
	flag.StringVar(&o.deadTargets, "dead-targets", "", "scale mode: targets where connects hang (mix type dead: TCP checks of them), loopback IP:port")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "time before the measuring window")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measuring window")
	flag.IntVar(&o.concurrency, "concurrency", checker.DefaultConcurrency, "checker Concurrency (probes in flight)")
	flag.IntVar(&o.targetPID, "target-pid", 0, "pid of the target server, for the CPU accounting")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measuring window to this file")
	flag.StringVar(&o.label, "label", "", "label copied into the RESULT line")
	flag.BoolVar(&o.timeline, "timeline", false, "scale mode: print a line per second to stderr (probes, lag, GC)")
	flag.BoolVar(&o.regMemory, "register-memory", true, "scale mode: read the memory (after a forced GC) right after the Set")
	hz := flag.Int64("hz", 100, "clock ticks per second of /proc (getconf CLK_TCK)")
	flag.Parse()
	cpustat.ClockTicks = *hz
	if o.warmup < 0 || o.duration <= 0 || o.duration > time.Hour {
		return errors.New("need 0 <= -warmup and 0 < -duration <= 1h")
	}
	if o.scale {
		return scaleRun(o)
	}
	return rateRun(o)
}

// --- the checker under test --------------------------------------------------

// bench is one checker with the endpoint prober and counters of what it emits.
type bench struct {
	c       *checker.Checker
	ap      *adapter
	emitted atomic.Uint64
	ok      atomic.Uint64
	slow    atomic.Uint64 // probes whose connect took more than slowConnect
	maxConn atomic.Int64  // the longest connect, ns
	// The longest connect and first byte since the timeline's last line.
	tlConn, tlFirst atomic.Int64
	mu              sync.Mutex
	reasons         map[string]uint64 // failures by reason
}

func newBench(concurrency int) (*bench, error) {
	b := &bench{
		ap:      newAdapter(),
		reasons: map[string]uint64{},
	}
	c, err := checker.New(checker.Options{
		CheckerID:   "vedetteprobe/local",
		Region:      "local",
		AllRegions:  true,
		Prober:      b.ap,
		Emit:        b.emit,
		Concurrency: concurrency,
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	b.c = c
	return b, err
}

// slowConnect is a connect that took a SYN retransmission (the first one
// is after 1 s) or a long wait for the CPU.
const slowConnect = 200 * time.Millisecond

func (b *bench) emit(o model.Observation) {
	b.emitted.Add(1)
	if c := o.Timings.Connect; c > slowConnect {
		b.slow.Add(1)
		storeMax(&b.maxConn, int64(c))
	}
	storeMax(&b.tlConn, int64(o.Timings.Connect))
	storeMax(&b.tlFirst, int64(o.Timings.FirstByte))
	if o.Success {
		b.ok.Add(1)
		return
	}
	b.mu.Lock()
	b.reasons[o.Reason]++
	b.mu.Unlock()
}

func storeMax(m *atomic.Int64, v int64) {
	for {
		old := m.Load()
		if v <= old || m.CompareAndSwap(old, v) {
			return
		}
	}
}

func (b *bench) failures() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.reasons) == 0 {
		return "none"
	}
	keys := slices.SortedFunc(maps.Keys(b.reasons), func(x, y string) int { return int(b.reasons[y]) - int(b.reasons[x]) })
	var s []string
	for _, k := range keys[:min(len(keys), 5)] {
		s = append(s, fmt.Sprintf("%d× %q", b.reasons[k], k))
	}
	return strings.Join(s, "; ")
}

// start runs the checker until the returned stop is called; stop cancels it
// and waits, at most 30 s, for Run to return.
func (b *bench) start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.c.Run(ctx)
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			fmt.Fprintln(os.Stderr, "vedetteprobe: the checker did not stop within 30 s")
		}
	}
}

// adapter runs the same glue the server uses between the checker and the
// endpoint prober (internal/checkprobe) and counts where probes left from.
type adapter struct {
	*checkprobe.Prober
	srcMu   sync.Mutex
	sources map[netip.Addr]uint64
}

func newAdapter() *adapter {
	a := &adapter{sources: map[netip.Addr]uint64{}}
	a.Prober = checkprobe.New(probe.New(probe.Options{}), func(src netip.Addr) {
		a.srcMu.Lock()
		a.sources[src]++
		a.srcMu.Unlock()
	})
	return a
}

// checkSources returns the source addresses seen and an error if one is not
// loopback.
func (a *adapter) checkSources() (string, error) {
	a.srcMu.Lock()
	defer a.srcMu.Unlock()
	var s []string
	var err error
	for _, addr := range slices.SortedFunc(maps.Keys(a.sources), netip.Addr.Compare) {
		s = append(s, addr.String())
		if !addr.IsLoopback() {
			err = fmt.Errorf("a probe left from %v, which is not a loopback address", addr)
		}
	}
	return strings.Join(s, ","), err
}

// newCheck returns a check as the store would hold it.
func newCheck(i int, typ model.HealthCheckType, target netip.AddrPort, interval int) model.HealthCheck {
	hc := model.HealthCheck{
		ID:              fmt.Sprintf("%08x-5b1e-4c0d-9e2f-%012x", i, i),
		CallerReference: fmt.Sprintf("vedetteprobe-%012d", i),
		Version:         1,
		CreatedAt:       time.Now().UTC(),
		Config: model.HealthCheckConfig{
			IPAddress:        target.Addr().String(),
			Port:             int(target.Port()),
			Type:             typ,
			RequestInterval:  interval,
			FailureThreshold: 3,
		},
	}
	if typ != model.TypeTCP {
		hc.Config.ResourcePath = fmt.Sprintf("/service-%d/health", i)
	}
	return hc
}

func checkType(s string) (model.HealthCheckType, error) {
	switch strings.ToLower(s) {
	case "http":
		return model.TypeHTTP, nil
	case "tcp":
		return model.TypeTCP, nil
	}
	return "", fmt.Errorf("type %q: want http or tcp", s)
}

// --- rate mode ---------------------------------------------------------------

func rateRun(o options) error {
	typ, err := checkType(o.typ)
	if err != nil {
		return err
	}
	target, err := cpustat.Loopback(o.target)
	if err != nil {
		return err
	}
	if o.interval < 1 || o.interval > 30 || o.rate < 1 {
		return errors.New("need -rate >= 1 and -interval in 1..30")
	}
	n := o.rate * o.interval
	checks := make([]model.HealthCheck, n)
	for i := range checks {
		checks[i] = newCheck(i, typ, target, o.interval)
	}
	b, err := newBench(o.concurrency)
	if err != nil {
		return err
	}
	stop := b.start()
	b.c.Set(checks)
	time.Sleep(o.warmup)

	s0, err := cpustat.Take(-1, o.targetPID, 0)
	if err != nil {
		stop()
		return err
	}
	e0, ok0 := b.emitted.Load(), b.ok.Load()
	stopProfile, err := startProfile(o.cpuprofile)
	if err != nil {
		stop()
		return err
	}
	time.Sleep(o.duration)
	s1, err := cpustat.Take(-1, o.targetPID, 0)
	e1, ok1 := b.emitted.Load(), b.ok.Load()
	stopProfile()
	st := b.c.Stats()
	stop()
	if err != nil {
		return err
	}
	w := cpustat.Since(s0, s1)
	probes, ok := e1-e0, ok1-ok0
	if probes == 0 {
		return errors.New("no probe ended in the measuring window")
	}
	sources, srcErr := b.ap.checkSources()
	fmt.Printf("RESULT tool=vedette proto=%s label=%q checks=%d interval_s=%d concurrency=%d probes=%d ok=%d rate=%.1f cpu_us_per_probe=%.1f %s lag_p50_ms=%.3f lag_p99_ms=%.3f lag_max_ms=%.3f sources=%s failures=%q\n",
		strings.ToLower(o.typ), o.label, n, o.interval, o.concurrency, probes, ok, float64(probes)/w.Wall.Seconds(),
		float64(w.Prober.Total().Microseconds())/float64(probes), w.Fields(),
		ms(st.LagP50), ms(st.LagP99), ms(st.LagMax), sources, b.failures())
	return srcErr
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// --- scale mode --------------------------------------------------------------

// class is one part of the scale mix.
type class struct {
	kind     string // tcp, http or dead (TCP checks of endpoints that do not answer)
	typ      model.HealthCheckType
	interval int
	frac     float64
	count    int
	targets  []netip.AddrPort
}

func parseMix(mix string, n int, tcp, http, dead []netip.AddrPort) ([]class, error) {
	var cs []class
	var sum float64
	for part := range strings.SplitSeq(mix, ",") {
		f := strings.Split(strings.TrimSpace(part), ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("mix part %q: want type:interval:fraction", part)
		}
		kind := strings.ToLower(f[0])
		typ, err := checkType(kind)
		if kind == "dead" {
			typ, err = model.TypeTCP, nil
		}
		if err != nil {
			return nil, err
		}
		iv, err1 := strconv.Atoi(f[1])
		fr, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || iv < 1 || iv > 30 || fr <= 0 {
			return nil, fmt.Errorf("mix part %q: want an interval in 1..30 and a positive fraction", part)
		}
		c := class{kind: kind, typ: typ, interval: iv, frac: fr, targets: map[string][]netip.AddrPort{"tcp": tcp, "http": http, "dead": dead}[kind]}
		if len(c.targets) == 0 {
			return nil, fmt.Errorf("mix part %q: no %s targets given", part, kind)
		}
		cs = append(cs, c)
		sum += fr
	}
	left := n
	for i := range cs {
		cs[i].frac /= sum
		cs[i].count = int(cs[i].frac*float64(n) + 0.5)
		if i == len(cs)-1 {
			cs[i].count = left
		}
		left -= cs[i].count
	}
	return cs, nil
}

func parseTargets(list string) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		ap, err := cpustat.Loopback(s)
		if err != nil {
			return nil, err
		}
		out = append(out, ap)
	}
	return out, nil
}

// memory is a reading of this process's memory, after a full GC.
type memory struct {
	heapInuse, heapAlloc, sys, rss, hwm uint64
	goroutines                          int
}

func readMemory() memory {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st, _ := cpustat.Status("VmRSS", "VmHWM")
	return memory{heapInuse: ms.HeapInuse, heapAlloc: ms.HeapAlloc, sys: ms.Sys, rss: st["VmRSS"], hwm: st["VmHWM"], goroutines: runtime.NumGoroutine()}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func scaleRun(o options) error {
	tcp, err := parseTargets(o.tcpTargets)
	if err != nil {
		return err
	}
	http, err := parseTargets(o.httpTargets)
	if err != nil {
		return err
	}
	dead, err := parseTargets(o.deadTargets)
	if err != nil {
		return err
	}
	classes, err := parseMix(o.mix, o.checks, tcp, http, dead)
	if err != nil {
		return err
	}
	base := readMemory()
	checks := make([]model.HealthCheck, 0, o.checks)
	var expected float64
	for _, c := range classes {
		for j := range c.count {
			checks = append(checks, newCheck(len(checks), c.typ, c.targets[j%len(c.targets)], c.interval))
		}
		expected += float64(c.count) / float64(c.interval)
	}
	b, err := newBench(o.concurrency)
	if err != nil {
		return err
	}
	cpu0 := cpustat.Self()
	// As in the server, the checker runs when the checks are Set.
	stop := b.start()
	t0 := time.Now()
	b.c.Set(checks)
	setTime := time.Since(t0)
	checks = nil // the checker holds its own copies, as it does in the server
	var reg memory
	if o.regMemory {
		reg = readMemory()
	}
	regAt := time.Since(t0)

	// Every second, sample the lag percentiles of the last
	// checker.LagWindow probes; after -warmup, the measuring window starts.
	var tl timeline
	var s0 cpustat.Snapshot
	var st0 checker.Stats // at the start of the window
	var e0 uint64
	var p99s, p50s []time.Duration // the window's samples
	var stopProfile func()
	windowStarted := false
	tick := time.NewTicker(time.Second)
	deadline := time.NewTimer(o.warmup + o.duration)
sampling:
	for {
		select {
		case <-tick.C:
			st := b.c.Stats()
			if o.timeline {
				tl.print(st, time.Since(t0), b, o.targetPID)
			}
			if windowStarted {
				p99s, p50s = append(p99s, st.LagP99), append(p50s, st.LagP50)
			} else if time.Since(t0) >= o.warmup {
				windowStarted = true
				s0, _ = cpustat.Take(-1, o.targetPID, 0)
				st0, e0 = st, b.emitted.Load()
				if stopProfile, err = startProfile(o.cpuprofile); err != nil {
					stop()
					return err
				}
			}
		case <-deadline.C:
			break sampling
		}
	}
	tick.Stop()
	st := b.c.Stats() // before the forced GC of readMemory
	s1, _ := cpustat.Take(-1, o.targetPID, 0)
	e1 := b.emitted.Load()
	if stopProfile != nil {
		stopProfile()
	}
	if !windowStarted {
		stop()
		return errors.New("the run ended before the warmup: make -duration longer")
	}
	p99s, p50s = append(p99s, st.LagP99), append(p50s, st.LagP50)
	end := readMemory()
	elapsed := time.Since(t0)
	stop()
	cpuAll := cpustat.Self().Sub(cpu0).Total()
	w := cpustat.Since(s0, s1)
	probes := e1 - e0
	sources, srcErr := b.ap.checkSources()
	win := histDiff(st.LagBuckets, st0.LagBuckets)
	all := histDiff(st.LagBuckets, nil)

	n := float64(o.checks)
	fmt.Printf("SCALE checks=%d\n", o.checks)
	for _, c := range classes {
		what := string(c.typ)
		if c.kind == "dead" {
			what = "TCP of a dead endpoint (connects hang until the TCP timeout)"
		}
		fmt.Printf("SCALE class: %d × %s every %d s over %d targets (%.0f probes/s)\n",
			c.count, what, c.interval, len(c.targets), float64(c.count)/float64(c.interval))
	}
	fmt.Printf("SCALE expected_rate=%.0f probes/s, concurrency=%d, run %.0f s; window: the last %.0f s\n",
		expected, o.concurrency, elapsed.Seconds(), w.Wall.Seconds())
	fmt.Printf("SCALE set_time=%.0f ms (one Set of %d new checks, the checker running)\n", ms(setTime), o.checks)
	fmt.Printf("SCALE memory baseline: heap_inuse=%.1f MiB rss=%.1f MiB\n", mib(base.heapInuse), mib(base.rss))
	if o.regMemory {
		fmt.Printf("SCALE memory after_register (+%.1f s, after a forced GC): heap_inuse=%.1f MiB (%.0f B/check) rss=%.1f MiB (%.0f B/check)\n",
			regAt.Seconds(), mib(reg.heapInuse), float64(reg.heapInuse)/n, mib(reg.rss), float64(reg.rss)/n)
	}
	fmt.Printf("SCALE memory at_end (every check probed, targets cached, after a forced GC): heap_inuse=%.1f MiB (%.0f B/check) rss=%.1f MiB (%.0f B/check) peak_rss=%.1f MiB (%.0f B/check) goroutines=%d\n",
		mib(end.heapInuse), float64(end.heapInuse)/n, mib(end.rss), float64(end.rss)/n, mib(end.hwm), float64(end.hwm)/n, end.goroutines)
	fmt.Printf("SCALE probes: started=%d emitted=%d ok=%d failed=%d; in the window %d = %.0f probes/s\n",
		st.Started, b.emitted.Load(), b.ok.Load(), b.emitted.Load()-b.ok.Load(), probes, float64(probes)/w.Wall.Seconds())
	fmt.Printf("SCALE failures: %s; connects slower than %v: %d (longest %.0f ms)\n",
		b.failures(), slowConnect, b.slow.Load(), ms(time.Duration(b.maxConn.Load())))
	fmt.Printf("SCALE lag window (%d probes): p99 of the last %d probes sampled every second: median %.2f ms, worst %.2f ms; p50 median %.2f ms; histogram: p50 <= %v, p99 <= %v, %d probes (%.4f%%) more than 100 ms late\n",
		win.n, checker.LagWindow, ms(medianDur(p99s)), ms(slices.Max(p99s)), ms(medianDur(p50s)), win.le(50), win.le(99), win.over100, win.pctOver100())
	fmt.Printf("SCALE lag whole run, registration included (%d probes): histogram p50 <= %v, p99 <= %v, %d probes (%.4f%%) more than 100 ms late, max %.1f ms\n",
		all.n, all.le(50), all.le(99), all.over100, all.pctOver100(), ms(st.LagMax))
	fmt.Printf("SCALE cpu: vedetteprobe %.2f cores in the window (%.1f µs/probe; user %.2f, sys %.2f cores), %.1f s over the whole run; target %.2f cores; other processes %.0f%% of a core\n",
		w.Prober.Total().Seconds()/w.Wall.Seconds(), float64(w.Prober.Total().Microseconds())/float64(max(probes, 1)),
		w.Prober.User.Seconds()/w.Wall.Seconds(), w.Prober.Sys.Seconds()/w.Wall.Seconds(), cpuAll.Seconds(),
		w.Target.Total().Seconds()/w.Wall.Seconds(), w.OtherPct())
	fmt.Printf("SCALE sources=%s\n", sources)
	return srcErr
}

// hist is a lag histogram, not cumulative: counts per bucket of bounds.
type hist struct {
	bounds  []time.Duration
	counts  []uint64
	n       uint64
	over100 uint64
}

// histDiff returns the probes counted in cur and not in prev (nil: none),
// both cumulative checker.Stats.LagBuckets.
func histDiff(cur, prev []checker.Bucket) hist {
	var h hist
	var below uint64 // cumulative count of the previous bucket
	for i, bk := range cur {
		c := bk.Count
		if prev != nil {
			c -= prev[i].Count
		}
		h.bounds = append(h.bounds, bk.Le)
		h.counts = append(h.counts, c-below)
		below = c
		if bk.Le == 100*time.Millisecond {
			h.over100 = c // for now: how many were within 100 ms
		}
	}
	h.n = below
	h.over100 = h.n - h.over100
	return h
}

// le returns the smallest bucket bound at or under which p percent of the
// probes started: an upper bound of the p-th percentile.
func (h hist) le(p uint64) time.Duration {
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum*100 >= h.n*p {
			return h.bounds[i]
		}
	}
	return -1
}

func (h hist) pctOver100() float64 { return 100 * float64(h.over100) / float64(max(h.n, 1)) }

func medianDur(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2]
}

// timeline prints, once a second, what happened since the last line: probes
// started, how many of them more than 10 and 100 ms late, the lag p99 over
// the last LagWindow probes, and the GC cycles and pause.
type timeline struct {
	started, late10, late100 uint64
	numGC                    uint32
	pause                    uint64
	slow                     uint64
	snap                     cpustat.Snapshot
}

func (tl *timeline) print(st checker.Stats, at time.Duration, b *bench, targetPID int) {
	var within10, within100 uint64
	for _, bk := range st.LagBuckets {
		switch bk.Le {
		case 10 * time.Millisecond:
			within10 = bk.Count
		case 100 * time.Millisecond:
			within100 = bk.Count
		}
	}
	late10, late100 := st.Started-within10, st.Started-within100
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	slow := b.slow.Load()
	snap, _ := cpustat.Take(-1, targetPID, 0)
	w := cpustat.Since(tl.snap, snap)
	pct := func(d time.Duration) float64 { return 100 * d.Seconds() / w.Wall.Seconds() }
	fmt.Fprintf(os.Stderr, "t=%5.1fs started=%6d late>10ms=%5d late>100ms=%5d p99(last %d)=%7.2fms inflight=%3d max-connect=%.0fms max-first-byte=%.0fms slow-connects=%d gc=%d pause=%.2fms heap=%.0fMiB cpu: self %.0f%% target %.0f%% other %.0f%%\n",
		at.Seconds(), st.Started-tl.started, late10-tl.late10, late100-tl.late100, checker.LagWindow, ms(st.LagP99),
		st.InFlight, ms(time.Duration(b.tlConn.Swap(0))), ms(time.Duration(b.tlFirst.Swap(0))), slow-tl.slow,
		m.NumGC-tl.numGC, float64(m.PauseTotalNs-tl.pause)/1e6, mib(m.HeapInuse),
		pct(w.Prober.Total()), pct(w.Target.Total()), w.OtherPct())
	tl.slow, tl.snap = slow, snap
	tl.started, tl.late10, tl.late100, tl.numGC, tl.pause = st.Started, late10, late100, m.NumGC, m.PauseTotalNs
}
