package routing_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/routing"
)

// A test zone is written one group per line, the first line being the root:
//
//	www  = failover: p primary alias=pool eth; s secondary hc=h3
//	pool = weighted: a w=10 hc=h1; b w=20 hc=h2; c w=0
//
// Each record is a name (unique in the zone, and the record's Data) and
// attributes: w=N (weight), primary or secondary, hc=ID (health check),
// alias=GROUP (an alias to another line), dangling (an alias to nothing),
// eth (EvaluateTargetHealth).

var policies = map[string]routing.Policy{
	"simple": routing.Simple, "failover": routing.Failover, "weighted": routing.Weighted,
	"multivalue": routing.MultiValue, "latency": routing.Latency, "geolocation": routing.Geolocation,
	"geoproximity": routing.Geoproximity, "ip-based": routing.IPBased,
}

// parseZone returns the root group of src.
func parseZone(t testing.TB, src string) *routing.Group {
	t.Helper()
	groups := map[string]*routing.Group{}
	var root *routing.Group
	var lines [][2]string
	for line := range strings.Lines(strings.TrimSpace(src)) {
		name, spec, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("zone line %q: want NAME = POLICY: RECORDS", line)
		}
		name = strings.TrimSpace(name)
		g := &routing.Group{}
		groups[name] = g
		if root == nil {
			root = g
		}
		lines = append(lines, [2]string{name, spec})
	}
	seen := map[string]bool{}
	for _, l := range lines {
		parseGroup(t, groups[l[0]], l[1], groups, seen)
	}
	return root
}

func parseGroup(t testing.TB, g *routing.Group, spec string, groups map[string]*routing.Group, seen map[string]bool) {
	t.Helper()
	policy, recs, ok := strings.Cut(spec, ":")
	p, known := policies[strings.TrimSpace(policy)]
	if !ok || !known {
		t.Fatalf("group %q: unknown policy %q", spec, policy)
	}
	g.Policy = p
	for r := range strings.SplitSeq(recs, ";") {
		if strings.TrimSpace(r) == "" {
			continue
		}
		rec := parseRecord(t, strings.Fields(r), groups)
		if seen[rec.SetIdentifier] {
			t.Fatalf("record %q defined twice", rec.SetIdentifier)
		}
		seen[rec.SetIdentifier] = true
		g.Records = append(g.Records, rec)
	}
}

func parseRecord(t testing.TB, fields []string, groups map[string]*routing.Group) *routing.Record {
	t.Helper()
	rec := &routing.Record{SetIdentifier: fields[0], Data: fields[0]}
	eth := false
	for _, f := range fields[1:] {
		key, val, _ := strings.Cut(f, "=")
		switch key {
		case "w":
			w, err := strconv.Atoi(val)
			if err != nil {
				t.Fatalf("record %s: %v", rec.SetIdentifier, err)
			}
			rec.Weight = w
		case "primary":
			rec.Failover = routing.Primary
		case "secondary":
			rec.Failover = routing.Secondary
		case "hc":
			rec.HealthCheckID = val
		case "eth":
			eth = true
		case "dangling":
			rec.Alias = &routing.Alias{}
		case "alias":
			target := groups[val]
			if target == nil {
				t.Fatalf("record %s: no group %q", rec.SetIdentifier, val)
			}
			rec.Alias = &routing.Alias{Target: target}
		default:
			t.Fatalf("record %s: unknown attribute %q", rec.SetIdentifier, f)
		}
	}
	if eth {
		if rec.Alias == nil {
			t.Fatalf("record %s: eth without alias", rec.SetIdentifier)
		}
		rec.Alias.EvaluateTargetHealth = true
	}
	return rec
}

// down is a health view in which the listed checks ("h1 h2") are unhealthy
// and every other id is healthy.
func down(ids string) routing.Health {
	set := map[string]bool{}
	for _, id := range strings.Fields(ids) {
		set[id] = true
	}
	return routing.HealthFunc(func(id string) bool { return !set[id] })
}

// names renders an answer as its records' names, sorted and space-separated.
func names(recs []*routing.Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, r.Data.(string))
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

func pcg(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// countingRand counts the draws it serves.
type countingRand struct {
	r     *rand.Rand
	calls int
}

func (c *countingRand) IntN(n int) int {
	c.calls++
	return c.r.IntN(n)
}
