package probe_test

import (
	"net"
	"net/netip"
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
)

// TestLocalAddr: with Options.LocalAddr every probe leaves from that address,
// the server sees it, and the result reports it, also when the connect fails.
func TestLocalAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	seen := make(chan netip.Addr, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		seen <- c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
		c.Close()
	}()
	src := netip.MustParseAddr("127.0.0.12")
	p := newProber(func(o *probe.Options) { o.LocalAddr = src })
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	cfg := model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: int(ap.Port())}
	r := probeOnce(t, p, cfg)
	if !r.Success || r.SourceIP != src {
		t.Fatalf("probe = %+v, want success from %v", r, src)
	}
	if got := <-seen; got != src {
		t.Fatalf("server saw %v, want %v", got, src)
	}
	ln.Close()
	r = probeOnce(t, p, cfg)
	if r.Success || r.SourceIP != src {
		t.Fatalf("probe of a closed port = %+v, want failure from %v", r, src)
	}
}
