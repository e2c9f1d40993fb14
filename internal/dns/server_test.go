package dns_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	vdns "github.com/vedette-dns/vedette/internal/dns"
	"github.com/vedette-dns/vedette/internal/dnstest"
)

func manyA(owner string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s 60 IN A 10.0.%d.%d\n", owner, i/256, i%256)
	}
	return b.String()
}

// SOA MINIMUM 300 below its TTL 3600: negative answers carry TTL 300.
var testZone = dnstest.Zone{ID: "Z1", Name: "example.com.", Text: `
@        3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300
@      172800 IN NS  ns1.example.com.
@         300 IN A   192.0.2.1
ns1       300 IN A   192.0.2.53
www       300 IN A   192.0.2.10
alias     300 IN CNAME chain
chain     300 IN CNAME www
*.wild    300 IN A   192.0.2.99
deleg   86400 IN NS  ns.deleg
ns.deleg  300 IN A   192.0.2.200
txt       300 IN TXT "hello" "world"
` + manyA("mid", 40) + manyA("big", 100)}

const (
	soaNeg = "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"
	wwwA   = "www.example.com. 300 IN A 192.0.2.10"
)

type serverCase struct {
	name, qname string
	qtype       uint16
	rcode       int
	aa          bool
	answer, ns  []string
	extra       []string
}

var serverCases = []serverCase{
	{name: "answer", qname: "www.example.com.", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: true, answer: []string{wwwA}},
	{name: "nxdomain", qname: "nope.example.com.", qtype: dns.TypeA, rcode: dns.RcodeNameError, aa: true, ns: []string{soaNeg}},
	{name: "nodata", qname: "www.example.com.", qtype: dns.TypeAAAA, rcode: dns.RcodeSuccess, aa: true, ns: []string{soaNeg}},
	{name: "referral", qname: "a.deleg.example.com.", qtype: dns.TypeA, rcode: dns.RcodeSuccess,
		ns: []string{"deleg.example.com. 86400 IN NS ns.deleg.example.com."}, extra: []string{"ns.deleg.example.com. 300 IN A 192.0.2.200"}},
	{name: "cname chain", qname: "alias.example.com.", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: true,
		answer: []string{"alias.example.com. 300 IN CNAME chain.example.com.", "chain.example.com. 300 IN CNAME www.example.com.", wwwA}},
	{name: "wildcard", qname: "x.wild.example.com.", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: true,
		answer: []string{"x.wild.example.com. 300 IN A 192.0.2.99"}},
	{name: "refused", qname: "example.org.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
	{name: "any minimal", qname: "example.com.", qtype: dns.TypeANY, rcode: dns.RcodeSuccess, aa: true,
		answer: []string{"example.com. 300 IN A 192.0.2.1"}},
	{name: "apex ns with glue", qname: "example.com.", qtype: dns.TypeNS, rcode: dns.RcodeSuccess, aa: true,
		answer: []string{"example.com. 172800 IN NS ns1.example.com."}, extra: []string{"ns1.example.com. 300 IN A 192.0.2.53"}},
	{name: "txt", qname: "txt.example.com.", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, aa: true,
		answer: []string{`txt.example.com. 300 IN TXT "hello" "world"`}},
}

func TestServerAnswers(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	for _, network := range []string{"udp", "tcp"} {
		for _, tc := range serverCases {
			// Twice: a miss that fills the cache, then a hit.
			for _, pass := range []string{"miss", "hit"} {
				t.Run(network+"/"+tc.name+"/"+pass, func(t *testing.T) {
					r := dnstest.Query(t, srv, network, tc.qname, tc.qtype)
					checkReply(t, r, tc)
				})
			}
		}
	}
}

func checkReply(t *testing.T, r *dns.Msg, tc serverCase) {
	t.Helper()
	if r.Rcode != tc.rcode || r.Authoritative != tc.aa || r.Truncated || !r.Response {
		t.Errorf("rcode %s aa %v tc %v qr %v; want %s aa %v", dns.RcodeToString[r.Rcode], r.Authoritative, r.Truncated, r.Response,
			dns.RcodeToString[tc.rcode], tc.aa)
	}
	for _, d := range []string{
		dnstest.SectionDiff("answer", r.Answer, tc.answer),
		dnstest.SectionDiff("authority", r.Ns, tc.ns),
		dnstest.SectionDiff("additional", r.Extra, tc.extra),
	} {
		if d != "" {
			t.Error(d)
		}
	}
}

func TestServerKeepsQuestionAndID(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	addr := srv.Addr().String()
	for i, name := range []string{"WwW.ExAmple.COM.", "www.EXAMPLE.com.", "WWW.example.COM.", "X.Wild.Example.Com."} {
		for _, network := range []string{"udp", "tcp"} {
			m := new(dns.Msg).SetQuestion(name, dns.TypeA)
			m.Id = uint16(1000 + i)
			r := dnstest.Exchange(t, addr, network, m)
			if r.Id != m.Id || r.Question[0].Name != name || len(r.Answer) != 1 || !r.RecursionDesired {
				t.Errorf("%s %s: id %d question %q answer %v rd %v; want id %d, question as sent, rd echoed", network, name, r.Id, r.Question[0].Name, r.Answer, r.RecursionDesired, m.Id)
			}
		}
	}
}

func TestServerEDNS(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	cases := []struct {
		name    string
		qname   string
		edns    uint16 // 0: no OPT
		network string
		tc      bool
		answers int
	}{
		{"small without EDNS", "www.example.com.", 0, "udp", false, 1},
		{"mid without EDNS truncates at 512", "mid.example.com.", 0, "udp", true, 0},
		{"mid fits 1232", "mid.example.com.", 1232, "udp", false, 40},
		{"mid truncates at the client's 600", "mid.example.com.", 600, "udp", true, 0},
		{"client below 512 means 512", "www.example.com.", 100, "udp", false, 1},
		{"big truncates at our 1232", "big.example.com.", 4096, "udp", true, 0},
		{"big over TCP", "big.example.com.", 0, "tcp", false, 100},
		{"big over TCP with EDNS", "big.example.com.", 1232, "tcp", false, 100},
	}
	for _, tc := range cases {
		for _, pass := range []string{"miss", "hit"} {
			t.Run(tc.name+"/"+pass, func(t *testing.T) {
				m := new(dns.Msg).SetQuestion(tc.qname, dns.TypeA)
				if tc.edns != 0 {
					m.SetEdns0(tc.edns, true)
				}
				r := dnstest.Exchange(t, srv.Addr().String(), tc.network, m)
				opt := r.IsEdns0()
				if r.Truncated != tc.tc || len(r.Answer) != tc.answers || r.Rcode != dns.RcodeSuccess {
					t.Errorf("tc %v, %d answers, rcode %s; want tc %v, %d answers", r.Truncated, len(r.Answer), dns.RcodeToString[r.Rcode], tc.tc, tc.answers)
				}
				if (opt != nil) != (tc.edns != 0) {
					t.Fatalf("OPT in reply %v, in query %v", opt != nil, tc.edns != 0)
				}
				if opt != nil && (opt.UDPSize() != vdns.DefaultMaxUDPSize || !opt.Do() || opt.Version() != 0) {
					t.Errorf("reply OPT size %d do %v version %d", opt.UDPSize(), opt.Do(), opt.Version())
				}
			})
		}
	}
}

// A client that gets TC=1 over UDP retries over TCP and gets everything.
func TestServerTruncatedThenTCP(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	r := dnstest.Query(t, srv, "udp", "big.example.com.", dns.TypeA)
	if !r.Truncated || len(r.Answer) != 0 || r.Question[0].Name != "big.example.com." {
		t.Fatalf("udp: tc %v with %d answers", r.Truncated, len(r.Answer))
	}
	r = dnstest.Query(t, srv, "tcp", "big.example.com.", dns.TypeA)
	if r.Truncated || len(r.Answer) != 100 || !r.Authoritative {
		t.Fatalf("tcp: tc %v with %d answers", r.Truncated, len(r.Answer))
	}
}

func TestServerErrors(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	badvers := new(dns.Msg).SetQuestion("www.example.com.", dns.TypeA)
	badvers.SetEdns0(1232, false)
	badvers.IsEdns0().SetVersion(1)
	notify := new(dns.Msg).SetNotify("example.com.")
	update := new(dns.Msg).SetUpdate("example.com.")
	chaos := new(dns.Msg).SetQuestion("version.bind.", dns.TypeTXT)
	chaos.Question[0].Qclass = dns.ClassCHAOS
	axfr := new(dns.Msg).SetQuestion("example.com.", dns.TypeAXFR)
	twoOPT := new(dns.Msg).SetQuestion("www.example.com.", dns.TypeA)
	twoOPT.SetEdns0(1232, false)
	twoOPT.Extra = append(twoOPT.Extra, twoOPT.Extra[0])
	cases := []struct {
		name  string
		m     *dns.Msg
		rcode int
	}{
		{"BADVERS for EDNS version 1", badvers, dns.RcodeBadVers},
		{"NOTIMP for NOTIFY", notify, dns.RcodeNotImplemented},
		{"NOTIMP for UPDATE", update, dns.RcodeNotImplemented},
		{"REFUSED for class CH", chaos, dns.RcodeRefused},
		{"REFUSED for AXFR", axfr, dns.RcodeRefused},
		{"FORMERR for two OPT records", twoOPT, dns.RcodeFormatError},
	}
	for _, tc := range cases {
		for _, network := range []string{"udp", "tcp"} {
			t.Run(tc.name+"/"+network, func(t *testing.T) {
				r := dnstest.Exchange(t, srv.Addr().String(), network, tc.m)
				if r.Rcode != tc.rcode || r.Id != tc.m.Id || len(r.Answer) != 0 {
					t.Fatalf("rcode %s id %d answers %d; want %s id %d", dns.RcodeToString[r.Rcode], r.Id, len(r.Answer), dns.RcodeToString[tc.rcode], tc.m.Id)
				}
				if tc.rcode == dns.RcodeBadVers && (r.IsEdns0() == nil || r.IsEdns0().Version() != 0) {
					t.Fatalf("BADVERS reply without a version 0 OPT: %v", r.Extra)
				}
			})
		}
	}
}

// Garbage after a valid header gets FORMERR with the query's ID.
func TestServerFormErr(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	for _, q := range [][]byte{
		{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0},                       // one question, none there
		{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a'},     // cut name
		{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1}, // pointer loop
	} {
		c, err := net.Dial("udp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write(q); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 512)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("%x: %v", q, err)
		}
		var r dns.Msg
		if err := r.Unpack(buf[:n]); err != nil || r.Id != 0x1234 || r.Rcode != dns.RcodeFormatError || !r.Response || !r.RecursionDesired {
			t.Fatalf("%x: reply %v (%v)", q, &r, err)
		}
	}
}

func TestServerSnapshotSwap(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	if r := dnstest.Query(t, srv, "udp", "www.example.com.", dns.TypeA); len(r.Answer) != 1 {
		t.Fatalf("before swap: %v", r)
	}
	next := testZone
	next.Text = strings.Replace(next.Text, "192.0.2.10", "192.0.2.20", 1)
	srv.SetSnapshot(dnstest.Snapshot(t, 2, next))
	if rev := srv.Snapshot().Revision(); rev != 2 {
		t.Fatalf("served revision %d, want 2", rev)
	}
	for _, network := range []string{"udp", "tcp"} {
		r := dnstest.Query(t, srv, network, "www.example.com.", dns.TypeA)
		if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.20" {
			t.Fatalf("%s after swap: %v", network, r.Answer)
		}
	}
	srv.SetSnapshot(nil)
	if r := dnstest.Query(t, srv, "udp", "www.example.com.", dns.TypeA); r.Rcode != dns.RcodeServerFailure {
		t.Fatalf("without a snapshot: %s, want SERVFAIL", dns.RcodeToString[r.Rcode])
	}
}

func TestServerTCPSeveralQueriesPerConnection(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone))
	c, err := dns.DialTimeout("tcp", srv.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	for i, name := range []string{"www.example.com.", "nope.example.com.", "big.example.com.", "www.example.com."} {
		m := new(dns.Msg).SetQuestion(name, dns.TypeA)
		if err := c.WriteMsg(m); err != nil {
			t.Fatal(err)
		}
		r, err := c.ReadMsg()
		if err != nil || r.Id != m.Id {
			t.Fatalf("query %d: %v %v", i, r, err)
		}
	}
}

func TestServerTCPConnCap(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone), func(s *vdns.Server) { s.MaxTCPConns = 1 })
	// The readiness probe's connection may still hold the only slot for a
	// moment: retry until a connection is served.
	var first *dns.Conn
	for deadline := time.Now().Add(5 * time.Second); first == nil; {
		c, err := dns.DialTimeout("tcp", srv.Addr().String(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(time.Second))
		if c.WriteMsg(new(dns.Msg).SetQuestion("www.example.com.", dns.TypeA)) == nil {
			if _, err := c.ReadMsg(); err == nil {
				first = c
				break
			}
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("no TCP connection served")
		}
	}
	defer first.Close()
	second, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	expectClosed(t, second, 2*time.Second) // well before the 10 s idle timeout
}

func TestServerTCPIdleTimeout(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Snapshot(t, 1, testZone), func(s *vdns.Server) { s.TCPIdleTimeout = 100 * time.Millisecond })
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{0, 40, 1, 2}) // a length prefix and a few bytes of a query, then silence
	expectClosed(t, c, 3*time.Second)
}

// expectClosed reads from c until the server closes it, failing after within.
func expectClosed(t *testing.T, c net.Conn, within time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || isTimeout(err) {
		t.Fatalf("read %d bytes, %v; want the server to close the connection", n, err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestServerCloseIsPrompt(t *testing.T) {
	s := &vdns.Server{ListenAddr: "127.0.0.1:0", UDPSockets: 3}
	s.SetSnapshot(dnstest.Snapshot(t, 1, testZone))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Fatal("second Start succeeded")
	}
	r := dnstest.Query(t, s, "udp", "www.example.com.", dns.TypeA)
	if len(r.Answer) != 1 {
		t.Fatalf("answer %v", r.Answer)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The readers sleep in recvfrom with a 1 s receive timeout: a Close
	// well under it shows shutdown(2) woke them.
	if d := time.Since(start); d > 700*time.Millisecond {
		t.Errorf("Close took %v", d)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var never vdns.Server
	if err := never.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestServerBadListenAddr(t *testing.T) {
	for _, addr := range []string{"localhost:53", "127.0.0.1", "300.0.0.1:0"} {
		s := &vdns.Server{ListenAddr: addr}
		if err := s.Start(); err == nil {
			s.Close()
			t.Errorf("Start with %q succeeded", addr)
		}
	}
}
