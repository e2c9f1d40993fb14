package routing_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vedette-dns/vedette/internal/routing"
)

// fuzzTree builds a tree of groups and a health view from fuzz bytes. A
// tidy tree is what a valid zone compiles to: non-empty groups of the
// implemented policies, aliases only to later groups (no cycles, no
// dangling). A wild tree has none of these guarantees.
type fuzzTree struct {
	data   []byte
	tidy   bool
	ethAll bool // every alias evaluates target health
	groups []*routing.Group
	down   map[string]bool
}

func (f *fuzzTree) next(n int) int {
	if len(f.data) == 0 || n <= 1 {
		return 0
	}
	b := f.data[0]
	f.data = f.data[1:]
	return int(b) % n
}

func newFuzzTree(data []byte) *fuzzTree {
	f := &fuzzTree{data: data, down: map[string]bool{}}
	f.tidy = f.next(4) != 0
	f.ethAll = f.next(2) == 0
	for range 1 + f.next(6) {
		f.groups = append(f.groups, &routing.Group{})
	}
	for i, g := range f.groups {
		f.fillGroup(i, g)
	}
	for k := range 4 {
		if f.next(2) == 0 {
			f.down[fmt.Sprintf("h%d", k)] = true
		}
	}
	return f
}

func (f *fuzzTree) fillGroup(i int, g *routing.Group) {
	if f.tidy {
		g.Policy = routing.Policy(f.next(4))
	} else {
		g.Policy = routing.Policy(f.next(9)) // 8 is no policy at all
	}
	n := 1 + f.next(5)
	switch g.Policy {
	case routing.Simple:
		n = 1
	case routing.MultiValue:
		n = 1 + f.next(12)
	}
	if !f.tidy {
		n = f.next(n + 1)
	}
	for j := range n {
		g.Records = append(g.Records, f.record(i, j))
	}
}

func (f *fuzzTree) record(i, j int) *routing.Record {
	rec := &routing.Record{
		SetIdentifier: fmt.Sprintf("g%d-r%d", i, j),
		Weight:        f.next(4),
		Failover:      routing.Role(f.next(2)),
		HealthCheckID: []string{"", "h0", "h1", "h2", "h3"}[f.next(5)],
	}
	rec.Data = rec.SetIdentifier
	if !f.tidy {
		rec.Weight -= f.next(2)
		rec.Failover += routing.Role(f.next(2))
	}
	if f.next(3) != 0 {
		return rec
	}
	a := &routing.Alias{EvaluateTargetHealth: f.ethAll || f.next(2) == 0}
	switch {
	case !f.tidy:
		if t := f.next(len(f.groups) + 1); t < len(f.groups) {
			a.Target = f.groups[t]
		}
	case i+1 < len(f.groups):
		a.Target = f.groups[i+1+f.next(len(f.groups)-i-1)]
	default:
		return rec
	}
	rec.Alias = a
	return rec
}

// Reference rules (§6.2) for tidy trees, written plainly: no memo, no path.

func (f *fuzzTree) recordHealthy(r *routing.Record) bool {
	if r.HealthCheckID != "" && f.down[r.HealthCheckID] {
		return false
	}
	return r.Alias == nil || !r.Alias.EvaluateTargetHealth || f.groupHealthy(r.Alias.Target)
}

func (f *fuzzTree) groupHealthy(g *routing.Group) bool {
	if g.Policy == routing.Simple {
		return f.recordHealthy(g.Records[0])
	}
	return slices.ContainsFunc(g.Records, f.recordHealthy)
}

// leaves adds every plain record reachable from r to set.
func leaves(r *routing.Record, set map[*routing.Record]bool) {
	if set[r] {
		return
	}
	set[r] = true
	if r.Alias == nil || r.Alias.Target == nil {
		return
	}
	for _, c := range r.Alias.Target.Records {
		leaves(c, set)
	}
}

// allowed returns the plain records a tidy failover or weighted root may
// answer with while it has a healthy record: those under the records its
// policy picks among.
func (f *fuzzTree) allowed(root *routing.Group) map[*routing.Record]bool {
	var picks []*routing.Record
	switch root.Policy {
	case routing.Failover:
		for _, role := range []routing.Role{routing.Primary, routing.Secondary} {
			for _, r := range root.Records {
				if len(picks) == 0 && r.Failover == role && f.recordHealthy(r) {
					picks = append(picks, r)
				}
			}
		}
	case routing.Weighted:
		for _, positive := range []bool{true, false} {
			for _, r := range root.Records {
				if len(picks) == 0 || (picks[0].Weight > 0) == positive {
					if (r.Weight > 0) == positive && f.recordHealthy(r) {
						picks = append(picks, r)
					}
				}
			}
		}
	}
	set := map[*routing.Record]bool{}
	for _, r := range picks {
		leaves(r, set)
	}
	return set
}

func FuzzSelect(f *testing.F) {
	f.Add([]byte{1, 0, 3, 1, 2, 0, 1, 1, 0, 2, 3, 4, 0, 0, 1}, uint64(1))
	f.Add([]byte{1, 1, 5, 2, 4, 3, 0, 1, 0, 0, 2, 1, 1, 0, 3, 1, 0, 0, 1, 2, 0, 0, 1, 1, 0, 1}, uint64(2))
	f.Add([]byte{0, 0, 2, 7, 3, 1, 1, 0, 2, 0, 0, 1, 1, 1, 0, 0, 0, 5}, uint64(3))
	f.Add([]byte{2, 1, 3, 3, 11, 0, 0, 1, 0, 0, 1, 0, 0, 2, 1, 0, 3, 1, 0, 4, 1, 0, 0, 1, 1, 0, 2, 0}, uint64(4))
	f.Add([]byte{3, 0, 4, 2, 4, 1, 1, 1, 0, 2, 0, 2, 3, 1, 0, 0, 1, 1, 1, 1, 0, 1, 2, 1, 0, 3, 2, 1}, uint64(5))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		f := newFuzzTree(data)
		root := f.groups[0]
		h := routing.HealthFunc(func(id string) bool { return !f.down[id] })
		r := &countingRand{r: pcg(seed)}
		got := routing.Select(root, routing.Query{}, h, r)
		checkAnswer(t, f, got)
		if routing.Deterministic(root) && r.calls > 0 {
			t.Fatalf("Deterministic tree drew %d random numbers", r.calls)
		}
		if again := routing.AppendSelect(nil, root, routing.Query{}, h, pcg(seed)); !slices.Equal(again, got) {
			t.Fatalf("AppendSelect = %q, Select = %q", names(again), names(got))
		}
		routing.Select(root, routing.Query{}, nil, nil)
		if f.tidy {
			checkTidy(t, f, got, routing.Healthy(root, routing.Query{}, h))
		}
	})
}

// checkAnswer: at most MaxMultiValue distinct plain records of the tree.
func checkAnswer(t *testing.T, f *fuzzTree, got []*routing.Record) {
	t.Helper()
	if len(got) > routing.MaxMultiValue {
		t.Fatalf("answer of %d records: %q", len(got), names(got))
	}
	for i, r := range got {
		if r.Alias != nil {
			t.Fatalf("answer holds alias %s", r.SetIdentifier)
		}
		if slices.Contains(got[:i], r) {
			t.Fatalf("answer holds %s twice", r.SetIdentifier)
		}
		if !slices.ContainsFunc(f.groups, func(g *routing.Group) bool { return slices.Contains(g.Records, r) }) {
			t.Fatalf("answer holds %s, not in the tree", r.SetIdentifier)
		}
	}
}

// checkTidy: a valid zone always answers, Healthy follows the reference
// rules, and a healthy root never answers from an unhealthy branch.
func checkTidy(t *testing.T, f *fuzzTree, got []*routing.Record, healthy bool) {
	t.Helper()
	root := f.groups[0]
	if len(got) == 0 {
		t.Fatal("no answer from a valid tree")
	}
	if want := f.groupHealthy(root); healthy != want {
		t.Fatalf("Healthy = %v, reference rules say %v", healthy, want)
	}
	if !healthy {
		return
	}
	if root.Policy == routing.Failover || root.Policy == routing.Weighted {
		allowed := f.allowed(root)
		for _, r := range got {
			if !allowed[r] {
				t.Fatalf("healthy %v root answered %s, outside the records it may pick", root.Policy, r.SetIdentifier)
			}
		}
	}
	for _, r := range got {
		if f.ethAll && f.down[r.HealthCheckID] {
			t.Fatalf("healthy tree that evaluates all target health answered unhealthy %s", r.SetIdentifier)
		}
	}
}
