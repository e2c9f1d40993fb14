package dns_test

import (
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	vdns "github.com/vedette-dns/vedette/internal/dns"
	"github.com/vedette-dns/vedette/internal/dnstest"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/routing"
	"github.com/vedette-dns/vedette/internal/zone"
)

// countryPlacer places every client in one country and counts its calls.
type countryPlacer struct {
	country atomic.Value // string
	calls   atomic.Int32
}

func (p *countryPlacer) Place(q *routing.Query) {
	p.calls.Add(1)
	q.Location = routing.Location{Continent: "EU", Country: p.country.Load().(string)}
}

// TestResolvePlacesOnlyClientScopedAnswers: the Placer's location reaches
// routing, and only names whose answer depends on the client are placed.
func TestResolvePlacesOnlyClientScopedAnswers(t *testing.T) {
	ttl := int64(60)
	geo := func(id, country, ip string) model.RecordSet {
		return model.RecordSet{Name: "geo.example.com.", Type: "A", TTL: &ttl, SetIdentifier: id,
			GeoLocation: &model.GeoLocation{CountryCode: country}, Values: []string{ip}}
	}
	sets, err := dnstest.RecordSets("example.com.", `@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 86400
@ 3600 IN NS ns1
plain 60 IN A 192.0.2.5`)
	if err != nil {
		t.Fatal(err)
	}
	sets = append(sets, geo("de", "DE", "192.0.2.1"), geo("default", "*", "192.0.2.9"))
	z, err := zone.Compile(model.HostedZone{ID: "Z1", Name: "example.com."}, sets)
	if err != nil {
		t.Fatal(err)
	}
	p := &countryPlacer{}
	p.country.Store("DE")
	srv := &vdns.Server{Placer: p}
	srv.SetSnapshot(zone.NewSnapshot(1, z))
	client := routing.Query{Client: netip.MustParsePrefix("198.51.100.0/24")}
	answer := func(name string) string {
		res := srv.Resolve(name, dns.TypeA, client)
		if len(res.Answer) != 1 {
			t.Fatalf("%s: %v", name, res.Answer)
		}
		return res.Answer[0].(*dns.A).A.String()
	}
	if got := answer("plain.example.com."); got != "192.0.2.5" || p.calls.Load() != 0 {
		t.Fatalf("plain: %s, %d placements", got, p.calls.Load())
	}
	if got := answer("geo.example.com."); got != "192.0.2.1" || p.calls.Load() != 1 {
		t.Fatalf("geo: %s, %d placements", got, p.calls.Load())
	}
	p.country.Store("FR")
	if got := answer("geo.example.com."); got != "192.0.2.9" {
		t.Fatalf("geo from FR: %s, want the default", got)
	}
}
