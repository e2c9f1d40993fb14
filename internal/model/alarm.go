package model

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Dimension is one name/value pair that, with a namespace and a metric name,
// identifies a metric (CloudWatch's Dimension).
type Dimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SortDimensions orders dimensions by name, then value: the canonical order
// used in series keys and in ListMetrics.
func SortDimensions(d []Dimension) {
	slices.SortFunc(d, func(a, b Dimension) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
}

// Metric identifies one metric: namespace, name and dimensions (sorted).
type Metric struct {
	Namespace  string      `json:"namespace"`
	MetricName string      `json:"metricName"`
	Dimensions []Dimension `json:"dimensions,omitempty"`
}

// Key returns a canonical string for the metric: equal metrics have equal
// keys whatever the order of their dimensions.
func (m Metric) Key() string {
	d := slices.Clone(m.Dimensions)
	SortDimensions(d)
	var b strings.Builder
	b.WriteString(m.Namespace)
	b.WriteByte(0)
	b.WriteString(m.MetricName)
	for _, x := range d {
		b.WriteByte(0)
		b.WriteString(x.Name)
		b.WriteByte(1)
		b.WriteString(x.Value)
	}
	return b.String()
}

// StatisticSet aggregates samples: how many, their sum, smallest and largest.
type StatisticSet struct {
	SampleCount float64 `json:"n"`
	Sum         float64 `json:"sum"`
	Minimum     float64 `json:"min"`
	Maximum     float64 `json:"max"`
}

// Single returns the set holding one sample.
func Single(v float64) StatisticSet {
	return StatisticSet{SampleCount: 1, Sum: v, Minimum: v, Maximum: v}
}

// Merge returns s with o folded in. An empty set (SampleCount 0) is neutral.
func (s StatisticSet) Merge(o StatisticSet) StatisticSet {
	if o.SampleCount == 0 {
		return s
	}
	if s.SampleCount == 0 {
		return o
	}
	return StatisticSet{
		SampleCount: s.SampleCount + o.SampleCount,
		Sum:         s.Sum + o.Sum,
		Minimum:     math.Min(s.Minimum, o.Minimum),
		Maximum:     math.Max(s.Maximum, o.Maximum),
	}
}

// Statistic names.
const (
	StatSampleCount = "SampleCount"
	StatAverage     = "Average"
	StatSum         = "Sum"
	StatMinimum     = "Minimum"
	StatMaximum     = "Maximum"
)

// Statistics lists the statistic names in CloudWatch's order.
var Statistics = []string{StatSampleCount, StatAverage, StatSum, StatMinimum, StatMaximum}

// Value returns the named statistic of the set; false for an unknown name or
// an empty set.
func (s StatisticSet) Value(stat string) (float64, bool) {
	if s.SampleCount == 0 {
		return 0, false
	}
	switch stat {
	case StatSampleCount:
		return s.SampleCount, true
	case StatAverage:
		return s.Sum / s.SampleCount, true
	case StatSum:
		return s.Sum, true
	case StatMinimum:
		return s.Minimum, true
	case StatMaximum:
		return s.Maximum, true
	}
	return 0, false
}

// Datapoint is one period's aggregate of a metric.
type Datapoint struct {
	Timestamp time.Time    `json:"t"`
	Stats     StatisticSet `json:"s"`
	Unit      string       `json:"unit,omitempty"`
}

// Alarm states.
const (
	AlarmStateOK               = "OK"
	AlarmStateAlarm            = "ALARM"
	AlarmStateInsufficientData = "INSUFFICIENT_DATA"
)

// Comparison operators supported by metric alarms.
const (
	CmpGreaterOrEqual = "GreaterThanOrEqualToThreshold"
	CmpGreater        = "GreaterThanThreshold"
	CmpLess           = "LessThanThreshold"
	CmpLessOrEqual    = "LessThanOrEqualToThreshold"
)

// TreatMissingData values.
const (
	MissingBreaching    = "breaching"
	MissingNotBreaching = "notBreaching"
	MissingIgnore       = "ignore"
	MissingMissing      = "missing"
)

// AlertmanagerNamespace is the namespace of alarms whose state is set by
// Prometheus Alertmanager notifications rather than evaluated from metric
// data (see internal/monitor).
const AlertmanagerNamespace = "Alertmanager"

// Alarm is a metric alarm's configuration (PutMetricAlarm).
type Alarm struct {
	AlarmName               string      `json:"name"`
	AlarmDescription        string      `json:"description,omitempty"`
	ActionsEnabled          bool        `json:"actionsEnabled"`
	OKActions               []string    `json:"okActions,omitempty"`
	AlarmActions            []string    `json:"alarmActions,omitempty"`
	InsufficientDataActions []string    `json:"insufficientDataActions,omitempty"`
	Namespace               string      `json:"namespace"`
	MetricName              string      `json:"metricName"`
	Dimensions              []Dimension `json:"dimensions,omitempty"`
	Statistic               string      `json:"statistic"`
	Unit                    string      `json:"unit,omitempty"`
	Period                  int         `json:"period"`
	EvaluationPeriods       int         `json:"evaluationPeriods"`
	// DatapointsToAlarm is M of "M out of N"; 0 means EvaluationPeriods.
	DatapointsToAlarm  int               `json:"datapointsToAlarm,omitempty"`
	Threshold          float64           `json:"threshold"`
	ComparisonOperator string            `json:"comparisonOperator"`
	TreatMissingData   string            `json:"treatMissingData,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	// ConfigurationUpdated is when PutMetricAlarm last wrote the alarm.
	ConfigurationUpdated time.Time `json:"configurationUpdated"`
}

// Metric returns the metric the alarm watches.
func (a *Alarm) Metric() Metric {
	return Metric{Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions}
}

// Required returns M of "M out of N".
func (a *Alarm) Required() int {
	if a.DatapointsToAlarm > 0 {
		return a.DatapointsToAlarm
	}
	return a.EvaluationPeriods
}

// Missing returns TreatMissingData with its default.
func (a *Alarm) Missing() string {
	if a.TreatMissingData == "" {
		return MissingMissing
	}
	return a.TreatMissingData
}

// Breaches reports whether v is on the alarming side of the threshold.
func (a *Alarm) Breaches(v float64) bool {
	switch a.ComparisonOperator {
	case CmpGreaterOrEqual:
		return v >= a.Threshold
	case CmpGreater:
		return v > a.Threshold
	case CmpLess:
		return v < a.Threshold
	case CmpLessOrEqual:
		return v <= a.Threshold
	}
	return false
}

// AlarmState is an alarm's current state.
type AlarmState struct {
	Value      string    `json:"value"`
	Reason     string    `json:"reason"`
	ReasonData string    `json:"reasonData,omitempty"`
	Updated    time.Time `json:"updated"`
	// Evaluated is the state the alarm's own evaluation of its metric data
	// (or, for Alertmanager alarms, the last notification) gave. It differs
	// from Value only after SetAlarmState, until the next evaluation; health
	// checks follow Evaluated (reference §4.8).
	Evaluated string `json:"evaluated"`
}

// AlarmHistoryItem is one entry of an alarm's history.
type AlarmHistoryItem struct {
	AlarmName       string    `json:"alarmName"`
	Timestamp       time.Time `json:"timestamp"`
	HistoryItemType string    `json:"type"` // StateUpdate, ConfigurationUpdate, Action
	HistorySummary  string    `json:"summary"`
	HistoryData     string    `json:"data,omitempty"`
}

// Alarm history item types.
const (
	HistoryStateUpdate         = "StateUpdate"
	HistoryConfigurationUpdate = "ConfigurationUpdate"
	HistoryAction              = "Action"
)

// AlarmError is a CloudWatch validation error: Code is CloudWatch's error
// code (InvalidParameterValue, MissingParameter, ...).
type AlarmError struct {
	Code    string
	Message string
}

func (e *AlarmError) Error() string { return e.Code + ": " + e.Message }

func cwErr(code, format string, args ...any) error {
	return &AlarmError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ValidateMetricName checks a namespace or metric name as CloudWatch does.
func validName(what, s string) error {
	if s == "" {
		return cwErr("MissingParameter", "The parameter %s is required.", what)
	}
	if len(s) > 255 {
		return cwErr("InvalidParameterValue", "The parameter %s must be at most 255 characters long.", what)
	}
	return nil
}

// ValidateDimensions checks dimension count and sizes (at most 30).
func ValidateDimensions(d []Dimension) error {
	if len(d) > 30 {
		return cwErr("InvalidParameterValue", "The collection Dimensions must not have more than 30 members.")
	}
	seen := map[string]bool{}
	for _, x := range d {
		if x.Name == "" || len(x.Name) > 255 {
			return cwErr("InvalidParameterValue", "Dimension names must be 1 to 255 characters long.")
		}
		if x.Value == "" || len(x.Value) > 1024 {
			return cwErr("InvalidParameterValue", "The value of dimension %s must be 1 to 1024 characters long.", x.Name)
		}
		if seen[x.Name] {
			return cwErr("InvalidParameterValue", "Dimension %s is given more than once.", x.Name)
		}
		seen[x.Name] = true
	}
	return nil
}

// ValidateNamespace checks a namespace (1–255 characters, not starting with
// ':'); pushed data may not use AWS/ namespaces.
func ValidateNamespace(ns string) error {
	if err := validName("Namespace", ns); err != nil {
		return err
	}
	if strings.HasPrefix(ns, ":") {
		return cwErr("InvalidParameterValue", "The parameter Namespace must not begin with ':'.")
	}
	return nil
}

// Validate checks a PutMetricAlarm request and applies defaults
// (TreatMissingData "missing"). Supported: one metric with a standard
// statistic and a period that is a multiple of 60 s (Vedette keeps data at
// one-minute resolution).
func (a *Alarm) Validate() error {
	if a.AlarmName == "" {
		return cwErr("MissingParameter", "The parameter AlarmName is required.")
	}
	if len(a.AlarmName) > 255 {
		return cwErr("InvalidParameterValue", "The parameter AlarmName must be at most 255 characters long.")
	}
	if len(a.AlarmDescription) > 1024 {
		return cwErr("InvalidParameterValue", "The parameter AlarmDescription must be at most 1024 characters long.")
	}
	for what, l := range map[string][]string{"OKActions": a.OKActions, "AlarmActions": a.AlarmActions, "InsufficientDataActions": a.InsufficientDataActions} {
		if len(l) > 5 {
			return cwErr("InvalidParameterValue", "The collection %s must not have more than 5 members.", what)
		}
		for _, arn := range l {
			if !strings.HasPrefix(arn, "arn:") {
				return cwErr("InvalidParameterValue", "Invalid action %q in %s: actions are ARNs.", arn, what)
			}
		}
	}
	if err := ValidateNamespace(a.Namespace); err != nil {
		return err
	}
	if err := validName("MetricName", a.MetricName); err != nil {
		return err
	}
	if err := ValidateDimensions(a.Dimensions); err != nil {
		return err
	}
	if a.Statistic == "" {
		return cwErr("MissingParameter", "The parameter Statistic is required (extended statistics and metric math are not supported).")
	}
	if !slices.Contains(Statistics, a.Statistic) {
		return cwErr("InvalidParameterValue", "Statistic %q is not one of SampleCount, Average, Sum, Minimum, Maximum.", a.Statistic)
	}
	if a.Period <= 0 {
		return cwErr("MissingParameter", "The parameter Period is required.")
	}
	if a.Period%60 != 0 {
		return cwErr("InvalidParameterValue", "Period %d is not supported: this server keeps one-minute data, so Period must be a multiple of 60.", a.Period)
	}
	if a.Period > 86400 {
		return cwErr("InvalidParameterValue", "Period must be at most 86400 seconds.")
	}
	if a.EvaluationPeriods < 1 {
		return cwErr("InvalidParameterValue", "EvaluationPeriods must be at least 1.")
	}
	if a.Period*a.EvaluationPeriods > 7*86400 {
		return cwErr("InvalidParameterValue", "Period × EvaluationPeriods must be at most one week.")
	}
	if a.DatapointsToAlarm < 0 || a.DatapointsToAlarm > a.EvaluationPeriods {
		return cwErr("InvalidParameterValue", "DatapointsToAlarm must be between 1 and EvaluationPeriods.")
	}
	switch a.ComparisonOperator {
	case CmpGreaterOrEqual, CmpGreater, CmpLess, CmpLessOrEqual:
	case "":
		return cwErr("MissingParameter", "The parameter ComparisonOperator is required.")
	default:
		return cwErr("InvalidParameterValue", "ComparisonOperator %q is not supported (anomaly detection bands are not).", a.ComparisonOperator)
	}
	if math.IsNaN(a.Threshold) || math.IsInf(a.Threshold, 0) {
		return cwErr("InvalidParameterValue", "Threshold must be a finite number.")
	}
	switch a.TreatMissingData {
	case "":
		a.TreatMissingData = MissingMissing
	case MissingBreaching, MissingNotBreaching, MissingIgnore, MissingMissing:
	default:
		return cwErr("InvalidParameterValue", "TreatMissingData %q is not one of breaching, notBreaching, ignore, missing.", a.TreatMissingData)
	}
	return nil
}

// ValidAlarmState reports whether s is OK, ALARM or INSUFFICIENT_DATA.
func ValidAlarmState(s string) bool {
	return s == AlarmStateOK || s == AlarmStateAlarm || s == AlarmStateInsufficientData
}
