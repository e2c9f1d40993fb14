package zone

import (
	"maps"

	"github.com/miekg/dns"
)

// Snapshot is an immutable set of compiled zones and the store revision it
// reflects. The With* methods return a new Snapshot that shares every
// untouched *Zone with the old one; the old one stays valid for readers that
// still hold it. A nil *Snapshot is an empty snapshot at revision 0.
//
// Zone selection: a query name is served by the zone with the longest name
// that contains it (nested zones work as delegations plus the child zone).
// Route 53 allows several hosted zones with the same name (different ids);
// then the one whose ID sorts lowest (byte-wise) is served and the others are
// kept but unused until it goes away.
type Snapshot struct {
	rev      int64
	byID     map[string]*Zone
	byOrigin map[string]*Zone // served zone per lower-cased wire apex
}

// NewSnapshot returns a snapshot of zones at store revision rev. When zones
// repeat an ID, the last one wins.
func NewSnapshot(rev int64, zones ...*Zone) *Snapshot {
	byID := make(map[string]*Zone, len(zones))
	for _, z := range zones {
		byID[z.id] = z
	}
	return build(rev, byID)
}

func build(rev int64, byID map[string]*Zone) *Snapshot {
	s := &Snapshot{rev: rev, byID: byID, byOrigin: make(map[string]*Zone, len(byID))}
	for _, z := range byID {
		if cur := s.byOrigin[z.origin]; cur == nil || z.id < cur.id {
			s.byOrigin[z.origin] = z
		}
	}
	return s
}

// Revision returns the store revision the snapshot reflects.
func (s *Snapshot) Revision() int64 {
	if s == nil {
		return 0
	}
	return s.rev
}

// Len returns the number of zones in the snapshot.
func (s *Snapshot) Len() int {
	if s == nil {
		return 0
	}
	return len(s.byID)
}

// Zone returns the zone with the given id, or nil.
func (s *Snapshot) Zone(id string) *Zone {
	if s == nil {
		return nil
	}
	return s.byID[id]
}

// WithZone returns a snapshot at revision rev in which z replaces the zone
// with the same ID, or is added. It costs O(number of zones) pointer copies
// and recompiles nothing.
func (s *Snapshot) WithZone(z *Zone, rev int64) *Snapshot {
	byID := s.cloneIDs(1)
	byID[z.id] = z
	return build(rev, byID)
}

// WithoutZone returns a snapshot at revision rev without the zone id (which
// need not exist).
func (s *Snapshot) WithoutZone(id string, rev int64) *Snapshot {
	byID := s.cloneIDs(0)
	delete(byID, id)
	return build(rev, byID)
}

// WithRevision returns a snapshot with the same zones at revision rev, for
// store changes that touch no served zone.
func (s *Snapshot) WithRevision(rev int64) *Snapshot {
	if s == nil {
		return &Snapshot{rev: rev}
	}
	c := *s
	c.rev = rev
	return &c
}

func (s *Snapshot) cloneIDs(extra int) map[string]*Zone {
	if s == nil {
		return make(map[string]*Zone, extra)
	}
	m := make(map[string]*Zone, len(s.byID)+extra)
	maps.Copy(m, s.byID)
	return m
}

// zoneFor returns the zone that serves wire name w for qtype, or nil. A DS
// query for a zone's apex belongs to the parent side of the cut (RFC 4035
// §3.1.4.1), so it goes to the closest enclosing zone above, when we have one.
func (s *Snapshot) zoneFor(w string, qtype uint16) *Zone {
	if s == nil {
		return nil
	}
	for off := 0; off < len(w); off = nextLabel(w, off) {
		z := s.byOrigin[w[off:]]
		if z == nil {
			continue
		}
		if off == 0 && qtype == dns.TypeDS && len(w) > 1 {
			if p := s.zoneFor(w[nextLabel(w, 0):], 0); p != nil {
				return p
			}
		}
		return z
	}
	return nil
}
