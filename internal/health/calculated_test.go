package health_test

import (
	"slices"
	"testing"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

// Children a, b and c flip on every result (threshold 1).
func kids(opts map[string][]opt) []model.HealthCheck {
	var out []model.HealthCheck
	for _, id := range []string{"a", "b", "c"} {
		out = append(out, endpoint(id, append([]opt{threshold(1)}, opts[id]...)...))
	}
	return out
}

func TestCalculated(t *testing.T) {
	for _, h := range []history{{
		name:   "2 of 3: a child change reaches the parent, one change each",
		checks: append(kids(nil), calculated("hc", 2, children("a", "b", "c"))),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", false), want: H, events: []string{"a Healthy→Unhealthy"},
				reason: "2 of 3 child health checks healthy, HealthThreshold 2"},
			{at: 20 * s, do: observe("b", "k", false), want: U, events: []string{"b Healthy→Unhealthy", "hc Healthy→Unhealthy"}},
			{at: 30 * s, do: observe("a", "k", true), want: H, events: []string{"a Unhealthy→Healthy", "hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "a disabled child counts healthy",
		checks: append(kids(map[string][]opt{"a": {disabled}}), calculated("hc", 3, children("a", "b", "c"))),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", false), want: H},
			{at: 20 * s, do: observe("b", "k", false), want: U, events: []string{"b Healthy→Unhealthy", "hc Healthy→Unhealthy"}},
		},
	}, {
		name:   "a disabled, inverted child counts unhealthy",
		checks: append(kids(map[string][]opt{"a": {disabled, inverted}}), calculated("hc", 3, children("a", "b", "c"))),
		steps: []step{
			{at: 10 * s, do: observe("b", "k", true), want: U, reason: "2 of 3 child health checks healthy, HealthThreshold 3"},
			{at: 20 * s, do: upsert(endpoint("a", threshold(1), disabled)), want: H, events: []string{"a Unhealthy→Healthy", "hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "an inverted child counts with its inverted status",
		checks: append(kids(map[string][]opt{"a": {inverted}}), calculated("hc", 3, children("a", "b", "c"))),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", false), want: H, events: []string{"a Unhealthy→Healthy", "hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "HealthThreshold 0 is always healthy",
		checks: append(kids(nil), calculated("hc", 0, children("a", "b", "c"))),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", false), want: H, events: []string{"a Healthy→Unhealthy"}},
			{at: 10 * s, do: observe("b", "k", false), want: H, events: []string{"b Healthy→Unhealthy"}},
			{at: 10 * s, do: observe("c", "k", false), want: H, events: []string{"c Healthy→Unhealthy"}},
		},
	}, {
		name:   "HealthThreshold above the number of children is always unhealthy",
		checks: append(kids(nil), calculated("hc", 4, children("a", "b", "c"))),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", true), want: U, reason: "3 of 3 child health checks healthy, HealthThreshold 4"},
		},
	}, {
		name:   "a deleted child counts unhealthy until it is back",
		checks: append(kids(nil), calculated("hc", 3, children("a", "b", "c"))),
		steps: []step{
			{at: 10 * s, do: remove("a"), want: U, events: []string{"a Healthy→Unknown", "hc Healthy→Unhealthy"}},
			{at: 20 * s, do: upsert(endpoint("a")), want: H, events: []string{"a Unknown→Healthy", "hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "a calculated child counts unhealthy, so no cycle can form",
		checks: append(kids(nil), calculated("hc", 2, children("a", "hc", "x")), calculated("x", 0)),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", true), want: U, reason: "1 of 3 child health checks healthy, HealthThreshold 2"},
			{at: 20 * s, do: upsert(calculated("x", 0, inverted)), want: U, events: []string{"x Healthy→Unhealthy"}},
		},
	}, {
		name:   "a child listed twice counts once",
		checks: append(kids(nil), calculated("hc", 2, children("a", "a"))),
		steps:  []step{{at: 10 * s, do: observe("a", "k", true), want: U}},
	}, {
		name:   "the parent's own Inverted applies last",
		checks: append(kids(nil), calculated("hc", 1, children("a"), inverted)),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", false), want: H, events: []string{"a Healthy→Unhealthy", "hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "a disabled parent is healthy",
		checks: append(kids(nil), calculated("hc", 1, children("a"), disabled)),
		steps:  []step{{at: 10 * s, do: observe("a", "k", false), want: H, events: []string{"a Healthy→Unhealthy"}}},
	}, {
		name:   "changing the children or HealthThreshold re-evaluates at once",
		checks: append(kids(nil), calculated("hc", 1, children("a"))),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", false), want: U, events: []string{"a Healthy→Unhealthy", "hc Healthy→Unhealthy"}},
			{at: 20 * s, do: upsert(calculated("hc", 1, children("a", "b"))), want: H, events: []string{"hc Unhealthy→Healthy"}},
			{at: 30 * s, do: upsert(calculated("hc", 2, children("a", "b"))), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 40 * s, do: observe("a", "k", true), want: H, events: []string{"a Unhealthy→Healthy", "hc Unhealthy→Healthy"}},
			// a is no longer a child: its changes do not reach hc.
			{at: 50 * s, do: upsert(calculated("hc", 1, children("b"))), want: H},
			{at: 60 * s, do: observe("a", "k", false), want: H, events: []string{"a Healthy→Unhealthy"}},
		},
	}, {
		name:   "a child with two parents changes both",
		checks: append(kids(nil), calculated("hc", 1, children("a")), calculated("p", 1, children("b", "a"))),
		steps: []step{
			{at: 10 * s, do: observe("a", "k", false), want: U, events: []string{"a Healthy→Unhealthy", "hc Healthy→Unhealthy"}},
			{at: 20 * s, do: observe("b", "k", false), want: U, events: []string{"b Healthy→Unhealthy", "p Healthy→Unhealthy"}},
			{at: 30 * s, do: observe("a", "k", true), want: H, events: []string{"a Unhealthy→Healthy", "hc Unhealthy→Healthy", "p Unhealthy→Healthy"}},
		},
	}, {
		// Found by FuzzEngine (testdata/fuzz/FuzzEngine/f766bdda2d41ebaa).
		name:   "a child that becomes CALCULATED re-evaluates its parent",
		checks: append(kids(nil), calculated("hc", 1, children("a"))),
		steps: []step{
			{at: 10 * s, do: upsert(calculated("a", 0)), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 20 * s, do: upsert(endpoint("a")), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "a routing control child",
		checks: []model.HealthCheck{recovery("r", "arn:r"), calculated("hc", 1, children("r"))},
		steps: []step{
			{at: 10 * s, do: setSwitch("arn:r", false), want: U, events: []string{"r Healthy→Unhealthy", "hc Healthy→Unhealthy"}},
		},
	}} {
		run(t, h)
	}
}

func TestSetChecks(t *testing.T) {
	e := health.NewEngine()
	// The parent comes first and its children are unhealthy: still one
	// change per check, no transient status.
	load := []model.HealthCheck{calculated("p", 2, children("a", "b")), endpoint("a", inverted), endpoint("b", inverted)}
	got := eventStrings(e.SetChecks(load, t0))
	want := []string{"a Unknown→Unhealthy", "b Unknown→Unhealthy", "p Unknown→Unhealthy"}
	if !slices.Equal(got, want) {
		t.Errorf("load: %q, want %q", got, want)
	}
	if got := e.SetChecks(load, t0.Add(s)); got != nil {
		t.Errorf("same configuration again: %v", got)
	}
	got = eventStrings(e.SetChecks([]model.HealthCheck{calculated("p", 1, children("a", "b")), endpoint("b")}, t0.Add(2*s)))
	want = []string{"a Unhealthy→Unknown", "b Unhealthy→Healthy", "p Unhealthy→Healthy"}
	if !slices.Equal(got, want) {
		t.Errorf("reload: %q, want %q", got, want)
	}
	if r, _ := e.Status("p"); r.Healthy != 1 || r.Total != 2 || !r.Since.Equal(t0.Add(2*s)) {
		t.Errorf("p: %+v", r)
	}
	if e.View().Len() != 2 {
		t.Errorf("view has %d checks", e.View().Len())
	}
	if got := e.Remove("a", t0); got != nil {
		t.Errorf("removing a missing check: %v", got)
	}
}

func TestTypeChangeStartsOver(t *testing.T) {
	e := health.NewEngine()
	e.SetChecks([]model.HealthCheck{endpoint("hc", threshold(1))}, t0)
	fail("a")(e, t0)
	got := eventStrings(e.Upsert(recovery("hc", "arn:x"), t0.Add(s)))
	if want := []string{"hc Unhealthy→Healthy"}; !slices.Equal(got, want) || e.Checkers("hc") != nil {
		t.Errorf("events %q, checkers %v", got, e.Checkers("hc"))
	}
}
