package app

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"time"

	"github.com/vedette-dns/vedette/internal/console"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor"
	"github.com/vedette-dns/vedette/internal/monitor/history"
)

// console returns the web console's handler, mounted at /console/ (GET /
// redirects there). It talks to this node's own API over its listener.
func (a *App) console() http.Handler {
	endpoint := func() string { return "http://" + a.HTTPAddr() }
	h, err := console.New(console.Options{
		APIEndpoint: endpoint,
		Verify:      a.isRootKey,
		Monitor:     consoleMonitor{a},
		Logger:      a.log,
	})
	if err != nil {
		a.log.Error("console disabled", "err", err)
		return http.NotFoundHandler()
	}
	return h
}

// isRootKey reports whether id/secret is the node's root key (constant
// time): only the root key may use the console, as only it may use the
// Route 53 API.
func (a *App) isRootKey(id, secret string) bool {
	okID := subtle.ConstantTimeCompare([]byte(id), []byte(a.rootID))
	okSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(a.rootSecret))
	return okID&okSecret == 1 && a.rootID != ""
}

// consoleMonitor answers the console from the health feed (current status)
// and the monitor (history, alarms).
type consoleMonitor struct{ a *App }

func (m consoleMonitor) Status(id string) (string, time.Time, string, bool) {
	r, ok := m.a.health.Status(id)
	if !ok {
		return "", time.Time{}, "", false
	}
	return r.Status.String(), r.Since, r.Reason, true
}

func (m consoleMonitor) Series(ctx context.Context, id, metric, region string, from, to time.Time, period time.Duration) ([]model.Datapoint, error) {
	return m.a.monitor.Series(ctx, monitor.HealthMetric(metric, id, region), from, to, period)
}

func (m consoleMonitor) LatencyRegions(ctx context.Context, id string, _, _ time.Time) ([]string, error) {
	metrics, err := m.a.history.ListMetrics(ctx, monitor.Route53Namespace, "",
		[]history.DimensionFilter{{Name: "HealthCheckId", Value: &id}, {Name: "Region"}})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range metrics {
		for _, d := range x.Dimensions {
			if d.Name == "Region" && !slices.Contains(out, d.Value) {
				out = append(out, d.Value)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func (m consoleMonitor) StatusChanges(ctx context.Context, id string, from, to time.Time) ([]console.StatusChange, error) {
	evs, times, err := m.a.monitor.StatusChanges(ctx, id, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]console.StatusChange, len(evs))
	for i, e := range evs {
		out[i] = console.StatusChange{Time: times[i], From: e.From, To: e.To, Reason: e.Reason}
	}
	return out, nil
}

// Alarms returns the alarms whose metric has dimension HealthCheckId = id.
func (m consoleMonitor) Alarms(_ context.Context, id string) ([]console.AlarmSummary, error) {
	var out []console.AlarmSummary
	for _, r := range m.a.monitor.Alarms() {
		if !slices.Contains(r.Alarm.Dimensions, model.Dimension{Name: "HealthCheckId", Value: id}) {
			continue
		}
		out = append(out, console.AlarmSummary{Name: r.Alarm.AlarmName, State: r.State.Value, StateReason: r.State.Reason,
			MetricName: r.Alarm.MetricName, Comparison: r.Alarm.ComparisonOperator, Threshold: r.Alarm.Threshold, Updated: r.State.Updated})
	}
	return out, nil
}
