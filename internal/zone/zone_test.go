package zone_test

import (
	"errors"
	"testing"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/dnstest"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/zone"
)

const soaLine = "@ 900 IN SOA ns.example.com. h.example.com. 1 7200 900 1209600 86400\n"

func TestCompileErrors(t *testing.T) {
	ttl := int64(60)
	weight := int64(10)
	cases := []struct {
		name  string
		text  string
		extra []model.RecordSet
		want  error
	}{
		{name: "no SOA", text: "www 60 IN A 192.0.2.1\n", want: zone.ErrSOA},
		{name: "two SOA values", text: soaLine + "@ 900 IN SOA ns2.example.com. h.example.com. 1 7200 900 1209600 86400\n", want: zone.ErrSOA},
		{name: "SOA below apex", text: soaLine + "sub 900 IN SOA ns.example.com. h.example.com. 1 7200 900 1209600 86400\n", want: zone.ErrSOA},
		{name: "out of zone", text: soaLine + "www.example.org. 60 IN A 192.0.2.1\n", want: zone.ErrOutOfZone},
		{name: "unsupported type", text: soaLine + "www 60 IN HINFO a b\n", want: zone.ErrUnsupportedType},
		{name: "weighted beside simple", text: soaLine,
			extra: []model.RecordSet{
				{Name: "w.example.com.", Type: "A", TTL: &ttl, Values: []string{"192.0.2.9"}},
				{Name: "w.example.com.", Type: "A", SetIdentifier: "one", Weight: &weight, TTL: &ttl, Values: []string{"192.0.2.1"}}},
			want: zone.ErrDuplicate},
		{name: "duplicate", text: soaLine,
			extra: []model.RecordSet{
				{Name: "d.example.com.", Type: "A", TTL: &ttl, Values: []string{"192.0.2.1"}},
				{Name: "D.example.com.", Type: "A", TTL: &ttl, Values: []string{"192.0.2.2"}}},
			want: zone.ErrDuplicate},
		{name: "bad value", text: soaLine,
			extra: []model.RecordSet{{Name: "b.example.com.", Type: "A", TTL: &ttl, Values: []string{"not-an-ip"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sets, err := dnstest.RecordSets("example.com.", tc.text)
			if err != nil {
				t.Fatal(err)
			}
			_, err = zone.Compile(model.HostedZone{ID: "Z", Name: "example.com."}, append(sets, tc.extra...))
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Compile error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCompileNegativeTTL(t *testing.T) {
	z := dnstest.Compile(t, dnstest.Zone{ID: "Z", Name: "example.com.", Text: soaLine})
	if z.NegativeTTL() != 900 || z.ID() != "Z" || z.Name() != "example.com." {
		t.Fatalf("negative TTL %d id %q name %q", z.NegativeTTL(), z.ID(), z.Name())
	}
}

func zoneText(id, name, a string) dnstest.Zone {
	return dnstest.Zone{ID: id, Name: name, Text: soaLine + "www 60 IN A " + a + "\n"}
}

func wwwA(t *testing.T, s *zone.Snapshot, name string) string {
	t.Helper()
	res := s.LookupName(name, dns.TypeA)
	if res.Rcode != dns.RcodeSuccess || len(res.Answer) != 1 {
		return dns.RcodeToString[res.Rcode]
	}
	return res.Answer[0].(*dns.A).A.String()
}

func TestSnapshotIncremental(t *testing.T) {
	var empty *zone.Snapshot
	if empty.Revision() != 0 || empty.Len() != 0 || empty.Zone("Z") != nil {
		t.Fatal("a nil snapshot is not empty")
	}
	if got := wwwA(t, empty, "www.example.com."); got != "REFUSED" {
		t.Fatalf("nil snapshot answers %s", got)
	}
	a := dnstest.Compile(t, zoneText("ZA", "example.com.", "192.0.2.1"))
	b := dnstest.Compile(t, zoneText("ZB", "example.net.", "192.0.2.2"))
	s1 := empty.WithZone(a, 5).WithZone(b, 6)
	if s1.Revision() != 6 || s1.Len() != 2 || s1.Zone("ZA") != a {
		t.Fatalf("s1: revision %d len %d", s1.Revision(), s1.Len())
	}
	a2 := dnstest.Compile(t, zoneText("ZA", "example.com.", "192.0.2.3"))
	s2 := s1.WithZone(a2, 7)
	if s2.Zone("ZB") != b {
		t.Error("an untouched zone was not shared")
	}
	if got := wwwA(t, s1, "www.example.com."); got != "192.0.2.1" {
		t.Errorf("old snapshot changed: %s", got)
	}
	if got := wwwA(t, s2, "www.example.com."); got != "192.0.2.3" {
		t.Errorf("new snapshot answers %s", got)
	}
	s3 := s2.WithoutZone("ZA", 8).WithRevision(9)
	if s3.Revision() != 9 || s3.Len() != 1 || wwwA(t, s3, "www.example.com.") != "REFUSED" || wwwA(t, s3, "www.example.net.") != "192.0.2.2" {
		t.Errorf("after removing ZA: revision %d len %d", s3.Revision(), s3.Len())
	}
	if s2.Revision() != 7 || s2.Len() != 2 {
		t.Error("WithoutZone or WithRevision changed its receiver")
	}
}

func TestSnapshotSameNameLowestID(t *testing.T) {
	z2 := dnstest.Compile(t, zoneText("Z2", "example.com.", "192.0.2.2"))
	z1 := dnstest.Compile(t, zoneText("Z1", "example.com.", "192.0.2.1"))
	s := zone.NewSnapshot(1, z2, z1)
	if got := wwwA(t, s, "www.example.com."); got != "192.0.2.1" {
		t.Fatalf("served %s, want the zone with the lowest id", got)
	}
	if got := wwwA(t, s.WithoutZone("Z1", 2), "www.example.com."); got != "192.0.2.2" {
		t.Fatalf("after removing Z1 served %s, want Z2's", got)
	}
}

func TestSnapshotLongestZoneWins(t *testing.T) {
	parent := dnstest.Compile(t, zoneText("ZP", "example.com.", "192.0.2.1"))
	child := dnstest.Compile(t, zoneText("ZC", "www.example.com.", "192.0.2.9"))
	s := zone.NewSnapshot(1, parent, child)
	if got := wwwA(t, s, "www.www.example.com."); got != "192.0.2.9" {
		t.Fatalf("served %s from the parent, want the child zone", got)
	}
	res := s.LookupName("www.example.com.", dns.TypeA)
	if res.Rcode != dns.RcodeSuccess || len(res.Answer) != 0 || len(res.Ns) != 1 || res.Ns[0].Header().Name != "www.example.com." {
		t.Fatalf("apex of the child: %+v", res)
	}
}
