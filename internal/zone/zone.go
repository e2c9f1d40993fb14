// Package zone compiles stored hosted zones into immutable lookup structures
// and answers DNS questions from them. It is pure: no I/O, no goroutines, no
// clock. The DNS server reads a *Snapshot through an atomic pointer; whoever
// follows the store builds the next Snapshot from the previous one and swaps
// it in.
package zone

import (
	"errors"
	"fmt"
	"slices"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/routing"
)

// Errors returned (wrapped) by Compile.
var (
	// ErrUnsupportedType: the record type is not in model.SupportedTypes.
	ErrUnsupportedType = errors.New("zone: unsupported record type")
	// ErrOutOfZone: the record set's name is not the apex or below it.
	ErrOutOfZone = errors.New("zone: record set outside the zone")
	// ErrDuplicate: two record sets share a name and type.
	ErrDuplicate = errors.New("zone: duplicate record set")
	// ErrSOA: the apex has no SOA, or a SOA is not at the apex or has several values.
	ErrSOA = errors.New("zone: bad or missing SOA")
)

// Zone is one compiled hosted zone. It is immutable once Compile returns and
// safe for concurrent use.
type Zone struct {
	id     string
	name   string // canonical presentation form
	origin string // lower-cased wire form
	// nodes holds every owner name, empty non-terminal and the apex, keyed
	// by lower-cased wire form.
	nodes   map[string]*node
	negSOA  *dns.SOA // the apex SOA with the negative TTL as its TTL
	hasCuts bool
	aliases []pendingAlias // during Compile only
	cx      Context        // during Compile only
}

// ID returns the hosted zone id.
func (z *Zone) ID() string { return z.id }

// Name returns the zone's canonical name.
func (z *Zone) Name() string { return z.name }

// NegativeTTL returns the TTL of negative answers: min(SOA TTL, SOA MINIMUM),
// RFC 2308 §5.
func (z *Zone) NegativeTTL() uint32 { return z.negSOA.Hdr.Ttl }

// node is one name of the tree. A node without sets is an empty non-terminal.
type node struct {
	sets     []*RRSet // sorted by type
	wildcard *node    // the child "*" node, if any
	cut      bool     // NS below the apex: a delegation point
}

func (n *node) set(t uint16) *RRSet {
	for _, s := range n.sets {
		if s.typ == t {
			return s
		}
	}
	return nil
}

// RRSet is the answer source for one owner name and type. Today every set is
// simple and answers with all its records; health-aware routing will keep
// the record groups of a name and type here and choose among them in Answer.
type RRSet struct {
	typ uint16
	rrs []dns.RR
	// extra is additional-section data: glue (in-zone A/AAAA) of NS targets.
	extra []dns.RR
	// target is the lower-cased wire form of a CNAME's target.
	target string
	// group is set for routed sets (a routing policy or an alias): the
	// records are chosen per query. plainGroup marks the one-record group a
	// plain set gets when an alias targets it.
	group         *routing.Group
	plainGroup    bool
	deterministic bool   // routing.Deterministic(group)
	clientScoped  bool   // routing.UsesClient(group)
	owner         string // presentation form, for renaming alias answers
}

// Type returns the set's record type.
func (s *RRSet) Type() uint16 { return s.typ }

// Answer returns the records of a plain set (nil for a routed set). Callers
// must not modify them.
func (s *RRSet) Answer() []dns.RR { return s.rrs }

// Compile builds the compiled form of hosted zone hz from its record sets.
// Every record set must be simple, of a supported type, inside the zone, and
// unique by name and type; the apex must hold exactly one SOA. Compile does
// not look at hz.PrivateZone: the caller decides which zones are served.
func Compile(hz model.HostedZone, records []model.RecordSet) (*Zone, error) {
	return CompileWith(hz, records, Context{})
}

// Context is what compiling a zone may need beyond its record sets.
type Context struct {
	// Collections are the CIDR collections IP-based record sets name (by
	// id); a location missing from its collection has no blocks.
	Collections map[string]model.CidrCollection
	// Locations are the operator-defined geoproximity locations that
	// LocalZoneGroup names (latitude, longitude).
	Locations map[string][2]float64
}

// CompileWith is Compile with a Context.
func CompileWith(hz model.HostedZone, records []model.RecordSet, cx Context) (*Zone, error) {
	origin, err := wireName(hz.Name)
	if err != nil {
		return nil, fmt.Errorf("compile zone %s: %w", hz.ID, err)
	}
	z := &Zone{id: hz.ID, name: hz.Name, origin: origin, nodes: map[string]*node{origin: {}}, cx: cx}
	for i := range records {
		if err := z.add(&records[i]); err != nil {
			return nil, fmt.Errorf("compile zone %s (%s): %w", hz.Name, hz.ID, err)
		}
	}
	if err := z.finish(); err != nil {
		return nil, fmt.Errorf("compile zone %s (%s): %w", hz.Name, hz.ID, err)
	}
	z.resolveAliases()
	z.cx = Context{}
	return z, nil
}

func simple(r *model.RecordSet) bool {
	return r.AliasTarget == nil && r.Policy() == model.PolicySimple
}

// add compiles one record set into its node.
func (z *Zone) add(r *model.RecordSet) error {
	t, ok := model.SupportedTypes[r.Type]
	if !ok {
		return fmt.Errorf("%w: %s %s", ErrUnsupportedType, r.Name, r.Type)
	}
	owner, err := wireName(r.Name)
	if err != nil {
		return err
	}
	if !inZone(owner, z.origin) {
		return fmt.Errorf("%w: %s", ErrOutOfZone, r.Name)
	}
	if !simple(r) {
		return z.addRouted(r, owner, t)
	}
	rrs, err := r.RRs()
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.Name, r.Type, err)
	}
	if len(rrs) == 0 {
		return fmt.Errorf("%s %s: no values", r.Name, r.Type)
	}
	set := &RRSet{typ: t, rrs: rrs}
	if t == dns.TypeCNAME {
		if set.target, err = wireName(rrs[0].(*dns.CNAME).Target); err != nil {
			return err
		}
	}
	n := z.ensure(owner)
	if n.set(t) != nil {
		return fmt.Errorf("%w: %s %s", ErrDuplicate, r.Name, r.Type)
	}
	z.insert(n, set)
	return nil
}

// insert adds set to n, keeping n.sets sorted by type.
func (z *Zone) insert(n *node, set *RRSet) {
	n.sets = append(n.sets, set)
	slices.SortFunc(n.sets, func(a, b *RRSet) int { return int(a.typ) - int(b.typ) })
}

// ensure returns the node for owner, creating it and any missing ancestor
// (empty non-terminals) up to the apex.
func (z *Zone) ensure(owner string) *node {
	n := z.nodes[owner]
	if n != nil {
		return n
	}
	n = &node{}
	z.nodes[owner] = n
	for off := nextLabel(owner, 0); len(owner)-off > len(z.origin); off = nextLabel(owner, off) {
		if _, ok := z.nodes[owner[off:]]; ok {
			break
		}
		z.nodes[owner[off:]] = &node{}
	}
	return n
}

// finish checks the SOA and derives the negative SOA, wildcard links,
// delegation points and glue once every record set is in.
func (z *Zone) finish() error {
	soa := z.nodes[z.origin].set(dns.TypeSOA)
	if soa == nil || len(soa.rrs) != 1 {
		return fmt.Errorf("%w: the apex needs exactly one SOA record", ErrSOA)
	}
	s := dns.Copy(soa.rrs[0]).(*dns.SOA)
	s.Hdr.Ttl = min(s.Hdr.Ttl, s.Minttl)
	z.negSOA = s
	for key, n := range z.nodes {
		if key != z.origin && n.set(dns.TypeSOA) != nil {
			return fmt.Errorf("%w: SOA at %s is not at the apex", ErrSOA, presentation(key))
		}
		if key != z.origin && key[0] == 1 && key[1] == '*' {
			z.nodes[key[2:]].wildcard = n
		}
		ns := n.set(dns.TypeNS)
		if ns == nil {
			continue
		}
		if key != z.origin {
			n.cut, z.hasCuts = true, true
		}
		ns.extra = z.glue(ns.rrs)
	}
	return nil
}

// glue returns the in-zone A and AAAA records of the NS targets in ns.
func (z *Zone) glue(ns []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range ns {
		target, err := wireName(rr.(*dns.NS).Ns)
		if err != nil || !inZone(target, z.origin) {
			continue
		}
		n := z.nodes[target]
		if n == nil {
			continue
		}
		for _, t := range [...]uint16{dns.TypeA, dns.TypeAAAA} {
			if s := n.set(t); s != nil {
				out = append(out, s.rrs...)
			}
		}
	}
	return out
}
