package probe_test

import (
	"context"
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probetest"
)

// Run with: go test -run '^$' -bench . -benchmem ./internal/probe/
// The numbers include the loopback server's side.

func benchProbe(b *testing.B, cfg model.HealthCheckConfig) {
	b.Helper()
	p := newProber()
	tg := mustTarget(b, cfg)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Probe(ctx, tg); !r.Success {
			b.Fatal(r.Reason)
		}
	}
}

func BenchmarkHTTPProbe(b *testing.B) {
	srv := probetest.StartHTTP(b, status(200))
	benchProbe(b, model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "127.0.0.1", Port: srv.Port()})
}

func BenchmarkHTTPStrMatchProbe(b *testing.B) {
	srv := probetest.StartHTTP(b, body("gzip", gzipped(needle)))
	benchProbe(b, model.HealthCheckConfig{Type: model.TypeHTTPStrMatch, IPAddress: "127.0.0.1", Port: srv.Port(), SearchString: needle})
}

func BenchmarkHTTPSProbe(b *testing.B) {
	srv := probetest.StartHTTP(b, status(200), probetest.TLS())
	benchProbe(b, model.HealthCheckConfig{Type: model.TypeHTTPS, IPAddress: "127.0.0.1", Port: srv.Port()})
}

func BenchmarkTCPProbe(b *testing.B) {
	srv := probetest.StartTCP(b, nil)
	benchProbe(b, model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: srv.Port()})
}
