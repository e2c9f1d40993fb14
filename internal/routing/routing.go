package routing

import (
	"fmt"
	"net/netip"
)

// Limits of the selection.
const (
	// MaxMultiValue is the most records a multivalue answer holds.
	MaxMultiValue = 8
	// MaxDepth is the most groups on one path from the root through
	// aliases, the root included; deeper targets yield nothing.
	MaxDepth = 16
)

// Policy is the routing policy of a group.
type Policy int

// Routing policies. The zero value is Simple.
const (
	Simple Policy = iota
	Failover
	Weighted
	MultiValue
	Latency
	Geolocation
	Geoproximity
	IPBased
)

var policyNames = [...]string{"simple", "failover", "weighted", "multivalue", "latency", "geolocation", "geoproximity", "IP-based"}

// String returns the policy's name as the model spells it ("IP-based").
func (p Policy) String() string {
	if p >= 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// Role is a failover record's role. The zero value is Primary.
type Role int

// Failover roles.
const (
	Primary Role = iota
	Secondary
)

// Record is one record set of a group: a plain record (Alias nil), whose
// Data the DNS layer answers with, or an alias to another group.
type Record struct {
	SetIdentifier string
	// Weight is a weighted record's weight, 0..255; other policies ignore it.
	Weight int
	// Failover is a failover record's role; other policies ignore it.
	Failover Role
	// HealthCheckID names the record's health check; "" means none (healthy).
	HealthCheckID string
	// Alias is nil for a plain record.
	Alias *Alias
	// Blocks are an IP-based record's CIDR blocks (its location's in the
	// collection); DefaultLocation marks the "*" record, which answers
	// clients no block matches. Other policies ignore both.
	Blocks          []netip.Prefix
	DefaultLocation bool
	// Region is a latency record's AWS region.
	Region string
	// Geo is a geolocation record's location.
	Geo GeoLocation
	// Proximity is a geoproximity record's point and bias, resolved at
	// compile time (an AWSRegion becomes its RegionCoordinates).
	Proximity GeoProximity
	// Data is opaque to routing: what the DNS layer answers with.
	Data any
}

// Alias points a record at another group.
type Alias struct {
	// Target is the group answered from; nil for a dangling alias, which
	// yields nothing and is unhealthy when EvaluateTargetHealth is set.
	Target *Group
	// EvaluateTargetHealth makes the alias healthy only while Target can
	// yield a healthy record.
	EvaluateTargetHealth bool
}

// Group is the record sets of one name and type, which share a policy. It
// must not be modified once Select may be called on it; Records must not
// hold nil.
type Group struct {
	Policy  Policy
	Records []*Record
}

// Health reports the status of health checks. Healthy returns true when the
// check is healthy; implementations should also return true for ids they do
// not know (reference §14 #23). It is called during Select and Healthy and
// must be safe for the caller's concurrency.
type Health interface {
	Healthy(checkID string) bool
}

// HealthFunc adapts a function to Health.
type HealthFunc func(checkID string) bool

// Healthy calls f(checkID).
func (f HealthFunc) Healthy(checkID string) bool { return f(checkID) }

// Rand is the source of random choices; *rand.Rand of math/rand/v2
// satisfies it. IntN is called with n > 0 and must return a value in
// [0, n).
type Rand interface {
	IntN(n int) int
}

// Query is what a policy may know about the client. Simple, failover,
// weighted and multivalue routing ignore it; latency, geolocation,
// geoproximity and IP-based routing read it.
type Query struct {
	// Client is the EDNS0 client subnet when the query carries one, else
	// the resolver's address as a full-length prefix; the zero Prefix when
	// unknown.
	Client netip.Prefix
	// Location is where the client is (its fields empty when unknown).
	Location Location
	// LatencyRegions is the client's region preference for latency
	// routing, best first; regions it does not list rank after, by name.
	LatencyRegions []string
}

// Select returns the plain records to answer with from group g, after
// following aliases, for query q under health h (nil: all healthy), with
// random choices drawn from r. It returns nil when the tree yields nothing
// (an empty group, a dangling or cyclic alias, a location-aware group with
// nothing for the client and no default).
// The result may share memory with a group's Records: callers must not
// modify it.
func Select(g *Group, q Query, h Health, r Rand) []*Record {
	e := evaluator{q: q, h: h, r: r}
	grp, i := e.descend(g)
	switch {
	case grp == nil:
		return nil
	case i != multi:
		return grp.Records[i : i+1 : i+1]
	}
	return e.appendMulti(make([]*Record, 0, MaxMultiValue), grp)
}

// AppendSelect appends the records Select would return to dst and returns
// the extended slice.
func AppendSelect(dst []*Record, g *Group, q Query, h Health, r Rand) []*Record {
	e := evaluator{q: q, h: h, r: r, base: len(dst)}
	grp, i := e.descend(g)
	switch {
	case grp == nil:
		return dst
	case i != multi:
		return append(dst, grp.Records[i])
	}
	return e.appendMulti(dst, grp)
}

// Healthy reports whether group g can yield at least one healthy record for
// query q under health h (nil: all healthy), with no last resort: the
// health of an alias to g with EvaluateTargetHealth.
func Healthy(g *Group, q Query, h Health) bool {
	e := evaluator{q: q, h: h}
	return e.groupHealthy(g)
}

// Deterministic reports whether Select never consults its Rand for the tree
// rooted at g and no policy in it reads the client, so that its answer
// depends on the health view only. It is meant for compile time: it
// allocates, and it visits every group reachable through aliases.
func Deterministic(g *Group) bool {
	return deterministic(g, map[*Group]bool{})
}

func deterministic(g *Group, seen map[*Group]bool) bool {
	if g == nil || seen[g] {
		return true
	}
	seen[g] = true
	if !policyDeterministic(g) {
		return false
	}
	for _, rec := range g.Records {
		if rec.Alias != nil && !deterministic(rec.Alias.Target, seen) {
			return false
		}
	}
	return true
}

// policyDeterministic reports whether choosing within g alone never draws
// a random number.
func policyDeterministic(g *Group) bool {
	switch g.Policy {
	case Weighted:
		positive, zero := 0, 0
		for _, rec := range g.Records {
			if rec.Weight > 0 {
				positive++
			} else {
				zero++
			}
		}
		return positive <= 1 && zero <= 1
	case MultiValue:
		return len(g.Records) <= MaxMultiValue
	case IPBased, Latency, Geolocation, Geoproximity:
		return false // the answer depends on the client
	}
	return true
}

// UsesClient reports whether the answer of g's tree can depend on the
// client's address (a latency, geolocation, geoproximity or IP-based group
// in it): such answers carry the
// client-subnet scope and are never cached by the DNS layer.
func UsesClient(g *Group) bool { return usesClient(g, map[*Group]bool{}) }

func usesClient(g *Group, seen map[*Group]bool) bool {
	if g == nil || seen[g] {
		return false
	}
	seen[g] = true
	switch g.Policy {
	case IPBased, Latency, Geolocation, Geoproximity:
		return true
	}
	for _, rec := range g.Records {
		if rec.Alias != nil && usesClient(rec.Alias.Target, seen) {
			return true
		}
	}
	return false
}
