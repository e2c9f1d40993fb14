// Package monitor owns what Vedette remembers and reports about health
// checks over time: per-minute Route 53 metrics (HealthCheckStatus,
// HealthCheckPercentageHealthy, ChildHealthCheckHealthyCount, ConnectionTime,
// SSLHandshakeTime, TimeToFirstByte) and pushed custom metrics, kept in the
// history database (internal/monitor/history); every status change of every
// check; metric alarms with CloudWatch's evaluation rules, their states,
// history and actions (delivered through internal/notify); the state of
// alarms fed by Prometheus Alertmanager; and the Prometheus collector of the
// Route 53 metrics.
//
// Data flow: the health feed calls Observe (latency) and Changed (status
// changes); Run samples every check's status every SampleEvery, writes each
// finished minute to the history, evaluates the alarms at every minute and as
// soon as new data may change them, and writes status changes to the history
// once a second. A crash loses at most the running minute's samples and the
// last second's status changes; alarm configurations and states live in the
// configuration store and are written before an API call is acknowledged.
package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/history"
	"github.com/vedette-dns/vedette/internal/notify"
	"github.com/vedette-dns/vedette/internal/store"
)

// AlarmsPrefix is the store prefix of alarms: alarms/<name> → alarmRecord JSON.
const AlarmsPrefix = "alarms/"

// HealthSource walks every health check with its current report.
type HealthSource interface {
	Each(fn func(hc model.HealthCheck, r health.Report))
	Lookup(id string) (model.HealthCheck, health.Report, bool)
}

// Notifier delivers alarm notifications to a topic ARN.
type Notifier interface {
	Notify(ctx context.Context, topicArn string, n notify.Notification) error
}

// Options configure a Monitor. Every field's comment states its default.
type Options struct {
	// Store holds alarm configurations and states. Required.
	Store store.Store
	// History keeps metrics and events. Required.
	History *history.DB
	// Health is sampled for the status metrics. Required.
	Health HealthSource
	// Notifier delivers alarm actions. Default: actions are recorded as failed.
	Notifier Notifier
	// Clock. Default clock.Real().
	Clock clock.Clock
	// Region and AccountID make alarm ARNs. Defaults "us-east-1", "000000000000".
	Region, AccountID string
	// SampleEvery is how often every check's status is sampled. Default 10 s.
	SampleEvery time.Duration
	// OnEvaluated receives an alarm's new evaluated state (what
	// CLOUDWATCH_METRIC checks follow); INSUFFICIENT_DATA when deleted.
	OnEvaluated func(alarmName, state string)
	// Logger. Default slog.Default().
	Logger *slog.Logger
}

// Monitor records health history and evaluates alarms.
type Monitor struct {
	opts Options
	log  *slog.Logger

	bufMu    sync.Mutex // guards buf, finished, pending, dirty, latest
	buf      *minuteBuffer
	finished []*minuteBuffer // ended minutes not yet written
	pending  []history.Event
	dirty    map[string]bool                     // metric keys with new data since the last evaluation
	latest   map[string]map[string]model.Timings // check id → region → latest timings (Prometheus)

	mu     sync.Mutex // guards alarms; held across an alarm's store write
	alarms map[string]*alarmRecord
	loaded chan struct{}
}

// alarmRecord is an alarm as stored: configuration and state.
type alarmRecord struct {
	Alarm model.Alarm      `json:"alarm"`
	State model.AlarmState `json:"state"`
	// Firing holds the fingerprints of firing Alertmanager alerts.
	Firing []string `json:"firing,omitempty"`
}

// New returns a Monitor; Load (or Run) reads the alarms.
func New(opts Options) (*Monitor, error) {
	if opts.Store == nil || opts.History == nil || opts.Health == nil {
		return nil, errors.New("monitor: Store, History and Health are required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	if opts.SampleEvery <= 0 {
		opts.SampleEvery = defaultSampleEvery
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := &Monitor{opts: opts, log: opts.Logger, dirty: map[string]bool{},
		latest: map[string]map[string]model.Timings{}, alarms: map[string]*alarmRecord{}, loaded: make(chan struct{})}
	m.buf = newMinuteBuffer(opts.Clock.Now().Truncate(minute))
	return m, nil
}

// Load reads the alarms from the store. Run calls it; call it directly to
// answer alarm questions before Run starts.
func (m *Monitor) Load(ctx context.Context) error {
	kvs, _, err := m.opts.Store.Range(ctx, AlarmsPrefix)
	if err != nil {
		return fmt.Errorf("load alarms: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, kv := range kvs {
		var r alarmRecord
		if err := json.Unmarshal(kv.Value, &r); err != nil {
			m.log.Error("undecodable alarm in store", "key", kv.Key, "err", err)
			continue
		}
		m.alarms[r.Alarm.AlarmName] = &r
	}
	select {
	case <-m.loaded:
	default:
		close(m.loaded)
	}
	return nil
}

// Run samples, records and evaluates until ctx ends; on the way out it
// writes the running minute and the pending events.
func (m *Monitor) Run(ctx context.Context) error {
	if err := m.Load(ctx); err != nil {
		return err
	}
	c := m.opts.Clock
	m.sampleAll()
	nextSample := c.Now().Add(m.opts.SampleEvery)
	t := c.NewTimer(eventFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			m.flushMinute(context.Background(), true)
			m.flushEvents(context.Background())
			return ctx.Err()
		case <-t.C():
		}
		now := c.Now()
		m.bufMu.Lock()
		rolled := !now.Before(m.buf.start.Add(minute))
		m.bufMu.Unlock()
		if rolled {
			m.flushMinute(ctx, false)
			m.sampleAll()
			nextSample = now.Add(m.opts.SampleEvery)
			m.evaluateAll(ctx)
		} else if !now.Before(nextSample) {
			m.sampleAll()
			nextSample = now.Add(m.opts.SampleEvery)
		}
		m.flushEvents(ctx)
		m.evaluateDirty(ctx)
		t.Reset(eventFlushEvery)
	}
}

// sampleAll adds every check's current status to the running minute.
func (m *Monitor) sampleAll() {
	now := m.opts.Clock.Now()
	m.bufMu.Lock()
	defer m.bufMu.Unlock()
	m.rollLocked(now)
	measured := map[string]bool{}
	m.opts.Health.Each(func(hc model.HealthCheck, r health.Report) {
		if hc.Config.MeasureLatency {
			measured[hc.ID] = true
		}
		m.buf.sample(hc, r)
		if r.Status != model.StatusUnknown {
			m.dirty[HealthMetric(MetricStatus, hc.ID, "").Key()] = true
		}
	})
	for id := range m.latest { // forget deleted checks
		if !measured[id] {
			delete(m.latest, id)
		}
	}
}

// rollLocked starts a new minute buffer when now is past the current one;
// the finished buffer's points are kept for flushMinute.
func (m *Monitor) rollLocked(now time.Time) {
	if now.Before(m.buf.start.Add(minute)) {
		return
	}
	m.finished = append(m.finished, m.buf)
	m.buf = newMinuteBuffer(now.Truncate(minute))
}

// flushMinute writes finished minutes (and, when final, the running one) to
// the history.
func (m *Monitor) flushMinute(ctx context.Context, final bool) {
	m.bufMu.Lock()
	m.rollLocked(m.opts.Clock.Now())
	done := m.finished
	m.finished = nil
	if final {
		done = append(done, m.buf)
		m.buf = newMinuteBuffer(m.buf.start)
	}
	m.bufMu.Unlock()
	for _, b := range done {
		pts := b.points()
		if len(pts) == 0 {
			continue
		}
		if err := m.opts.History.Add(ctx, pts); err != nil {
			m.log.Error("write metrics history", "minute", b.start, "points", len(pts), "err", err)
		}
	}
}

// Observe records, after the health engine has taken an observation (the
// health feed's OnObserve, which passes the check and its report as they now
// are), the check's status and healthy share (so a share that changes
// without a status change is seen at once), and its latency when the check
// measures it.
func (m *Monitor) Observe(o model.Observation, hc model.HealthCheck, report health.Report) {
	m.bufMu.Lock()
	defer m.bufMu.Unlock()
	m.rollLocked(m.opts.Clock.Now())
	m.buf.sample(hc, report)
	if !hc.Config.MeasureLatency || !o.Success {
		return
	}
	m.buf.latency(hc.Config.Type, o)
	if m.latest[o.HealthCheckID] == nil {
		m.latest[o.HealthCheckID] = map[string]model.Timings{}
	}
	m.latest[o.HealthCheckID][o.Region] = o.Timings
}

// StatusEvent is one status change as kept in a check's history.
type StatusEvent struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason,omitempty"`
}

// Changed records a status change (the health feed's OnChange): an event in
// the check's history and a status sample in the running minute, so that a
// change shorter than the sampling interval still shows in Minimum and
// Maximum.
func (m *Monitor) Changed(c health.Change) {
	if c.To == model.StatusUnknown && c.From == model.StatusUnknown {
		return
	}
	data, _ := json.Marshal(StatusEvent{From: c.From.String(), To: c.To.String(), Reason: c.Reason})
	hc, report, known := m.opts.Health.Lookup(c.ID) // outside bufMu: sampleAll takes bufMu, then the feed's lock
	m.bufMu.Lock()
	defer m.bufMu.Unlock()
	if len(m.pending) < maxPendingEventsPerFlush*10 {
		m.pending = append(m.pending, history.Event{Stream: changeStreamPrefix + c.ID, Time: c.At, Data: data})
	}
	if c.To == model.StatusUnknown {
		return
	}
	m.rollLocked(m.opts.Clock.Now())
	metric := HealthMetric(MetricStatus, c.ID, "")
	if known {
		report.Status = c.To
		m.buf.sample(hc, report)
	} else {
		m.buf.add(metric, statusValue(c.To), unitNone)
	}
	m.dirty[metric.Key()] = true
}

func (m *Monitor) flushEvents(ctx context.Context) {
	m.bufMu.Lock()
	ev := m.pending
	m.pending = nil
	m.bufMu.Unlock()
	for len(ev) > 0 {
		n := min(len(ev), maxPendingEventsPerFlush)
		if err := m.opts.History.AddEvents(ctx, ev[:n]); err != nil {
			m.log.Error("write status history", "events", n, "err", err)
		}
		ev = ev[n:]
	}
}

// Flush writes pending status changes now (tests and shutdown).
func (m *Monitor) Flush(ctx context.Context) { m.flushEvents(ctx) }

// StatusChanges returns a check's status changes in [from, to), oldest first.
func (m *Monitor) StatusChanges(ctx context.Context, id string, from, to time.Time) ([]StatusEvent, []time.Time, error) {
	m.flushEvents(ctx)
	evs, err := m.opts.History.Events(ctx, changeStreamPrefix+id, from, to, 0, false)
	if err != nil {
		return nil, nil, err
	}
	out := make([]StatusEvent, 0, len(evs))
	times := make([]time.Time, 0, len(evs))
	for _, e := range evs {
		var s StatusEvent
		if json.Unmarshal(e.Data, &s) == nil {
			out = append(out, s)
			times = append(times, e.Time)
		}
	}
	return out, times, nil
}

// Series returns a metric's datapoints over [from, to) in periods, from the
// history and the running minute.
func (m *Monitor) Series(ctx context.Context, metric model.Metric, from, to time.Time, period time.Duration) ([]model.Datapoint, error) {
	pts, err := m.opts.History.Query(ctx, metric, from, to, period)
	if err != nil {
		return nil, err
	}
	m.bufMu.Lock()
	var live []*minuteBuffer
	live = append(live, m.finished...)
	live = append(live, m.buf)
	k := metric.Key()
	type extra struct {
		start time.Time
		a     accum
	}
	var extras []extra
	for _, b := range live {
		if a := b.acc[k]; a != nil && !b.start.Before(from) && b.start.Before(to) {
			extras = append(extras, extra{b.start, *a})
		}
	}
	m.bufMu.Unlock()
	for _, x := range extras {
		ps := periodStart(x.start, period)
		i := slices.IndexFunc(pts, func(d model.Datapoint) bool { return d.Timestamp.Equal(ps) })
		if i < 0 {
			pts = append(pts, model.Datapoint{Timestamp: ps, Stats: x.a.stats, Unit: x.a.unit})
			continue
		}
		pts[i].Stats = pts[i].Stats.Merge(x.a.stats)
	}
	slices.SortFunc(pts, func(a, b model.Datapoint) int { return a.Timestamp.Compare(b.Timestamp) })
	return pts, nil
}

func periodStart(t time.Time, period time.Duration) time.Time {
	return time.Unix(0, t.UnixNano()-t.UnixNano()%int64(period)).UTC()
}

// LatestTimings returns the latest timings per region of a check that
// measures latency (for Prometheus).
func (m *Monitor) LatestTimings(id string) map[string]model.Timings {
	m.bufMu.Lock()
	defer m.bufMu.Unlock()
	return maps.Clone(m.latest[id])
}
