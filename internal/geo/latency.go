package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vedette-dns/vedette/internal/routing"
)

// LatencyMap is the operator's stand-in for Amazon's latency data: an
// ordered list of entries, each matching clients by network, country or
// continent and naming the regions they should prefer, best first. The
// file (--latency-map) is JSON:
//
//	[
//	  {"networks": ["10.1.0.0/16", "2001:db8::/32"], "regions": ["eu-west-1", "eu-central-1"]},
//	  {"countries": ["US", "CA"], "regions": ["us-east-1", "us-west-2"]},
//	  {"continents": ["EU", "AF"], "regions": ["eu-central-1"]}
//	]
//
// An entry matches a client whose address lies in one of its networks, or
// whose geoip country or continent it lists; the first matching entry wins.
// Regions are ResourceRecordSetRegion values.
type LatencyMap struct {
	entries []latencyEntry
}

// distanceOrders caches byDistance per client coordinates (a geoip
// database holds a bounded set of points), up to maxDistanceOrders.
var (
	distanceOrders    sync.Map // [2]float64 → []string
	distanceOrdersLen atomic.Int64
)

const maxDistanceOrders = 1 << 16

type latencyEntry struct {
	Networks   []netip.Prefix `json:"networks"`
	Countries  []string       `json:"countries"`
	Continents []string       `json:"continents"`
	Regions    []string       `json:"regions"`
}

// ParseLatencyMap parses and validates a latency map.
func ParseLatencyMap(b []byte) (*LatencyMap, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var entries []latencyEntry
	if err := d.Decode(&entries); err != nil {
		return nil, fmt.Errorf("not a JSON list of entries: %w", err)
	}
	if len(entries) == 0 {
		return nil, errors.New("no entries")
	}
	for i := range entries {
		e := &entries[i]
		if len(e.Networks)+len(e.Countries)+len(e.Continents) == 0 {
			return nil, fmt.Errorf("entry %d: needs networks, countries or continents", i+1)
		}
		if len(e.Regions) == 0 {
			return nil, fmt.Errorf("entry %d: needs regions", i+1)
		}
		for j, p := range e.Networks {
			e.Networks[j] = p.Masked()
		}
		for j, c := range e.Countries {
			if len(c) != 2 {
				return nil, fmt.Errorf("entry %d: country %q is not an ISO 3166-1 alpha-2 code", i+1, c)
			}
			e.Countries[j] = strings.ToUpper(c)
		}
		for j, c := range e.Continents {
			c = strings.ToUpper(c)
			if !slices.Contains([]string{"AF", "AN", "AS", "EU", "NA", "OC", "SA"}, c) {
				return nil, fmt.Errorf("entry %d: continent %q is not one of AF, AN, AS, EU, NA, OC, SA", i+1, e.Continents[j])
			}
			e.Continents[j] = c
		}
		seen := map[string]bool{}
		for _, r := range e.Regions {
			if _, ok := routing.RegionCoordinates[r]; !ok {
				return nil, fmt.Errorf("entry %d: region %q is not a ResourceRecordSetRegion", i+1, r)
			}
			if seen[r] {
				return nil, fmt.Errorf("entry %d: region %q listed twice", i+1, r)
			}
			seen[r] = true
		}
	}
	return &LatencyMap{entries: entries}, nil
}

// Regions returns the latency preference of a client at addr, located at
// loc when located: the regions of the first matching entry. With no
// matching entry (or no map) and a location with coordinates, every region
// by distance from the client, nearest first; otherwise nil, which leaves
// routing to order regions by name. The result must not be modified.
func (m *LatencyMap) Regions(addr netip.Addr, loc routing.Location, located bool) []string {
	if m != nil {
		for _, e := range m.entries {
			if e.matches(addr, loc, located) {
				return e.Regions
			}
		}
	}
	if located && loc.HasCoordinates {
		key := [2]float64{loc.Latitude, loc.Longitude}
		if v, ok := distanceOrders.Load(key); ok {
			return v.([]string)
		}
		order := byDistance(loc.Latitude, loc.Longitude)
		if distanceOrdersLen.Load() < maxDistanceOrders {
			if _, loaded := distanceOrders.LoadOrStore(key, order); !loaded {
				distanceOrdersLen.Add(1)
			}
		}
		return order
	}
	return nil
}

func (e *latencyEntry) matches(addr netip.Addr, loc routing.Location, located bool) bool {
	for _, p := range e.Networks {
		if p.Contains(addr) {
			return true
		}
	}
	return located && (loc.Country != "" && slices.Contains(e.Countries, loc.Country) ||
		loc.Continent != "" && slices.Contains(e.Continents, loc.Continent))
}

// byDistance lists every region by great-circle distance from a point,
// ties by name.
func byDistance(lat, lon float64) []string {
	type rd struct {
		name string
		d    float64
	}
	rs := make([]rd, 0, len(routing.RegionCoordinates))
	for name, c := range routing.RegionCoordinates {
		rs = append(rs, rd{name, routing.Distance(lat, lon, c[0], c[1])})
	}
	slices.SortFunc(rs, func(a, b rd) int {
		switch {
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.name
	}
	return out
}
