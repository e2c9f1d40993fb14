package model

import (
	"fmt"
	"sort"
	"strings"
)

// RoutingPolicy names how a record set is chosen among its group (the record
// sets of one name and type).
type RoutingPolicy string

// Routing policies.
const (
	PolicySimple       RoutingPolicy = "simple"
	PolicyWeighted     RoutingPolicy = "weighted"
	PolicyLatency      RoutingPolicy = "latency"
	PolicyGeolocation  RoutingPolicy = "geolocation"
	PolicyGeoproximity RoutingPolicy = "geoproximity"
	PolicyFailover     RoutingPolicy = "failover"
	PolicyMultiValue   RoutingPolicy = "multivalue"
	PolicyIPBased      RoutingPolicy = "IP-based"
)

// Routing limits (reference §7.3, §10).
const (
	MaxWeight        = 255
	MaxGroupRecords  = 100
	MaxSetIdentifier = 128
)

// Policy returns the routing policy the record set's fields imply.
func (r *RecordSet) Policy() RoutingPolicy {
	switch {
	case r.Weight != nil:
		return PolicyWeighted
	case r.Region != "":
		return PolicyLatency
	case r.GeoLocation != nil:
		return PolicyGeolocation
	case r.GeoProximityLocation != nil:
		return PolicyGeoproximity
	case r.Failover != "":
		return PolicyFailover
	case r.MultiValueAnswer != nil:
		return PolicyMultiValue
	case r.CidrRoutingConfig != nil:
		return PolicyIPBased
	}
	return PolicySimple
}

// policyFields counts the routing-policy fields set on r.
func policyFields(r *RecordSet) int {
	n := 0
	for _, set := range []bool{r.Weight != nil, r.Region != "", r.GeoLocation != nil, r.GeoProximityLocation != nil,
		r.Failover != "", r.MultiValueAnswer != nil, r.CidrRoutingConfig != nil} {
		if set {
			n++
		}
	}
	return n
}

// checkRouting validates the routing fields of one record set (InvalidInput).
func checkRouting(r *RecordSet) string {
	if policyFields(r) > 1 {
		return fmt.Sprintf("Invalid request: a record set may use only one routing policy (Weight, Region, GeoLocation, GeoProximityLocation, Failover, MultiValueAnswer, CidrRoutingConfig) in %s", describe(r))
	}
	p := r.Policy()
	if m := checkLocationFields(r); m != "" {
		return m
	}
	if p == PolicySimple && r.SetIdentifier != "" {
		return fmt.Sprintf("Invalid request: SetIdentifier is only allowed with a routing policy in %s", describe(r))
	}
	if p != PolicySimple && r.SetIdentifier == "" {
		return fmt.Sprintf("Invalid request: Missing field 'SetIdentifier' in Change with [Name=%s, Type=%s]", r.Name, r.Type)
	}
	if len(r.SetIdentifier) > MaxSetIdentifier {
		return fmt.Sprintf("Invalid parameter : SetIdentifier is longer than %d characters", MaxSetIdentifier)
	}
	switch {
	case r.Weight != nil && (*r.Weight < 0 || *r.Weight > MaxWeight):
		return fmt.Sprintf("Invalid parameter : Weight %d is outside 0..%d", *r.Weight, MaxWeight)
	case r.Failover != "" && r.Failover != "PRIMARY" && r.Failover != "SECONDARY":
		return fmt.Sprintf("Invalid parameter : Failover '%s' is not one of PRIMARY, SECONDARY", r.Failover)
	case p != PolicySimple && (r.Type == "NS" || r.Type == "SOA"):
		return fmt.Sprintf("Invalid parameter : %s record sets may only use simple routing", r.Type)
	case p == PolicyMultiValue && (r.Type == "CNAME" || r.AliasTarget != nil):
		return "Invalid parameter : multivalue answer record sets cannot be CNAME or alias record sets"
	case p == PolicyIPBased && (r.CidrRoutingConfig.CollectionID == "" || !validCidrLocation(r.CidrRoutingConfig.LocationName)):
		return "Invalid parameter : CidrRoutingConfig needs a CollectionId and a LocationName of 1 to 16 characters of 0-9, A-Z, a-z, _, - (or * for the default)"
	}
	return ""
}

// checkAliasFields validates an alias record set's own fields (InvalidInput).
func checkAliasFields(c *Change) string {
	r := &c.RecordSet
	if r.TTL != nil || len(r.Values) > 0 || r.TrafficPolicyInstanceID != "" {
		return fmt.Sprintf("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]",
			c.Action, r.Name, r.Type, nullable(r.SetIdentifier))
	}
	if r.Type == "NS" || r.Type == "SOA" {
		return fmt.Sprintf("Invalid parameter : %s record sets cannot be aliases", r.Type)
	}
	a := r.AliasTarget
	if a.HostedZoneID == "" || a.DNSName == "" {
		return "Invalid request: AliasTarget needs HostedZoneId and DNSName"
	}
	if i := strings.LastIndexByte(a.HostedZoneID, '/'); i >= 0 {
		a.HostedZoneID = a.HostedZoneID[i+1:]
	}
	if n, err := ParseAPIName(a.DNSName); err == nil {
		a.DNSName = n
	}
	return ""
}

// checkAliasTarget checks an alias against the zone after the batch
// (InvalidChangeBatch): it must name a record set of the same type in the
// same hosted zone.
func checkAliasTarget(zone *HostedZone, r *RecordSet, types map[string]map[string]bool) string {
	a := r.AliasTarget
	target, err := ParseAPIName(a.DNSName)
	prefix := fmt.Sprintf("Tried to create an alias that targets %s, type %s in zone %s", APIName(a.DNSName), r.Type, a.HostedZoneID)
	switch {
	case a.HostedZoneID != zone.ID:
		return prefix + ", but Vedette aliases must target record sets of the same hosted zone"
	case err != nil || !IsInZone(target, zone.Name):
		return prefix + ", but the alias target name does not lie within the target zone"
	case !types[target][r.Type]:
		return prefix + ", but that target was not found"
	}
	return ""
}

// checkGroups checks the rules over each touched group (name and type):
// one routing policy, failover roles, limits, weighted TTLs, and alias targets.
func checkGroups(zone *HostedZone, work map[RecordKey]RecordSet, touched map[RecordKey]bool) []string {
	groups := map[[2]string][]RecordSet{}
	types := map[string]map[string]bool{}
	for k, r := range work {
		if types[k.Name] == nil {
			types[k.Name] = map[string]bool{}
		}
		types[k.Name][k.Type] = true
		groups[[2]string{k.Name, k.Type}] = append(groups[[2]string{k.Name, k.Type}], r)
	}
	var keys [][2]string
	for k := range touched {
		g := [2]string{k.Name, k.Type}
		if _, ok := groups[g]; ok {
			keys = append(keys, g)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"/"+keys[i][1] < keys[j][0]+"/"+keys[j][1] })
	var msgs []string
	seen := map[[2]string]bool{}
	for _, g := range keys {
		if seen[g] {
			continue
		}
		seen[g] = true
		msgs = append(msgs, checkGroup(zone, groups[g], types)...)
	}
	return msgs
}

func checkGroup(zone *HostedZone, recs []RecordSet, types map[string]map[string]bool) []string {
	sort.Slice(recs, func(i, j int) bool { return recs[i].SetIdentifier < recs[j].SetIdentifier })
	name, typ := APIName(recs[0].Name), recs[0].Type
	var msgs []string
	policy := recs[0].Policy()
	roles := map[string]int{}
	keys := map[string]bool{}
	for i := range recs {
		r := &recs[i]
		if p := r.Policy(); p != policy {
			msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s and type %s cannot mix the %s and %s routing policies", name, typ, policy, p))
			break
		}
		if r.Failover != "" {
			roles[r.Failover]++
		}
		if policy == PolicyIPBased && r.CidrRoutingConfig.CollectionID != recs[0].CidrRoutingConfig.CollectionID {
			msgs = append(msgs, fmt.Sprintf("All IP-based record sets with DNS name %s and type %s must use the same CIDR collection", name, typ))
		}
		if k := geoKey(r); k != "" {
			if keys[k] {
				msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s and type %s may have only one %s record set for %s", name, typ, policy, k))
			}
			keys[k] = true
		}
		if policy == PolicyWeighted && r.AliasTarget == nil && recs[0].AliasTarget == nil && !eqInt(r.TTL, recs[0].TTL) {
			msgs = append(msgs, fmt.Sprintf("All weighted record sets with DNS name %s and type %s must have the same TTL", name, typ))
		}
		if r.AliasTarget != nil {
			if m := checkAliasTarget(zone, r, types); m != "" {
				msgs = append(msgs, m)
			}
		}
	}
	for role, n := range roles {
		if n > 1 {
			msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s and type %s may have only one %s failover record set", name, typ, role))
		}
	}
	if policy == PolicyGeoproximity && len(recs) > MaxGeoproximityRecords {
		msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s and type %s has more than %d geoproximity record sets", name, typ, MaxGeoproximityRecords))
	}
	if len(recs) > MaxGroupRecords {
		msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s and type %s has more than %d record sets", name, typ, MaxGroupRecords))
	}
	return msgs
}

func validCidrLocation(s string) bool { return s == "*" || locationNameRE.MatchString(s) }
