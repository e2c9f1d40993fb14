package zone

import (
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/routing"
)

// Routed record sets: every name and type whose record sets use a routing
// policy or an alias compiles into one RRSet holding a routing.Group. Each
// routing.Record's Data is a *leaf (the records to answer with); aliases are
// resolved to the target name's group once every record set is in.

// leaf is what one plain record set of a routed group answers with.
type leaf struct {
	rrs []dns.RR
}

// pendingAlias is an alias whose target is resolved in finish.
type pendingAlias struct {
	rec    *routing.Record
	target string // wire form
	typ    uint16
}

func policyOf(p model.RoutingPolicy) routing.Policy {
	switch p {
	case model.PolicyFailover:
		return routing.Failover
	case model.PolicyWeighted:
		return routing.Weighted
	case model.PolicyMultiValue:
		return routing.MultiValue
	case model.PolicyLatency:
		return routing.Latency
	case model.PolicyGeolocation:
		return routing.Geolocation
	case model.PolicyGeoproximity:
		return routing.Geoproximity
	case model.PolicyIPBased:
		return routing.IPBased
	}
	return routing.Simple
}

// addRouted compiles a record set with a routing policy or an alias into
// the routed set of its name and type.
func (z *Zone) addRouted(r *model.RecordSet, owner string, t uint16) error {
	n := z.ensure(owner)
	set := n.set(t)
	switch {
	case set == nil:
		set = &RRSet{typ: t, group: &routing.Group{Policy: policyOf(r.Policy())}, owner: presentation(owner)}
		z.insert(n, set)
	case set.group == nil:
		return fmt.Errorf("%w: %s %s mixes simple and routed record sets", ErrDuplicate, r.Name, r.Type)
	}
	rec := &routing.Record{SetIdentifier: r.SetIdentifier, HealthCheckID: r.HealthCheckID}
	if r.Weight != nil {
		rec.Weight = int(*r.Weight)
	}
	if r.Failover == "SECONDARY" {
		rec.Failover = routing.Secondary
	}
	if c := r.CidrRoutingConfig; c != nil {
		rec.DefaultLocation = c.LocationName == "*"
		for _, b := range z.cx.Collections[c.CollectionID].Locations[c.LocationName] {
			if p, err := netip.ParsePrefix(b); err == nil {
				rec.Blocks = append(rec.Blocks, p)
			}
		}
	}
	rec.Region = r.Region
	if g := r.GeoLocation; g != nil {
		rec.Geo = routing.GeoLocation{Continent: g.ContinentCode, Country: g.CountryCode, Subdivision: g.SubdivisionCode}
		if g.CountryCode == "*" {
			rec.Geo = routing.GeoLocation{Default: true}
		}
	}
	if g := r.GeoProximityLocation; g != nil {
		rec.Proximity = geoProximity(g, z.cx.Locations)
	}
	if a := r.AliasTarget; a != nil {
		target, err := wireName(a.DNSName)
		if err != nil {
			return err
		}
		rec.Alias = &routing.Alias{EvaluateTargetHealth: a.EvaluateTargetHealth}
		z.aliases = append(z.aliases, pendingAlias{rec: rec, target: target, typ: t})
	} else {
		rrs, err := r.RRs()
		if err != nil {
			return fmt.Errorf("%s %s: %w", r.Name, r.Type, err)
		}
		rec.Data = &leaf{rrs: rrs}
	}
	set.group.Records = append(set.group.Records, rec)
	return nil
}

// resolveAliases points every alias at its target's group; a plain target
// set gets a one-record simple group.
func (z *Zone) resolveAliases() {
	for _, p := range z.aliases {
		if n := z.nodes[p.target]; n != nil {
			if s := n.set(p.typ); s != nil {
				p.rec.Alias.Target = s.asGroup()
			}
		}
	}
	z.aliases = nil
	for _, n := range z.nodes {
		for _, s := range n.sets {
			if s.group != nil {
				s.deterministic = routing.Deterministic(s.group)
				s.clientScoped = routing.UsesClient(s.group)
			}
		}
	}
}

// asGroup returns the routing group of a set: its own for a routed set, a
// one-record simple group for a plain one.
func (s *RRSet) asGroup() *routing.Group {
	if s.group == nil {
		s.group = &routing.Group{Policy: routing.Simple, Records: []*routing.Record{{Data: &leaf{rrs: s.rrs}}}}
		s.plainGroup = true
	}
	return s.group
}

// globalRand is math/rand/v2's goroutine-safe source.
type globalRand struct{}

func (globalRand) IntN(n int) int { return rand.IntN(n) }

// pick returns the records a set answers with for this query: all of a plain
// set's, or the records the routing policy chooses, renamed to the set's
// owner when they come through an alias. volatile reports that the choice
// was random, so the reply must not be cached.
func (s *RRSet) pick(lc *lookupCtx) (rrs []dns.RR) {
	if s.group == nil || s.plainGroup {
		return s.rrs
	}
	if !s.deterministic {
		lc.volatile = true
	}
	if s.clientScoped {
		lc.clientScoped = true
	}
	for _, rec := range routing.Select(s.group, lc.query, lc.health, globalRand{}) {
		l, ok := rec.Data.(*leaf)
		if !ok {
			continue
		}
		for _, rr := range l.rrs {
			if rr.Header().Name != s.owner {
				rr = dns.Copy(rr)
				rr.Header().Name = s.owner
			}
			rrs = append(rrs, rr)
		}
	}
	return rrs
}

// lookupCtx carries what routing needs through one lookup.
type lookupCtx struct {
	query        routing.Query
	health       routing.Health
	volatile     bool
	clientScoped bool
}

// geoProximity resolves a geoproximity location to a point: an AWSRegion
// to its routing.RegionCoordinates, a LocalZoneGroup to the operator-defined
// location of that name, Coordinates parsed (the model has checked them). A
// location that resolves to nothing lies at 0,0.
func geoProximity(g *model.GeoProximityLocation, locations map[string][2]float64) routing.GeoProximity {
	var p routing.GeoProximity
	if g.Bias != nil {
		p.Bias = int(*g.Bias)
	}
	if c, ok := routing.RegionCoordinates[g.AWSRegion]; ok {
		p.Latitude, p.Longitude = c[0], c[1]
	}
	if c, ok := locations[g.LocalZoneGroup]; ok && g.LocalZoneGroup != "" {
		p.Latitude, p.Longitude = c[0], c[1]
	}
	if c := g.Coordinates; c != nil {
		p.Latitude, _ = model.ParseCoordinate(c.Latitude, 90)
		p.Longitude, _ = model.ParseCoordinate(c.Longitude, 180)
	}
	return p
}
