// Package geo places DNS clients for location-aware routing: where an
// address is, from a MaxMind-format database (--geoip-db), and which AWS
// regions it should prefer for latency routing, from an operator-defined
// latency map (--latency-map). Placer puts both into a routing.Query; the
// routing package itself stays free of databases and files.
package geo

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/vedette-dns/vedette/internal/routing"
)

// Locator tells where an address is; false when it does not know.
// Implementations must be safe for concurrent use.
type Locator interface {
	Locate(addr netip.Addr) (routing.Location, bool)
}

// MMDB is a Locator reading a MaxMind-format database with GeoLite2-City
// or GeoLite2-Country style records: continent.code, country.iso_code,
// subdivisions[0].iso_code and location.latitude/longitude (any of them
// may be missing).
type MMDB struct {
	r *maxminddb.Reader
}

// OpenMMDB opens the database at path.
func OpenMMDB(path string) (*MMDB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("not a readable MaxMind database: %w", err)
	}
	return &MMDB{r: r}, nil
}

// Close releases the database.
func (m *MMDB) Close() error { return m.r.Close() }

// mmdbRecord is the part of a GeoLite2-City record Vedette reads.
type mmdbRecord struct {
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// Locate looks addr up. An address in no network of the database, or a
// record with nothing Vedette reads, is unknown.
func (m *MMDB) Locate(addr netip.Addr) (routing.Location, bool) {
	var rec mmdbRecord
	res := m.r.Lookup(addr.Unmap())
	if !res.Found() || res.Decode(&rec) != nil {
		return routing.Location{}, false
	}
	l := routing.Location{
		Continent: strings.ToUpper(rec.Continent.Code),
		Country:   strings.ToUpper(rec.Country.ISOCode),
	}
	if len(rec.Subdivisions) > 0 {
		l.Subdivision = strings.ToUpper(rec.Subdivisions[0].ISOCode)
	}
	if la, lo := rec.Location.Latitude, rec.Location.Longitude; la != nil && lo != nil {
		l.Latitude, l.Longitude, l.HasCoordinates = *la, *lo, true
	}
	if l == (routing.Location{}) {
		return l, false
	}
	return l, true
}

// Placer fills in the location-dependent parts of routing queries. Both
// fields are optional: without a Locator clients have no location (so
// geolocation answers the default record and geoproximity the first
// record), without a Latency map the latency preference comes from
// distance (see LatencyMap.Regions).
type Placer struct {
	Locator Locator
	Latency *LatencyMap
}

// Place sets q.Location and q.LatencyRegions from q.Client. A nil Placer
// leaves q alone.
func (p *Placer) Place(q *routing.Query) {
	if p == nil || !q.Client.IsValid() {
		return
	}
	addr := q.Client.Masked().Addr()
	var located bool
	if p.Locator != nil {
		q.Location, located = p.Locator.Locate(addr)
	}
	q.LatencyRegions = p.Latency.Regions(addr, q.Location, located)
}
