package dnstest

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	vdns "github.com/vedette-dns/vedette/internal/dns"
	"github.com/vedette-dns/vedette/internal/zone"
)

// readyTimeout bounds how long Start waits for the server to answer.
const readyTimeout = 5 * time.Second

// Start starts an internal/dns server on 127.0.0.1, port 0 (one port for UDP
// and TCP), serving snap, and returns once it answers over both; configure
// may set fields before the start. The server is closed by t.Cleanup.
func Start(tb testing.TB, snap *zone.Snapshot, configure ...func(*vdns.Server)) *vdns.Server {
	tb.Helper()
	s := &vdns.Server{ListenAddr: "127.0.0.1:0", UDPSockets: 2}
	for _, f := range configure {
		f(s)
	}
	s.SetSnapshot(snap)
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	for _, network := range []string{"udp", "tcp"} {
		waitReady(tb, s.Addr().String(), network)
	}
	return s
}

// waitReady polls addr over network until it answers or the deadline passes.
func waitReady(tb testing.TB, addr, network string) {
	tb.Helper()
	c := &dns.Client{Net: network, Timeout: 200 * time.Millisecond}
	m := new(dns.Msg).SetQuestion(".", dns.TypeSOA)
	deadline := time.Now().Add(readyTimeout)
	for {
		_, _, err := c.Exchange(m, addr)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("dnstest: %s server on %s not answering: %v", network, addr, err)
		}
		time.Sleep(10 * time.Millisecond) // between attempts, not instead of one
	}
}

// Exchange sends m to addr over network ("udp" or "tcp") with miekg/dns's
// client and returns the reply, failing the test on error. A truncated UDP
// reply is returned as it is.
func Exchange(tb testing.TB, addr, network string, m *dns.Msg) *dns.Msg {
	tb.Helper()
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		tb.Fatalf("dnstest: %s query %v to %s: %v", network, m.Question, addr, err)
	}
	return r
}

// Query asks srv for name and qtype over network, without EDNS(0).
func Query(tb testing.TB, srv *vdns.Server, network, name string, qtype uint16) *dns.Msg {
	tb.Helper()
	return Exchange(tb, srv.Addr().String(), network, new(dns.Msg).SetQuestion(name, qtype))
}
