package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// rrset is one record set of the benchmark zone, in Route 53's terms: a name,
// a type, a TTL and the presentation-format values (TXT values quoted).
type rrset struct {
	Name   string
	Type   string
	TTL    int
	Values []string
}

// zoneSpec says how big the generated zone is.
type zoneSpec struct {
	Origin string // canonical, with the trailing dot
	Hosts  int    // host-0 … host-(Hosts-1), one A record each
	AAAA   int    // host-0 … host-(AAAA-1) also get an AAAA record
	TXT    int    // host-0 … host-(TXT-1) also get a TXT record
}

// records returns the zone's record sets, SOA and NS first, in a fixed order.
func (s zoneSpec) records() []rrset {
	o := s.Origin
	rs := []rrset{
		{o, "SOA", 900, []string{fmt.Sprintf("ns1.%s hostmaster.%s 1 7200 900 1209600 86400", o, o)}},
		{o, "NS", 172800, []string{"ns1." + o, "ns2." + o}},
		{"ns1." + o, "A", 3600, []string{"192.0.2.53"}},
		{"ns2." + o, "A", 3600, []string{"198.51.100.53"}},
		{o, "MX", 3600, []string{"10 mail." + o, "20 mail2." + o}},
		{o, "TXT", 3600, []string{`"v=spf1 mx -all"`}},
		{o, "A", 300, []string{"192.0.2.10"}},
		{"mail." + o, "A", 3600, []string{"192.0.2.25"}},
		{"mail2." + o, "A", 3600, []string{"192.0.2.26"}},
		{"www." + o, "CNAME", 300, []string{"host-1." + o}},
		{"pool." + o, "A", 60, []string{"192.0.2.101", "192.0.2.102", "192.0.2.103", "192.0.2.104"}},
		{"*.wild." + o, "A", 60, []string{"192.0.2.200"}},
		{"*.wild." + o, "AAAA", 60, []string{"2001:db8:ffff::200"}},
	}
	for i := range s.Hosts {
		rs = append(rs, rrset{host(i, o), "A", 300, []string{fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}})
	}
	for i := range min(s.AAAA, s.Hosts) {
		rs = append(rs, rrset{host(i, o), "AAAA", 300, []string{fmt.Sprintf("2001:db8::%x", i+1)}})
	}
	for i := range min(s.TXT, s.Hosts) {
		rs = append(rs, rrset{host(i, o), "TXT", 300, []string{fmt.Sprintf(`"host %d of the vedette dns benchmark"`, i)}})
	}
	return rs
}

func host(i int, origin string) string { return fmt.Sprintf("host-%d.%s", i, origin) }

// writeZoneFile writes rs as an RFC 1035 master file (absolute names only).
func writeZoneFile(w io.Writer, origin string, rs []rrset) error {
	if _, err := fmt.Fprintf(w, "$ORIGIN %s\n$TTL 300\n", origin); err != nil {
		return err
	}
	for _, r := range rs {
		for _, v := range r.Values {
			if _, err := fmt.Fprintf(w, "%s\t%d\tIN\t%s\t%s\n", r.Name, r.TTL, r.Type, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Route 53 change batch JSON, as the AWS CLI reads it from --change-batch.
type changeBatch struct {
	Comment string   `json:"Comment,omitempty"`
	Changes []change `json:"Changes"`
}

type change struct {
	Action            string            `json:"Action"`
	ResourceRecordSet resourceRecordSet `json:"ResourceRecordSet"`
}

type resourceRecordSet struct {
	Name            string           `json:"Name"`
	Type            string           `json:"Type"`
	TTL             int              `json:"TTL"`
	ResourceRecords []resourceRecord `json:"ResourceRecords"`
}

type resourceRecord struct {
	Value string `json:"Value"`
}

// Route 53 limits per ChangeResourceRecordSets call: 1000 ResourceRecord
// elements and 32000 characters of values. Stay a little below the latter.
const (
	maxBatchValues = 1000
	maxBatchChars  = 30000
)

// changeBatches splits rs into change batches within Route 53's limits. The
// apex SOA and NS, which a new hosted zone already has, are UPSERTed so that
// Vedette serves exactly the SOA and NS of the zone file; everything else is
// CREATEd. An UPSERT counts twice towards the value limit, as in Route 53.
func changeBatches(rs []rrset, origin string) []changeBatch {
	var out []changeBatch
	var cur changeBatch
	values, chars := 0, 0
	for _, r := range rs {
		action := "CREATE"
		if r.Name == origin && (r.Type == "SOA" || r.Type == "NS") {
			action = "UPSERT"
		}
		n, c := len(r.Values), 0
		for _, v := range r.Values {
			c += len(v)
		}
		if action == "UPSERT" {
			n, c = 2*n, 2*c
		}
		if len(cur.Changes) > 0 && (values+n > maxBatchValues || chars+c > maxBatchChars) {
			out = append(out, cur)
			cur, values, chars = changeBatch{}, 0, 0
		}
		rrs := make([]resourceRecord, 0, len(r.Values))
		for _, v := range r.Values {
			rrs = append(rrs, resourceRecord{Value: v})
		}
		cur.Changes = append(cur.Changes, change{action, resourceRecordSet{r.Name, r.Type, r.TTL, rrs}})
		values, chars = values+n, chars+c
	}
	if len(cur.Changes) > 0 {
		out = append(out, cur)
	}
	for i := range out {
		out[i].Comment = fmt.Sprintf("dns benchmark batch %d of %d", i+1, len(out))
	}
	return out
}

func marshalBatch(b changeBatch) ([]byte, error) { return json.MarshalIndent(b, "", " ") }

// query is one line of a dnsperf data file.
type query struct{ Name, Type string }

// Query mix, in percent; the remainder are A queries for existing host-N names.
const (
	pctAAAA     = 8
	pctTXT      = 4
	pctMX       = 3
	pctCNAME    = 3 // www, a CNAME to host-1
	pctWildcard = 5
	pctNXDOMAIN = 7
	pctNODATA   = 2 // an existing name, a type it does not have
)

// queries returns n dnsperf queries drawn deterministically from the mix.
func (s zoneSpec) queries(n int, seed uint64) []query {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	o := s.Origin
	qs := make([]query, 0, n)
	for range n {
		p := r.IntN(100)
		var q query
		switch {
		case p < pctAAAA:
			q = query{host(r.IntN(max(s.AAAA, 1)), o), "AAAA"}
		case p < pctAAAA+pctTXT:
			q = query{host(r.IntN(max(s.TXT, 1)), o), "TXT"}
		case p < pctAAAA+pctTXT+pctMX:
			q = query{o, "MX"}
		case p < pctAAAA+pctTXT+pctMX+pctCNAME:
			q = query{"www." + o, "A"}
		case p < pctAAAA+pctTXT+pctMX+pctCNAME+pctWildcard:
			q = query{fmt.Sprintf("w%d.wild.%s", r.IntN(100000), o), "A"}
		case p < pctAAAA+pctTXT+pctMX+pctCNAME+pctWildcard+pctNXDOMAIN:
			q = query{fmt.Sprintf("nohost-%d.%s", r.IntN(100000), o), "A"}
		case p < pctAAAA+pctTXT+pctMX+pctCNAME+pctWildcard+pctNXDOMAIN+pctNODATA:
			q = query{host(r.IntN(s.Hosts), o), "MX"}
		default:
			q = query{host(r.IntN(s.Hosts), o), "A"}
		}
		qs = append(qs, q)
	}
	return qs
}

// checkQueries are the queries every server must answer identically before
// it is measured: one of each kind in the mix.
func (s zoneSpec) checkQueries() []query {
	o := s.Origin
	last := s.Hosts - 1
	return []query{
		{o, "SOA"}, {o, "NS"}, {o, "MX"}, {o, "TXT"},
		{host(0, o), "A"}, {host(last, o), "A"}, {host(0, o), "AAAA"}, {host(0, o), "TXT"},
		{"www." + o, "A"}, {"pool." + o, "A"}, {"w1.wild." + o, "A"}, {"w2.wild." + o, "AAAA"},
		{"nohost-1." + o, "A"}, {host(1, o), "MX"},
	}
}

func writeQueries(w io.Writer, qs []query) error {
	var b strings.Builder
	for _, q := range qs {
		b.WriteString(q.Name)
		b.WriteByte(' ')
		b.WriteString(q.Type)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
