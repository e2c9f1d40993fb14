package health_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

// fuzzIDs is the pool every fuzzed operation draws check ids from, for
// checks and for children alike.
var fuzzIDs = []string{"h0", "h1", "h2", "h3", "h4", "h5", "h6", "gone"}

// fuzzer turns fuzz bytes into an operation sequence on one engine and
// checks the invariants after each operation.
type fuzzer struct {
	t       *testing.T
	data    []byte
	e       *health.Engine
	configs map[string]model.HealthCheck // what the engine was told
	now     time.Time
}

func (f *fuzzer) next(n int) int {
	if len(f.data) == 0 {
		return 0
	}
	b := f.data[0]
	f.data = f.data[1:]
	return int(b) % n
}

func (f *fuzzer) id() string { return fuzzIDs[f.next(len(fuzzIDs))] }

// config draws a check of any type for id.
func (f *fuzzer) config(id string) model.HealthCheck {
	var opts []opt
	if f.next(4) == 0 {
		opts = append(opts, inverted)
	}
	if f.next(4) == 0 {
		opts = append(opts, disabled)
	}
	switch f.next(4) {
	case 0:
		return calculated(id, f.next(5)-1, append(opts, children(f.id(), f.id(), f.id()))...)
	case 1:
		return recovery(id, fmt.Sprintf("arn:%d", f.next(2)), opts...)
	case 2:
		return cloudwatch(id, append(opts, insufficient([]string{"", "Healthy", "Unhealthy", "LastKnownStatus"}[f.next(4)]))...)
	}
	return endpoint(id, append(opts, threshold(f.next(5)), interval(10+20*f.next(2)))...)
}

// step runs one operation and returns its changes.
func (f *fuzzer) step() []health.Change {
	f.now = f.now.Add(time.Duration(f.next(40)) * s)
	switch f.next(8) {
	case 0:
		hc := f.config(f.id())
		f.configs[hc.ID] = hc
		return f.e.Upsert(hc, f.now)
	case 1:
		id := f.id()
		delete(f.configs, id)
		return f.e.Remove(id, f.now)
	case 2:
		return f.e.Expire(f.now)
	case 3:
		return f.e.SetSwitch([]string{"arn:0", "arn:1", f.id()}[f.next(3)], f.next(2) == 0, f.now)
	case 4:
		states := []health.AlarmState{health.AlarmOK, health.AlarmAlarm, health.AlarmInsufficientData, "?"}
		return f.e.SetAlarmState(f.id(), states[f.next(4)], f.now)
	case 5:
		f.configs = map[string]model.HealthCheck{}
		var load []model.HealthCheck
		for range f.next(6) {
			hc := f.config(f.id())
			f.configs[hc.ID] = hc
			load = append(load, hc)
		}
		return f.e.SetChecks(load, f.now)
	}
	at := f.now.Add(-time.Duration(f.next(3)) * s) // sometimes out of order
	return f.e.Observe(model.Observation{
		HealthCheckID: f.id(), CheckerID: []string{"a", "b", "c"}[f.next(3)], Time: at, Success: f.next(2) == 0,
	})
}

func FuzzEngine(f *testing.F) {
	f.Add([]byte{0, 0, 3, 0, 0, 0, 7, 7, 0, 1, 1, 7, 0, 0, 0, 0, 1, 0, 0, 0, 7, 1, 0, 0, 0, 0})
	f.Add([]byte("calculated children flip their parents, checkers expire, switches flip"))
	f.Add([]byte{5, 5, 5, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1, 0, 39, 2, 39, 2, 39, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		fz := &fuzzer{t: t, data: data, e: health.NewEngine(), configs: map[string]model.HealthCheck{}, now: t0}
		for op := 0; len(fz.data) > 0 && op < 500; op++ {
			before := fz.e.View()
			changes := fz.step()
			fz.checkChanges(before, changes)
			for _, id := range fuzzIDs {
				fz.checkReport(id)
			}
		}
	})
}

// checkChanges: the changes are exactly the differences between the views
// before and after, at the operation's time, and the epoch moved iff any.
func (f *fuzzer) checkChanges(before *health.View, changes []health.Change) {
	after := f.e.View()
	var changed []string
	for _, id := range fuzzIDs {
		was, _ := before.Status(id)
		is, _ := after.Status(id)
		if was != is {
			changed = append(changed, id)
		}
	}
	var got []string
	for _, c := range changes {
		was, _ := before.Status(c.ID)
		is, _ := after.Status(c.ID)
		// Observations may be a little older than now; nothing is later.
		if c.From != was || c.To != is || c.At.After(f.now) || c.At.Before(f.now.Add(-2*s)) {
			f.t.Fatalf("change %+v; view says %v → %v", c, was, is)
		}
		got = append(got, c.ID)
	}
	slices.Sort(got)
	slices.Sort(changed)
	if !slices.Equal(got, changed) {
		f.t.Fatalf("changes for %v, views differ for %v", got, changed)
	}
	if (after.Epoch() != before.Epoch()) != (len(changes) > 0) {
		f.t.Fatalf("epoch %d → %d with %d changes", before.Epoch(), after.Epoch(), len(changes))
	}
}

// checkReport: the view agrees with Status, Status composes Computed with
// Disabled and Inverted, and the computed status follows its definition.
func (f *fuzzer) checkReport(id string) {
	r, known := f.e.Status(id)
	hc, configured := f.configs[id]
	if known != configured {
		f.t.Fatalf("%s: known %v, configured %v", id, known, configured)
	}
	if vs, _ := f.e.View().Status(id); vs != r.Status {
		f.t.Fatalf("%s: view %v, status %v", id, vs, r.Status)
	}
	if !known {
		return
	}
	if want := compose(hc.Config, r.Computed); r.Status != want {
		f.t.Fatalf("%s: status %v, want %v from %+v", id, r.Status, want, r)
	}
	switch t := hc.Config.Type; {
	case t == model.TypeCalculated:
		f.checkCalculated(id, hc, r)
	case t.IsEndpoint():
		f.checkEndpoint(id, r)
	case t == model.TypeRecoveryControl:
		if on := f.e.SwitchOn(hc.Config.RoutingControlArn); r.Computed != statusOf(on) {
			f.t.Fatalf("%s: switch on %v, computed %v", id, on, r.Computed)
		}
	}
}

func compose(cfg model.HealthCheckConfig, computed model.Status) model.Status {
	healthy := computed != model.StatusUnhealthy || cfg.Disabled
	return statusOf(healthy != cfg.Inverted)
}

func statusOf(healthy bool) model.Status {
	if healthy {
		return H
	}
	return U
}

// checkCalculated recomputes a parent from its children's current statuses.
func (f *fuzzer) checkCalculated(id string, hc model.HealthCheck, r health.Report) {
	healthy, seen := 0, map[string]bool{}
	for _, child := range hc.Config.ChildHealthChecks {
		if seen[child] {
			continue
		}
		seen[child] = true
		cr, ok := f.e.Status(child)
		if ok && f.configs[child].Config.Type != model.TypeCalculated && cr.Status == H {
			healthy++
		}
	}
	want := statusOf(healthy >= max(*hc.Config.HealthThreshold, 0))
	if r.Computed != want || r.Healthy != healthy || r.Total != len(seen) {
		f.t.Fatalf("%s: %+v, want %v with %d of %d children healthy", id, r, want, healthy, len(seen))
	}
}

// checkEndpoint recomputes the healthy share from the checkers' views.
func (f *fuzzer) checkEndpoint(id string, r health.Report) {
	healthy, reporting := 0, 0
	for _, k := range f.e.Checkers(id) {
		if k.Reporting {
			reporting++
			if k.Healthy {
				healthy++
			}
		}
	}
	if r.Healthy != healthy || r.Total != reporting {
		f.t.Fatalf("%s: %+v, checkers say %d of %d", id, r, healthy, reporting)
	}
	if reporting > 0 && r.Computed != statusOf(100*healthy > 18*reporting) {
		f.t.Fatalf("%s: %+v breaks the 18 %% rule", id, r)
	}
}
