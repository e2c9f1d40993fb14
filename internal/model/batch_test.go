package model

import (
	"strconv"
	"strings"
	"testing"
)

func ttl(n int64) *int64 { return &n }

func testZone() (*HostedZone, []RecordSet) {
	z := &HostedZone{ID: "ZTEST", Name: "example.com."}
	recs := []RecordSet{
		{Name: "example.com.", Type: "SOA", TTL: ttl(900), Values: []string{"ns1.example.net. hostmaster.example.com. 1 7200 900 1209600 86400"}},
		{Name: "example.com.", Type: "NS", TTL: ttl(172800), Values: []string{"ns1.example.net.", "ns2.example.net."}},
		{Name: "www.example.com.", Type: "A", TTL: ttl(300), Values: []string{"192.0.2.1", "192.0.2.2"}},
		{Name: "alias.example.com.", Type: "CNAME", TTL: ttl(300), Values: []string{"www.example.com."}},
	}
	return z, recs
}

func rs(name, typ string, t int64, values ...string) RecordSet {
	return RecordSet{Name: name, Type: typ, TTL: ttl(t), Values: values}
}

func TestApplyBatch(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		code    string   // expected error code, "" for success
		msgs    []string // substrings expected in the error (each a separate message)
		puts    int
		deletes int
		count   int64
	}{
		{name: "create", changes: []Change{{ActionCreate, rs("new.example.com", "A", 60, "192.0.2.9")}}, puts: 1, count: 5},
		{name: "create upper case name is canonicalised",
			changes: []Change{{ActionCreate, rs("NEW.Example.COM.", "TXT", 60, `"hello world"`)}}, puts: 1, count: 5},
		{name: "create existing",
			changes: []Change{{ActionCreate, rs("www.example.com.", "A", 300, "192.0.2.1")}},
			code:    CodeInvalidChangeBatch,
			msgs:    []string{"Tried to create resource record set [name='www.example.com.', type='A'] but it already exists"}},
		{name: "delete exact (values in other order)",
			changes: []Change{{ActionDelete, rs("www.example.com.", "A", 300, "192.0.2.2", "192.0.2.1")}}, deletes: 1, count: 3},
		{name: "delete missing",
			changes: []Change{{ActionDelete, rs("nope.example.com.", "A", 300, "192.0.2.1")}},
			code:    CodeInvalidChangeBatch,
			msgs:    []string{"Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found"}},
		{name: "delete mismatched ttl",
			changes: []Change{{ActionDelete, rs("www.example.com.", "A", 60, "192.0.2.1", "192.0.2.2")}},
			code:    CodeInvalidChangeBatch, msgs: []string{"but the values provided do not match the current values"}},
		{name: "delete twice",
			changes: []Change{
				{ActionDelete, rs("www.example.com.", "A", 300, "192.0.2.1", "192.0.2.2")},
				{ActionDelete, rs("www.example.com.", "A", 300, "192.0.2.1", "192.0.2.2")},
			},
			code: CodeInvalidChangeBatch, msgs: []string{"but it was not found"}},
		{name: "delete then create swaps atomically",
			changes: []Change{
				{ActionDelete, rs("www.example.com.", "A", 300, "192.0.2.1", "192.0.2.2")},
				{ActionCreate, rs("www.example.com.", "A", 60, "192.0.2.3")},
			},
			puts: 1, count: 4},
		{name: "upsert replaces", changes: []Change{{ActionUpsert, rs("www.example.com.", "A", 60, "192.0.2.7")}}, puts: 1, count: 4},
		{name: "every problem reported",
			changes: []Change{
				{ActionCreate, rs("ok.example.com.", "A", 60, "192.0.2.1")},
				{ActionCreate, rs("bad.example.com.", "A", 60, "300.1.1.1")},
				{ActionCreate, rs("other.example.org.", "A", 60, "192.0.2.1")},
			},
			code: CodeInvalidChangeBatch,
			msgs: []string{
				"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '300.1.1.1''",
				"RRSet with DNS name other.example.org. is not permitted in zone example.com.",
			}},
		{name: "A beside CNAME",
			changes: []Change{{ActionCreate, rs("alias.example.com.", "A", 60, "192.0.2.1")}},
			code:    CodeInvalidChangeBatch,
			msgs:    []string{"RRSet of type A with DNS name alias.example.com. is not permitted because a conflicting RRSet of type  CNAME with the same DNS name already exists in zone example.com."}},
		{name: "CNAME beside A",
			changes: []Change{{ActionCreate, rs("www.example.com.", "CNAME", 60, "x.example.net.")}},
			code:    CodeInvalidChangeBatch, msgs: []string{"RRSet of type CNAME with DNS name www.example.com. is not permitted as it conflicts"}},
		{name: "CNAME at apex",
			changes: []Change{{ActionCreate, rs("example.com.", "CNAME", 60, "x.example.net.")}},
			code:    CodeInvalidChangeBatch, msgs: []string{"is not permitted at apex in zone example.com."}},
		{name: "two CNAME values",
			changes: []Change{{ActionCreate, rs("c.example.com.", "CNAME", 60, "a.example.net.", "b.example.net.")}},
			code:    CodeInvalidChangeBatch, msgs: []string{"must have exactly one value"}},
		{name: "delete apex SOA",
			changes: []Change{{ActionDelete, rs("example.com.", "SOA", 900, "ns1.example.net. hostmaster.example.com. 1 7200 900 1209600 86400")}},
			code:    CodeInvalidChangeBatch, msgs: []string{"A HostedZone must contain exactly one SOA record."}},
		{name: "delete apex NS",
			changes: []Change{{ActionDelete, rs("example.com.", "NS", 172800, "ns1.example.net.", "ns2.example.net.")}},
			code:    CodeInvalidChangeBatch, msgs: []string{"A HostedZone must contain at least one NS record for the zone itself."}},
		{name: "upsert apex NS allowed", changes: []Change{{ActionUpsert, rs("example.com.", "NS", 3600, "ns9.example.net.")}}, puts: 1, count: 4},
		{name: "wildcard NS", changes: []Change{{ActionCreate, rs("*.example.com.", "NS", 60, "ns.example.net.")}},
			code: CodeInvalidChangeBatch, msgs: []string{"wildcard NS"}},
		{name: "delegation", changes: []Change{{ActionCreate, rs("sub.example.com.", "NS", 60, "ns.sub.example.com.")}}, puts: 1, count: 5},
		{name: "bad TXT", changes: []Change{{ActionCreate, rs("t.example.com.", "TXT", 60, `"`+strings.Repeat("x", 256)+`"`)}},
			code: CodeInvalidChangeBatch, msgs: []string{"longer than 255"}},
		{name: "bad MX", changes: []Change{{ActionCreate, rs("m.example.com.", "MX", 60, "mail.example.com.")}},
			code: CodeInvalidChangeBatch, msgs: []string{"MXRRDATAIllegal"}},
		{name: "good every type", changes: []Change{
			{ActionCreate, rs("t.example.com.", "AAAA", 60, "2001:db8::1")},
			{ActionCreate, rs("t.example.com.", "CAA", 60, `0 issue "letsencrypt.org"`)},
			{ActionCreate, rs("t.example.com.", "MX", 60, "10 mail.example.com.")},
			{ActionCreate, rs("t.example.com.", "NAPTR", 60, `100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .`)},
			{ActionCreate, rs("t.example.com.", "SRV", 60, "1 10 5060 sip.example.com.")},
			{ActionCreate, rs("t.example.com.", "SPF", 60, `"v=spf1 -all"`)},
			{ActionCreate, rs("t.example.com.", "TXT", 60, `"a" "b"`)},
			{ActionCreate, rs("t.example.com.", "SSHFP", 60, "1 1 123456789abcdef67890123456789abcdef67890")},
			{ActionCreate, rs("_443._tcp.t.example.com.", "TLSA", 60, "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")},
			{ActionCreate, rs("t.example.com.", "SVCB", 60, `1 svc.example.com. alpn=h2`)},
			{ActionCreate, rs("t.example.com.", "HTTPS", 60, `1 . alpn=h2,h3`)},
			{ActionCreate, rs("sub.example.com.", "DS", 60, "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")},
			{ActionCreate, rs("4.2.0.192.in-addr.example.com.", "PTR", 60, "host.example.com.")},
		}, puts: 13, count: 17},
		{name: "missing TTL is InvalidInput",
			changes: []Change{{ActionCreate, RecordSet{Name: "x.example.com.", Type: "A", Values: []string{"192.0.2.1"}}}},
			code:    CodeInvalidInput, msgs: []string{"Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]"}},
		{name: "unknown type is InvalidInput",
			changes: []Change{{ActionCreate, rs("x.example.com.", "WKS", 60, "x")}}, code: CodeInvalidInput},
		{name: "bad action is InvalidInput",
			changes: []Change{{"MODIFY", rs("x.example.com.", "A", 60, "192.0.2.1")}}, code: CodeInvalidInput},
		{name: "empty batch is InvalidInput", changes: nil, code: CodeInvalidInput},
		{name: "too many records", changes: []Change{{ActionUpsert, rs("x.example.com.", "A", 60, manyIPs(400)...)},
			{ActionUpsert, rs("y.example.com.", "A", 60, manyIPs(400)...)}},
			code: CodeInvalidChangeBatch, msgs: []string{"Number of records limit of 1000 exceeded."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, cur := testZone()
			res, berr := ApplyBatch(z, cur, &ChangeBatch{Changes: tt.changes})
			if tt.code != "" {
				if berr == nil {
					t.Fatalf("want %s, got success %+v", tt.code, res)
				}
				if berr.Code != tt.code {
					t.Fatalf("code = %s (%v), want %s", berr.Code, berr, tt.code)
				}
				for _, m := range tt.msgs {
					if !strings.Contains(berr.Error(), m) {
						t.Errorf("error %q lacks %q", berr.Error(), m)
					}
				}
				return
			}
			if berr != nil {
				t.Fatalf("unexpected error: %v", berr)
			}
			if len(res.Puts) != tt.puts || len(res.Deletes) != tt.deletes || res.RecordSetCount != tt.count {
				t.Fatalf("puts=%d deletes=%d count=%d; want %d %d %d", len(res.Puts), len(res.Deletes), res.RecordSetCount, tt.puts, tt.deletes, tt.count)
			}
		})
	}
}

func manyIPs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	return out
}

func TestApplyBatchDoesNotTouchInput(t *testing.T) {
	z, cur := testZone()
	before := len(cur)
	_, berr := ApplyBatch(z, cur, &ChangeBatch{Changes: []Change{{ActionDelete, rs("www.example.com.", "A", 300, "192.0.2.1", "192.0.2.2")}}})
	if berr != nil || len(cur) != before || cur[2].Name != "www.example.com." {
		t.Fatalf("input changed or error: %v", berr)
	}
}

func weighted(name, id string, w int64, value string) RecordSet {
	r := rs(name, "A", 60, value)
	r.SetIdentifier, r.Weight = id, &w
	return r
}

func failover(name, id, role string, value string) RecordSet {
	r := rs(name, "A", 60, value)
	r.SetIdentifier, r.Failover = id, role
	return r
}

func alias(name, typ, target string, eth bool) RecordSet {
	return RecordSet{Name: name, Type: typ, AliasTarget: &AliasTarget{HostedZoneID: "/hostedzone/ZTEST", DNSName: target, EvaluateTargetHealth: eth}}
}

func TestApplyBatchRouting(t *testing.T) {
	mv := true
	tests := []struct {
		name    string
		changes []Change
		code    string
		msg     string
	}{
		{"weighted group", []Change{{ActionCreate, weighted("w.example.com", "a", 10, "192.0.2.1")}, {ActionCreate, weighted("w.example.com", "b", 0, "192.0.2.2")}}, "", ""},
		{"failover pair", []Change{{ActionCreate, failover("f.example.com", "p", "PRIMARY", "192.0.2.1")}, {ActionCreate, failover("f.example.com", "s", "SECONDARY", "192.0.2.2")}}, "", ""},
		{"two primaries", []Change{{ActionCreate, failover("f.example.com", "p", "PRIMARY", "192.0.2.1")}, {ActionCreate, failover("f.example.com", "q", "PRIMARY", "192.0.2.2")}},
			CodeInvalidChangeBatch, "may have only one PRIMARY failover record set"},
		{"mixed policies", []Change{{ActionCreate, failover("www.example.com", "p", "PRIMARY", "192.0.2.1")}}, CodeInvalidChangeBatch, "cannot mix the simple and failover routing policies"},
		{"weighted TTLs differ", []Change{{ActionCreate, weighted("w.example.com", "a", 1, "192.0.2.1")}, {ActionCreate, func() RecordSet { r := weighted("w.example.com", "b", 1, "192.0.2.2"); r.TTL = ttl(5); return r }()}},
			CodeInvalidChangeBatch, "must have the same TTL"},
		{"weight out of range", []Change{{ActionCreate, weighted("w.example.com", "a", 256, "192.0.2.1")}}, CodeInvalidInput, "Weight 256 is outside 0..255"},
		{"no set identifier", []Change{{ActionCreate, func() RecordSet { r := weighted("w.example.com", "", 1, "192.0.2.1"); return r }()}}, CodeInvalidInput, "Missing field 'SetIdentifier'"},
		{"two policies", []Change{{ActionCreate, func() RecordSet {
			r := weighted("w.example.com", "a", 1, "192.0.2.1")
			r.Failover = "PRIMARY"
			return r
		}()}}, CodeInvalidInput, "only one routing policy"},
		{"multivalue", []Change{{ActionCreate, func() RecordSet {
			r := rs("m.example.com", "A", 60, "192.0.2.1")
			r.SetIdentifier, r.MultiValueAnswer = "m1", &mv
			return r
		}()}}, "", ""},
		{"latency", []Change{{ActionCreate, latency("l.example.com", "a", "us-east-1")}, {ActionCreate, latency("l.example.com", "b", "eu-west-1")}}, "", ""},
		{"latency unknown region", []Change{{ActionCreate, latency("l.example.com", "a", "mars-north-1")}}, CodeInvalidInput, "Region 'mars-north-1' is not a supported ResourceRecordSetRegion"},
		{"latency two records for one region", []Change{{ActionCreate, latency("l.example.com", "a", "us-east-1")}, {ActionCreate, latency("l.example.com", "b", "us-east-1")}},
			CodeInvalidChangeBatch, "may have only one latency record set for Region us-east-1"},
		{"geolocation", []Change{{ActionCreate, geoloc("g.example.com", "d", "", "*", "")}, {ActionCreate, geoloc("g.example.com", "ca", "", "US", "CA")},
			{ActionCreate, geoloc("g.example.com", "us", "", "US", "")}, {ActionCreate, geoloc("g.example.com", "eu", "EU", "", "")}}, "", ""},
		{"geolocation continent with country", []Change{{ActionCreate, geoloc("g.example.com", "a", "EU", "DE", "")}}, CodeInvalidInput, "ContinentCode cannot be combined with CountryCode"},
		{"geolocation unknown continent", []Change{{ActionCreate, geoloc("g.example.com", "a", "XX", "", "")}}, CodeInvalidInput, "ContinentCode 'XX' is not one of"},
		{"geolocation unsupported country", []Change{{ActionCreate, geoloc("g.example.com", "a", "", "BV", "")}}, CodeInvalidInput, "CountryCode 'BV' is not a supported location"},
		{"geolocation subdivision outside the US", []Change{{ActionCreate, geoloc("g.example.com", "a", "", "DE", "BE")}}, CodeInvalidInput, "SubdivisionCode is only supported with CountryCode US"},
		{"geolocation unknown state", []Change{{ActionCreate, geoloc("g.example.com", "a", "", "US", "ZZ")}}, CodeInvalidInput, "SubdivisionCode 'ZZ' is not a supported US subdivision"},
		{"geolocation empty", []Change{{ActionCreate, geoloc("g.example.com", "a", "", "", "")}}, CodeInvalidInput, "GeoLocation needs a ContinentCode or a CountryCode"},
		{"geolocation same location twice", []Change{{ActionCreate, geoloc("g.example.com", "a", "", "US", "")}, {ActionCreate, geoloc("g.example.com", "b", "", "US", "")}},
			CodeInvalidChangeBatch, "may have only one geolocation record set for CountryCode US"},
		{"geoproximity", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{AWSRegion: "eu-west-1", Bias: i64(-20)})},
			{ActionCreate, geoprox("p.example.com", "b", GeoProximityLocation{Coordinates: &Coordinates{"48.86", "2.35"}, Bias: i64(99)})}}, "", ""},
		{"geoproximity two locations", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{AWSRegion: "eu-west-1", Coordinates: &Coordinates{"1", "2"}})}},
			CodeInvalidInput, "needs exactly one of AWSRegion, LocalZoneGroup, Coordinates"},
		{"geoproximity local zone group (operator location, checked by the API)", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{LocalZoneGroup: "paris-dc"})}}, "", ""},
		{"geoproximity local zone group too long", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{LocalZoneGroup: strings.Repeat("x", 65)})}}, CodeInvalidInput, "LocalZoneGroup is longer than 64 characters"},
		{"geoproximity unknown region", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{AWSRegion: "nowhere-1"})}}, CodeInvalidInput, "AWSRegion 'nowhere-1' is not a supported region"},
		{"geoproximity bias", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{AWSRegion: "eu-west-1", Bias: i64(100)})}}, CodeInvalidInput, "Bias 100 is outside -99..99"},
		{"geoproximity latitude", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{Coordinates: &Coordinates{"90.5", "0"}})}}, CodeInvalidInput, "Latitude '90.5' must be a decimal between -90 and 90"},
		{"geoproximity longitude decimals", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{Coordinates: &Coordinates{"0", "1.234"}})}}, CodeInvalidInput, "Longitude '1.234' must be a decimal"},
		{"geoproximity NaN", []Change{{ActionCreate, geoprox("p.example.com", "a", GeoProximityLocation{Coordinates: &Coordinates{"NaN", "0"}})}}, CodeInvalidInput, "Latitude 'NaN' must be a decimal"},
		{"geoproximity too many", geoproxMany(31), CodeInvalidChangeBatch, "more than 30 geoproximity record sets"},
		{"alias to existing", []Change{{ActionCreate, alias("example.com", "A", "www.example.com", true)}}, "", ""},
		{"alias to target created in the same batch", []Change{{ActionCreate, rs("t.example.com", "A", 60, "192.0.2.5")}, {ActionCreate, alias("a.example.com", "A", "t.example.com.", false)}}, "", ""},
		{"alias to missing target", []Change{{ActionCreate, alias("a.example.com", "A", "nope.example.com", true)}}, CodeInvalidChangeBatch, "Tried to create an alias that targets nope.example.com., type A in zone ZTEST, but that target was not found"},
		{"alias to another zone", []Change{{ActionCreate, func() RecordSet {
			r := alias("a.example.com", "A", "www.example.com", true)
			r.AliasTarget.HostedZoneID = "ZOTHER"
			return r
		}()}}, CodeInvalidChangeBatch, "must target record sets of the same hosted zone"},
		{"alias with TTL", []Change{{ActionCreate, func() RecordSet { r := alias("a.example.com", "A", "www.example.com", true); r.TTL = ttl(60); return r }()}}, CodeInvalidInput, "found more than one"},
		{"alias NS", []Change{{ActionCreate, alias("a.example.com", "NS", "www.example.com", true)}}, CodeInvalidInput, "cannot be aliases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, cur := testZone()
			_, berr := ApplyBatch(z, cur, &ChangeBatch{Changes: tt.changes})
			if tt.code == "" {
				if berr != nil {
					t.Fatalf("unexpected %v", berr)
				}
				return
			}
			if berr == nil || berr.Code != tt.code || !strings.Contains(berr.Error(), tt.msg) {
				t.Fatalf("got %v, want %s containing %q", berr, tt.code, tt.msg)
			}
		})
	}
}

func TestDeleteAliasMatchesCanonicalForm(t *testing.T) {
	z, cur := testZone()
	a := alias("example.com", "A", "www.example.com", true)
	cur = append(cur, RecordSet{Name: "example.com.", Type: "A", AliasTarget: &AliasTarget{HostedZoneID: "ZTEST", DNSName: "www.example.com.", EvaluateTargetHealth: true}})
	if _, berr := ApplyBatch(z, cur, &ChangeBatch{Changes: []Change{{ActionDelete, a}}}); berr != nil {
		t.Fatalf("delete alias given in API form: %v", berr)
	}
}

func latency(name, id, region string) RecordSet {
	r := rs(name, "A", 60, "192.0.2.1")
	r.SetIdentifier, r.Region = id, region
	return r
}

func geoloc(name, id, continent, country, subdivision string) RecordSet {
	r := rs(name, "A", 60, "192.0.2.1")
	r.SetIdentifier, r.GeoLocation = id, &GeoLocation{ContinentCode: continent, CountryCode: country, SubdivisionCode: subdivision}
	return r
}

func geoprox(name, id string, l GeoProximityLocation) RecordSet {
	r := rs(name, "A", 60, "192.0.2.1")
	r.SetIdentifier, r.GeoProximityLocation = id, &l
	return r
}

func geoproxMany(n int) []Change {
	var cs []Change
	for i := range n {
		cs = append(cs, Change{ActionCreate, geoprox("p.example.com", "p"+strconv.Itoa(i), GeoProximityLocation{Coordinates: &Coordinates{strconv.Itoa(i), "0"}})})
	}
	return cs
}

func i64(v int64) *int64 { return &v }
