package checker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/model"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness runs a Checker on a fake clock inside a synctest bubble:
// synctest.Wait after each step lets every goroutine of the checker settle, so
// each assertion sees the effect of the step before it, without sleeping.
type harness struct {
	t     *testing.T
	clock *clock.Fake
	c     *checker.Checker
	obs   chan model.Observation
}

// start runs a checker with opts; unset fields get test defaults: ID
// "checker-1", the fake clock, an Emit into h.obs, a fixed Rand, a silent
// logger, and a prober that always succeeds. The checker stops at the end of
// the test, and Run must return context.Canceled.
func start(t *testing.T, opts checker.Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: clock.NewFake(t0), obs: make(chan model.Observation, 1000)}
	opts.CheckerID = orDefault(opts.CheckerID, "checker-1")
	opts.Clock = h.clock
	opts.Emit = func(o model.Observation) { h.obs <- o }
	if opts.Rand == nil {
		opts.Rand = rand.NewPCG(1, 2)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Prober == nil {
		opts.Prober = checker.ProberFunc(func(context.Context, model.HealthCheck) checker.Result {
			return checker.Result{Success: true, Reason: "Success: HTTP Status Code 200, OK"}
		})
	}
	c, err := checker.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.c = c
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want %v", err, context.Canceled)
		}
	})
	synctest.Wait()
	return h
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// advance lets the checker settle, moves the fake clock and waits for the
// checker to settle again.
func (h *harness) advance(d time.Duration) {
	synctest.Wait() // let the checker act on calls made since (an Upsert re-arms its timer)
	h.clock.Advance(d)
	synctest.Wait()
}

// settle waits for the checker to act on a call such as Upsert.
func (h *harness) settle() { synctest.Wait() }

// since returns the fake time elapsed since t0.
func (h *harness) since() time.Duration { return h.clock.Now().Sub(t0) }

// next returns the next observation; it fails the test if none comes.
func (h *harness) next() model.Observation {
	h.t.Helper()
	select {
	case o := <-h.obs:
		return o
	case <-time.After(time.Minute): // bubble time: passes at once if nothing can come
		h.t.Fatalf("at +%v: no observation", h.since())
		return model.Observation{}
	}
}

// expect takes the observations emitted so far and checks that they are of
// the given checks, in any order, each made at the current fake time.
func (h *harness) expect(ids ...string) {
	h.t.Helper()
	want := map[string]int{}
	for _, id := range ids {
		want[id]++
	}
	got := map[string]int{}
	for range ids {
		o := h.next()
		got[o.HealthCheckID]++
		if !o.Time.Equal(h.clock.Now()) {
			h.t.Errorf("observation of %s at +%v, want +%v", o.HealthCheckID, o.Time.Sub(t0), h.since())
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		h.t.Errorf("at +%v: observed %v, want %v", h.since(), got, want)
	}
	h.none()
}

// none checks that nothing else was observed.
func (h *harness) none() {
	h.t.Helper()
	select {
	case o := <-h.obs:
		h.t.Errorf("at +%v: unexpected observation of %s", h.since(), o.HealthCheckID)
	default:
	}
}

// check returns an enabled HTTP check with the given ID and interval.
func check(id string, interval int) model.HealthCheck {
	return model.HealthCheck{ID: id, Version: 1, Config: model.HealthCheckConfig{
		Type: model.TypeHTTP, IPAddress: "192.0.2.10", Port: 80, ResourcePath: "/health",
		RequestInterval: interval, FailureThreshold: 3,
	}}
}

// gate is a prober that blocks every probe until released, and counts the
// probes in flight: in total and per check, with their maxima.
type gate struct {
	release chan struct{}

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	perCheck    map[string]int
	maxPerCheck int
	probed      []model.HealthCheck
}

func newGate() *gate {
	return &gate{release: make(chan struct{}), perCheck: map[string]int{}}
}

func (g *gate) Probe(ctx context.Context, hc model.HealthCheck) checker.Result {
	g.mu.Lock()
	g.probed = append(g.probed, hc)
	g.inFlight++
	g.perCheck[hc.ID]++
	g.maxInFlight = max(g.maxInFlight, g.inFlight)
	g.maxPerCheck = max(g.maxPerCheck, g.perCheck[hc.ID])
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inFlight--
		g.perCheck[hc.ID]--
		g.mu.Unlock()
	}()
	select {
	case <-g.release:
		return checker.Result{Success: true, Reason: "Success: HTTP Status Code 200, OK"}
	case <-ctx.Done():
		return checker.Result{Reason: "Failure: " + ctx.Err().Error()}
	}
}

// started returns how many probes have started.
func (g *gate) started() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.probed)
}

// running returns the number of probes in flight.
func (g *gate) running() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight
}

// open lets one blocked probe finish, then waits for the checker to settle.
func (g *gate) open() {
	g.release <- struct{}{}
	synctest.Wait()
}
