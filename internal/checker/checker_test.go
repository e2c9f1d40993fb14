package checker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/model"
)

func TestFirstDelayIsRandomWithinInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{Rand: rand.NewPCG(7, 8)})
		var checks []model.HealthCheck
		for i := range 40 {
			checks = append(checks, check(fmt.Sprintf("hc-%02d", i), 10+i%3*10))
		}
		// The checker draws one delay per new check, in the order given.
		twin := rand.New(rand.NewPCG(7, 8))
		firstAt := map[string]time.Duration{}
		for _, hc := range checks {
			firstAt[hc.ID] = time.Duration(twin.Int64N(int64(hc.Config.RequestInterval) * int64(time.Second)))
		}
		h.c.Set(checks)
		h.settle()
		const step = 250 * time.Millisecond
		seen := map[string]bool{}
		for h.since() < 30*time.Second {
			for range len(h.obs) {
				o := <-h.obs
				if seen[o.HealthCheckID] {
					continue // a second probe of a short-interval check
				}
				seen[o.HealthCheckID] = true
				d := firstAt[o.HealthCheckID]
				want := (d + step - 1) / step * step // the clock moves in steps
				if got := o.Time.Sub(t0); got != want {
					t.Errorf("%s first probed at +%v, want +%v (delay %v)", o.HealthCheckID, got, want, d)
				}
			}
			h.advance(step)
		}
		if len(seen) != len(checks) {
			t.Errorf("%d of %d checks probed within their first interval", len(seen), len(checks))
		}
	})
}

func TestNextProbeOneIntervalAfterTheLastEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		h := start(t, checker.Options{Prober: g})
		h.c.Upsert(check("a", 10))
		h.advance(10 * time.Second) // the first delay is below 10 s
		if g.started() != 1 {
			t.Fatalf("probes started after one interval: %d, want 1", g.started())
		}
		h.advance(30 * time.Second) // the probe hangs for three intervals
		if g.started() != 1 {
			t.Fatalf("probes started while one was in flight: %d, want 1", g.started())
		}
		g.open()
		h.expect("a")
		h.advance(10*time.Second - time.Nanosecond)
		if g.started() != 1 {
			t.Fatalf("probe started %v after the last ended", h.since()-40*time.Second)
		}
		h.advance(time.Nanosecond)
		if g.started() != 2 {
			t.Fatalf("no probe one interval after the last ended")
		}
		g.open()
		h.expect("a")
		if g.maxPerCheck != 1 {
			t.Errorf("at most %d probes of one check in flight, want 1", g.maxPerCheck)
		}
	})
}

func TestIntervals(t *testing.T) {
	for _, tc := range []struct {
		requestInterval int
		want            time.Duration
	}{
		{30, 30 * time.Second},
		{10, 10 * time.Second},
		{1, time.Second},
		{7, 7 * time.Second},
		{0, 30 * time.Second},
		{-5, 30 * time.Second},
		{45, 30 * time.Second},
	} {
		synctest.Test(t, func(t *testing.T) {
			h := start(t, checker.Options{})
			h.c.Upsert(check("a", tc.requestInterval))
			h.advance(30 * time.Second)
			h.expect("a")
			h.advance(tc.want - time.Nanosecond)
			h.none()
			h.advance(time.Nanosecond)
			h.expect("a")
		})
	}
}

func TestConcurrencyCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		h := start(t, checker.Options{Prober: g, Concurrency: 2})
		var checks []model.HealthCheck
		for _, id := range strings.Split("a b c d e f g h i j", " ") {
			checks = append(checks, check(id, 10))
		}
		h.c.Set(checks)
		h.advance(10 * time.Second) // all ten are due
		if n := g.running(); n != 2 {
			t.Fatalf("probes in flight: %d, want 2", n)
		}
		if s := h.c.Stats(); s.InFlight != 2 || s.Started != 2 {
			t.Errorf("Stats: InFlight %d, Started %d; want 2, 2", s.InFlight, s.Started)
		}
		for range 8 { // each second, one probe ends and a waiting check starts
			h.advance(time.Second)
			g.open()
		}
		g.open()
		g.open()
		if g.started() != 10 || g.maxInFlight != 2 {
			t.Errorf("started %d, at most %d in flight; want 10, 2", g.started(), g.maxInFlight)
		}
		// The last two waited 8 s for a worker, past a due time before +10 s.
		s := h.c.Stats()
		if s.LagMax <= 8*time.Second || s.LagP99 != s.LagMax || s.LagP50 <= 0 {
			t.Errorf("lag p50 %v, p99 %v, max %v; want p50 > 0, p99 = max > 8 s", s.LagP50, s.LagP99, s.LagMax)
		}
		last := s.LagBuckets[len(s.LagBuckets)-1]
		if last.Count != 10 {
			t.Errorf("lag histogram counts %d probes, want 10", last.Count)
		}
	})
}

func TestOnlyAssignedEndpointChecksAreProbed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{Region: "eu-west-1"})
		mine, everywhere := check("mine", 10), check("everywhere", 10)
		mine.Config.Regions = []string{"us-east-1", "eu-west-1", "ap-southeast-1"}
		elsewhere := check("elsewhere", 10)
		elsewhere.Config.Regions = []string{"us-east-1", "us-west-1", "ap-southeast-1"}
		disabled := check("disabled", 10)
		disabled.Config.Disabled = true
		calculated := model.HealthCheck{ID: "calculated", Config: model.HealthCheckConfig{
			Type: model.TypeCalculated, ChildHealthChecks: []string{"mine"}}}
		tcp := check("tcp", 10)
		tcp.Config.Type = model.TypeTCP
		h.c.Set([]model.HealthCheck{mine, everywhere, elsewhere, disabled, calculated, tcp})
		h.advance(10 * time.Second)
		h.expect("mine", "everywhere", "tcp")
		if n := h.c.Stats().Scheduled; n != 3 {
			t.Errorf("Scheduled = %d, want 3", n)
		}
	})
}

func TestDisablingStopsProbing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{})
		hc := check("a", 10)
		h.c.Upsert(hc)
		h.advance(10 * time.Second)
		h.expect("a")
		hc.Config.Disabled = true
		h.c.Upsert(hc)
		h.advance(time.Minute)
		h.none()
		hc.Config.Disabled = false
		h.c.Upsert(hc)
		h.advance(10 * time.Second)
		h.expect("a")
	})
}

func TestUpsertShorterIntervalTakesEffectAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{})
		h.c.Upsert(check("a", 30))
		h.advance(30 * time.Second)
		h.expect("a") // next due at +60 s
		h.advance(5 * time.Second)
		h.c.Upsert(check("a", 10)) // now due at +45 s
		h.settle()
		h.advance(10*time.Second - time.Nanosecond)
		h.none()
		h.advance(time.Nanosecond)
		h.expect("a")
		h.advance(10 * time.Second)
		h.expect("a")
	})
}

func TestUpsertDuringProbeAppliesToTheNextOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		h := start(t, checker.Options{Prober: g})
		h.c.Upsert(check("a", 30))
		h.advance(30 * time.Second)
		changed := check("a", 5)
		changed.Config.ResourcePath = "/v2/health"
		h.c.Upsert(changed)
		h.settle()
		g.open()
		h.expect("a") // the result of the old configuration still counts
		h.advance(5 * time.Second)
		g.open()
		h.expect("a")
		if len(g.probed) != 2 || g.probed[0].Config.ResourcePath != "/health" || g.probed[1].Config.ResourcePath != "/v2/health" {
			t.Errorf("probed %+v, want /health then /v2/health", g.probed)
		}
	})
}

func TestRemoveStopsProbing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{})
		h.c.Upsert(check("a", 10))
		h.c.Upsert(check("b", 10))
		h.advance(10 * time.Second)
		h.expect("a", "b")
		h.c.Remove("a")
		h.c.Remove("unknown")
		h.advance(time.Minute)
		h.expect("b") // once: the clock jumped a whole minute in one step
		if n := h.c.Stats().Scheduled; n != 1 {
			t.Errorf("Scheduled = %d, want 1", n)
		}
	})
}

func TestResultOfRemovedCheckIsDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		h := start(t, checker.Options{Prober: g})
		h.c.Upsert(check("a", 10))
		h.advance(10 * time.Second)
		h.c.Remove("a")
		if n := h.c.Stats().Scheduled; n != 0 {
			t.Errorf("Scheduled while its last probe runs = %d, want 0", n)
		}
		g.open()
		h.none()
		h.advance(time.Minute)
		if g.started() != 1 {
			t.Errorf("probes started: %d, want 1", g.started())
		}
	})
}

func TestReaddDuringProbeKeepsOneInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		h := start(t, checker.Options{Prober: g})
		h.c.Upsert(check("a", 10))
		h.advance(10 * time.Second)
		h.c.Remove("a")
		h.c.Upsert(check("a", 10))
		h.advance(30 * time.Second)
		if g.started() != 1 {
			t.Fatalf("probes started: %d, want 1", g.started())
		}
		g.open()
		h.expect("a")
		h.advance(10 * time.Second)
		g.open()
		h.expect("a")
		if g.maxPerCheck != 1 {
			t.Errorf("at most %d probes of one check in flight, want 1", g.maxPerCheck)
		}
	})
}

func TestSetReplacesTheWholeSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{})
		h.c.Set([]model.HealthCheck{check("a", 10), check("b", 10)})
		h.advance(10 * time.Second)
		h.expect("a", "b") // next probes due at +20 s
		h.advance(5 * time.Second)
		h.c.Set([]model.HealthCheck{check("b", 10), check("c", 10)})
		h.settle()
		h.advance(5 * time.Second)
		h.expect("b") // b keeps its place; c waits for its first delay
		h.advance(5 * time.Second)
		h.expect("c")
		if n := h.c.Stats().Scheduled; n != 2 {
			t.Errorf("Scheduled = %d, want 2", n)
		}
	})
}

func TestObservation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		timings := model.Timings{Connect: 3 * time.Millisecond, TLSHandshake: 7 * time.Millisecond, FirstByte: 12 * time.Millisecond}
		h := start(t, checker.Options{
			CheckerID: "node-1/local",
			Prober: checker.ProberFunc(func(context.Context, model.HealthCheck) checker.Result {
				return checker.Result{Success: false, Reason: "Failure: HTTP Status Code 503, Service Unavailable", Timings: timings, SourceIP: "198.51.100.7"}
			}),
		})
		h.c.Upsert(check("a", 10))
		h.advance(10 * time.Second)
		want := model.Observation{
			HealthCheckID: "a",
			CheckerID:     "node-1/local",
			Region:        "local",
			SourceIP:      "198.51.100.7",
			Time:          t0.Add(10 * time.Second),
			Success:       false,
			Reason:        "Failure: HTTP Status Code 503, Service Unavailable",
			Timings:       timings,
		}
		if got := h.next(); got != want {
			t.Errorf("observation:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestProberPanicIsAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{Prober: checker.ProberFunc(func(context.Context, model.HealthCheck) checker.Result {
			panic("boom")
		})})
		h.c.Upsert(check("a", 10))
		h.advance(10 * time.Second)
		if o := h.next(); o.Success || o.Reason != checker.ReasonInternalError {
			t.Errorf("observation after a panic: success %v, reason %q", o.Success, o.Reason)
		}
		h.advance(10 * time.Second)
		if o := h.next(); o.Reason != checker.ReasonInternalError {
			t.Errorf("second observation: %q", o.Reason)
		}
		if n := h.c.Stats().Panics; n != 2 {
			t.Errorf("Stats.Panics = %d, want 2", n)
		}
	})
}

func TestEmitPanicKeepsWorking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewFake(t0)
		emitted := 0
		c, err := checker.New(checker.Options{
			CheckerID: "c", Clock: clk, Logger: slog.New(slog.DiscardHandler), Concurrency: 1,
			Prober: checker.ProberFunc(func(context.Context, model.HealthCheck) checker.Result { return checker.Result{} }),
			Emit:   func(model.Observation) { emitted++; panic("emit") },
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		c.Upsert(check("a", 10))
		synctest.Wait()
		clk.Advance(10 * time.Second)
		synctest.Wait()
		clk.Advance(10 * time.Second)
		synctest.Wait()
		cancel()
		<-done
		if emitted != 2 {
			t.Errorf("Emit called %d times, want 2", emitted)
		}
	})
}

func TestRunStopsProbesInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		clk := clock.NewFake(t0)
		emitted := make(chan model.Observation, 1)
		c, err := checker.New(checker.Options{CheckerID: "c", Clock: clk, Prober: g, Emit: func(o model.Observation) { emitted <- o }})
		if err != nil {
			t.Fatal(err)
		}
		c.Set([]model.HealthCheck{check("a", 10)}) // before Run
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		synctest.Wait()
		if err := c.Run(ctx); !errors.Is(err, checker.ErrRunning) {
			t.Errorf("second Run = %v, want ErrRunning", err)
		}
		clk.Advance(10 * time.Second)
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
		if len(emitted) != 0 || g.started() != 1 {
			t.Errorf("after stop: %d emitted, %d started; want 0, 1", len(emitted), g.started())
		}
		if s := c.Stats(); s.InFlight != 0 || s.Scheduled != 1 {
			t.Errorf("after stop: InFlight %d, Scheduled %d; want 0, 1", s.InFlight, s.Scheduled)
		}
	})
}

func TestRealClock(t *testing.T) {
	emitted := make(chan model.Observation, 10)
	c, err := checker.New(checker.Options{
		CheckerID: "real",
		Prober:    checker.ProberFunc(func(context.Context, model.HealthCheck) checker.Result { return checker.Result{Success: true} }),
		Emit:      func(o model.Observation) { emitted <- o },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	before := time.Now()
	c.Upsert(check("a", 1))
	select {
	case o := <-emitted:
		if o.Time.Before(before) || o.Region != checker.DefaultRegion {
			t.Errorf("observation at %v in %q; want after %v in %q", o.Time, o.Region, before, checker.DefaultRegion)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no observation within 10 s on the real clock")
	}
}

func TestNewValidates(t *testing.T) {
	prober := checker.ProberFunc(func(context.Context, model.HealthCheck) checker.Result { return checker.Result{} })
	emit := func(model.Observation) {}
	for _, tc := range []struct {
		opts checker.Options
		want string
	}{
		{checker.Options{Prober: prober, Emit: emit}, "checker: CheckerID is required"},
		{checker.Options{CheckerID: "c", Emit: emit}, "checker: Prober is required"},
		{checker.Options{CheckerID: "c", Prober: prober}, "checker: Emit is required"},
		{checker.Options{CheckerID: "c", Prober: prober, Emit: emit, Concurrency: -1}, "checker: Concurrency -1 is negative"},
		{checker.Options{CheckerID: "c", Prober: prober, Emit: emit, ProbeTimeout: -time.Second}, "checker: ProbeTimeout -1s is negative"},
	} {
		if _, err := checker.New(tc.opts); err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
}
