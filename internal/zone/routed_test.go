package zone_test

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/dnstest"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/routing"
	"github.com/vedette-dns/vedette/internal/zone"
)

func i64(v int64) *int64 { return &v }

// routedZone: a failover pair, a failover pair of aliases to weighted
// groups (a tree three levels deep), an apex alias and a routed CNAME.
func routedZone(t *testing.T) *zone.Snapshot {
	t.Helper()
	base, err := dnstest.RecordSets("r.test.", `
@ 900 IN SOA ns.r.test. h.r.test. 1 7200 900 1209600 60
@ 900 IN NS  ns.r.test.
ns 60 IN A 192.0.2.53
`)
	if err != nil {
		t.Fatal(err)
	}
	plain := func(name, typ, id string, f func(*model.RecordSet), values ...string) model.RecordSet {
		r := model.RecordSet{Name: name, Type: typ, SetIdentifier: id, TTL: i64(60), Values: values}
		f(&r)
		return r
	}
	fo := func(role, hc string) func(*model.RecordSet) {
		return func(r *model.RecordSet) { r.Failover, r.HealthCheckID = role, hc }
	}
	w := func(weight int64, hc string) func(*model.RecordSet) {
		return func(r *model.RecordSet) { r.Weight, r.HealthCheckID = &weight, hc }
	}
	alias := func(name, id, role, target string) model.RecordSet {
		return model.RecordSet{Name: name, Type: "A", SetIdentifier: id, Failover: role,
			AliasTarget: &model.AliasTarget{HostedZoneID: "ZR", DNSName: target, EvaluateTargetHealth: true}}
	}
	recs := append(base,
		plain("app.r.test.", "A", "p", fo("PRIMARY", "hc-p"), "192.0.2.1"),
		plain("app.r.test.", "A", "s", fo("SECONDARY", "hc-s"), "192.0.2.2"),
		plain("east.r.test.", "A", "e1", w(1, "hc-e1"), "198.51.100.1"),
		plain("east.r.test.", "A", "e2", w(1, "hc-e2"), "198.51.100.2"),
		plain("west.r.test.", "A", "w1", w(1, "hc-w1"), "203.0.113.1"),
		alias("tree.r.test.", "east", "PRIMARY", "east.r.test."),
		alias("tree.r.test.", "west", "SECONDARY", "west.r.test."),
		model.RecordSet{Name: "r.test.", Type: "A", AliasTarget: &model.AliasTarget{HostedZoneID: "ZR", DNSName: "app.r.test."}},
		plain("c.r.test.", "CNAME", "p", fo("PRIMARY", "hc-p"), "app.r.test."),
		plain("c.r.test.", "CNAME", "s", fo("SECONDARY", "hc-s"), "tree.r.test."),
	)
	z, err := zone.Compile(model.HostedZone{ID: "ZR", Name: "r.test."}, recs)
	if err != nil {
		t.Fatal(err)
	}
	return zone.NewSnapshot(1, z)
}

func down(ids ...string) routing.Health {
	return routing.HealthFunc(func(id string) bool {
		for _, d := range ids {
			if d == id {
				return false
			}
		}
		return true
	})
}

func TestRoutedLookups(t *testing.T) {
	snap := routedZone(t)
	tests := []struct {
		name, qname string
		down        []string
		answer      []string
	}{
		{"primary healthy", "app.r.test.", nil, []string{"app.r.test. 60 IN A 192.0.2.1"}},
		{"primary down", "app.r.test.", []string{"hc-p"}, []string{"app.r.test. 60 IN A 192.0.2.2"}},
		{"both down: primary", "app.r.test.", []string{"hc-p", "hc-s"}, []string{"app.r.test. 60 IN A 192.0.2.1"}},
		{"apex alias follows the failover pair", "r.test.", []string{"hc-p"}, []string{"r.test. 60 IN A 192.0.2.2"}},
		{"tree: east branch, one member down", "tree.r.test.", []string{"hc-e1"}, []string{"tree.r.test. 60 IN A 198.51.100.2"}},
		{"tree: east all down backs out to west", "tree.r.test.", []string{"hc-e1", "hc-e2"}, []string{"tree.r.test. 60 IN A 203.0.113.1"}},
		{"routed CNAME chased", "c.r.test.", []string{"hc-p"}, []string{"c.r.test. 60 IN CNAME tree.r.test.", "tree.r.test. 60 IN A 198.51.100.1", "tree.r.test. 60 IN A 198.51.100.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Tree answers are weighted: run several times, each answer must be allowed.
			for range 20 {
				res := snap.LookupNameFor(tt.qname, dns.TypeA, routing.Query{}, down(tt.down...))
				if res.Rcode != dns.RcodeSuccess || !res.Authoritative {
					t.Fatalf("rcode %d aa %v", res.Rcode, res.Authoritative)
				}
				if !answerAllowed(res.Answer, tt.answer) {
					t.Fatalf("answer %v not within %v", res.Answer, tt.answer)
				}
			}
		})
	}
	if res := snap.LookupNameFor("app.r.test.", dns.TypeA, routing.Query{}, nil); res.Volatile {
		t.Error("a failover answer must be cacheable")
	}
	if res := snap.LookupNameFor("east.r.test.", dns.TypeA, routing.Query{}, nil); !res.Volatile {
		t.Error("a weighted answer must not be cached")
	}
}

// answerAllowed reports whether every record of got is one of allowed and
// the CNAME (if any) comes first.
func answerAllowed(got []dns.RR, allowed []string) bool {
	if len(got) == 0 {
		return false
	}
	set := map[string]bool{}
	for _, a := range allowed {
		rr, err := dns.NewRR(a)
		if err != nil {
			panic(err)
		}
		set[rr.String()] = true
	}
	for _, rr := range got {
		if !set[rr.String()] {
			return false
		}
	}
	return true
}
