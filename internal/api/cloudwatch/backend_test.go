package cloudwatch_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vedette-dns/vedette/internal/api/cloudwatch"
	"github.com/vedette-dns/vedette/internal/model"
)

// memBackend is a small in-memory cloudwatch.Backend for tests.
type memBackend struct {
	calls atomic.Int64
	now   func() time.Time

	mu      sync.Mutex
	alarms  map[string]*cloudwatch.AlarmRecord
	history []model.AlarmHistoryItem // oldest first
	metrics map[string]model.Metric
	points  map[string][]cloudwatch.Datum
}

func newMemBackend(now func() time.Time) *memBackend {
	return &memBackend{now: now, alarms: map[string]*cloudwatch.AlarmRecord{},
		metrics: map[string]model.Metric{}, points: map[string][]cloudwatch.Datum{}}
}

func notFound(name string) error {
	return &model.AlarmError{Code: "ResourceNotFound", Message: "Alarm " + name + " does not exist."}
}

func (b *memBackend) PutMetricAlarm(_ context.Context, a model.Alarm) error {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.alarms[a.AlarmName]
	if !ok {
		r = &cloudwatch.AlarmRecord{State: model.AlarmState{Value: model.AlarmStateInsufficientData,
			Reason: "Unchecked: Initial alarm creation", Updated: b.now().UTC(), Evaluated: model.AlarmStateInsufficientData}}
		b.alarms[a.AlarmName] = r
	}
	r.Alarm = a
	b.history = append(b.history, model.AlarmHistoryItem{AlarmName: a.AlarmName, Timestamp: b.now().UTC(),
		HistoryItemType: model.HistoryConfigurationUpdate, HistorySummary: "Alarm \"" + a.AlarmName + "\" updated"})
	return nil
}

func (b *memBackend) Alarms(context.Context) ([]cloudwatch.AlarmRecord, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []cloudwatch.AlarmRecord
	for _, r := range b.alarms {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(x, y cloudwatch.AlarmRecord) int { return strings.Compare(x.Alarm.AlarmName, y.Alarm.AlarmName) })
	return out, nil
}

// DeleteAlarms deletes the alarms that exist and reports the missing ones
// as ResourceNotFound.
func (b *memBackend) DeleteAlarms(_ context.Context, names []string) error {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	var missing []string
	for _, n := range names {
		if _, ok := b.alarms[n]; !ok {
			missing = append(missing, n)
		}
		delete(b.alarms, n)
	}
	if len(missing) > 0 {
		return notFound(strings.Join(missing, ", "))
	}
	return nil
}

func (b *memBackend) SetAlarmState(_ context.Context, name, value, reason, data string) error {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.alarms[name]
	if !ok {
		return notFound(name)
	}
	old := r.State.Value
	r.State.Value, r.State.Reason, r.State.ReasonData, r.State.Updated = value, reason, data, b.now().UTC()
	b.history = append(b.history, model.AlarmHistoryItem{AlarmName: name, Timestamp: b.now().UTC(),
		HistoryItemType: model.HistoryStateUpdate, HistorySummary: "Alarm updated from " + old + " to " + value})
	return nil
}

func (b *memBackend) AlarmHistory(_ context.Context, name string, from, to time.Time) ([]model.AlarmHistoryItem, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []model.AlarmHistoryItem
	for i := len(b.history) - 1; i >= 0; i-- {
		h := b.history[i]
		if (name == "" || h.AlarmName == name) && !h.Timestamp.Before(from) && !h.Timestamp.After(to) {
			out = append(out, h)
		}
	}
	return out, nil
}

func (b *memBackend) SetActionsEnabled(_ context.Context, names []string, enabled bool) error {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range names {
		if r, ok := b.alarms[n]; ok {
			r.Alarm.ActionsEnabled = enabled
		}
	}
	return nil
}

func (b *memBackend) PutMetricData(_ context.Context, ns string, data []cloudwatch.Datum) error {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range data {
		m := model.Metric{Namespace: ns, MetricName: d.MetricName, Dimensions: d.Dimensions}
		b.metrics[m.Key()] = m
		b.points[m.Key()] = append(b.points[m.Key()], d)
	}
	return nil
}

func (b *memBackend) Statistics(_ context.Context, m model.Metric, from, to time.Time, period time.Duration) ([]model.Datapoint, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	buckets := map[int64]*model.Datapoint{}
	for _, d := range b.points[m.Key()] {
		start := d.Timestamp.Truncate(period)
		if start.Before(from) || !start.Before(to) {
			continue
		}
		p, ok := buckets[start.Unix()]
		if !ok {
			p = &model.Datapoint{Timestamp: start, Unit: d.Unit}
			buckets[start.Unix()] = p
		}
		p.Stats = p.Stats.Merge(d.Stats)
	}
	var out []model.Datapoint
	for _, p := range buckets {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(x, y model.Datapoint) int { return x.Timestamp.Compare(y.Timestamp) })
	return out, nil
}

func (b *memBackend) ListMetrics(_ context.Context, ns, name string, dims []cloudwatch.DimensionFilter) ([]model.Metric, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []model.Metric
next:
	for _, m := range b.metrics {
		if ns != "" && m.Namespace != ns || name != "" && m.MetricName != name {
			continue
		}
		for _, f := range dims {
			i := slices.IndexFunc(m.Dimensions, func(d model.Dimension) bool { return d.Name == f.Name })
			if i < 0 || f.Value != nil && m.Dimensions[i].Value != *f.Value {
				continue next
			}
		}
		out = append(out, m)
	}
	return out, nil
}
