package probe_test

import (
	"context"
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/probetest"
)

// TestResolution covers checks addressed by name: IPv4 preferred, IPv6
// when there is no IPv4, a name that does not resolve, and the
// ". Resolved IP" suffix.
func TestResolution(t *testing.T) {
	v4 := probetest.StartHTTP(t, status(200))
	v6 := probetest.StartHTTP(t, status(200), probetest.IPv6())
	var res probetest.Resolver
	// Both servers' ports differ, so a probe of the wrong family is refused.
	res.Set("dual.example.com", addr("::1"), addr("127.0.0.1"))
	res.Set("v6only.example.com", addr("::1"))
	res.Set("mapped.example.com", addr("::ffff:127.0.0.1"))
	p := newProber(func(o *probe.Options) { o.Resolver = &res })
	tests := []struct {
		name    string
		fqdn    string
		port    int
		success bool
		reason  string
		remote  string // "" for none
	}{
		{"IPv4 preferred", "dual.example.com", v4.Port(), true, "Success: HTTP Status Code 200, OK. Resolved IP: 127.0.0.1", "127.0.0.1"},
		{"IPv4-mapped answer", "mapped.example.com.", v4.Port(), true, "Success: HTTP Status Code 200, OK. Resolved IP: 127.0.0.1", "127.0.0.1"},
		{"IPv6 when there is no IPv4", "v6only.example.com", v6.Port(), true, "Success: HTTP Status Code 200, OK. Resolved IP: ::1", "::1"},
		{"failure names the address too", "v6only.example.com", v4.Port(), false, probe.ReasonConnectionRefused + ". Resolved IP: ::1", "::1"},
		{"a name that does not resolve", "nowhere.example.com", v4.Port(), false, probe.ReasonDNSFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := probeOnce(t, p, model.HealthCheckConfig{Type: model.TypeHTTP, FullyQualifiedDomainName: tt.fqdn, Port: tt.port})
			if r.Success != tt.success || r.Reason != tt.reason {
				t.Errorf("got %v %q, want %v %q", r.Success, r.Reason, tt.success, tt.reason)
			}
			if got := r.RemoteIP.String(); (tt.remote == "" && r.RemoteIP.IsValid()) || (tt.remote != "" && got != tt.remote) {
				t.Errorf("remote %v, want %q", r.RemoteIP, tt.remote)
			}
		})
	}
}

// TestReResolvedEveryProbe: no caching, the name is looked up per probe.
func TestReResolvedEveryProbe(t *testing.T) {
	srv := probetest.StartHTTP(t, status(200))
	var res probetest.Resolver
	res.Set("www.example.com", addr("127.0.0.1"))
	p := newProber(func(o *probe.Options) { o.Resolver = &res })
	tg := mustTarget(t, model.HealthCheckConfig{Type: model.TypeHTTP, FullyQualifiedDomainName: "www.example.com", Port: srv.Port()})
	for range 3 {
		p.Probe(context.Background(), tg)
	}
	if n := res.Lookups("www.example.com"); n != 3 {
		t.Errorf("3 probes, %d lookups", n)
	}
}

// TestPolicyAtConnect: the probe target policy is applied to the address
// being connected to. The rows run in order: the last two would reach
// 169.254.169.254 if the policy were not applied, so they run only after
// the loopback rows have shown that it is.
func TestPolicyAtConnect(t *testing.T) {
	t.Run("operator deny list refuses loopback before connecting", func(t *testing.T) {
		srv := probetest.StartTCP(t, nil)
		p := newProber(func(o *probe.Options) {
			o.Policy = &probe.Policy{Deny: prefixes("127.0.0.0/8"), Allow: prefixes("127.0.0.1/32")}
		})
		for _, typ := range []model.HealthCheckType{model.TypeHTTP, model.TypeHTTPS, model.TypeTCP} {
			r := probeOnce(t, p, model.HealthCheckConfig{Type: typ, IPAddress: "127.0.0.1", Port: srv.Port()})
			if r.Success || r.Reason != "Failure: The address 127.0.0.1 is not allowed by the probe target policy" {
				t.Errorf("%s: %v %q", typ, r.Success, r.Reason)
			}
			if r.SourceIP.IsValid() || r.Timings != (model.Timings{}) {
				t.Errorf("%s: a connection was made: %+v", typ, r)
			}
		}
		if n := srv.Accepted(); n != 0 {
			t.Fatalf("the server accepted %d connections", n)
		}
	})
	var res probetest.Resolver
	srv := probetest.StartHTTP(t, status(200))
	p := newProber(func(o *probe.Options) { o.Resolver = &res })
	tg := mustTarget(t, model.HealthCheckConfig{Type: model.TypeHTTP, FullyQualifiedDomainName: "flip.example.com", Port: srv.Port()})
	if !t.Run("name resolving to loopback is probed", func(t *testing.T) {
		res.Set("flip.example.com", addr("127.0.0.1"))
		if r := p.Probe(context.Background(), tg); !r.Success {
			t.Fatal(r.Reason)
		}
	}) {
		t.FailNow()
	}
	t.Run("the same name re-resolving to the metadata address is refused", func(t *testing.T) {
		res.Set("flip.example.com", addr("169.254.169.254"))
		r := p.Probe(context.Background(), tg)
		if r.Success || r.Reason != "Failure: The address 169.254.169.254 is not allowed by the probe target policy" {
			t.Errorf("%v %q", r.Success, r.Reason)
		}
		if r.RemoteIP != addr("169.254.169.254") || r.SourceIP.IsValid() {
			t.Errorf("remote %v, source %v", r.RemoteIP, r.SourceIP)
		}
	})
	t.Run("a metadata IPAddress is refused", func(t *testing.T) {
		for _, typ := range []model.HealthCheckType{model.TypeHTTP, model.TypeTCP} {
			r := probeOnce(t, newProber(), model.HealthCheckConfig{Type: typ, IPAddress: "169.254.169.254", Port: 80})
			if r.Success || r.Reason != probe.PolicyReason(addr("169.254.169.254")) {
				t.Errorf("%s: %v %q", typ, r.Success, r.Reason)
			}
		}
	})
}

func TestProberFunc(t *testing.T) {
	var p probe.Prober = probe.ProberFunc(func(ctx context.Context, tg probe.Target) probe.Result {
		return probe.Result{Success: true, Reason: tg.ID()}
	})
	if r := p.Probe(context.Background(), probe.Target{}); !r.Success {
		t.Error("ProberFunc did not call its function")
	}
	var _ probe.Prober = probe.New(probe.Options{})
}
