package health_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

func TestFailureThreshold(t *testing.T) {
	for _, h := range []history{{
		name:   "threshold 1 flips on every opposite result",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{
			{at: 10 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 20 * s, do: fail("a"), want: U},
			{at: 30 * s, do: ok("a"), want: H, events: []string{"hc Unhealthy→Healthy"}},
			{at: 40 * s, do: ok("a"), want: H},
		},
	}, {
		name:   "threshold 3: unhealthy on the third failure, healthy on the third success",
		checks: []model.HealthCheck{endpoint("hc", threshold(3))},
		steps: []step{
			{at: 10 * s, do: fail("a"), want: H},
			{at: 20 * s, do: fail("a"), want: H},
			{at: 30 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 40 * s, do: ok("a"), want: U},
			{at: 50 * s, do: ok("a"), want: U},
			{at: 60 * s, do: ok("a"), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "threshold 3: a success resets the failure count",
		checks: []model.HealthCheck{endpoint("hc", threshold(3))},
		steps: []step{
			{at: 10 * s, do: fail("a"), want: H},
			{at: 20 * s, do: fail("a"), want: H},
			{at: 30 * s, do: ok("a"), want: H},
			{at: 40 * s, do: fail("a"), want: H},
			{at: 50 * s, do: fail("a"), want: H},
			{at: 60 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
		},
	}, {
		name:   "threshold 3: a failure resets the success count",
		checks: []model.HealthCheck{endpoint("hc", threshold(3))},
		steps: slices.Concat(every(2, 10*s, 10*s, fail("a"), H), []step{
			{at: 30 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 40 * s, do: ok("a"), want: U},
			{at: 50 * s, do: ok("a"), want: U},
			{at: 60 * s, do: fail("a"), want: U},
			{at: 70 * s, do: ok("a"), want: U},
			{at: 80 * s, do: ok("a"), want: U},
			{at: 90 * s, do: ok("a"), want: H, events: []string{"hc Unhealthy→Healthy"}},
		}),
	}, {
		name:   "threshold 10 both ways",
		checks: []model.HealthCheck{endpoint("hc", threshold(10))},
		steps: slices.Concat(
			every(9, 10*s, 10*s, fail("a"), H),
			[]step{{at: 100 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}}},
			every(9, 110*s, 10*s, ok("a"), U),
			[]step{{at: 200 * s, do: ok("a"), want: H, events: []string{"hc Unhealthy→Healthy"}}},
		),
	}, {
		name:   "an unset threshold is Route 53's default, 3",
		checks: []model.HealthCheck{endpoint("hc", threshold(0))},
		steps: slices.Concat(
			every(2, 10*s, 10*s, fail("a"), H),
			[]step{{at: 30 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}}},
		),
	}, {
		name:   "each checker counts its own results; a new checker starts healthy",
		checks: []model.HealthCheck{endpoint("hc", threshold(3))},
		steps: []step{
			{at: 10 * s, do: fail("a"), want: H},
			{at: 11 * s, do: fail("b"), want: H},
			{at: 20 * s, do: fail("a"), want: H},
			{at: 21 * s, do: fail("b"), want: H},
			{at: 30 * s, do: fail("a"), want: H, reason: "1 of 2 checkers healthy (50.0 %, healthy needs more than 18 %)"},
			{at: 31 * s, do: fail("b"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 32 * s, do: fail("c"), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}} {
		run(t, h)
	}
}

func TestFailureThresholdUpdatedMidStream(t *testing.T) {
	for _, h := range []history{{
		name:   "lowered from 10 to 3: the next failure counts the five already seen",
		checks: []model.HealthCheck{endpoint("hc", threshold(10))},
		steps: slices.Concat(every(5, 10*s, 10*s, fail("a"), H), []step{
			{at: 55 * s, do: upsert(endpoint("hc", threshold(3))), want: H},
			{at: 60 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
		}),
	}, {
		name:   "raised from 1 to 3 while unhealthy: three successes to recover",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{
			{at: 10 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 15 * s, do: upsert(endpoint("hc", threshold(3))), want: U},
			{at: 20 * s, do: ok("a"), want: U},
			{at: 30 * s, do: ok("a"), want: U},
			{at: 40 * s, do: ok("a"), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}} {
		run(t, h)
	}
}

func TestHealthyShare(t *testing.T) {
	const needs = "healthy needs more than 18 %"
	for _, h := range []history{{
		name:   "1 of 5 healthy (20 %) is healthy",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps:  []step{{at: 10 * s, do: round(1, 4), want: H, reason: "1 of 5 checkers healthy (20.0 %, " + needs + ")"}},
	}, {
		name:   "1 of 6 healthy (16.7 %) is unhealthy",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{{at: 10 * s, do: round(1, 5), want: U, events: []string{"hc Healthy→Unhealthy"},
			reason: "1 of 6 checkers healthy (16.7 %, " + needs + ")"}},
	}, {
		name:   "3 of 16 healthy (18.75 %) is healthy",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps:  []step{{at: 10 * s, do: round(3, 13), want: H}},
	}, {
		name:   "2 of 16 healthy (12.5 %) is unhealthy",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps:  []step{{at: 10 * s, do: round(2, 14), want: U, events: []string{"hc Healthy→Unhealthy"}}},
	}, {
		name:   "exactly 18 % (9 of 50) is unhealthy",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps:  []step{{at: 10 * s, do: round(9, 41), want: U, events: []string{"hc Healthy→Unhealthy"}}},
	}, {
		name:   "one checker decides alone",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{
			{at: 10 * s, do: round(0, 1), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 20 * s, do: round(1, 0), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "the share moves as checkers change their view",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{
			{at: 10 * s, do: round(1, 5), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 20 * s, do: ok("k02"), want: H, events: []string{"hc Unhealthy→Healthy"}, reason: "2 of 6 checkers healthy (33.3 %, " + needs + ")"},
		},
	}} {
		run(t, h)
	}
}

func TestInitialStatus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hc     model.HealthCheck
		want   model.Status
		reason string
	}{
		{"endpoint", endpoint("hc"), H, "no observations yet: initial status"},
		{"inverted endpoint", endpoint("hc", inverted), U, "no observations yet: initial status; inverted"},
		{"disabled", endpoint("hc", disabled), H, "disabled"},
		{"disabled and inverted", endpoint("hc", disabled, inverted), U, "disabled; inverted"},
		{"alarm", cloudwatch("hc"), H, "no alarm state yet: initial status"},
		{"inverted alarm", cloudwatch("hc", inverted), U, "no alarm state yet: initial status; inverted"},
		{"routing control", recovery("hc", "arn:rc"), H, "routing control arn:rc is ON"},
		{"calculated, no children, threshold 0", calculated("hc", 0), H, "0 of 0 child health checks healthy, HealthThreshold 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := health.NewEngine()
			got := e.SetChecks([]model.HealthCheck{tc.hc}, t0)
			want := []health.Change{{ID: "hc", From: model.StatusUnknown, To: tc.want, At: t0, Reason: tc.reason}}
			if !slices.Equal(got, want) {
				t.Errorf("changes %+v, want %+v", got, want)
			}
			if r, _ := e.Status("hc"); r.Status != tc.want || r.Computed != computedOf(tc.hc) || !r.Since.Equal(t0) {
				t.Errorf("report %+v", r)
			}
		})
	}
}

func computedOf(hc model.HealthCheck) model.Status {
	switch hc.Config.Type {
	case model.TypeRecoveryControl, model.TypeCalculated:
		return H
	}
	return model.StatusUnknown
}

func TestInverted(t *testing.T) {
	run(t, history{
		name:   "inverted starts unhealthy and flips with the checkers",
		checks: []model.HealthCheck{endpoint("hc", inverted, threshold(3))},
		steps: slices.Concat(
			every(2, 10*s, 10*s, fail("a"), U),
			[]step{{at: 30 * s, do: fail("a"), want: H, events: []string{"hc Unhealthy→Healthy"}}},
			every(2, 40*s, 10*s, ok("a"), H),
			[]step{{at: 60 * s, do: ok("a"), want: U, events: []string{"hc Healthy→Unhealthy"}}},
			[]step{{at: 70 * s, do: upsert(endpoint("hc", threshold(3))), want: H, events: []string{"hc Unhealthy→Healthy"}}},
		),
	})
}

func TestDisabled(t *testing.T) {
	for _, h := range []history{{
		name:   "disabled is healthy whatever the checkers say",
		checks: []model.HealthCheck{endpoint("hc", disabled, threshold(1))},
		steps:  every(5, 10*s, 10*s, fail("a"), H),
	}, {
		name:   "disabled and inverted is unhealthy whatever the checkers say",
		checks: []model.HealthCheck{endpoint("hc", disabled, inverted, threshold(1))},
		steps:  every(5, 10*s, 10*s, ok("a"), U),
	}, {
		name:   "disabling an unhealthy check makes it healthy; enabled again it starts over",
		checks: []model.HealthCheck{endpoint("hc", threshold(3))},
		steps: slices.Concat(
			every(2, 10*s, 10*s, fail("a"), H),
			[]step{
				{at: 30 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
				{at: 35 * s, do: upsert(endpoint("hc", threshold(3), disabled)), want: H, events: []string{"hc Unhealthy→Healthy"}, reason: "disabled"},
				{at: 40 * s, do: fail("a"), want: H},
				{at: 45 * s, do: upsert(endpoint("hc", threshold(3))), want: H, reason: "no observations yet: initial status"},
			},
			every(2, 50*s, 10*s, fail("a"), H),
			[]step{{at: 70 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}}},
		),
	}, {
		name:   "inverting a disabled check makes it unhealthy",
		checks: []model.HealthCheck{endpoint("hc", disabled)},
		steps: []step{
			{at: 10 * s, do: upsert(endpoint("hc", disabled, inverted)), want: U, events: []string{"hc Healthy→Unhealthy"}, reason: "disabled; inverted"},
		},
	}} {
		run(t, h)
	}
}

func TestExpiry(t *testing.T) {
	if got := health.StaleAfter(endpoint("x").Config); got != 100*s {
		t.Errorf("StaleAfter at 30 s intervals = %v, want 100s", got)
	}
	for _, h := range []history{{
		name:   "a dead checker stops counting after 3 intervals + 10 s",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{
			{at: 10 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 10 * s, do: ok("b"), want: H, events: []string{"hc Unhealthy→Healthy"}},
			{at: 40 * s, do: fail("a"), want: H},
			{at: 70 * s, do: fail("a"), want: H},
			{at: 100 * s, do: fail("a"), want: H},
			{at: 110 * s, do: expire(), want: H},
			{at: 111 * s, do: expire(), want: U, events: []string{"hc Healthy→Unhealthy"}, reason: "0 of 1 checkers healthy (0.0 %, healthy needs more than 18 %)"},
			{at: 120 * s, do: ok("b"), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "no reporting checker: the last status is kept",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{
			{at: 0, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 101 * s, do: expire(), want: U, reason: "no checker has reported recently: last status kept"},
			{at: 150 * s, do: ok("a"), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "a returning checker keeps its view",
		checks: []model.HealthCheck{endpoint("hc", threshold(3))},
		steps: slices.Concat(
			every(2, 0, 10*s, fail("a"), H),
			[]step{
				{at: 20 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
				{at: 500 * s, do: expire(), want: U},
				{at: 510 * s, do: ok("a"), want: U},
			},
		),
	}, {
		name:   "10 s intervals expire after 40 s",
		checks: []model.HealthCheck{endpoint("hc", threshold(1), interval(10))},
		steps: []step{
			{at: 0, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 0, do: ok("b"), want: H, events: []string{"hc Unhealthy→Healthy"}},
			{at: 30 * s, do: fail("a"), want: H},
			{at: 40 * s, do: expire(), want: H},
			{at: 41 * s, do: expire(), want: U, events: []string{"hc Healthy→Unhealthy"}},
		},
	}} {
		run(t, h)
	}
}

func TestOutOfOrderObservationIgnored(t *testing.T) {
	run(t, history{
		name:   "an older result than the checker's latest is dropped",
		checks: []model.HealthCheck{endpoint("hc", threshold(1))},
		steps: []step{
			{at: 20 * s, do: fail("a"), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 10 * s, do: ok("a"), want: U},
			{at: 20 * s, do: ok("a"), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	})
}

func TestObservationsOfOtherTypesIgnored(t *testing.T) {
	e := health.NewEngine()
	e.SetChecks([]model.HealthCheck{calculated("c", 0), recovery("r", "arn:r"), cloudwatch("w")}, t0)
	for _, id := range []string{"c", "r", "w", "missing"} {
		if got := e.Observe(model.Observation{HealthCheckID: id, CheckerID: "a", Time: t0}); got != nil {
			t.Errorf("%s: %v", id, got)
		}
		if got := e.Checkers(id); got != nil {
			t.Errorf("%s: checkers %v", id, got)
		}
	}
}

func TestCheckersAndLastFailure(t *testing.T) {
	e := health.NewEngine()
	e.SetChecks([]model.HealthCheck{endpoint("hc", threshold(2))}, t0)
	steps := []struct {
		at      time.Duration
		checker string
		ok      bool
	}{
		{10 * s, "b", false}, {11 * s, "a", true}, {20 * s, "b", false}, {21 * s, "a", false}, {30 * s, "b", true},
	}
	for _, st := range steps {
		observe("hc", st.checker, st.ok)(e, t0.Add(st.at))
	}
	e.Expire(t0.Add(122 * s)) // a (last at 21 s) is stale, b (30 s) is not

	got := e.Checkers("hc")
	if len(got) != 2 || got[0].CheckerID != "a" || got[1].CheckerID != "b" {
		t.Fatalf("checkers %+v", got)
	}
	a, b := got[0], got[1]
	if !a.Healthy || a.Reporting || a.Region != "region-a" || a.SourceIP != "192.0.2.1" ||
		a.LastObservation.Success || !a.LastObservation.Time.Equal(t0.Add(21*s)) {
		t.Errorf("a: %+v", a)
	}
	if b.Healthy || !b.Reporting || !b.LastObservation.Success {
		t.Errorf("b: %+v (one success after two failures at threshold 2 stays unhealthy)", b)
	}

	fails := e.LastFailure("hc")
	if len(fails) != 2 || fails[0].CheckerID != "a" || !fails[0].Time.Equal(t0.Add(21*s)) ||
		fails[1].CheckerID != "b" || !fails[1].Time.Equal(t0.Add(20*s)) || fails[1].Reason != reasonText(false) {
		t.Errorf("last failures %+v", fails)
	}
	if e.LastFailure("missing") != nil || e.Checkers("missing") != nil {
		t.Error("unknown check has checker data")
	}
}
