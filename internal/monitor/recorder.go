package monitor

import (
	"time"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/history"
)

// Route53Namespace is the namespace of the metrics Vedette publishes about
// health checks, named as Route 53 names them.
const Route53Namespace = "AWS/Route53"

// Route 53's health-check metric names.
const (
	MetricStatus             = "HealthCheckStatus"
	MetricPercentageHealthy  = "HealthCheckPercentageHealthy"
	MetricChildHealthyCount  = "ChildHealthCheckHealthyCount"
	MetricConnectionTime     = "ConnectionTime"
	MetricSSLHandshakeTime   = "SSLHandshakeTime"
	MetricTimeToFirstByte    = "TimeToFirstByte"
	dimHealthCheckID         = "HealthCheckId"
	dimRegion                = "Region"
	unitPercent, unitMillis  = "Percent", "Milliseconds"
	unitCount, unitNone      = "Count", "None"
	changeStreamPrefix       = "hc/"
	alarmStreamPrefix        = "alarm/"
	defaultSampleEvery       = 10 * time.Second
	minute                   = time.Minute
	eventFlushEvery          = time.Second
	maxPendingEventsPerFlush = 10000
)

// HealthMetric returns the AWS/Route53 metric of one health check; region
// "" is the all-regions metric.
func HealthMetric(name, healthCheckID, region string) model.Metric {
	m := model.Metric{Namespace: Route53Namespace, MetricName: name,
		Dimensions: []model.Dimension{{Name: dimHealthCheckID, Value: healthCheckID}}}
	if region != "" {
		m.Dimensions = append(m.Dimensions, model.Dimension{Name: dimRegion, Value: region})
	}
	return m
}

// accum is one metric's samples in the current minute.
type accum struct {
	metric model.Metric
	stats  model.StatisticSet
	unit   string
}

// minuteBuffer collects the samples of the running minute, keyed by metric.
type minuteBuffer struct {
	start time.Time
	acc   map[string]*accum
}

func newMinuteBuffer(start time.Time) *minuteBuffer {
	return &minuteBuffer{start: start, acc: map[string]*accum{}}
}

func (b *minuteBuffer) add(m model.Metric, v float64, unit string) {
	k := m.Key()
	a := b.acc[k]
	if a == nil {
		a = &accum{metric: m, unit: unit}
		b.acc[k] = a
	}
	a.stats = a.stats.Merge(model.Single(v))
}

func (b *minuteBuffer) points() []history.Point {
	out := make([]history.Point, 0, len(b.acc))
	for _, a := range b.acc {
		out = append(out, history.Point{Metric: a.metric, Time: b.start, Stats: a.stats, Unit: a.unit})
	}
	return out
}

// sample adds the current value of each health check's metrics: status
// (1 healthy, 0 unhealthy; nothing while unknown), share of checkers healthy
// for enabled endpoint checks, healthy children for calculated checks.
func (b *minuteBuffer) sample(hc model.HealthCheck, r health.Report) {
	if r.Status == model.StatusUnknown {
		return
	}
	b.add(HealthMetric(MetricStatus, hc.ID, ""), statusValue(r.Status), unitNone)
	switch {
	case hc.Config.Type.IsEndpoint() && !hc.Config.Disabled && r.Total > 0:
		b.add(HealthMetric(MetricPercentageHealthy, hc.ID, ""), 100*float64(r.Healthy)/float64(r.Total), unitPercent)
	case hc.Config.Type == model.TypeCalculated:
		b.add(HealthMetric(MetricChildHealthyCount, hc.ID, ""), float64(r.Healthy), unitCount)
	}
}

func statusValue(s model.Status) float64 {
	if s == model.StatusHealthy {
		return 1
	}
	return 0
}

// latency adds an observation's timings, per region and for all regions,
// to the metrics Route 53 publishes for the check's type.
func (b *minuteBuffer) latency(t model.HealthCheckType, o model.Observation) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	add := func(name string, d time.Duration) {
		if d <= 0 {
			return
		}
		b.add(HealthMetric(name, o.HealthCheckID, ""), ms(d), unitMillis)
		if o.Region != "" {
			b.add(HealthMetric(name, o.HealthCheckID, o.Region), ms(d), unitMillis)
		}
	}
	add(MetricConnectionTime, o.Timings.Connect)
	if t.IsHTTPS() {
		add(MetricSSLHandshakeTime, o.Timings.TLSHandshake)
	}
	if t != model.TypeTCP {
		add(MetricTimeToFirstByte, o.Timings.FirstByte)
	}
}
