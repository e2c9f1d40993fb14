// Package dnstest holds test helpers for DNS: zones written as zone-file
// text, compiled snapshots, a real internal/dns server on a loopback port,
// and a query helper built on miekg/dns's client.
package dnstest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/zone"
)

// Zone is a hosted zone written as zone-file text: one record per line,
// names relative to Name unless they end with a dot, "@" for the apex.
type Zone struct {
	ID   string
	Name string // canonical: lower case, trailing dot
	Text string
}

// RecordSets parses zone-file text into simple record sets: records with the
// same owner and type form one set, in order of first appearance, with the
// TTL of the first.
func RecordSets(origin, text string) ([]model.RecordSet, error) {
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
	var sets []model.RecordSet
	index := map[model.RecordKey]int{}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		name, err := model.CanonicalName(h.Name)
		if err != nil {
			return nil, err
		}
		key := model.RecordKey{Name: name, Type: dns.TypeToString[h.Rrtype]}
		i, seen := index[key]
		if !seen {
			ttl := int64(h.Ttl)
			sets = append(sets, model.RecordSet{Name: key.Name, Type: key.Type, TTL: &ttl})
			i = len(sets) - 1
			index[key] = i
		}
		sets[i].Values = append(sets[i].Values, strings.TrimPrefix(rr.String(), h.String()))
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("dnstest: zone %s: %w", origin, err)
	}
	return sets, nil
}

// Compile compiles z, failing the test on error.
func Compile(tb testing.TB, z Zone) *zone.Zone {
	tb.Helper()
	sets, err := RecordSets(z.Name, z.Text)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := zone.Compile(model.HostedZone{ID: z.ID, Name: z.Name}, sets)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Snapshot compiles zones into a snapshot at revision rev.
func Snapshot(tb testing.TB, rev int64, zones ...Zone) *zone.Snapshot {
	tb.Helper()
	compiled := make([]*zone.Zone, len(zones))
	for i, z := range zones {
		compiled[i] = Compile(tb, z)
	}
	return zone.NewSnapshot(rev, compiled...)
}

// SectionDiff compares a section with records written as text and returns ""
// when they hold the same records in the same order, else a description.
func SectionDiff(section string, got []dns.RR, want []string) string {
	var g, w []string
	for _, rr := range got {
		g = append(g, rr.String())
	}
	for _, s := range want {
		rr, err := dns.NewRR(s)
		if err != nil || rr == nil {
			return fmt.Sprintf("%s: bad expected record %q: %v", section, s, err)
		}
		w = append(w, rr.String())
	}
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		return fmt.Sprintf("%s:\ngot:\n\t%s\nwant:\n\t%s", section, strings.Join(g, "\n\t"), strings.Join(w, "\n\t"))
	}
	return ""
}
