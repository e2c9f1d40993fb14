package monitor

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/history"
	"github.com/vedette-dns/vedette/internal/store/bolt"
)

// engineSource is a real health engine behind a lock, fed by the test.
type engineSource struct {
	mu sync.Mutex
	e  *health.Engine
}

func (s *engineSource) Each(fn func(model.HealthCheck, health.Report)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.e.Each(fn)
}

func (s *engineSource) Lookup(id string) (model.HealthCheck, health.Report, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.e.Lookup(id)
}

func (s *engineSource) do(fn func(e *health.Engine) []health.Change) []health.Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(s.e)
}

type fixture struct {
	m     *Monitor
	clk   *clock.Fake
	src   *engineSource
	hist  *history.DB
	st    *bolt.Store
	dir   string
	notes chan string
}

var t0 = time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC)

func newFixture(t *testing.T, dir string) *fixture {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := bolt.Open(filepath.Join(dir, "store.db"), bolt.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	h, err := history.Open(filepath.Join(dir, "history.db"), history.Options{Now: clk.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{clk: clk, src: &engineSource{e: health.NewEngine()}, hist: h, st: st, dir: dir, notes: make(chan string, 100)}
	f.m, err = New(Options{Store: st, History: h, Health: f.src, Clock: clk, Logger: quiet,
		OnEvaluated: func(name, state string) {
			f.src.do(func(e *health.Engine) []health.Change {
				var out []health.Change
				e.Each(func(hc model.HealthCheck, _ health.Report) {
					if hc.Config.AlarmIdentifier != nil && hc.Config.AlarmIdentifier.Name == name {
						out = append(out, e.SetAlarmState(hc.ID, health.AlarmState(state), clk.Now())...)
					}
				})
				return out
			})
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.m.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.close() })
	return f
}

func (f *fixture) close() {
	if f.hist != nil {
		f.hist.Close()
		f.st.Close()
		f.hist = nil
	}
}

func (f *fixture) status(t *testing.T, id string) model.Status {
	t.Helper()
	var st model.Status
	f.src.do(func(e *health.Engine) []health.Change {
		r, _ := e.Status(id)
		st = r.Status
		return nil
	})
	return st
}

// TestStatusHistory: sampled and changed statuses become per-minute
// HealthCheckStatus and HealthCheckPercentageHealthy data and status-change
// events, and survive a restart.
func TestStatusHistory(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir)
	ctx := context.Background()
	hc := model.HealthCheck{ID: "hc1", Config: model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: 80, RequestInterval: 10, FailureThreshold: 1}}
	obs := func(checker string, ok bool) []health.Change {
		return f.src.do(func(e *health.Engine) []health.Change {
			return e.Observe(model.Observation{HealthCheckID: "hc1", CheckerID: checker, Region: "r", Time: f.clk.Now(), Success: ok})
		})
	}
	created := f.src.do(func(e *health.Engine) []health.Change { return e.SetChecks([]model.HealthCheck{hc}, f.clk.Now()) })
	for _, c := range append(created, append(obs("a", true), obs("b", true)...)...) {
		f.m.Changed(c)
	}
	f.m.sampleAll() // 10:00:05 healthy, 2 of 2
	f.clk.Advance(20 * time.Second)
	// Both checkers fail: one sample at the change (0), then 10:00:25 sample.
	for _, c := range append(obs("a", false), obs("b", false)...) {
		f.m.Changed(c)
	}
	f.m.sampleAll()
	f.clk.Advance(60 * time.Second) // 10:01:25: the first minute is over
	f.m.flushMinute(ctx, false)
	f.m.Flush(ctx)

	from, to := t0.Add(-time.Hour), t0.Add(time.Hour)
	pts, err := f.m.Series(ctx, HealthMetric(MetricStatus, "hc1", ""), from, to, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 1 || pts[0].Stats.Minimum != 0 || pts[0].Stats.Maximum != 1 || !pts[0].Timestamp.Equal(t0.Truncate(time.Minute)) {
		t.Fatalf("status points = %+v", pts)
	}
	share, err := f.m.Series(ctx, HealthMetric(MetricPercentageHealthy, "hc1", ""), from, to, time.Minute)
	if err != nil || len(share) != 1 || share[0].Stats.Maximum != 100 || share[0].Stats.Minimum != 0 {
		t.Fatalf("percentage points = %+v %v", share, err)
	}
	changes, times, err := f.m.StatusChanges(ctx, "hc1", from, to)
	if err != nil || len(changes) != 2 || changes[0].To != "Healthy" || changes[1].From != "Healthy" || changes[1].To != "Unhealthy" {
		t.Fatalf("changes = %+v %v", changes, err)
	}
	if !times[1].Equal(t0.Add(20 * time.Second)) {
		t.Fatalf("change time %v", times[1])
	}
	// Restart: the history is on disk.
	f.close()
	g := newFixture(t, dir)
	g.clk.Advance(80 * time.Second)
	pts, err = g.m.Series(ctx, HealthMetric(MetricStatus, "hc1", ""), from, to, time.Minute)
	if err != nil || len(pts) != 1 || pts[0].Stats.Minimum != 0 {
		t.Fatalf("after restart: %+v %v", pts, err)
	}
	changes, _, err = g.m.StatusChanges(ctx, "hc1", from, to)
	if err != nil || len(changes) != 2 {
		t.Fatalf("changes after restart = %+v %v", changes, err)
	}
}

// TestAlarmFollowingCheck: a CLOUDWATCH_METRIC check follows an alarm on a
// pushed metric under each InsufficientDataHealthStatus.
func TestAlarmFollowingCheck(t *testing.T) {
	cases := []struct {
		mode string
		// the status once data runs out, after OK, and after ALARM
		afterOK, afterAlarm model.Status
	}{
		{"Healthy", model.StatusHealthy, model.StatusHealthy},
		{"Unhealthy", model.StatusUnhealthy, model.StatusUnhealthy},
		{"LastKnownStatus", model.StatusHealthy, model.StatusUnhealthy},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			for _, lastAlarm := range []bool{false, true} {
				f := newFixture(t, t.TempDir())
				ctx := context.Background()
				alarm := model.Alarm{AlarmName: "lag", Namespace: "App", MetricName: "Lag", Statistic: "Maximum", Period: 60,
					EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: model.CmpGreater, ActionsEnabled: true}
				if err := alarm.Validate(); err != nil {
					t.Fatal(err)
				}
				if err := f.m.PutAlarm(ctx, alarm); err != nil {
					t.Fatal(err)
				}
				hc := model.HealthCheck{ID: "cw", Config: model.HealthCheckConfig{Type: model.TypeCloudWatchMetric,
					AlarmIdentifier: &model.AlarmIdentifier{Region: "us-east-1", Name: "lag"}, InsufficientDataHealthStatus: c.mode}}
				f.src.do(func(e *health.Engine) []health.Change {
					ch := e.SetChecks([]model.HealthCheck{hc}, f.clk.Now())
					st, _ := f.m.EvaluatedState("lag")
					return append(ch, e.SetAlarmState("cw", health.AlarmState(st), f.clk.Now())...)
				})
				push := func(v float64, at time.Time) {
					t.Helper()
					if err := f.m.PutMetricData(ctx, "App", []history.Point{{Metric: model.Metric{MetricName: "Lag"}, Time: at, Stats: model.Single(v)}}); err != nil {
						t.Fatal(err)
					}
				}
				// Last minute's data is complete: evaluated at once.
				f.clk.Advance(time.Minute)
				push(5, f.clk.Now().Add(-time.Minute))
				if got := f.status(t, "cw"); got != model.StatusHealthy {
					t.Fatalf("after OK data: %v", got)
				}
				want := c.afterOK
				if lastAlarm {
					// A breaching value in the running minute raises it early.
					push(50, f.clk.Now())
					if got := f.status(t, "cw"); got != model.StatusUnhealthy {
						t.Fatalf("after breaching data: %v", got)
					}
					if r, _ := f.m.Alarm("lag"); r.State.Value != model.AlarmStateAlarm {
						t.Fatalf("alarm state %+v", r.State)
					}
					want = c.afterAlarm
				}
				// Two minutes without data: INSUFFICIENT_DATA.
				f.clk.Advance(2 * time.Minute)
				f.m.evaluateAll(ctx)
				if r, _ := f.m.Alarm("lag"); r.State.Value != model.AlarmStateInsufficientData {
					t.Fatalf("alarm state after the gap %+v", r.State)
				}
				if got := f.status(t, "cw"); got != want {
					t.Fatalf("lastAlarm=%v: status after the gap = %v, want %v", lastAlarm, got, want)
				}
				// SetAlarmState moves the alarm, not the check (reference §4.8).
				if err := f.m.SetAlarmState(ctx, "lag", model.AlarmStateAlarm, "testing", ""); err != nil {
					t.Fatal(err)
				}
				if got := f.status(t, "cw"); got != want {
					t.Fatalf("SetAlarmState moved the check to %v", got)
				}
				hist, err := f.m.AlarmHistory(ctx, "lag", t0.Add(-time.Hour), t0.Add(time.Hour))
				if err != nil || len(hist) < 3 || hist[0].HistoryItemType != model.HistoryStateUpdate {
					t.Fatalf("history = %+v %v", hist, err)
				}
				f.close()
			}
		})
	}
}

// TestAlertmanagerAlarm: firing and resolved alerts drive an Alertmanager
// alarm, and a check following it.
func TestAlertmanagerAlarm(t *testing.T) {
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	alarm := model.Alarm{AlarmName: "db-down", Namespace: model.AlertmanagerNamespace, MetricName: "DBDown", Statistic: "Maximum",
		Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: model.CmpGreaterOrEqual}
	if err := alarm.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := f.m.PutAlarm(ctx, alarm); err != nil {
		t.Fatal(err)
	}
	hc := model.HealthCheck{ID: "am", Config: model.HealthCheckConfig{Type: model.TypeCloudWatchMetric,
		AlarmIdentifier: &model.AlarmIdentifier{Region: "us-east-1", Name: "db-down"}, InsufficientDataHealthStatus: "Healthy"}}
	f.src.do(func(e *health.Engine) []health.Change { return e.SetChecks([]model.HealthCheck{hc}, f.clk.Now()) })
	f.src.do(func(e *health.Engine) []health.Change {
		return e.SetAlarmState("am", health.AlarmInsufficientData, f.clk.Now())
	})
	alert := func(status, instance string) AlertmanagerAlert {
		return AlertmanagerAlert{Status: status, Labels: map[string]string{"alertname": "db-down", "instance": instance}}
	}
	res := f.m.Alertmanager(ctx, []AlertmanagerAlert{alert("firing", "db1"), alert("firing", "db2"),
		{Status: "firing", Labels: map[string]string{"alertname": "nope"}}})
	if res[0].State != model.AlarmStateAlarm || res[2].Error == "" {
		t.Fatalf("results = %+v", res)
	}
	if got := f.status(t, "am"); got != model.StatusUnhealthy {
		t.Fatalf("firing: %v", got)
	}
	// The evaluator leaves Alertmanager alarms alone.
	f.clk.Advance(5 * time.Minute)
	f.m.evaluateAll(ctx)
	if got := f.status(t, "am"); got != model.StatusUnhealthy {
		t.Fatalf("after evaluation: %v", got)
	}
	f.m.Alertmanager(ctx, []AlertmanagerAlert{alert("resolved", "db1")})
	if got := f.status(t, "am"); got != model.StatusUnhealthy {
		t.Fatalf("one of two resolved: %v", got)
	}
	f.m.Alertmanager(ctx, []AlertmanagerAlert{alert("resolved", "db2")})
	if got := f.status(t, "am"); got != model.StatusHealthy {
		t.Fatalf("all resolved: %v", got)
	}
}
