package zone

import (
	"slices"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/routing"
)

// maxChain is the number of CNAMEs followed after the first one.
const maxChain = 8

// Result is the outcome of a Lookup: what goes in each section of the reply
// and its header bits. The records are shared with the compiled zone and
// must not be modified.
type Result struct {
	// Rcode is dns.RcodeSuccess, dns.RcodeNameError (NXDOMAIN),
	// dns.RcodeRefused (the name is in none of our zones) or
	// dns.RcodeFormatError (the name is not a valid wire name).
	Rcode int
	// Authoritative is the AA bit: set for every answer from one of our
	// zones except referrals.
	Authoritative bool
	// Referral is set when the name is at or below a delegation point: Ns
	// holds the delegation's NS records and Extra their glue.
	Referral bool
	// Answer, Ns and Extra are the answer, authority and additional sections.
	Answer, Ns, Extra []dns.RR
	// Volatile is set when a routing policy chose at random (weighted,
	// multivalue): the reply must not be cached. Deterministic choices
	// (simple, failover) depend only on the snapshot and the health view.
	Volatile bool
	// ClientScoped is set when the answer depends on the client's address
	// (IP-based routing): an EDNS client-subnet reply carries its source
	// prefix length as the scope, else scope 0.
	ClientScoped bool
}

// Lookup answers the question (qname, qtype, class IN) from the zones of s.
// qname is an uncompressed wire-form name in any case.
//
//   - Exact match: the RRset; at the apex an NS answer carries the glue of
//     in-zone targets in Extra.
//   - NODATA and NXDOMAIN: the zone's SOA in Ns, its TTL the negative TTL.
//   - CNAME: appended, then the target is looked up in all our zones, up to
//     8 more hops, stopping on a loop, on a target outside our zones or at
//     a delegation; the rcode and authority come from the last step
//     (RFC 6604) and AA from the first.
//   - A name at or below a delegation point: a referral (AA=0, NS in Ns,
//     glue in Extra), except DS at the delegation point itself, which the
//     parent answers authoritatively.
//   - Wildcards per RFC 4592: a name that does not exist is synthesised from
//     "*" under its closest encloser, with the query name as owner; any
//     existing name, empty non-terminals included, blocks synthesis.
//   - ANY is answered minimally (RFC 8482 §4.1): the RRset with the lowest
//     type code at the name (A before NS before SOA), no CNAME chase.
//   - A name in none of our zones: REFUSED.
//
// Routed record sets (routing policies, aliases) are answered with the
// records routing.Select chooses for q under health h (nil: all healthy).
func (s *Snapshot) Lookup(qname []byte, qtype uint16) Result {
	return s.LookupFor(qname, qtype, routing.Query{}, nil)
}

// LookupFor is Lookup for a client (q) under a health view (h).
func (s *Snapshot) LookupFor(qname []byte, qtype uint16, q routing.Query, h routing.Health) Result {
	if !validWire(qname) {
		return Result{Rcode: dns.RcodeFormatError}
	}
	w := []byte(qname)
	lowerASCII(w)
	return s.lookup(string(w), qtype, &lookupCtx{query: q, health: h})
}

// LookupName is Lookup for a name in presentation form.
func (s *Snapshot) LookupName(name string, qtype uint16) Result {
	return s.LookupNameFor(name, qtype, routing.Query{}, nil)
}

// LookupNameFor is LookupFor for a name in presentation form (TestDNSAnswer).
func (s *Snapshot) LookupNameFor(name string, qtype uint16, q routing.Query, h routing.Health) Result {
	w, err := wireName(name)
	if err != nil {
		return Result{Rcode: dns.RcodeFormatError}
	}
	return s.lookup(w, qtype, &lookupCtx{query: q, health: h})
}

func (s *Snapshot) lookup(w string, qtype uint16, lc *lookupCtx) (res Result) {
	defer func() { res.Volatile, res.ClientScoped = lc.volatile, lc.clientScoped }()
	z := s.zoneFor(w, qtype)
	if z == nil {
		res.Rcode = dns.RcodeRefused
		return res
	}
	res.Authoritative = true
	seen := []string{w}
	for hop := 0; ; hop++ {
		target, chase := z.step(&res, w, qtype, hop == 0, lc)
		if !chase || hop == maxChain || slices.Contains(seen, target) {
			return res
		}
		if z = s.zoneFor(target, qtype); z == nil {
			return res
		}
		w = target
		seen = append(seen, w)
	}
}

// step answers wire name w in z into res and, when it appended a CNAME,
// returns its target and chase=true. first is false inside a CNAME chain.
func (z *Zone) step(res *Result, w string, qtype uint16, first bool, lc *lookupCtx) (target string, chase bool) {
	if ns := z.cutFor(w, qtype); ns != nil {
		if first {
			res.Authoritative, res.Referral = false, true
			res.Ns, res.Extra = slices.Clip(ns.rrs), slices.Clip(ns.extra)
		}
		return "", false
	}
	n, synth := z.find(w)
	switch {
	case n == nil:
		res.negative(dns.RcodeNameError, z)
	case qtype == dns.TypeANY && len(n.sets) > 0:
		res.answer(n.sets[0], w, synth, lc)
	case n.set(qtype) != nil:
		res.answer(n.set(qtype), w, synth, lc)
	case qtype != dns.TypeANY && n.set(dns.TypeCNAME) != nil:
		cname := n.set(dns.TypeCNAME)
		rrs := res.answer(cname, w, synth, lc)
		if cname.group == nil {
			return cname.target, true
		}
		if len(rrs) == 0 {
			return "", false
		}
		t, err := wireName(rrs[0].(*dns.CNAME).Target)
		return t, err == nil
	default:
		res.negative(dns.RcodeSuccess, z)
	}
	return "", false
}

// cutFor returns the NS set of the delegation point at or above wire name w
// (below the apex), or nil. For DS the name itself is not a cut: the parent
// holds the DS records.
func (z *Zone) cutFor(w string, qtype uint16) *RRSet {
	if !z.hasCuts {
		return nil
	}
	var offs [128]int
	k := 0
	for off := 0; len(w)-off > len(z.origin); off = nextLabel(w, off) {
		offs[k] = off
		k++
	}
	for i := k - 1; i >= 0; i-- {
		if i == 0 && qtype == dns.TypeDS {
			break
		}
		n := z.nodes[w[offs[i]:]]
		if n == nil {
			break // nothing exists below a missing name
		}
		if n.cut {
			return n.set(dns.TypeNS)
		}
	}
	return nil
}

// find returns the node for w, or the wildcard node that synthesises it
// (synth=true), or nil when the name does not exist.
func (z *Zone) find(w string) (n *node, synth bool) {
	if n := z.nodes[w]; n != nil {
		return n, false
	}
	for off := nextLabel(w, 0); off < len(w); off = nextLabel(w, off) {
		if ce := z.nodes[w[off:]]; ce != nil {
			return ce.wildcard, ce.wildcard != nil
		}
	}
	return nil, false
}

// answer appends set to the answer section, renamed to w when synthesised
// from a wildcard, and its additional data to Extra.
func (r *Result) answer(set *RRSet, w string, synth bool, lc *lookupCtx) []dns.RR {
	rrs := set.pick(lc)
	if !synth {
		r.Answer = append(r.Answer, rrs...)
	} else {
		owner := presentation(w)
		for _, rr := range rrs {
			c := dns.Copy(rr)
			c.Header().Name = owner
			r.Answer = append(r.Answer, c)
		}
	}
	r.Extra = append(r.Extra, set.extra...)
	return rrs
}

// negative records a NODATA or NXDOMAIN outcome from zone z.
func (r *Result) negative(rcode int, z *Zone) {
	r.Rcode = rcode
	r.Ns = append(r.Ns, z.negSOA)
}
