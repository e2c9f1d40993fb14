package main

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/model"
)

func TestParseMix(t *testing.T) {
	tcp := []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:1")}
	http := []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:2"), netip.MustParseAddrPort("127.0.0.2:2")}
	cs, err := parseMix("tcp:30:0.8,http:30:0.15,http:10:0.05", 100_001, tcp, http, nil)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range cs {
		total += c.count
	}
	if len(cs) != 3 || total != 100_001 || cs[0].count != 80_001 || cs[0].typ != model.TypeTCP ||
		cs[1].count != 15_000 || cs[2].interval != 10 || len(cs[2].targets) != 2 {
		t.Fatalf("parseMix = %+v", cs)
	}
	for _, bad := range []string{"tcp:30", "udp:30:1", "tcp:0:1", "tcp:31:1", "tcp:30:-1", "http:30:x"} {
		if _, err := parseMix(bad, 10, tcp, http, nil); err == nil {
			t.Errorf("parseMix(%q) = nil error", bad)
		}
	}
	if _, err := parseMix("http:30:1", 10, tcp, nil, nil); err == nil {
		t.Error("parseMix without HTTP targets = nil error")
	}
	if _, err := parseMix("tcp:30:0.99,dead:30:0.01", 10, tcp, http, nil); err == nil {
		t.Error("parseMix without dead targets = nil error")
	}
	cs, err = parseMix("tcp:30:0.99,dead:30:0.01", 1000, tcp, http, tcp)
	if err != nil || cs[1].kind != "dead" || cs[1].typ != model.TypeTCP || cs[1].count != 10 {
		t.Fatalf("parseMix with dead = %+v, %v", cs, err)
	}
}

func TestParseTargets(t *testing.T) {
	if got, err := parseTargets("127.0.0.1:80, 127.0.0.2:80,"); err != nil || len(got) != 2 {
		t.Fatalf("parseTargets = %v, %v", got, err)
	}
	if _, err := parseTargets("127.0.0.1:80,10.1.2.3:80"); err == nil {
		t.Fatal("a non-loopback target was accepted")
	}
}

func TestHistDiff(t *testing.T) {
	ms := time.Millisecond
	b := func(counts ...uint64) []checker.Bucket {
		les := []time.Duration{ms, 10 * ms, 100 * ms, time.Second}
		out := make([]checker.Bucket, len(counts))
		for i, c := range counts {
			out[i] = checker.Bucket{Le: les[i], Count: c}
		}
		return out
	}
	prev := b(10, 10, 10, 10)
	cur := b(60, 108, 110, 120) // since prev: 50 ≤1ms, 48 ≤10ms, 2 ≤100ms, 10 ≤1s
	h := histDiff(cur, prev)
	if h.n != 110 || h.over100 != 10 || h.le(50) != 10*ms || h.le(45) != ms || h.le(90) != 100*ms || h.le(99) != time.Second {
		t.Fatalf("histDiff = %+v, le(50)=%v le(90)=%v le(99)=%v", h, h.le(50), h.le(90), h.le(99))
	}
	if all := histDiff(cur, nil); all.n != 120 || all.over100 != 10 {
		t.Fatalf("histDiff(cur, nil) = %+v", all)
	}
}

func TestNewCheck(t *testing.T) {
	hc := newCheck(7, model.TypeHTTP, netip.MustParseAddrPort("127.0.0.3:8080"), 10)
	if hc.Config.IPAddress != "127.0.0.3" || hc.Config.Port != 8080 || hc.Config.RequestInterval != 10 ||
		hc.Config.ResourcePath == "" || hc.Version != 1 || len(hc.ID) != 36 {
		t.Fatalf("newCheck = %+v", hc)
	}
}
