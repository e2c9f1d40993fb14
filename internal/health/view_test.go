package health_test

import (
	"testing"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

func TestViewEpochMovesOnlyOnChange(t *testing.T) {
	e := health.NewEngine()
	empty := e.View()
	if empty.Epoch() != 0 || empty.Len() != 0 {
		t.Fatalf("empty engine: epoch %d, %d checks", empty.Epoch(), empty.Len())
	}
	e.SetChecks([]model.HealthCheck{endpoint("hc", threshold(2))}, t0)
	v1 := e.View()
	if v1.Epoch() == 0 || v1.Len() != 1 {
		t.Fatalf("after load: epoch %d, %d checks", v1.Epoch(), v1.Len())
	}

	fail("a")(e, t0.Add(10*s)) // first failure: below the threshold
	ok("b")(e, t0.Add(11*s))
	if v := e.View(); v != v1 {
		t.Errorf("no status changed, yet a new view (epoch %d → %d)", v1.Epoch(), v.Epoch())
	}

	fail("a")(e, t0.Add(20*s)) // a flips: 1 of 2 healthy, still healthy
	fail("b")(e, t0.Add(21*s))
	if v := e.View(); v != v1 {
		t.Error("new view without a status change")
	}
	fail("b")(e, t0.Add(31*s)) // b flips: 0 of 2
	v2 := e.View()
	if v2.Epoch() <= v1.Epoch() {
		t.Errorf("epoch did not move: %d → %d", v1.Epoch(), v2.Epoch())
	}
	if st, _ := v2.Status("hc"); st != U {
		t.Errorf("new view: %v", st)
	}
	if st, _ := v1.Status("hc"); st != H {
		t.Errorf("old view changed under its readers: %v", st)
	}
	if e.View() != v2 {
		t.Error("View rebuilt without a change")
	}
}

func TestNilView(t *testing.T) {
	var v *health.View
	if _, ok := v.Status("x"); ok || v.Len() != 0 || v.Epoch() != 0 {
		t.Error("nil view is not empty")
	}
	for range v.All() {
		t.Error("nil view yields")
	}
}

func TestViewAll(t *testing.T) {
	e := health.NewEngine()
	e.SetChecks([]model.HealthCheck{endpoint("a"), endpoint("b", inverted)}, t0)
	got := map[string]model.Status{}
	for id, st := range e.View().All() {
		got[id] = st
	}
	if len(got) != 2 || got["a"] != H || got["b"] != U {
		t.Errorf("All: %v", got)
	}
}
