// Package checkprobe owns running one health check's probe for a checker:
// it builds each check's probe.Target once per configuration version, runs
// the endpoint prober, and turns its result into the checker's, with the
// source address the probe left from (or would have left from).
package checkprobe

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
	"github.com/vedette-dns/vedette/internal/probe"
)

// Prober implements checker.Prober over a probe.EndpointProber. It is safe
// for concurrent use.
type Prober struct {
	p        *probe.EndpointProber
	onSource func(netip.Addr)
	obs      selfmetrics.ProbeObserver

	mu      sync.Mutex
	targets map[string]cached
}

type cached struct {
	version int64
	target  probe.Target
	err     error
}

// New returns a Prober. onSource, when not nil, is called with the source
// address of every probe (for GetCheckerIpRanges or benchmarks).
func New(p *probe.EndpointProber, onSource func(netip.Addr)) *Prober {
	return &Prober{p: p, onSource: onSource, targets: map[string]cached{}}
}

// SetObserver makes every probe Probe runs reported to obs (health-check
// type, success, duration); nil, the default, reports nothing. Call it
// before the first Probe.
func (cp *Prober) SetObserver(obs selfmetrics.ProbeObserver) { cp.obs = obs }

func (cp *Prober) target(hc model.HealthCheck) (probe.Target, error) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if c, ok := cp.targets[hc.ID]; ok && c.version == hc.Version {
		return c.target, c.err
	}
	t, err := probe.NewTarget(hc.ID, hc.Config)
	cp.targets[hc.ID] = cached{version: hc.Version, target: t, err: err}
	return t, err
}

// Keep forgets the targets of checks not in checks.
func (cp *Prober) Keep(checks []model.HealthCheck) {
	ids := make(map[string]bool, len(checks))
	for _, hc := range checks {
		ids[hc.ID] = true
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for id := range cp.targets {
		if !ids[id] {
			delete(cp.targets, id)
		}
	}
}

// Probe implements checker.Prober. A probe that ran is reported to the
// observer set with SetObserver; an invalid target is not (no probe ran).
func (cp *Prober) Probe(ctx context.Context, hc model.HealthCheck) checker.Result {
	t, err := cp.target(hc)
	if err != nil {
		return checker.Result{Reason: probe.ReasonInvalidTarget}
	}
	start := time.Now()
	r := cp.p.Probe(ctx, t)
	if cp.obs != nil {
		cp.obs.ObserveProbe(string(hc.Config.Type), r.Success, time.Since(start))
	}
	res := checker.Result{Success: r.Success, Reason: r.Reason, Timings: r.Timings}
	src := r.SourceIP
	if !src.IsValid() {
		src = routeSource(r.RemoteIP)
	}
	if src.IsValid() {
		src = src.Unmap()
		res.SourceIP = src.String()
		if cp.onSource != nil {
			cp.onSource(src)
		}
	}
	return res
}

// routeSource returns the local address the kernel would use to reach dst,
// for probes that made no connection (refused, timed out). Connecting a UDP
// socket sends nothing.
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
