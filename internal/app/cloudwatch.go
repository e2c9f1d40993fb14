package app

import (
	"context"
	"time"

	"github.com/vedette-dns/vedette/internal/api/cloudwatch"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/history"
)

// cloudwatchBackend serves the CloudWatch API from the monitor and the
// history.
type cloudwatchBackend struct{ a *App }

var _ cloudwatch.Backend = cloudwatchBackend{}

func (b cloudwatchBackend) PutMetricAlarm(ctx context.Context, a model.Alarm) error {
	return b.a.monitor.PutAlarm(ctx, a)
}

func (b cloudwatchBackend) Alarms(context.Context) ([]cloudwatch.AlarmRecord, error) {
	all := b.a.monitor.Alarms()
	out := make([]cloudwatch.AlarmRecord, len(all))
	for i, r := range all {
		out[i] = cloudwatch.AlarmRecord{Alarm: r.Alarm, State: r.State, Arn: r.Arn}
	}
	return out, nil
}

func (b cloudwatchBackend) DeleteAlarms(ctx context.Context, names []string) error {
	return b.a.monitor.DeleteAlarms(ctx, names)
}

func (b cloudwatchBackend) SetAlarmState(ctx context.Context, name, value, reason, data string) error {
	return b.a.monitor.SetAlarmState(ctx, name, value, reason, data)
}

func (b cloudwatchBackend) AlarmHistory(ctx context.Context, name string, from, to time.Time) ([]model.AlarmHistoryItem, error) {
	return b.a.monitor.AlarmHistory(ctx, name, from, to)
}

func (b cloudwatchBackend) SetActionsEnabled(ctx context.Context, names []string, enabled bool) error {
	return b.a.monitor.SetActionsEnabled(ctx, names, enabled)
}

func (b cloudwatchBackend) PutMetricData(ctx context.Context, namespace string, data []cloudwatch.Datum) error {
	pts := make([]history.Point, len(data))
	for i, d := range data {
		pts[i] = history.Point{Metric: model.Metric{Namespace: namespace, MetricName: d.MetricName, Dimensions: d.Dimensions},
			Time: d.Timestamp, Stats: d.Stats, Unit: d.Unit}
	}
	return b.a.monitor.PutMetricData(ctx, namespace, pts)
}

func (b cloudwatchBackend) Statistics(ctx context.Context, m model.Metric, from, to time.Time, period time.Duration) ([]model.Datapoint, error) {
	return b.a.monitor.Series(ctx, m, from, to, period)
}

func (b cloudwatchBackend) ListMetrics(ctx context.Context, namespace, metricName string, dims []cloudwatch.DimensionFilter) ([]model.Metric, error) {
	f := make([]history.DimensionFilter, len(dims))
	for i, d := range dims {
		f[i] = history.DimensionFilter{Name: d.Name, Value: d.Value}
	}
	return b.a.history.ListMetrics(ctx, namespace, metricName, f)
}
