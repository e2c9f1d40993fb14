package app

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sort"
	"sync"

	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/healthfeed"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/version"
)

// targetProber adapts the endpoint prober to the checker, building each
// check's Target once per configuration version.
type targetProber struct {
	p       *probe.EndpointProber
	mu      sync.Mutex
	targets map[string]cachedTarget
	sources sourceSet
}

type cachedTarget struct {
	version int64
	target  probe.Target
	err     error
}

func (tp *targetProber) target(hc model.HealthCheck) (probe.Target, error) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if c, ok := tp.targets[hc.ID]; ok && c.version == hc.Version {
		return c.target, c.err
	}
	t, err := probe.NewTarget(hc.ID, hc.Config)
	tp.targets[hc.ID] = cachedTarget{version: hc.Version, target: t, err: err}
	return t, err
}

// Probe implements checker.Prober.
func (tp *targetProber) Probe(ctx context.Context, hc model.HealthCheck) checker.Result {
	t, err := tp.target(hc)
	if err != nil {
		return checker.Result{Reason: probe.ReasonInvalidTarget}
	}
	r := tp.p.Probe(ctx, t)
	res := checker.Result{Success: r.Success, Reason: r.Reason, Timings: r.Timings}
	src := r.SourceIP
	if !src.IsValid() {
		src = routeSource(r.RemoteIP)
	}
	if src.IsValid() {
		res.SourceIP = src.Unmap().String()
		tp.sources.add(src)
	}
	return res
}

// routeSource returns the local address the kernel would use to reach dst,
// for observations of probes that made no connection (refused, timed out).
// Connecting a UDP socket sends nothing.
func routeSource(dst netip.Addr) netip.Addr {
	if !dst.IsValid() {
		return netip.Addr{}
	}
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr()
}

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
	a.prober = &targetProber{
		p:       probe.New(probe.Options{Policy: a.policy, UserAgentVersion: version.String()}),
		targets: map[string]cachedTarget{},
	}
	a.checks = checkerapi.NewChecks()
	var feed *healthfeed.Feed
	if cfg.NoChecker {
		a.log.Info("embedded health checker off (--checker=false); remote checkers probe")
		feed = healthfeed.New(healthfeed.Options{Store: a.store, Scheduler: a.checks, Logger: a.log,
			OnView: func(v *health.View) { a.dns.SetHealth(viewHealth{v}) }})
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
		OnView: func(v *health.View) { a.dns.SetHealth(viewHealth{v}) }})
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
