package dns_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/miekg/dns"

	vdns "github.com/vedette-dns/vedette/internal/dns"
	"github.com/vedette-dns/vedette/internal/dnstest"
)

func newReplier(tb testing.TB) *vdns.Replier {
	srv := &vdns.Server{}
	srv.SetSnapshot(dnstest.Snapshot(tb, 1, testZone))
	return vdns.NewReplier(srv)
}

func pack(tb testing.TB, name string, qtype uint16, edns uint16) []byte {
	tb.Helper()
	m := new(dns.Msg).SetQuestion(name, qtype)
	if edns != 0 {
		m.SetEdns0(edns, false)
	}
	b, err := m.Pack()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// seedQueries are real queries, plain and not, for the fuzzer and tests.
func seedQueries(tb testing.TB) [][]byte {
	cookie := new(dns.Msg).SetQuestion("www.example.com.", dns.TypeA)
	cookie.SetEdns0(1232, true)
	opt := cookie.IsEdns0()
	opt.Option = append(opt.Option, &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0123456789abcdef"},
		&dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: 24, Address: []byte{192, 0, 2, 0}})
	withCookie, err := cookie.Pack()
	if err != nil {
		tb.Fatal(err)
	}
	return [][]byte{
		pack(tb, "www.example.com.", dns.TypeA, 0),
		pack(tb, "WwW.ExAmple.COM.", dns.TypeA, 1232),
		pack(tb, "big.example.com.", dns.TypeA, 4096),
		pack(tb, "mid.example.com.", dns.TypeA, 0),
		pack(tb, "x.wild.example.com.", dns.TypeANY, 1232),
		pack(tb, "alias.example.com.", dns.TypeA, 512),
		pack(tb, "a.deleg.example.com.", dns.TypeAAAA, 1232),
		pack(tb, "nope.example.com.", dns.TypeMX, 0),
		pack(tb, "example.org.", dns.TypeA, 0),
		pack(tb, ".", dns.TypeNS, 0),
		withCookie,
		{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0},
		{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1},
		{0x12, 0x34, 0x81},
	}
}

// FuzzHandle feeds arbitrary bytes to the packet handler. Every query with
// a header and QR=0 gets a well-formed reply with its ID, within the UDP
// size, with the question bytes as sent; asked twice (the second time from
// the cache when the query is plain), it gets the same bytes.
func FuzzHandle(f *testing.F) {
	for _, q := range seedQueries(f) {
		f.Add(q, true)
		f.Add(q, false)
	}
	r := newReplier(f)
	f.Fuzz(func(t *testing.T, q []byte, udp bool) {
		first := bytes.Clone(r.Reply(q, udp))
		again := r.Reply(q, udp)
		if !bytes.Equal(first, again) {
			t.Fatalf("second reply differs:\n%x\n%x", first, again)
		}
		if len(q) < 12 || q[2]&0x80 != 0 {
			if first != nil {
				t.Fatalf("replied to a non-query: %x", first)
			}
			return
		}
		checkFuzzReply(t, q, first, udp)
	})
}

func checkFuzzReply(t *testing.T, q, resp []byte, udp bool) {
	var m dns.Msg
	if err := m.Unpack(resp); err != nil {
		t.Fatalf("reply does not unpack: %v\n%x", err, resp)
	}
	if !m.Response || m.Id != binary.BigEndian.Uint16(q) {
		t.Fatalf("reply qr %v id %d, query id %d", m.Response, m.Id, binary.BigEndian.Uint16(q))
	}
	if udp && len(resp) > vdns.DefaultMaxUDPSize {
		t.Fatalf("UDP reply of %d bytes", len(resp))
	}
	if len(m.Question) == 1 {
		if end := nameEnd(q); end > 0 && end <= len(resp) && !bytes.Equal(q[12:end], resp[12:end]) {
			t.Fatalf("question name %x, query had %x", resp[12:end], q[12:end])
		}
	}
}

// nameEnd returns the end of the uncompressed question name in q, or -1.
func nameEnd(q []byte) int {
	for off := 12; off < len(q); off += 1 + int(q[off]) {
		if q[off] == 0 {
			return off + 1
		}
		if q[off] > 63 {
			return -1
		}
	}
	return -1
}

func TestReplyDropsNonQueries(t *testing.T) {
	r := newReplier(t)
	response := pack(t, "www.example.com.", dns.TypeA, 0)
	response[2] |= 0x80
	for _, q := range [][]byte{nil, {1}, make([]byte, 11), response} {
		if resp := r.Reply(q, true); resp != nil {
			t.Errorf("reply to %x: %x", q, resp)
		}
	}
}

func TestReplyHitAllocatesNothing(t *testing.T) {
	r := newReplier(t)
	for _, q := range seedQueries(t)[:9] {
		r.Reply(q, true) // fill the cache
		if n := testing.AllocsPerRun(100, func() { r.Reply(q, true) }); n != 0 {
			t.Errorf("%x: %v allocations per cached reply", q, n)
		}
	}
}

func BenchmarkReplyHit(b *testing.B) {
	r := newReplier(b)
	q := pack(b, "www.example.com.", dns.TypeA, 1232)
	r.Reply(q, true)
	b.ReportAllocs()
	for b.Loop() {
		r.Reply(q, true)
	}
}

func BenchmarkReplyHitTruncated(b *testing.B) {
	r := newReplier(b)
	q := pack(b, "big.example.com.", dns.TypeA, 1232)
	r.Reply(q, true)
	b.ReportAllocs()
	for b.Loop() {
		r.Reply(q, true)
	}
}

func BenchmarkReplyMiss(b *testing.B) {
	r := newReplier(b)
	q := pack(b, "www.example.com.", dns.TypeA, 1232)
	b.ReportAllocs()
	for b.Loop() {
		r.Miss(q, true)
	}
}

func BenchmarkReplyMissWildcard(b *testing.B) {
	r := newReplier(b)
	q := pack(b, "x.wild.example.com.", dns.TypeA, 1232)
	b.ReportAllocs()
	for b.Loop() {
		r.Miss(q, true)
	}
}
