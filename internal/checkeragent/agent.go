// Package checkeragent is `vedette checker`: a remote health checker that
// fetches its assignments from a server over the checker protocol
// (internal/api/checkerapi), probes them with internal/probe on the
// internal/checker scheduler, and streams the observations back in batches.
//
// Observations wait in a bounded buffer; when the server cannot be reached
// the agent retries with exponential backoff (up to 10 s) and, when the
// buffer is full, drops the oldest observations and counts them.
package checkeragent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/checkprobe"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/version"
)

// Options configure an agent.
type Options struct {
	// Client talks to the server. Required.
	Client *checkerapi.Client
	// Region is the checker's region. Required.
	Region string
	// CheckerID names this checker. Default "<hostname>/<region>", with
	// "@<source-ip>" appended when SourceIP is set.
	CheckerID string
	// SourceIP binds every probe to this local address. Default: none.
	SourceIP netip.Addr
	// Concurrency caps probes in flight. Default checker.DefaultConcurrency.
	Concurrency int
	// Policy is the probe-target policy. Default: DefaultDeny alone.
	Policy *probe.Policy
	// FlushEvery and BatchSize: a batch is sent every FlushEvery, or sooner
	// once BatchSize observations wait. Defaults 200 ms and 500.
	FlushEvery time.Duration
	BatchSize  int
	// Buffer is the most observations kept while the server is unreachable;
	// the oldest are dropped beyond it. Default 100000.
	Buffer int
	// PollWait is how long one assignments request waits for a change. Default 25 s.
	PollWait time.Duration
	// Logger. Default slog.Default().
	Logger *slog.Logger
}

// Agent is a running remote checker.
type Agent struct {
	opts   Options
	log    *slog.Logger
	chk    *checker.Checker
	prober *checkprobe.Prober

	mu      sync.Mutex
	buf     []model.Observation
	dropped int64
	kick    chan struct{}
}

// New validates opts and returns an Agent; Run starts it.
func New(opts Options) (*Agent, error) {
	if opts.Client == nil || opts.Region == "" {
		return nil, errors.New("checkeragent: Client and Region are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CheckerID == "" {
		host, _ := os.Hostname()
		opts.CheckerID = host + "/" + opts.Region
		if opts.SourceIP.IsValid() {
			opts.CheckerID += "@" + opts.SourceIP.String()
		}
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 200 * time.Millisecond
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.BatchSize > checkerapi.MaxBatch {
		opts.BatchSize = checkerapi.MaxBatch
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 100000
	}
	if opts.PollWait <= 0 {
		opts.PollWait = 25 * time.Second
	}
	a := &Agent{opts: opts, log: opts.Logger, kick: make(chan struct{}, 1)}
	tp := checkprobe.New(probe.New(probe.Options{Policy: opts.Policy, UserAgentVersion: version.String(), LocalAddr: opts.SourceIP}), nil)
	chk, err := checker.New(checker.Options{
		CheckerID: opts.CheckerID, Region: opts.Region, Prober: tp, Emit: a.emit,
		Concurrency: opts.Concurrency, Logger: opts.Logger,
	})
	if err != nil {
		return nil, err
	}
	a.chk, a.prober = chk, tp
	return a, nil
}

// Dropped returns how many observations were dropped because the buffer was full.
func (a *Agent) Dropped() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dropped
}

func (a *Agent) emit(o model.Observation) {
	a.mu.Lock()
	if len(a.buf) >= a.opts.Buffer {
		n := len(a.buf) - a.opts.Buffer + 1
		a.buf = append(a.buf[:0], a.buf[n:]...)
		a.dropped += int64(n)
	}
	a.buf = append(a.buf, o)
	full := len(a.buf) >= a.opts.BatchSize
	a.mu.Unlock()
	if full {
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}
}

// Run runs the agent until ctx ends.
func (a *Agent) Run(ctx context.Context) error {
	a.log.Info("vedette checker starting", "checker_id", a.opts.CheckerID, "region", a.opts.Region,
		"server", a.opts.Client.BaseURL, "source_ip", a.opts.SourceIP)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); _ = a.chk.Run(ctx) }()
	go func() { defer wg.Done(); a.poll(ctx) }()
	go func() { defer wg.Done(); a.send(ctx) }()
	wg.Wait()
	return nil
}

// backoff returns the next retry delay: doubling from 250 ms to 10 s.
func backoff(d time.Duration) time.Duration {
	if d == 0 {
		return 250 * time.Millisecond
	}
	return min(2*d, 10*time.Second)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// poll keeps the checker's schedule equal to the server's assignments.
func (a *Agent) poll(ctx context.Context) {
	var rev int64
	var delay time.Duration
	for ctx.Err() == nil {
		rctx, cancel := context.WithTimeout(ctx, a.opts.PollWait+15*time.Second)
		as, changed, err := a.opts.Client.Assignments(rctx, a.opts.Region, rev, a.opts.PollWait)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			delay = backoff(delay)
			a.log.Warn("fetch assignments failed; retrying", "err", err, "retry_in", delay)
			if !sleep(ctx, delay) {
				return
			}
			continue
		}
		delay = 0
		if changed {
			a.chk.Set(as.HealthChecks)
			a.prober.Keep(as.HealthChecks)
			if as.Revision != rev {
				a.log.Info("assignments", "revision", as.Revision, "health_checks", len(as.HealthChecks))
			}
			rev = as.Revision
		}
	}
}

// send posts the buffered observations in batches.
func (a *Agent) send(ctx context.Context) {
	tick := time.NewTicker(a.opts.FlushEvery)
	defer tick.Stop()
	var delay time.Duration
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-a.kick:
		}
		for {
			a.mu.Lock()
			n := min(len(a.buf), a.opts.BatchSize)
			batch := append([]model.Observation(nil), a.buf[:n]...)
			a.mu.Unlock()
			if n == 0 {
				break
			}
			b := checkerapi.Batch{CheckerID: a.opts.CheckerID, Region: a.opts.Region, Observations: batch}
			if a.opts.SourceIP.IsValid() {
				b.SourceIP = a.opts.SourceIP.String()
			}
			pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := a.opts.Client.Post(pctx, b)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				var se *checkerapi.StatusError
				if errors.As(err, &se) && se.Status/100 == 4 && se.Status != 429 && se.Status != 403 && se.Status != 401 {
					a.log.Error("server refused a batch; dropping it", "err", err, "observations", n)
					a.remove(batch)
					continue
				}
				delay = backoff(delay)
				a.log.Warn("post observations failed; retrying", "err", err, "buffered", a.buffered(), "dropped", a.Dropped(), "retry_in", delay)
				if !sleep(ctx, delay) {
					return
				}
				continue
			}
			delay = 0
			a.remove(batch)
		}
	}
}

// remove takes the sent batch off the front of the buffer; observations the
// buffer dropped meanwhile are not removed twice.
func (a *Agent) remove(batch []model.Observation) {
	a.mu.Lock()
	defer a.mu.Unlock()
	last := batch[len(batch)-1]
	for i, o := range a.buf {
		if o.HealthCheckID == last.HealthCheckID && o.Time.Equal(last.Time) {
			a.buf = append(a.buf[:0], a.buf[i+1:]...)
			return
		}
	}
}

func (a *Agent) buffered() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.buf)
}

// String describes the agent for logs.
func (a *Agent) String() string {
	return fmt.Sprintf("checker %s (%s)", a.opts.CheckerID, a.opts.Region)
}
