package probe_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/probetest"
)

func TestTCPProbe(t *testing.T) {
	tests := []struct {
		name    string
		serve   endpoint
		success bool
		reason  string
	}{
		{"accepts", rawServer(nil), true, probe.ReasonTCPSuccess},
		{"accepts and closes", rawServer(func(net.Conn) {}), true, probe.ReasonTCPSuccess},
		{"refused", func(tb testing.TB) netip.AddrPort { return probetest.RefusedPort(tb) }, false, probe.ReasonConnectionRefused},
		{"connect timeout", func(tb testing.TB) netip.AddrPort { return probetest.BlackholePort(tb) }, false, probe.ReasonConnectTimeout},
		{"IPv6 loopback", func(tb testing.TB) netip.AddrPort {
			return probetest.StartHTTP(tb, status(200), probetest.IPv6()).Addr
		}, true, probe.ReasonTCPSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ap := tt.serve(t)
			r := probeOnce(t, newProber(forReason(tt.reason)), model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: ap.Addr().String(), Port: int(ap.Port())})
			if r.Success != tt.success || r.Reason != tt.reason {
				t.Errorf("got %v %q, want %v %q", r.Success, r.Reason, tt.success, tt.reason)
			}
			if r.RemoteIP != ap.Addr() {
				t.Errorf("remote %v, want %v", r.RemoteIP, ap.Addr())
			}
			if r.Success && (r.Timings.Connect <= 0 || r.SourceIP != ap.Addr() || r.Timings.FirstByte != 0) {
				t.Errorf("timings %+v, source %v", r.Timings, r.SourceIP)
			}
		})
	}
}

// TestTCPTimeoutIsItsOwn: TCP checks wait TCPTimeout, not ConnectTimeout.
func TestTCPTimeoutIsItsOwn(t *testing.T) {
	ap := probetest.BlackholePort(t)
	p := newProber(func(o *probe.Options) {
		o.ConnectTimeout = 50 * time.Millisecond
		o.TCPTimeout = 300 * time.Millisecond
	})
	start := time.Now()
	r := probeOnce(t, p, model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: int(ap.Port())})
	if d := time.Since(start); r.Reason != probe.ReasonConnectTimeout || d < 300*time.Millisecond {
		t.Errorf("%q after %v", r.Reason, d)
	}
}

func TestTCPServerCountsConnections(t *testing.T) {
	srv := probetest.StartTCP(t, nil)
	p := newProber()
	tg := mustTarget(t, model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: srv.Port()})
	for range 3 {
		if r := p.Probe(t.Context(), tg); !r.Success {
			t.Fatal(r.Reason)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.Accepted() != 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // polling the server's accept loop, with a deadline
	}
	if n := srv.Accepted(); n != 3 {
		t.Errorf("3 probes, %d connections", n)
	}
}
