package health_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

// The fake time base: every step happens at t0 plus its offset.
var t0 = time.Unix(1_700_000_000, 0).UTC()

const s = time.Second

// Short names for statuses in tables.
const (
	H = model.StatusHealthy
	U = model.StatusUnhealthy
)

// An action is one thing that happens to the engine at a given time.
type action func(e *health.Engine, at time.Time) []health.Change

// A step is one action and what must hold afterwards.
type step struct {
	at time.Duration
	do action
	// want is the status of the check "hc" afterwards.
	want model.Status
	// events are the Changes the action returns, as "id From→To".
	events []string
	// reason, when set, is the expected Report.Reason of "hc".
	reason string
}

// A history is a configuration loaded at t0 and a sequence of steps.
type history struct {
	name   string
	checks []model.HealthCheck
	steps  []step
}

func run(t *testing.T, h history) {
	t.Helper()
	t.Run(h.name, func(t *testing.T) {
		e := health.NewEngine()
		e.SetChecks(h.checks, t0)
		for i, st := range h.steps {
			at := t0.Add(st.at)
			before := e.View()
			got := st.do(e, at)
			where := fmt.Sprintf("step %d at %v", i+1, st.at)
			if ev := eventStrings(got); !slices.Equal(ev, st.events) {
				t.Errorf("%s: events %q, want %q", where, ev, st.events)
			}
			for _, c := range got {
				if !c.At.Equal(at) {
					t.Errorf("%s: change %s at %v, want %v", where, c.ID, c.At, at)
				}
			}
			r, _ := e.Status("hc") // StatusUnknown when there is no "hc"
			if r.Status != st.want {
				t.Errorf("%s: hc is %v, want %v", where, r.Status, st.want)
			}
			if st.reason != "" && r.Reason != st.reason {
				t.Errorf("%s: reason %q, want %q", where, r.Reason, st.reason)
			}
			checkView(t, where, e, before, got)
		}
	})
}

// checkView: the view agrees with Status, and its epoch moved exactly when
// there were changes.
func checkView(t *testing.T, where string, e *health.Engine, before *health.View, changes []health.Change) {
	t.Helper()
	v := e.View()
	if moved := v.Epoch() != before.Epoch(); moved != (len(changes) > 0) {
		t.Errorf("%s: epoch %d → %d with %d changes", where, before.Epoch(), v.Epoch(), len(changes))
	}
	if len(changes) == 0 && v != before {
		t.Errorf("%s: a new view without changes", where)
	}
	for id, st := range v.All() {
		if r, ok := e.Status(id); !ok || r.Status != st {
			t.Errorf("%s: view says %s is %v, Status says %v", where, id, st, r.Status)
		}
	}
}

func eventStrings(changes []health.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, fmt.Sprintf("%s %v→%v", c.ID, c.From, c.To))
	}
	return out
}

// Actions.

func observe(id, checker string, success bool) action {
	return func(e *health.Engine, at time.Time) []health.Change {
		return e.Observe(model.Observation{
			HealthCheckID: id, CheckerID: checker, Region: "region-" + checker,
			SourceIP: "192.0.2.1", Time: at, Success: success, Reason: reasonText(success),
		})
	}
}

func reasonText(success bool) string {
	if success {
		return "Success: HTTP Status Code 200, OK"
	}
	return "Failure: HTTP Status Code 503, Service Unavailable"
}

// ok and fail are a result of checker for "hc".
func ok(checker string) action   { return observe("hc", checker, true) }
func fail(checker string) action { return observe("hc", checker, false) }

// round has checkers k01…kNN report on "hc" at once: the first healthy of
// them succeed, the other failing fail.
func round(healthy, failing int) action {
	return func(e *health.Engine, at time.Time) []health.Change {
		var out []health.Change
		for i := range healthy + failing {
			out = append(out, observe("hc", fmt.Sprintf("k%02d", i+1), i < healthy)(e, at)...)
		}
		return out
	}
}

func expire() action {
	return func(e *health.Engine, at time.Time) []health.Change { return e.Expire(at) }
}

func upsert(hc model.HealthCheck) action {
	return func(e *health.Engine, at time.Time) []health.Change { return e.Upsert(hc, at) }
}

func remove(id string) action {
	return func(e *health.Engine, at time.Time) []health.Change { return e.Remove(id, at) }
}

func setSwitch(key string, on bool) action {
	return func(e *health.Engine, at time.Time) []health.Change { return e.SetSwitch(key, on, at) }
}

func alarm(id string, state health.AlarmState) action {
	return func(e *health.Engine, at time.Time) []health.Change { return e.SetAlarmState(id, state, at) }
}

// every repeats do n times, every interval from start; nothing changes and
// "hc" stays want.
func every(n int, start, interval time.Duration, do action, want model.Status) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = step{at: start + time.Duration(i)*interval, do: do, want: want}
	}
	return out
}

// Configurations.

type opt func(*model.HealthCheckConfig)

func inverted(c *model.HealthCheckConfig) { c.Inverted = true }
func disabled(c *model.HealthCheckConfig) { c.Disabled = true }

func threshold(n int) opt { return func(c *model.HealthCheckConfig) { c.FailureThreshold = n } }
func interval(n int) opt  { return func(c *model.HealthCheckConfig) { c.RequestInterval = n } }
func children(ids ...string) opt {
	return func(c *model.HealthCheckConfig) { c.ChildHealthChecks = ids }
}
func insufficient(mode string) opt {
	return func(c *model.HealthCheckConfig) { c.InsufficientDataHealthStatus = mode }
}

func build(id string, cfg model.HealthCheckConfig, opts []opt) model.HealthCheck {
	for _, o := range opts {
		o(&cfg)
	}
	return model.HealthCheck{ID: id, CallerReference: "ref-" + id, Config: cfg, Version: 1, CreatedAt: t0}
}

// endpoint is an HTTP check with Route 53's defaults (interval 30 s,
// threshold 3).
func endpoint(id string, opts ...opt) model.HealthCheck {
	return build(id, model.HealthCheckConfig{
		Type: model.TypeHTTP, IPAddress: "192.0.2.10", Port: 80, RequestInterval: 30, FailureThreshold: 3,
	}, opts)
}

func calculated(id string, healthThreshold int, opts ...opt) model.HealthCheck {
	return build(id, model.HealthCheckConfig{Type: model.TypeCalculated, HealthThreshold: &healthThreshold}, opts)
}

func recovery(id, arn string, opts ...opt) model.HealthCheck {
	return build(id, model.HealthCheckConfig{Type: model.TypeRecoveryControl, RoutingControlArn: arn}, opts)
}

func cloudwatch(id string, opts ...opt) model.HealthCheck {
	return build(id, model.HealthCheckConfig{
		Type: model.TypeCloudWatchMetric, AlarmIdentifier: &model.AlarmIdentifier{Region: "us-east-1", Name: "cpu"},
	}, opts)
}
