package geo_test

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/geo"
	"github.com/vedette-dns/vedette/internal/geo/geotest"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/routing"
)

func TestMMDB(t *testing.T) {
	path := geotest.WriteMMDB(t,
		geotest.Entry{Network: "198.51.100.0/24", Continent: "NA", Country: "US", Subdivision: "CA", Latitude: 37.77, Longitude: -122.42, HasCoordinates: true},
		geotest.Entry{Network: "203.0.113.0/24", Continent: "EU", Country: "DE"},
		geotest.Entry{Network: "2001:db8::/32", Continent: "OC", Country: "AU"},
	)
	db, err := geo.OpenMMDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		addr string
		want routing.Location
		ok   bool
	}{
		{"198.51.100.7", routing.Location{Continent: "NA", Country: "US", Subdivision: "CA", Latitude: 37.77, Longitude: -122.42, HasCoordinates: true}, true},
		{"::ffff:203.0.113.9", routing.Location{Continent: "EU", Country: "DE"}, true},
		{"2001:db8:1::1", routing.Location{Continent: "OC", Country: "AU"}, true},
		{"192.0.2.1", routing.Location{}, false},
	}
	for _, tt := range tests {
		got, ok := db.Locate(netip.MustParseAddr(tt.addr))
		if got != tt.want || ok != tt.ok {
			t.Errorf("Locate(%s) = %+v, %v; want %+v, %v", tt.addr, got, ok, tt.want, tt.ok)
		}
	}
	if _, err := geo.OpenMMDB(filepath.Join(t.TempDir(), "missing.mmdb")); err == nil {
		t.Error("a missing database opened")
	}
}

func TestLatencyMap(t *testing.T) {
	m, err := geo.ParseLatencyMap([]byte(`[
		{"networks": ["10.1.0.0/16"], "regions": ["eu-west-1", "eu-central-1"]},
		{"countries": ["us"], "regions": ["us-west-2"]},
		{"continents": ["EU"], "regions": ["eu-central-1"]}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	us := routing.Location{Continent: "NA", Country: "US"}
	fr := routing.Location{Continent: "EU", Country: "FR"}
	tokyo := routing.Location{Continent: "AS", Country: "JP", Latitude: 35.68, Longitude: 139.69, HasCoordinates: true}
	tests := []struct {
		addr    string
		loc     routing.Location
		located bool
		want    []string
	}{
		{"10.1.2.3", us, true, []string{"eu-west-1", "eu-central-1"}}, // networks first: the first matching entry wins
		{"192.0.2.1", us, true, []string{"us-west-2"}},
		{"192.0.2.1", fr, true, []string{"eu-central-1"}},
		{"192.0.2.1", routing.Location{}, false, nil},
	}
	for _, tt := range tests {
		if got := m.Regions(netip.MustParseAddr(tt.addr), tt.loc, tt.located); !slices.Equal(got, tt.want) {
			t.Errorf("Regions(%s, %+v) = %v, want %v", tt.addr, tt.loc, got, tt.want)
		}
	}
	// No entry matches, coordinates known: by distance.
	got := m.Regions(netip.MustParseAddr("192.0.2.1"), tokyo, true)
	if len(got) != len(routing.RegionCoordinates) || got[0] != "ap-northeast-1" || got[1] != "ap-northeast-3" {
		t.Errorf("by distance from Tokyo: %v", got)
	}
	var none *geo.LatencyMap
	if got := none.Regions(netip.MustParseAddr("192.0.2.1"), tokyo, true); got[0] != "ap-northeast-1" {
		t.Errorf("no map: %v", got)
	}
}

func TestLatencyMapBadInput(t *testing.T) {
	tests := []struct{ src, want string }{
		{`{}`, "not a JSON list of entries"},
		{`[]`, "no entries"},
		{`[{"regions": ["us-east-1"]}]`, "entry 1: needs networks, countries or continents"},
		{`[{"countries": ["US"]}]`, "entry 1: needs regions"},
		{`[{"countries": ["USA"], "regions": ["us-east-1"]}]`, `entry 1: country "USA" is not an ISO 3166-1 alpha-2 code`},
		{`[{"continents": ["XX"], "regions": ["us-east-1"]}]`, `entry 1: continent "XX" is not one of AF, AN, AS, EU, NA, OC, SA`},
		{`[{"countries": ["US"], "regions": ["us-east-1"]}, {"countries": ["DE"], "regions": ["mars-1"]}]`, `entry 2: region "mars-1" is not a ResourceRecordSetRegion`},
		{`[{"countries": ["US"], "regions": ["us-east-1", "us-east-1"]}]`, `entry 1: region "us-east-1" listed twice`},
		{`[{"networks": ["10.0.0.0/33"], "regions": ["us-east-1"]}]`, "not a JSON list of entries"},
		{`[{"countries": ["US"], "regions": ["us-east-1"], "weight": 3}]`, `unknown field "weight"`},
	}
	for _, tt := range tests {
		_, err := geo.ParseLatencyMap([]byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestRegionsCovered(t *testing.T) {
	for r := range model.RecordSetRegions {
		if _, ok := routing.RegionCoordinates[r]; !ok {
			t.Errorf("region %s has no coordinates", r)
		}
	}
	if len(routing.RegionCoordinates) != len(model.RecordSetRegions) {
		t.Errorf("%d coordinates for %d regions", len(routing.RegionCoordinates), len(model.RecordSetRegions))
	}
}

func TestPlacer(t *testing.T) {
	path := geotest.WriteMMDB(t, geotest.Entry{Network: "198.51.100.0/24", Continent: "EU", Country: "IE", Latitude: 53.35, Longitude: -6.26, HasCoordinates: true})
	db, err := geo.OpenMMDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := &geo.Placer{Locator: db}
	q := routing.Query{Client: netip.MustParsePrefix("198.51.100.77/24")}
	p.Place(&q)
	if q.Location.Country != "IE" || len(q.LatencyRegions) == 0 || q.LatencyRegions[0] != "eu-west-1" {
		t.Errorf("placed %+v", q)
	}
	var none *geo.Placer
	q = routing.Query{Client: netip.MustParsePrefix("198.51.100.0/24")}
	none.Place(&q)
	if q.Location != (routing.Location{}) || q.LatencyRegions != nil {
		t.Errorf("nil placer placed %+v", q)
	}
}
