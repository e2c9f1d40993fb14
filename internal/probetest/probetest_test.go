package probetest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vedette-dns/vedette/internal/probetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestResolver(t *testing.T) {
	var r probetest.Resolver
	v4, v6, mapped := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"), netip.MustParseAddr("::ffff:127.0.0.2")
	r.Set("Www.Example.com.", v6, v4, mapped)
	tests := []struct {
		network string
		want    []netip.Addr
	}{
		{"ip", []netip.Addr{v6, v4, mapped}},
		{"ip4", []netip.Addr{v4, mapped}},
		{"ip6", []netip.Addr{v6}},
	}
	for _, tt := range tests {
		got, err := r.LookupNetIP(context.Background(), tt.network, "www.example.com")
		if err != nil || len(got) != len(tt.want) {
			t.Fatalf("%s: %v, %v", tt.network, got, err)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: %v, want %v", tt.network, got, tt.want)
			}
		}
	}
	var dnsErr *net.DNSError
	if _, err := r.LookupNetIP(context.Background(), "ip", "nowhere.example.com"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("unknown name: %v", err)
	}
	if n := r.Lookups("WWW.example.com"); n != 3 {
		t.Errorf("lookups %d, want 3", n)
	}
	r.Set("www.example.com")
	if _, err := r.LookupNetIP(context.Background(), "ip", "www.example.com"); err == nil {
		t.Error("a removed name still resolves")
	}
}

func TestPorts(t *testing.T) {
	_, err := net.DialTimeout("tcp", probetest.RefusedPort(t).String(), 5*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("RefusedPort: %v", err)
	}
	var ne net.Error
	_, err = net.DialTimeout("tcp", probetest.BlackholePort(t).String(), 100*time.Millisecond)
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("BlackholePort: %v", err)
	}
}

func TestServersRecord(t *testing.T) {
	tcp := probetest.StartTCP(t, nil)
	c, err := net.Dial("tcp", tcp.Addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	srv := probetest.StartHTTP(t, http.NotFoundHandler(), probetest.TLS(), probetest.IPv6())
	if !srv.Addr.Addr().Is6() {
		t.Errorf("IPv6 server on %v", srv.Addr)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, ServerName: "sni.example"}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if len(srv.Conns()) != 1 || len(srv.ServerNames()) != 1 || srv.ServerNames()[0] != "sni.example" {
		t.Errorf("conns %v, server names %q", srv.Conns(), srv.ServerNames())
	}
}
