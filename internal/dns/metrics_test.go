package dns_test

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	vdns "github.com/vedette-dns/vedette/internal/dns"
	"github.com/vedette-dns/vedette/internal/dnstest"
)

// dnsCounts gathers reg into "name/label=value,..." → value.
func dnsCounts(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "/" + l.GetName() + "=" + l.GetValue()
			}
			out[key] = m.GetCounter().GetValue()
		}
	}
	return out
}

func queriesKey(transport, rcode string) string {
	return "vedette_dns_queries_total/rcode=" + rcode + "/transport=" + transport
}

// Real queries over UDP (several SO_REUSEPORT sockets, so several readers'
// counters) and TCP, each asked twice so the cache answers the second, are
// counted by transport and rcode.
func TestCollectorCountsQueries(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone), func(s *vdns.Server) { s.UDPSockets = 4 })
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(srv.Collector()); err != nil {
		t.Fatal(err)
	}
	before := dnsCounts(t, reg) // dnstest.Start's readiness probes are in there
	if _, ok := before[queriesKey("udp", "NXDOMAIN")]; !ok {
		t.Fatalf("no zero series for NXDOMAIN: %v", before)
	}

	want := map[string]float64{}
	const rounds = 20 // fresh client sockets: spread over the UDP readers
	for _, network := range []string{"udp", "tcp"} {
		for range rounds {
			for _, q := range []struct {
				name  string
				qtype uint16
				rcode int
			}{
				{"www.example.com.", dns.TypeA, dns.RcodeSuccess},
				{"nope.example.com.", dns.TypeA, dns.RcodeNameError},
				{"example.org.", dns.TypeA, dns.RcodeRefused},
				{"example.com.", dns.TypeAXFR, dns.RcodeRefused},
			} {
				if r := dnstest.Query(t, srv, network, q.name, q.qtype); r.Rcode != q.rcode {
					t.Fatalf("%s %s: rcode %d, want %d", network, q.name, r.Rcode, q.rcode)
				}
				want[queriesKey(network, vdns.RcodeName(q.rcode))]++
			}
		}
		badvers := new(dns.Msg).SetQuestion("www.example.com.", dns.TypeA)
		badvers.SetEdns0(1232, false)
		badvers.IsEdns0().SetVersion(1)
		dnstest.Exchange(t, srv.Addr().String(), network, badvers)
		want[queriesKey(network, "BADVERS")]++
		notify := new(dns.Msg).SetNotify("example.com.")
		dnstest.Exchange(t, srv.Addr().String(), network, notify)
		want[queriesKey(network, "NOTIMP")]++
	}

	// Unparseable: FORMERR and malformed. A response: dropped.
	c, err := net.Dial("udp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a'}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 512)); err != nil {
		t.Fatal(err)
	}
	want[queriesKey("udp", "FORMERR")]++
	want["vedette_dns_malformed_queries_total/transport=udp"]++
	if _, err := c.Write([]byte{0x12, 0x34, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	want["vedette_dns_dropped_queries_total/transport=udp"]++

	// The dropped packet gets no reply to wait for: poll.
	var got map[string]float64
	for deadline := time.Now().Add(5 * time.Second); ; {
		got = dnsCounts(t, reg)
		if got["vedette_dns_dropped_queries_total/transport=udp"]-before["vedette_dns_dropped_queries_total/transport=udp"] >= 1 ||
			time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for key := range got {
		if d := got[key] - before[key]; d != want[key] {
			t.Errorf("%s: counted %v, want %v", key, d, want[key])
		}
	}
	for key := range want {
		if _, ok := got[key]; !ok {
			t.Errorf("%s: missing", key)
		}
	}
	// The kernel spread the clients over the SO_REUSEPORT sockets: several
	// readers' counters were summed.
	busy := 0
	for _, n := range vdns.UDPReaderQueries(srv) {
		if n > 0 {
			busy++
		}
	}
	if busy < 2 {
		t.Errorf("replies per UDP reader %v: want several readers used", vdns.UDPReaderQueries(srv))
	}
}

// The cache path counts too, without allocating (TestReplyHitAllocatesNothing
// covers the allocations).
func TestReplyCountsCacheHits(t *testing.T) {
	r := newReplier(t)
	q := pack(t, "www.example.com.", dns.TypeA, 0)
	for range 3 {
		r.Reply(q, true)
	}
	if n := r.Counted(dns.RcodeSuccess); n != 3 {
		t.Fatalf("counted %d NOERROR, want 3", n)
	}
	if n := r.Counted(dns.RcodeNameError); n != 0 {
		t.Fatalf("counted %d NXDOMAIN, want 0", n)
	}
}
