package checker

import (
	"context"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

func TestLagWindowKeepsTheLatest(t *testing.T) {
	var s counters
	for range LagWindow {
		s.start(time.Second)
	}
	for range LagWindow / 2 {
		s.start(time.Millisecond)
	}
	c := &Checker{stats: s, entries: map[string]*entry{}}
	st := c.Stats()
	if st.LagP50 != time.Millisecond || st.LagP99 != time.Second || st.LagMax != time.Second {
		t.Errorf("p50 %v, p99 %v, max %v; want 1ms, 1s, 1s", st.LagP50, st.LagP99, st.LagMax)
	}
	if st.Started != LagWindow*3/2 || st.InFlight != LagWindow*3/2 {
		t.Errorf("Started %d, InFlight %d; want %d", st.Started, st.InFlight, LagWindow*3/2)
	}
	for _, b := range st.LagBuckets {
		want := uint64(0)
		switch {
		case b.Le >= time.Second:
			want = LagWindow * 3 / 2
		case b.Le >= time.Millisecond:
			want = LagWindow / 2
		}
		if b.Count != want {
			t.Errorf("bucket le %v: %d, want %d", b.Le, b.Count, want)
		}
	}
}

func TestPercentile(t *testing.T) {
	d := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n))
		}
		return out
	}
	for _, tc := range []struct {
		sorted []time.Duration
		p      int
		want   time.Duration
	}{
		{nil, 50, 0},
		{d(7), 50, 7},
		{d(7), 99, 7},
		{d(1, 2, 3, 4), 50, 2},
		{d(1, 2, 3, 4), 99, 4},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %d) = %v, want %v", tc.sorted, tc.p, got, tc.want)
		}
	}
}

func TestAllRegionsProbesChecksOfOtherRegions(t *testing.T) {
	hc := model.HealthCheck{ID: "r", Config: model.HealthCheckConfig{Type: model.TypeTCP, Regions: []string{"us-east-1", "eu-west-1", "sa-east-1"}}}
	for _, all := range []bool{false, true} {
		c, err := New(Options{CheckerID: "c", AllRegions: all, Prober: ProberFunc(func(context.Context, model.HealthCheck) Result { return Result{} }), Emit: func(model.Observation) {}})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.wants(hc); got != all {
			t.Errorf("AllRegions=%v: wants = %v", all, got)
		}
	}
}
