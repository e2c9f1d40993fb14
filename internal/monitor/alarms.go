package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/history"
	"github.com/vedette-dns/vedette/internal/notify"
	"github.com/vedette-dns/vedette/internal/store"
)

// MaxAlarms bounds the number of alarms (CloudWatch's LimitExceeded).
const MaxAlarms = 10000

// AlarmRecord is an alarm with its state and ARN.
type AlarmRecord struct {
	Alarm model.Alarm
	State model.AlarmState
	Arn   string
}

func notFound(name string) error {
	return &model.AlarmError{Code: "ResourceNotFound", Message: fmt.Sprintf("Alarm %s does not exist.", name)}
}

// AlarmArn returns the ARN of the named alarm.
func (m *Monitor) AlarmArn(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", m.opts.Region, m.opts.AccountID, name)
}

// Alarms returns every alarm, sorted by name.
func (m *Monitor) Alarms() []AlarmRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]AlarmRecord, 0, len(m.alarms))
	for _, r := range m.alarms {
		out = append(out, AlarmRecord{Alarm: r.Alarm, State: r.State, Arn: m.AlarmArn(r.Alarm.AlarmName)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Alarm.AlarmName < out[j].Alarm.AlarmName })
	return out
}

// Alarm returns one alarm.
func (m *Monitor) Alarm(name string) (AlarmRecord, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.alarms[name]
	if r == nil {
		return AlarmRecord{}, false
	}
	return AlarmRecord{Alarm: r.Alarm, State: r.State, Arn: m.AlarmArn(name)}, true
}

// EvaluatedState returns the state a CLOUDWATCH_METRIC check follows.
func (m *Monitor) EvaluatedState(name string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.alarms[name]
	if r == nil {
		return "", false
	}
	return r.State.Evaluated, true
}

// PutAlarm creates or replaces an alarm (a must be validated). A new alarm
// starts in INSUFFICIENT_DATA; a replaced one keeps its state. The alarm is
// evaluated at once.
func (m *Monitor) PutAlarm(ctx context.Context, a model.Alarm) error {
	now := m.opts.Clock.Now()
	a.ConfigurationUpdated = now
	m.mu.Lock()
	old := m.alarms[a.AlarmName]
	if old == nil && len(m.alarms) >= MaxAlarms {
		m.mu.Unlock()
		return &model.AlarmError{Code: "LimitExceeded", Message: fmt.Sprintf("The maximum of %d alarms has been reached.", MaxAlarms)}
	}
	r := &alarmRecord{Alarm: a}
	summary := fmt.Sprintf("Alarm %q created", a.AlarmName)
	if old != nil {
		r.State, r.Firing = old.State, old.Firing
		summary = fmt.Sprintf("Alarm %q updated", a.AlarmName)
	} else {
		r.State = model.AlarmState{Value: model.AlarmStateInsufficientData, Evaluated: model.AlarmStateInsufficientData,
			Reason: "Unchecked: Initial alarm creation", Updated: now}
	}
	err := m.save(ctx, r)
	if err == nil {
		m.alarms[a.AlarmName] = r
	}
	m.mu.Unlock()
	if err != nil {
		return err
	}
	cfg, _ := json.Marshal(a)
	m.history(ctx, a.AlarmName, model.HistoryConfigurationUpdate, summary, string(cfg), now)
	if old == nil {
		m.evaluated(a.AlarmName, r.State.Evaluated)
	}
	m.evaluateOne(ctx, a.AlarmName, now)
	return nil
}

// DeleteAlarms deletes the named alarms that exist, in one write, and
// returns ResourceNotFound naming the first that did not (as CloudWatch).
func (m *Monitor) DeleteAlarms(ctx context.Context, names []string) error {
	m.mu.Lock()
	var ops []store.Op
	var deleted []string
	var missing error
	for _, n := range names {
		if m.alarms[n] == nil {
			if missing == nil {
				missing = notFound(n)
			}
			continue
		}
		if !slices.Contains(deleted, n) {
			ops = append(ops, store.Delete(AlarmsPrefix+n))
			deleted = append(deleted, n)
		}
	}
	var err error
	if len(ops) > 0 {
		_, err = m.opts.Store.Txn(ctx, store.Txn{Then: ops})
	}
	if err == nil {
		for _, n := range deleted {
			delete(m.alarms, n)
		}
	}
	m.mu.Unlock()
	if err != nil {
		return err
	}
	for _, n := range deleted {
		m.history(ctx, n, model.HistoryConfigurationUpdate, fmt.Sprintf("Alarm %q deleted", n), "", m.opts.Clock.Now())
		m.evaluated(n, model.AlarmStateInsufficientData)
	}
	return missing
}

// SetActionsEnabled enables or disables the actions of alarms.
func (m *Monitor) SetActionsEnabled(ctx context.Context, names []string, enabled bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, n := range names {
		r := m.alarms[n]
		if r == nil {
			continue // CloudWatch ignores unknown names here
		}
		c := *r
		c.Alarm.ActionsEnabled = enabled
		if err := m.save(ctx, &c); err != nil {
			return err
		}
		m.alarms[n] = &c
	}
	return nil
}

// SetAlarmState sets an alarm's visible state until its next evaluation
// (CloudWatch's SetAlarmState): actions run, but health checks keep
// following the evaluated state (reference §4.8).
func (m *Monitor) SetAlarmState(ctx context.Context, name, value, reason, reasonData string) error {
	if !model.ValidAlarmState(value) {
		return &model.AlarmError{Code: "InvalidParameterValue", Message: fmt.Sprintf("StateValue %q is not one of OK, ALARM, INSUFFICIENT_DATA.", value)}
	}
	if reasonData != "" && !json.Valid([]byte(reasonData)) {
		return &model.AlarmError{Code: "InvalidFormat", Message: "StateReasonData is not valid JSON."}
	}
	m.mu.Lock()
	if m.alarms[name] == nil {
		m.mu.Unlock()
		return notFound(name)
	}
	m.mu.Unlock()
	return m.transition(ctx, name, func(r *alarmRecord) bool {
		r.State.Value, r.State.Reason, r.State.ReasonData = value, reason, reasonData
		return true
	})
}

// transition applies change to an alarm under the lock, saves it, and then
// records history, runs actions and reports a new evaluated state.
func (m *Monitor) transition(ctx context.Context, name string, change func(r *alarmRecord) bool) error {
	now := m.opts.Clock.Now()
	m.mu.Lock()
	r := m.alarms[name]
	if r == nil {
		m.mu.Unlock()
		return notFound(name)
	}
	c := *r
	c.Firing = slices.Clone(r.Firing)
	if !change(&c) {
		m.mu.Unlock()
		return nil
	}
	oldValue, oldEval := r.State.Value, r.State.Evaluated
	if c.State.Value != oldValue {
		c.State.Updated = now
	}
	if err := m.save(ctx, &c); err != nil {
		m.mu.Unlock()
		return err
	}
	m.alarms[name] = &c
	m.mu.Unlock()
	if c.State.Value != oldValue {
		data, _ := json.Marshal(map[string]any{"version": "1.0", "oldState": map[string]string{"stateValue": oldValue},
			"newState": map[string]string{"stateValue": c.State.Value, "stateReason": c.State.Reason}})
		m.history(ctx, name, model.HistoryStateUpdate, fmt.Sprintf("Alarm updated from %s to %s", oldValue, c.State.Value), string(data), now)
		m.log.Info("alarm state changed", "alarm", name, "from", oldValue, "to", c.State.Value, "reason", c.State.Reason)
		m.act(ctx, &c, oldValue, now)
	}
	if c.State.Evaluated != oldEval {
		m.evaluated(name, c.State.Evaluated)
	}
	return nil
}

func (m *Monitor) save(ctx context.Context, r *alarmRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = m.opts.Store.Txn(ctx, store.Txn{Then: []store.Op{store.Put(AlarmsPrefix+r.Alarm.AlarmName, b)}})
	return err
}

func (m *Monitor) evaluated(name, state string) {
	if m.opts.OnEvaluated != nil {
		m.opts.OnEvaluated(name, state)
	}
}

func (m *Monitor) history(ctx context.Context, name, typ, summary, data string, at time.Time) {
	b, _ := json.Marshal(model.AlarmHistoryItem{AlarmName: name, Timestamp: at, HistoryItemType: typ, HistorySummary: summary, HistoryData: data})
	if err := m.opts.History.AddEvents(ctx, []history.Event{{Stream: alarmStreamPrefix + name, Time: at, Data: b}}); err != nil {
		m.log.Error("write alarm history", "alarm", name, "err", err)
	}
}

// AlarmHistory returns history items of one alarm ("" = all) in [from, to),
// newest first.
func (m *Monitor) AlarmHistory(ctx context.Context, name string, from, to time.Time) ([]model.AlarmHistoryItem, error) {
	streams := []string{alarmStreamPrefix + name}
	if name == "" {
		var err error
		if streams, err = m.opts.History.Streams(ctx, alarmStreamPrefix); err != nil {
			return nil, err
		}
	}
	var out []model.AlarmHistoryItem
	for _, s := range streams {
		evs, err := m.opts.History.Events(ctx, s, from, to, 0, true)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			var it model.AlarmHistoryItem
			if json.Unmarshal(e.Data, &it) == nil {
				out = append(out, it)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.After(out[j].Timestamp) })
	return out, nil
}

// act runs the actions of the alarm's new state.
func (m *Monitor) act(ctx context.Context, r *alarmRecord, oldValue string, now time.Time) {
	if !r.Alarm.ActionsEnabled {
		return
	}
	var arns []string
	switch r.State.Value {
	case model.AlarmStateOK:
		arns = r.Alarm.OKActions
	case model.AlarmStateAlarm:
		arns = r.Alarm.AlarmActions
	case model.AlarmStateInsufficientData:
		arns = r.Alarm.InsufficientDataActions
	}
	if len(arns) == 0 {
		return
	}
	msg := m.alarmMessage(r, oldValue)
	n := notify.Notification{
		Subject:  fmt.Sprintf("%s: %q in %s", r.State.Value, r.Alarm.AlarmName, m.opts.Region),
		Message:  msg,
		Summary:  fmt.Sprintf("%s is %s: %s", r.Alarm.AlarmName, r.State.Value, r.State.Reason),
		DedupKey: r.Alarm.AlarmName + "/" + r.State.Value + "/" + r.State.Updated.UTC().Format(time.RFC3339Nano),
	}
	for _, arn := range arns {
		summary := "Successfully executed action " + arn
		var err error
		if m.opts.Notifier == nil {
			err = fmt.Errorf("no notifier configured")
		} else {
			err = m.opts.Notifier.Notify(ctx, arn, n)
		}
		if err != nil {
			summary = fmt.Sprintf("Failed to execute action %s: %v", arn, err)
			m.log.Warn("alarm action failed", "alarm", r.Alarm.AlarmName, "action", arn, "err", err)
		}
		m.history(ctx, r.Alarm.AlarmName, model.HistoryAction, summary, "", now)
	}
}

// alarmMessage is the JSON CloudWatch sends to SNS for an alarm.
func (m *Monitor) alarmMessage(r *alarmRecord, oldValue string) string {
	dims := make([]map[string]string, 0, len(r.Alarm.Dimensions))
	for _, d := range r.Alarm.Dimensions {
		dims = append(dims, map[string]string{"name": d.Name, "value": d.Value})
	}
	b, _ := json.Marshal(map[string]any{
		"AlarmName":        r.Alarm.AlarmName,
		"AlarmDescription": r.Alarm.AlarmDescription,
		"AWSAccountId":     m.opts.AccountID,
		"NewStateValue":    r.State.Value,
		"NewStateReason":   r.State.Reason,
		"StateChangeTime":  r.State.Updated.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"Region":           m.opts.Region,
		"AlarmArn":         m.AlarmArn(r.Alarm.AlarmName),
		"OldStateValue":    oldValue,
		"Trigger": map[string]any{
			"MetricName": r.Alarm.MetricName, "Namespace": r.Alarm.Namespace, "StatisticType": "Statistic",
			"Statistic": strings.ToUpper(r.Alarm.Statistic), "Unit": nil, "Dimensions": dims, "Period": r.Alarm.Period,
			"EvaluationPeriods": r.Alarm.EvaluationPeriods, "DatapointsToAlarm": r.Alarm.Required(),
			"ComparisonOperator": r.Alarm.ComparisonOperator, "Threshold": r.Alarm.Threshold,
			"TreatMissingData": r.Alarm.Missing(),
		},
	})
	return string(b)
}

// evaluateAll evaluates every alarm (at each minute).
func (m *Monitor) evaluateAll(ctx context.Context) {
	now := m.opts.Clock.Now()
	m.mu.Lock()
	names := make([]string, 0, len(m.alarms))
	for n := range m.alarms {
		names = append(names, n)
	}
	m.mu.Unlock()
	sort.Strings(names)
	for _, n := range names {
		m.evaluateOne(ctx, n, now)
	}
}

// evaluateDirty evaluates the alarms whose metric got data since the last
// evaluation.
func (m *Monitor) evaluateDirty(ctx context.Context) {
	m.bufMu.Lock()
	dirty := m.dirty
	m.dirty = map[string]bool{}
	m.bufMu.Unlock()
	if len(dirty) == 0 {
		return
	}
	m.evaluateMetrics(ctx, dirty)
}

func (m *Monitor) evaluateMetrics(ctx context.Context, keys map[string]bool) {
	now := m.opts.Clock.Now()
	m.mu.Lock()
	var names []string
	for n, r := range m.alarms {
		if keys[r.Alarm.Metric().Key()] {
			names = append(names, n)
		}
	}
	m.mu.Unlock()
	sort.Strings(names)
	for _, n := range names {
		m.evaluateOne(ctx, n, now)
	}
}

// evaluateOne evaluates one alarm at now and applies the outcome.
func (m *Monitor) evaluateOne(ctx context.Context, name string, now time.Time) {
	rec, ok := m.Alarm(name)
	if !ok || rec.Alarm.Namespace == model.AlertmanagerNamespace {
		return
	}
	a := rec.Alarm
	period := time.Duration(a.Period) * time.Second
	end := periodStart(now, period)
	n := a.EvaluationPeriods
	pts, err := m.Series(ctx, a.Metric(), end.Add(-time.Duration(n)*period), end.Add(period), period)
	if err != nil {
		m.log.Error("alarm evaluation: read metric", "alarm", name, "err", err)
		return
	}
	window := func(newest time.Time, partial bool) Window {
		w := Window{Partial: partial}
		for i := n - 1; i >= 0; i-- {
			start := newest.Add(-time.Duration(i) * period)
			w.Start = append(w.Start, start)
			v, present, samples := 0.0, false, 0.0
			for _, p := range pts {
				if p.Timestamp.Equal(start) {
					v, present = p.Stats.Value(a.Statistic)
					samples = p.Stats.SampleCount
				}
			}
			w.Value, w.Present, w.Samples = append(w.Value, v), append(w.Present, present), append(w.Samples, samples)
		}
		return w
	}
	out := Evaluate(&a, window(end.Add(-period), false))
	if out.State != model.AlarmStateAlarm {
		if early := Evaluate(&a, window(end, true)); early.State == model.AlarmStateAlarm {
			out = early
		}
	}
	if out.Keep {
		return
	}
	_ = m.transition(ctx, name, func(r *alarmRecord) bool {
		if r.State.Value == out.State && r.State.Evaluated == out.State {
			return false
		}
		if r.State.Value != out.State {
			r.State.Reason, r.State.ReasonData = out.Reason, out.ReasonData
		}
		r.State.Value, r.State.Evaluated = out.State, out.State
		return true
	})
}

// PutMetricData stores pushed data points (one durable write) and evaluates
// the alarms that watch them.
func (m *Monitor) PutMetricData(ctx context.Context, namespace string, pts []history.Point) error {
	if strings.HasPrefix(namespace, "AWS/") {
		return &model.AlarmError{Code: "InvalidParameterValue", Message: "The value AWS/ for parameter Namespace is invalid: namespaces starting with AWS/ are reserved."}
	}
	keys := map[string]bool{}
	for i := range pts {
		pts[i].Metric.Namespace = namespace
		keys[pts[i].Metric.Key()] = true
	}
	if err := m.opts.History.Add(ctx, pts); err != nil {
		return err
	}
	m.evaluateMetrics(ctx, keys)
	return nil
}

// AlertmanagerAlert is one alert of an Alertmanager webhook notification.
type AlertmanagerAlert struct {
	Status      string            `json:"status"` // firing | resolved
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Fingerprint string            `json:"fingerprint"`
}

// AlertmanagerResult says what happened to one alert.
type AlertmanagerResult struct {
	Alarm  string `json:"alarm"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	State  string `json:"state,omitempty"`
}

// Alertmanager applies alerts from an Alertmanager webhook: each alert names
// an alarm by its label "vedette_alarm", else "alertname"; the alarm must be
// in namespace Alertmanager. The alarm is ALARM while any of its alerts
// fires, OK once all have resolved.
func (m *Monitor) Alertmanager(ctx context.Context, alerts []AlertmanagerAlert) []AlertmanagerResult {
	out := make([]AlertmanagerResult, 0, len(alerts))
	for _, al := range alerts {
		name := al.Labels["vedette_alarm"]
		if name == "" {
			name = al.Labels["alertname"]
		}
		res := AlertmanagerResult{Alarm: name, Status: al.Status}
		rec, ok := m.Alarm(name)
		switch {
		case name == "":
			res.Error = "alert has neither a vedette_alarm nor an alertname label"
		case !ok:
			res.Error = "no such alarm"
		case rec.Alarm.Namespace != model.AlertmanagerNamespace:
			res.Error = "alarm is not in namespace " + model.AlertmanagerNamespace
		case al.Status != "firing" && al.Status != "resolved":
			res.Error = "status is neither firing nor resolved"
		}
		if res.Error != "" {
			out = append(out, res)
			continue
		}
		fp := al.Fingerprint
		if fp == "" {
			fp = labelsKey(al.Labels)
		}
		err := m.transition(ctx, name, func(r *alarmRecord) bool {
			i := slices.Index(r.Firing, fp)
			if al.Status == "firing" && i < 0 {
				r.Firing = append(r.Firing, fp)
			} else if al.Status == "resolved" && i >= 0 {
				r.Firing = slices.Delete(r.Firing, i, i+1)
			}
			state, reason := model.AlarmStateOK, "Alertmanager: all alerts resolved"
			if len(r.Firing) > 0 {
				state = model.AlarmStateAlarm
				reason = fmt.Sprintf("Alertmanager: %d alert%s firing", len(r.Firing), plural(len(r.Firing)))
				if s := al.Annotations["summary"]; s != "" && al.Status == "firing" {
					reason += ": " + s
				}
			}
			if r.State.Value == state && r.State.Evaluated == state {
				return true // keep Firing up to date
			}
			r.State.Value, r.State.Evaluated, r.State.Reason, r.State.ReasonData = state, state, reason, ""
			return true
		})
		if err != nil {
			res.Error = err.Error()
		} else if rec, ok := m.Alarm(name); ok {
			res.State = rec.State.Value
		}
		out = append(out, res)
	}
	return out
}

func labelsKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + l[k] + "\x00")
	}
	return b.String()
}
