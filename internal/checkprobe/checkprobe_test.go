package checkprobe

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
)

func TestProbeReportsSourceEvenWhenRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens: the probe is refused
	var seen []netip.Addr
	cp := New(probe.New(probe.Options{}), func(a netip.Addr) { seen = append(seen, a) })
	hc := model.HealthCheck{ID: "x", Version: 1, Config: model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: port}}
	r := cp.Probe(context.Background(), hc)
	if r.Success || r.SourceIP != "127.0.0.1" || len(seen) != 1 {
		t.Fatalf("result %+v, sources %v", r, seen)
	}
	bad := model.HealthCheck{ID: "y\n", Version: 1, Config: model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: 1}}
	if r := cp.Probe(context.Background(), bad); r.Reason != probe.ReasonInvalidTarget {
		t.Fatalf("invalid target: %+v", r)
	}
	cp.Keep([]model.HealthCheck{hc})
	if _, ok := cp.targets["y\n"]; ok || len(cp.targets) != 1 {
		t.Fatalf("Keep left %v", cp.targets)
	}
}
