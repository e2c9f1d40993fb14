package routing

import "slices"

// multi is the index descend returns with a multivalue group, whose answer
// is a set rather than one record.
const multi = -1

// memoSize bounds how many group health results one call remembers.
const memoSize = 32

// evaluator carries one Select, AppendSelect or Healthy call. It lives on
// the caller's stack: the path and the memo are fixed arrays, so a call
// allocates nothing of its own.
type evaluator struct {
	q     Query
	h     Health
	r     Rand
	base  int // where the answer starts in the destination slice
	depth int // groups on path
	path  [MaxDepth]*Group
	nmemo int
	memo  [memoSize]memoEntry
}

type memoEntry struct {
	g       *Group
	healthy bool
}

// enter pushes g on the path from the root; false for a dangling target, a
// cycle, or a path already MaxDepth long.
func (e *evaluator) enter(g *Group) bool {
	if g == nil || e.depth == MaxDepth || slices.Contains(e.path[:e.depth], g) {
		return false
	}
	e.path[e.depth] = g
	e.depth++
	return true
}

func (e *evaluator) leave() { e.depth-- }

func (e *evaluator) intN(n int) int {
	if e.r == nil {
		return 0
	}
	return e.r.IntN(n)
}

func (e *evaluator) checkHealthy(id string) bool {
	return id == "" || e.h == nil || e.h.Healthy(id)
}

// recordHealthy is the health of one record (§6.2).
func (e *evaluator) recordHealthy(rec *Record) bool {
	if !e.checkHealthy(rec.HealthCheckID) {
		return false
	}
	if a := rec.Alias; a != nil && a.EvaluateTargetHealth {
		return e.groupHealthy(a.Target)
	}
	return true
}

// groupHealthy reports whether g can yield a healthy record, remembering
// the result for the rest of the call.
func (e *evaluator) groupHealthy(g *Group) bool {
	for _, m := range e.memo[:e.nmemo] {
		if m.g == g {
			return m.healthy
		}
	}
	if !e.enter(g) {
		return false
	}
	ok := e.canYield(g)
	e.leave()
	if e.nmemo < memoSize {
		e.memo[e.nmemo] = memoEntry{g, ok}
		e.nmemo++
	}
	return ok
}

// canYield is groupHealthy's per-policy rule, without the last resort.
func (e *evaluator) canYield(g *Group) bool {
	switch g.Policy {
	case Simple:
		return len(g.Records) > 0 && e.recordHealthy(g.Records[0])
	case Failover, Weighted, MultiValue:
		for _, rec := range g.Records {
			if e.recordHealthy(rec) {
				return true
			}
		}
	case IPBased:
		m, d := e.ipCandidates(g)
		return m >= 0 && e.recordHealthy(g.Records[m]) || d >= 0 && e.recordHealthy(g.Records[d])
	case Latency, Geolocation, Geoproximity:
		return e.nearest(g, false) >= 0
	}
	return false
}

// descend chooses from g and follows aliases down to a plain record,
// returning its group and index; or a multivalue group with index multi; or
// a nil group when the branch yields nothing. Groups it passes stay on the
// path.
func (e *evaluator) descend(g *Group) (*Group, int) {
	for e.enter(g) {
		if g.Policy == MultiValue {
			return g, multi
		}
		i := e.choose(g)
		if i < 0 {
			return nil, 0
		}
		a := g.Records[i].Alias
		if a == nil {
			return g, i
		}
		g = a.Target
	}
	return nil, 0
}

// choose returns the index of the record a single-answer policy picks in
// g, or -1 when it picks none.
func (e *evaluator) choose(g *Group) int {
	switch g.Policy {
	case Simple:
		if len(g.Records) > 0 {
			return 0
		}
	case Failover:
		if i := e.failover(g, false); i >= 0 {
			return i
		}
		return e.failover(g, true)
	case Weighted:
		return e.weighted(g)
	case IPBased:
		return e.ipBased(g)
	case Latency, Geolocation, Geoproximity:
		if i := e.nearest(g, false); i >= 0 {
			return i
		}
		return e.nearest(g, true)
	}
	return -1
}

// failover returns the first primary, else the first other record, among
// the healthy records (or all of them when all is set).
func (e *evaluator) failover(g *Group, all bool) int {
	for _, primary := range [2]bool{true, false} {
		for i, rec := range g.Records {
			if (rec.Failover == Primary) == primary && (all || e.recordHealthy(rec)) {
				return i
			}
		}
	}
	return -1
}

// weighted draws by weight among the healthy records of positive weight,
// then uniformly among the healthy ones of weight 0, then the same over all
// records (the last resort).
func (e *evaluator) weighted(g *Group) int {
	m := e.healthMask(g)
	all := m.count == 0 // the last resort
	for _, positive := range [2]bool{true, false} {
		if i := e.draw(g, &m, all, positive); i >= 0 {
			return i
		}
	}
	return -1
}

// share is a record's weight in one draw: its weight among the records of
// positive weight, 1 among those of weight 0, 0 when not in the draw.
func share(rec *Record, positive bool) int {
	switch {
	case positive && rec.Weight > 0:
		return rec.Weight
	case !positive && rec.Weight <= 0:
		return 1
	}
	return 0
}

// draw picks one record of the class (positive weight or not) with
// probability share/total, among healthy records unless all is set; -1 when
// the class is empty.
func (e *evaluator) draw(g *Group, m *mask, all, positive bool) int {
	total, count, last := 0, 0, -1
	for i, rec := range g.Records {
		if w := share(rec, positive); w > 0 && (all || m.has(e, g, i)) {
			total, count, last = total+w, count+1, i
		}
	}
	if count <= 1 {
		return last
	}
	x := e.intN(total)
	for i, rec := range g.Records {
		if w := share(rec, positive); w > 0 && (all || m.has(e, g, i)) {
			if x -= w; x < 0 {
				return i
			}
		}
	}
	return last
}

// appendMulti appends up to MaxMultiValue records of multivalue group g
// (on the path) to dst: a uniform random subset of the healthy records, or
// of all when none is healthy, kept in group order (selection sampling).
func (e *evaluator) appendMulti(dst []*Record, g *Group) []*Record {
	m := e.healthMask(g)
	all, n := m.count == 0, m.count
	if all {
		n = len(g.Records)
	}
	need := min(n, MaxMultiValue)
	for i, rec := range g.Records {
		if need == 0 || len(dst)-e.base >= MaxMultiValue {
			break
		}
		if !all && !m.has(e, g, i) {
			continue
		}
		n--
		if need <= n && e.intN(n+1) >= need {
			continue
		}
		need--
		dst = e.appendLeaves(dst, rec)
	}
	return dst
}

// appendLeaves appends rec, or what its alias branch yields, to dst,
// skipping records already in the answer.
func (e *evaluator) appendLeaves(dst []*Record, rec *Record) []*Record {
	if rec.Alias == nil {
		if slices.Contains(dst[e.base:], rec) {
			return dst
		}
		return append(dst, rec)
	}
	depth := e.depth
	switch grp, i := e.descend(rec.Alias.Target); {
	case grp == nil:
	case i != multi:
		dst = e.appendLeaves(dst, grp.Records[i])
	default:
		dst = e.appendMulti(dst, grp)
	}
	e.depth = depth
	return dst
}

// mask caches the health of a group's first 128 records for one choice.
type mask struct {
	bits  [2]uint64
	count int // healthy records, all of them counted
}

func (e *evaluator) healthMask(g *Group) mask {
	var m mask
	for i, rec := range g.Records {
		if e.recordHealthy(rec) {
			m.count++
			if i < 128 {
				m.bits[i/64] |= 1 << (i % 64)
			}
		}
	}
	return m
}

func (m *mask) has(e *evaluator, g *Group, i int) bool {
	if i < 128 {
		return m.bits[i/64]&(1<<(i%64)) != 0
	}
	return e.recordHealthy(g.Records[i])
}

// ipCandidates returns the index of the record whose block most
// specifically contains the client (a block matches when the client's
// prefix lies inside it), and of the default ("*") record; -1 for none.
func (e *evaluator) ipCandidates(g *Group) (match, def int) {
	match, def = -1, -1
	best := -1
	c := e.q.Client
	for i, rec := range g.Records {
		if rec.DefaultLocation {
			def = i
			continue
		}
		if !c.IsValid() {
			continue
		}
		for _, b := range rec.Blocks {
			if b.Bits() > best && b.Bits() <= c.Bits() && b.Contains(c.Addr()) {
				best, match = b.Bits(), i
			}
		}
	}
	return match, def
}

// ipBased picks for IP-based routing: the matching record if healthy, else
// the default record if healthy, else (last resort among the records that
// apply to this client) the matching record, else the default one.
func (e *evaluator) ipBased(g *Group) int {
	m, d := e.ipCandidates(g)
	switch {
	case m >= 0 && e.recordHealthy(g.Records[m]):
		return m
	case d >= 0 && e.recordHealthy(g.Records[d]):
		return d
	case m >= 0:
		return m
	}
	return d
}

// nearest returns the record of a latency, geolocation or geoproximity
// group that ranks first for the client among the healthy ones (or among
// all when all is set: the last resort); -1 when none applies. Ties go to
// the smaller tie key, then to group order.
func (e *evaluator) nearest(g *Group, all bool) int {
	best, bestKey, bestTie := -1, 0.0, ""
	for i, rec := range g.Records {
		key, tie, ok := e.rank(g.Policy, rec)
		if !ok || !all && !e.recordHealthy(rec) {
			continue
		}
		if best < 0 || key < bestKey || key == bestKey && tie < bestTie {
			best, bestKey, bestTie = i, key, tie
		}
	}
	return best
}

// rank places rec for the client under policy p; ok is false when rec does
// not apply to the client at all.
//   - Latency: the position of rec's region in the query's LatencyRegions;
//     unlisted regions after every listed one, by name; cn-north-1 before
//     all for a client located in China.
//   - Geolocation: 0 for the client's subdivision, 1 its country, 2 its
//     continent, 3 the default "*"; other locations do not apply.
//   - Geoproximity: the biased distance from the client; every record is
//     at distance 0 from a client without coordinates (group order decides).
func (e *evaluator) rank(p Policy, rec *Record) (key float64, tie string, ok bool) {
	q := &e.q
	switch p {
	case Latency:
		if rec.Region == "cn-north-1" && q.Location.Country == "CN" {
			return -1, "", true // §6.4: cn-north-1 always answers clients in China
		}
		for i, r := range q.LatencyRegions {
			if r == rec.Region {
				return float64(i), "", true
			}
		}
		return float64(len(q.LatencyRegions)), rec.Region, true
	case Geolocation:
		l, c := rec.Geo, q.Location
		switch {
		case l.Default:
			return 3, "", true
		case l.Continent != "":
			return 2, "", l.Continent == c.Continent
		case l.Subdivision != "":
			return 0, "", l.Country == c.Country && l.Subdivision == c.Subdivision
		case l.Country != "":
			return 1, "", l.Country == c.Country
		}
		return 0, "", false
	case Geoproximity:
		if !q.Location.HasCoordinates {
			return 0, "", true
		}
		x := rec.Proximity
		d := Distance(q.Location.Latitude, q.Location.Longitude, x.Latitude, x.Longitude)
		return biased(d, x.Bias), "", true
	}
	return 0, "", false
}
