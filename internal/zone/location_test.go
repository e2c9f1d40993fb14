package zone_test

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/dnstest"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/routing"
	"github.com/vedette-dns/vedette/internal/zone"
)

// TestLocationRoutingCompiles: Region, GeoLocation and GeoProximityLocation
// reach routing (an AWSRegion as the region's coordinates, Coordinates
// parsed, the bias kept), and the answers are client-scoped, not cached.
func TestLocationRoutingCompiles(t *testing.T) {
	recs, err := dnstest.RecordSets("l.test.", `
@ 900 IN SOA ns.l.test. h.l.test. 1 7200 900 1209600 60
@ 900 IN NS  ns.l.test.
`)
	if err != nil {
		t.Fatal(err)
	}
	set := func(name, id, ip string, f func(*model.RecordSet)) model.RecordSet {
		r := model.RecordSet{Name: name, Type: "A", SetIdentifier: id, TTL: i64(60), Values: []string{ip}}
		f(&r)
		return r
	}
	recs = append(recs,
		set("lat.l.test.", "us", "192.0.2.1", func(r *model.RecordSet) { r.Region = "us-east-1" }),
		set("lat.l.test.", "eu", "192.0.2.2", func(r *model.RecordSet) { r.Region = "eu-west-1" }),
		set("geo.l.test.", "ca", "192.0.2.3", func(r *model.RecordSet) {
			r.GeoLocation = &model.GeoLocation{CountryCode: "US", SubdivisionCode: "CA"}
		}),
		set("geo.l.test.", "def", "192.0.2.4", func(r *model.RecordSet) { r.GeoLocation = &model.GeoLocation{CountryCode: "*"} }),
		set("prox.l.test.", "fra", "192.0.2.5", func(r *model.RecordSet) {
			r.GeoProximityLocation = &model.GeoProximityLocation{AWSRegion: "eu-central-1"}
		}),
		set("prox.l.test.", "syd", "192.0.2.6", func(r *model.RecordSet) {
			r.GeoProximityLocation = &model.GeoProximityLocation{Coordinates: &model.Coordinates{Latitude: "-33.87", Longitude: "151.21"}, Bias: i64(10)}
		}),
	)
	z, err := zone.Compile(model.HostedZone{ID: "ZL", Name: "l.test."}, recs)
	if err != nil {
		t.Fatal(err)
	}
	snap := zone.NewSnapshot(1, z)
	tests := []struct {
		name string
		q    routing.Query
		want string
	}{
		{"lat.l.test.", routing.Query{LatencyRegions: []string{"eu-west-1"}}, "192.0.2.2"},
		{"lat.l.test.", routing.Query{LatencyRegions: []string{"us-east-1"}}, "192.0.2.1"},
		{"geo.l.test.", routing.Query{Location: routing.Location{Continent: "NA", Country: "US", Subdivision: "CA"}}, "192.0.2.3"},
		{"geo.l.test.", routing.Query{Location: routing.Location{Continent: "NA", Country: "US", Subdivision: "NY"}}, "192.0.2.4"},
		{"prox.l.test.", routing.Query{Location: routing.Location{Latitude: 48.86, Longitude: 2.35, HasCoordinates: true}}, "192.0.2.5"},
		{"prox.l.test.", routing.Query{Location: routing.Location{Latitude: -37.81, Longitude: 144.96, HasCoordinates: true}}, "192.0.2.6"},
	}
	for _, tt := range tests {
		res := snap.LookupNameFor(tt.name, dns.TypeA, tt.q, nil)
		if len(res.Answer) != 1 || res.Answer[0].(*dns.A).A.String() != tt.want {
			t.Errorf("%s %+v: %v, want %s", tt.name, tt.q, res.Answer, tt.want)
		}
		if !res.ClientScoped || !res.Volatile {
			t.Errorf("%s: ClientScoped %v Volatile %v, want both", tt.name, res.ClientScoped, res.Volatile)
		}
	}
}
