package zone_test

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/dnstest"
	"github.com/vedette-dns/vedette/internal/zone"
)

// SOA TTL 3600, MINIMUM 300: the negative TTL is 300.
var exampleCom = dnstest.Zone{ID: "Z1EXAMPLE", Name: "example.com.", Text: `
@         3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300
@       172800 IN NS  ns1.example.com.
@       172800 IN NS  ns2.example.com.
@          300 IN A   192.0.2.1
@          300 IN TXT "v=spf1 -all"
ns1        300 IN A   192.0.2.53
ns2        300 IN AAAA 2001:db8::53
www        300 IN A   192.0.2.10
www        300 IN A   192.0.2.11
alias      300 IN CNAME www
chain1     300 IN CNAME chain2
chain2     300 IN CNAME www
loop1      300 IN CNAME loop2
loop2      300 IN CNAME loop1
out        300 IN CNAME www.example.org.
other      300 IN CNAME www.other.test.
dangling   300 IN CNAME nothere
todeleg    300 IN CNAME host.deleg
*.wild     300 IN A   192.0.2.99
*.wild     300 IN TXT "wild"
sub.wild   300 IN A   192.0.2.98
a.b.ent    300 IN A   192.0.2.77
*.cw       300 IN CNAME www
mx         300 IN MX  10 mail.example.com.
deleg    86400 IN NS  ns1.deleg
deleg    86400 IN NS  ns.outside.net.
deleg    86400 IN DS  12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4A2D6C7E5A2A2A2A2A2A2A2A
ns1.deleg  300 IN A   192.0.2.200
child    86400 IN NS  ns1.child
ns1.child  300 IN A   192.0.2.210
`}

var childExampleCom = dnstest.Zone{ID: "Z2CHILD", Name: "child.example.com.", Text: `
@  900 IN SOA ns1.child.example.com. hostmaster.example.com. 1 7200 900 1209600 86400
@  900 IN NS  ns1.child.example.com.
ns1 60 IN A   192.0.2.210
www 60 IN A   192.0.2.211
`}

var otherTest = dnstest.Zone{ID: "Z3OTHER", Name: "other.test.", Text: `
@   900 IN SOA ns.other.test. h.other.test. 1 7200 900 1209600 60
www  60 IN A   198.51.100.1
`}

const (
	soaNeg      = "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"
	wwwA10      = "www.example.com. 300 IN A 192.0.2.10"
	wwwA11      = "www.example.com. 300 IN A 192.0.2.11"
	delegNS1    = "deleg.example.com. 86400 IN NS ns1.deleg.example.com."
	delegNS2    = "deleg.example.com. 86400 IN NS ns.outside.net."
	delegGlue   = "ns1.deleg.example.com. 300 IN A 192.0.2.200"
	noerr       = dns.RcodeSuccess
	nxdomain    = dns.RcodeNameError
	authorative = true
)

type lookupCase struct {
	qname   string
	qtype   uint16
	rcode   int
	aa      bool
	answer  []string
	ns      []string
	extra   []string
	referal bool
}

var lookupCases = []lookupCase{
	// Exact matches, any case.
	{qname: "www.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, answer: []string{wwwA10, wwwA11}},
	{qname: "WwW.ExAmple.COM.", qtype: dns.TypeA, rcode: noerr, aa: true, answer: []string{wwwA10, wwwA11}},
	{qname: "example.com.", qtype: dns.TypeSOA, rcode: noerr, aa: true,
		answer: []string{"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"}},
	{qname: "mx.example.com.", qtype: dns.TypeMX, rcode: noerr, aa: true, answer: []string{"mx.example.com. 300 IN MX 10 mail.example.com."}},
	// Apex NS with glue of in-zone targets.
	{qname: "example.com.", qtype: dns.TypeNS, rcode: noerr, aa: true,
		answer: []string{"example.com. 172800 IN NS ns1.example.com.", "example.com. 172800 IN NS ns2.example.com."},
		extra:  []string{"ns1.example.com. 300 IN A 192.0.2.53", "ns2.example.com. 300 IN AAAA 2001:db8::53"}},
	// NODATA and NXDOMAIN carry the SOA with the negative TTL.
	{qname: "www.example.com.", qtype: dns.TypeAAAA, rcode: noerr, aa: true, ns: []string{soaNeg}},
	{qname: "nope.example.com.", qtype: dns.TypeA, rcode: nxdomain, aa: true, ns: []string{soaNeg}},
	{qname: "x.www.example.com.", qtype: dns.TypeA, rcode: nxdomain, aa: true, ns: []string{soaNeg}},
	// Empty non-terminals exist: NODATA.
	{qname: "ent.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, ns: []string{soaNeg}},
	{qname: "b.ent.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, ns: []string{soaNeg}},
	{qname: "a.b.ent.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, answer: []string{"a.b.ent.example.com. 300 IN A 192.0.2.77"}},
	// CNAME chains.
	{qname: "alias.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true,
		answer: []string{"alias.example.com. 300 IN CNAME www.example.com.", wwwA10, wwwA11}},
	{qname: "alias.example.com.", qtype: dns.TypeCNAME, rcode: noerr, aa: true,
		answer: []string{"alias.example.com. 300 IN CNAME www.example.com."}},
	{qname: "chain1.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true,
		answer: []string{"chain1.example.com. 300 IN CNAME chain2.example.com.", "chain2.example.com. 300 IN CNAME www.example.com.", wwwA10, wwwA11}},
	{qname: "loop1.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true,
		answer: []string{"loop1.example.com. 300 IN CNAME loop2.example.com.", "loop2.example.com. 300 IN CNAME loop1.example.com."}},
	{qname: "out.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true,
		answer: []string{"out.example.com. 300 IN CNAME www.example.org."}},
	{qname: "other.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true,
		answer: []string{"other.example.com. 300 IN CNAME www.other.test.", "www.other.test. 60 IN A 198.51.100.1"}},
	{qname: "other.example.com.", qtype: dns.TypeAAAA, rcode: noerr, aa: true,
		answer: []string{"other.example.com. 300 IN CNAME www.other.test."},
		ns:     []string{"other.test. 60 IN SOA ns.other.test. h.other.test. 1 7200 900 1209600 60"}},
	{qname: "dangling.example.com.", qtype: dns.TypeA, rcode: nxdomain, aa: true,
		answer: []string{"dangling.example.com. 300 IN CNAME nothere.example.com."}, ns: []string{soaNeg}},
	{qname: "todeleg.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true,
		answer: []string{"todeleg.example.com. 300 IN CNAME host.deleg.example.com."}},
	// Wildcards (RFC 4592).
	{qname: "x.wild.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, answer: []string{"x.wild.example.com. 300 IN A 192.0.2.99"}},
	{qname: "X.y.WILD.example.com.", qtype: dns.TypeTXT, rcode: noerr, aa: true, answer: []string{`x.y.wild.example.com. 300 IN TXT "wild"`}},
	{qname: "x.wild.example.com.", qtype: dns.TypeAAAA, rcode: noerr, aa: true, ns: []string{soaNeg}},
	{qname: "*.wild.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, answer: []string{"*.wild.example.com. 300 IN A 192.0.2.99"}},
	{qname: "sub.wild.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, answer: []string{"sub.wild.example.com. 300 IN A 192.0.2.98"}},
	{qname: "sub.wild.example.com.", qtype: dns.TypeTXT, rcode: noerr, aa: true, ns: []string{soaNeg}},
	{qname: "x.sub.wild.example.com.", qtype: dns.TypeA, rcode: nxdomain, aa: true, ns: []string{soaNeg}},
	{qname: "wild.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, ns: []string{soaNeg}},
	{qname: "x.cw.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true,
		answer: []string{"x.cw.example.com. 300 IN CNAME www.example.com.", wwwA10, wwwA11}},
	// Delegations: referrals with glue, DS answered by the parent.
	{qname: "deleg.example.com.", qtype: dns.TypeA, rcode: noerr, referal: true, ns: []string{delegNS1, delegNS2}, extra: []string{delegGlue}},
	{qname: "deleg.example.com.", qtype: dns.TypeNS, rcode: noerr, referal: true, ns: []string{delegNS1, delegNS2}, extra: []string{delegGlue}},
	{qname: "host.deleg.example.com.", qtype: dns.TypeA, rcode: noerr, referal: true, ns: []string{delegNS1, delegNS2}, extra: []string{delegGlue}},
	{qname: "ns1.deleg.example.com.", qtype: dns.TypeA, rcode: noerr, referal: true, ns: []string{delegNS1, delegNS2}, extra: []string{delegGlue}},
	{qname: "deleg.example.com.", qtype: dns.TypeDS, rcode: noerr, aa: true,
		answer: []string{"deleg.example.com. 86400 IN DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4A2D6C7E5A2A2A2A2A2A2A2A"}},
	{qname: "x.deleg.example.com.", qtype: dns.TypeDS, rcode: noerr, referal: true, ns: []string{delegNS1, delegNS2}, extra: []string{delegGlue}},
	// Nested zones: the child serves its names, the parent its DS.
	{qname: "www.child.example.com.", qtype: dns.TypeA, rcode: noerr, aa: true, answer: []string{"www.child.example.com. 60 IN A 192.0.2.211"}},
	{qname: "child.example.com.", qtype: dns.TypeNS, rcode: noerr, aa: true,
		answer: []string{"child.example.com. 900 IN NS ns1.child.example.com."}, extra: []string{"ns1.child.example.com. 60 IN A 192.0.2.210"}},
	{qname: "child.example.com.", qtype: dns.TypeDS, rcode: noerr, aa: true, ns: []string{soaNeg}},
	// ANY: one RRset, the lowest type code (RFC 8482).
	{qname: "example.com.", qtype: dns.TypeANY, rcode: noerr, aa: true, answer: []string{"example.com. 300 IN A 192.0.2.1"}},
	{qname: "alias.example.com.", qtype: dns.TypeANY, rcode: noerr, aa: true, answer: []string{"alias.example.com. 300 IN CNAME www.example.com."}},
	{qname: "ent.example.com.", qtype: dns.TypeANY, rcode: noerr, aa: true, ns: []string{soaNeg}},
	{qname: "x.wild.example.com.", qtype: dns.TypeANY, rcode: noerr, aa: true, answer: []string{"x.wild.example.com. 300 IN A 192.0.2.99"}},
	// Not ours.
	{qname: "example.org.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
	{qname: "com.", qtype: dns.TypeNS, rcode: dns.RcodeRefused},
	{qname: ".", qtype: dns.TypeNS, rcode: dns.RcodeRefused},
}

func TestLookup(t *testing.T) {
	snap := dnstest.Snapshot(t, 7, exampleCom, childExampleCom, otherTest)
	for _, tc := range lookupCases {
		t.Run(tc.qname+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
			checkResult(t, snap.LookupName(tc.qname, tc.qtype), tc)
		})
	}
}

func checkResult(t *testing.T, res zone.Result, tc lookupCase) {
	t.Helper()
	if res.Rcode != tc.rcode || res.Authoritative != tc.aa || res.Referral != tc.referal {
		t.Errorf("rcode %s aa %v referral %v, want %s %v %v", dns.RcodeToString[res.Rcode], res.Authoritative, res.Referral,
			dns.RcodeToString[tc.rcode], tc.aa, tc.referal)
	}
	for _, d := range []string{
		dnstest.SectionDiff("answer", res.Answer, tc.answer),
		dnstest.SectionDiff("authority", res.Ns, tc.ns),
		dnstest.SectionDiff("additional", res.Extra, tc.extra),
	} {
		if d != "" {
			t.Error(d)
		}
	}
}

func TestLookupWire(t *testing.T) {
	snap := dnstest.Snapshot(t, 1, exampleCom)
	res := snap.Lookup([]byte("\x03WWW\x07example\x03com\x00"), dns.TypeA)
	checkResult(t, res, lookupCases[0])
	for _, bad := range []string{"", "\x03www", "\x03www\x00\x00", "\xc0\x0c", "\x40" + string(make([]byte, 64)) + "\x00"} {
		if res := snap.Lookup([]byte(bad), dns.TypeA); res.Rcode != dns.RcodeFormatError {
			t.Errorf("Lookup(%q) rcode %s, want FORMERR", bad, dns.RcodeToString[res.Rcode])
		}
	}
}

func TestLookupLongChain(t *testing.T) {
	text := "@ 900 IN SOA ns. h. 1 2 3 4 60\n"
	for i := range 12 {
		text += "c" + string(rune('a'+i)) + " 60 IN CNAME c" + string(rune('a'+i+1)) + "\n"
	}
	snap := dnstest.Snapshot(t, 1, dnstest.Zone{ID: "Z", Name: "chain.test.", Text: text})
	res := snap.LookupName("ca.chain.test.", dns.TypeA)
	if len(res.Answer) != 9 || res.Rcode != dns.RcodeSuccess {
		t.Fatalf("got %d records, rcode %s; want the first CNAME and 8 more", len(res.Answer), dns.RcodeToString[res.Rcode])
	}
}

// A referral's sections are the zone's own slices: they must be clipped so
// that a caller appending to them (the server appends its OPT) copies.
func TestLookupReferralSectionsClipped(t *testing.T) {
	snap := dnstest.Snapshot(t, 1, exampleCom)
	res := snap.LookupName("host.deleg.example.com.", dns.TypeA)
	if cap(res.Ns) != len(res.Ns) || cap(res.Extra) != len(res.Extra) {
		t.Fatalf("ns len %d cap %d, extra len %d cap %d", len(res.Ns), cap(res.Ns), len(res.Extra), cap(res.Extra))
	}
}
