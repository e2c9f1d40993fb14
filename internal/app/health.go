package app

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"sync"

	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/checkprobe"
	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/healthfeed"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/version"
)

// sourceSet records the source addresses probes left from: the checker IP
// ranges this node reports (GetCheckerIpRanges).
type sourceSet struct {
	mu   sync.Mutex
	seen map[netip.Addr]bool
}

func (s *sourceSet) add(a netip.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[netip.Addr]bool{}
	}
	s.seen[a.Unmap()] = true
}

// ranges returns the seen addresses as host prefixes, sorted.
func (s *sourceSet) ranges() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.seen))
	for a := range s.seen {
		out = append(out, netip.PrefixFrom(a, a.BitLen()).String())
	}
	sort.Strings(out)
	return out
}

// startHealth builds the prober, the embedded checker and the health feed,
// and runs the checker and the feed until the app's context ends.
func (a *App) startHealth(ctx context.Context, cfg *config.Serve) error {
	a.policy = &probe.Policy{Allow: cfg.ProbeAllow, Deny: cfg.ProbeDeny}
	a.prober = checkprobe.New(probe.New(probe.Options{Policy: a.policy, UserAgentVersion: version.String()}), a.sources.add)
	a.prober.SetObserver(selfmetrics.NewProbes(a.registry))
	a.checks = checkerapi.NewChecks()
	var feed *healthfeed.Feed
	if cfg.NoChecker {
		a.log.Info("embedded health checker off (--checker=false); remote checkers probe")
		feed = healthfeed.New(healthfeed.Options{Store: a.store, Scheduler: a.checks, Logger: a.log,
			OnView:   func(v *health.View) { a.dns.SetHealth(viewHealth{v}) },
			OnChange: a.monitor.Changed, OnObserve: a.monitor.Observe, AlarmState: a.monitor.EvaluatedState})
		a.health = feed
		a.goRun(ctx, "health feed", feed.Run)
		return nil
	}
	host, _ := os.Hostname()
	chk, err := checker.New(checker.Options{
		CheckerID:   fmt.Sprintf("%s/%s", host, cfg.CheckerRegion),
		Region:      cfg.CheckerRegion,
		AllRegions:  true,
		Prober:      a.prober,
		Emit:        func(o model.Observation) { feed.Observe(o) },
		Concurrency: cfg.CheckerConcurrency,
		Logger:      a.log,
	})
	if err != nil {
		return fmt.Errorf("checker: %w", err)
	}
	feed = healthfeed.New(healthfeed.Options{Store: a.store, Scheduler: schedulers{chk, a.checks}, Logger: a.log,
		OnView:   func(v *health.View) { a.dns.SetHealth(viewHealth{v}) },
		OnChange: a.monitor.Changed, OnObserve: a.monitor.Observe, AlarmState: a.monitor.EvaluatedState})
	a.health = feed
	a.goRun(ctx, "checker", chk.Run)
	a.goRun(ctx, "health feed", feed.Run)
	return nil
}

// schedulers fans the feed's schedule out to several schedulers: the
// embedded checker and the assignments served to remote checkers.
type schedulers []healthfeed.Scheduler

func (s schedulers) Set(checks []model.HealthCheck) {
	for _, x := range s {
		x.Set(checks)
	}
}

func (s schedulers) Upsert(hc model.HealthCheck) {
	for _, x := range s {
		x.Upsert(hc)
	}
}

func (s schedulers) Remove(id string) {
	for _, x := range s {
		x.Remove(id)
	}
}

// viewHealth answers routing's health questions from a health view: a check
// the view does not know (deleted, or not loaded yet) counts as healthy.
type viewHealth struct{ v *health.View }

func (h viewHealth) Healthy(id string) bool {
	st, ok := h.v.Status(id)
	return !ok || st != model.StatusUnhealthy
}

// goRun runs fn in a goroutine owned by the app; an unexpected stop is
// reported through Failed.
func (a *App) goRun(ctx context.Context, what string, fn func(context.Context) error) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		err := fn(ctx)
		if ctx.Err() == nil {
			a.log.Error(what+" stopped", "err", err)
			a.ready.Store(false)
			select {
			case a.feedErr <- fmt.Errorf("%s: %w", what, err):
			default:
			}
		}
	}()
}
