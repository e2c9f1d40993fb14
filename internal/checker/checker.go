// Package checker schedules the endpoint probes of one checker (one vantage
// point, named by a region) and reports each result as a model.Observation.
//
// One goroutine keeps every registered check in a heap ordered by the time of
// its next probe, sleeps on one timer until the first is due, and hands the
// due checks to a fixed pool of workers; there is no goroutine or timer per
// check. The rules:
//
//   - A check is probed when its type is an endpoint type, it is not
//     Disabled, and its Regions are empty or include this checker's region.
//   - Its interval is RequestInterval seconds, clamped to 1..30 (Route 53's 10
//     and 30, and any whole number of seconds in between as an extension); an
//     unset or negative interval is 30.
//   - The first probe runs at a random delay in [0, interval) after the check
//     is registered, so checks registered together do not probe together.
//   - As in Route 53 (reference §4.1), the interval runs from the end of one
//     probe to the start of the next, so one check never has two probes in
//     flight.
//   - At most Options.Concurrency probes run at once; due checks wait for a
//     free worker, and the wait shows as schedule lag in Stats.
//
// The checker does no network I/O itself: a Prober does the probing.
package checker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/model"
)

// Prober probes one endpoint once.
//
// Probe runs one attempt against hc's endpoint and returns its result. It must
// return soon after ctx ends, reporting a failure; the checker sets a deadline
// on ctx (Options.ProbeTimeout), and the prober applies its own, tighter,
// protocol timeouts. It is called from several goroutines at once, never twice
// at once for the same check. A panic is recovered and reported as a failure
// with reason ReasonInternalError.
type Prober interface {
	Probe(ctx context.Context, hc model.HealthCheck) Result
}

// ProberFunc adapts a function to a Prober.
type ProberFunc func(ctx context.Context, hc model.HealthCheck) Result

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, hc model.HealthCheck) Result { return f(ctx, hc) }

// Result is the outcome of one probe.
type Result struct {
	Success bool
	// Reason is Route 53-style text: "Success: HTTP Status Code 200, OK".
	Reason  string
	Timings model.Timings
	// SourceIP is the local address the probe left from; empty when no
	// connection was made.
	SourceIP string
}

// ReasonInternalError is the reason reported when a Prober panics.
const ReasonInternalError = "Failure: internal error in the prober"

// Defaults of Options.
const (
	DefaultRegion       = "local"
	DefaultConcurrency  = 4096
	DefaultProbeTimeout = 15 * time.Second
)

// Options configure a Checker.
type Options struct {
	// CheckerID names this checker, unique across the fleet. Required.
	CheckerID string
	// Region is the region this checker probes from; it selects the checks
	// whose Regions include it and is reported in every observation.
	// Default "local".
	Region string
	// AllRegions makes the checker probe every check whatever its Regions
	// say: a node whose one embedded checker is the whole fleet would
	// otherwise leave checks that list Route 53 regions unprobed. Default false.
	AllRegions bool
	// Clock tells the time and makes the scheduler's timer. Default
	// clock.Real().
	Clock clock.Clock
	// Prober runs the probes. Required.
	Prober Prober
	// Emit receives every observation. It is called from the worker
	// goroutines, several at once, and holds a worker while it runs: it must
	// not block for long (hand off to a buffered channel or a lock-protected
	// structure). The observations of one check arrive in order as long as
	// Emit returns within a second. Required.
	Emit func(model.Observation)
	// Concurrency is the most probes in flight at once, across all checks.
	// Default 4096: probes mostly wait on the network, and a dead endpoint holds a worker for up to 10 s, so the cap must cover those (the 100,000-check benchmark saturated 256 with 1 % dead endpoints).
	Concurrency int
	// Rand is the randomness behind the first delay of each check. It is used
	// under the checker's lock, so it need not be safe for concurrent use.
	// Default a PCG source seeded at random.
	Rand rand.Source
	// ProbeTimeout is the deadline of the context given to each probe,
	// measured on the system clock (the probe does real I/O), not on Clock.
	// Default 15 s.
	ProbeTimeout time.Duration
	// Logger logs panics in the Prober or in Emit. Default slog.Default().
	Logger *slog.Logger
}

// ErrRunning is returned by Run when the checker is already running.
var ErrRunning = errors.New("checker: already running")

// Checker schedules probes for a set of health checks. Set, Upsert, Remove
// and Stats are safe to call at any time, from any goroutine, before, during
// or after Run.
type Checker struct {
	id, region string
	all        bool // probe every check whatever its Regions (Options.AllRegions)
	clock      clock.Clock
	prober     Prober
	emit       func(model.Observation)
	workers    int
	timeout    time.Duration
	log        *slog.Logger
	running    atomic.Bool

	// wake tells the scheduler goroutine that the queue changed.
	wake chan struct{}

	// epoch is the time New was called; times on the schedule are
	// nanoseconds since it.
	epoch time.Time

	mu      sync.Mutex
	rand    *rand.Rand
	entries map[string]*entry // every check on the schedule, and leaving ones still running
	queue   queue             // when each queued entry is due, soonest first
	stats   counters
}

// New validates opts, applies their defaults and returns a Checker with no
// checks; Run starts probing.
func New(opts Options) (*Checker, error) {
	switch {
	case opts.CheckerID == "":
		return nil, errors.New("checker: CheckerID is required")
	case opts.Prober == nil:
		return nil, errors.New("checker: Prober is required")
	case opts.Emit == nil:
		return nil, errors.New("checker: Emit is required")
	case opts.Concurrency < 0:
		return nil, fmt.Errorf("checker: Concurrency %d is negative", opts.Concurrency)
	case opts.ProbeTimeout < 0:
		return nil, fmt.Errorf("checker: ProbeTimeout %v is negative", opts.ProbeTimeout)
	}
	c := &Checker{
		id:      opts.CheckerID,
		region:  or(opts.Region, DefaultRegion),
		all:     opts.AllRegions,
		clock:   opts.Clock,
		prober:  opts.Prober,
		emit:    opts.Emit,
		workers: or(opts.Concurrency, DefaultConcurrency),
		timeout: or(opts.ProbeTimeout, DefaultProbeTimeout),
		log:     opts.Logger,
		wake:    make(chan struct{}, 1),
		entries: map[string]*entry{},
	}
	if c.clock == nil {
		c.clock = clock.Real()
	}
	c.epoch = c.clock.Now()
	if c.log == nil {
		c.log = slog.Default()
	}
	src := opts.Rand
	if src == nil {
		src = rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	c.rand = rand.New(src)
	return c, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Run probes the registered checks until ctx ends. It schedules in the
// calling goroutine and starts Concurrency workers. When ctx ends it stops
// scheduling, cancels the probes in flight (their context derives from ctx),
// waits for every worker to return, and returns ctx's error. Results of probes
// that end after ctx are not emitted; checks keep their place, so Run may be
// called again. It returns ErrRunning if the checker is already running.
func (c *Checker) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer c.running.Store(false)
	// The buffer lets a worker that ends a probe find the next due check
	// without waiting for the scheduler; it does not raise the cap.
	work := make(chan *entry, c.workers)
	var wg sync.WaitGroup
	for range c.workers {
		wg.Go(func() { c.work(ctx, work) })
	}
	c.schedule(ctx, work)
	close(work)
	wg.Wait()
	return ctx.Err()
}
