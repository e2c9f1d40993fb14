package monitor

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// Window is the data an alarm evaluation looks at: the statistic's value in
// each of the alarm's evaluation periods, oldest first. Present is false for
// a period without data.
type Window struct {
	// Start of each period, oldest first; len = EvaluationPeriods.
	Start   []time.Time
	Value   []float64
	Present []bool
	Samples []float64 // sample count per period, for StateReasonData
	// Partial reports that the newest period has not ended yet: its value
	// can only raise the alarm (see Evaluate).
	Partial bool
}

// Outcome is the result of one evaluation.
type Outcome struct {
	State      string
	Reason     string
	ReasonData string
	// Keep reports that the alarm keeps its current state (TreatMissingData
	// ignore with no data, or a partial period that proves nothing).
	Keep bool
}

// Evaluate applies an alarm's rules to a window, as CloudWatch does for
// metric alarms, with two documented differences:
//
//   - With TreatMissingData "missing", a window that has some data but fewer
//     than DatapointsToAlarm breaching periods is OK (CloudWatch may look
//     further back for more data).
//   - The newest period may be still running (Window.Partial). A partial
//     period counts only when its statistic already proves a breach that
//     more samples cannot undo (Minimum below or at a lower bound, Maximum
//     above or at an upper bound, SampleCount above); otherwise it counts as
//     not yet known. This raises an alarm as soon as the data shows it,
//     instead of at the end of the period; clearing waits for whole periods.
func Evaluate(a *model.Alarm, w Window) Outcome {
	n := len(w.Value)
	breaching, present := 0, 0
	var shown []string
	for i := range n {
		if i == n-1 && w.Partial {
			if w.Present[i] && a.Breaches(w.Value[i]) && monotone(a) {
				breaching++
				present++
				shown = append(shown, fmtPoint(w.Value[i], w.Start[i]))
			}
			continue
		}
		switch {
		case w.Present[i]:
			present++
			if a.Breaches(w.Value[i]) {
				breaching++
			}
			shown = append(shown, fmtPoint(w.Value[i], w.Start[i]))
		case a.Missing() == model.MissingBreaching:
			breaching++
			present++
		case a.Missing() == model.MissingNotBreaching:
			present++
		}
	}
	need := a.Required()
	// Complete periods only, for "fewer than M could still come".
	complete := n
	if w.Partial {
		complete--
	}
	data := reasonData(a, w)
	verb, neg := comparisonWords(a.ComparisonOperator)
	switch {
	case breaching >= need:
		return Outcome{State: model.AlarmStateAlarm, ReasonData: data,
			Reason: fmt.Sprintf("Threshold Crossed: %s %s %s the threshold (%s).", count(breaching, need, n), list(shown), verb, fmtFloat(a.Threshold))}
	case present == 0 && (complete == 0 || a.Missing() == model.MissingIgnore):
		return Outcome{Keep: true}
	case present == 0:
		return Outcome{State: model.AlarmStateInsufficientData, ReasonData: data,
			Reason: fmt.Sprintf("Insufficient Data: %d datapoint%s %s unknown.", complete, plural(complete), wasWere(complete))}
	case complete == 0:
		// Only a partial period with data that does not breach: not yet known.
		return Outcome{Keep: true}
	default:
		return Outcome{State: model.AlarmStateOK, ReasonData: data,
			Reason: fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s %s %s the threshold (%s).", present-breaching, n, list(shown), wasWere(present-breaching), neg, fmtFloat(a.Threshold))}
	}
}

// monotone reports whether more samples in a period can never undo a breach
// the period's statistic already shows.
func monotone(a *model.Alarm) bool {
	switch a.Statistic {
	case model.StatMinimum:
		return a.ComparisonOperator == model.CmpLess || a.ComparisonOperator == model.CmpLessOrEqual
	case model.StatMaximum, model.StatSampleCount:
		return a.ComparisonOperator == model.CmpGreater || a.ComparisonOperator == model.CmpGreaterOrEqual
	}
	return false
}

func comparisonWords(op string) (string, string) {
	switch op {
	case model.CmpGreaterOrEqual:
		return "was greater than or equal to", "not greater than or equal to"
	case model.CmpGreater:
		return "was greater than", "not greater than"
	case model.CmpLess:
		return "was less than", "not less than"
	default:
		return "was less than or equal to", "not less than or equal to"
	}
}

func count(breaching, need, n int) string {
	if need == 1 && n == 1 {
		return "1 datapoint"
	}
	return fmt.Sprintf("%d out of the last %d datapoints", breaching, n)
}

func list(points []string) string {
	if len(points) == 0 {
		return "[]"
	}
	return "[" + strings.Join(points, ", ") + "]"
}

func fmtPoint(v float64, t time.Time) string {
	return fmt.Sprintf("%s (%s)", fmtFloat(v), t.UTC().Format("02/01/06 15:04:05"))
}

func fmtFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// reasonData renders CloudWatch's StateReasonData JSON.
func reasonData(a *model.Alarm, w Window) string {
	type point struct {
		Timestamp   string  `json:"timestamp"`
		SampleCount float64 `json:"sampleCount"`
		Value       float64 `json:"value"`
	}
	var recent []float64
	var evaluated []point
	for i := len(w.Value) - 1; i >= 0; i-- {
		if !w.Present[i] {
			continue
		}
		recent = append(recent, w.Value[i])
		evaluated = append(evaluated, point{w.Start[i].UTC().Format("2006-01-02T15:04:05.000+0000"), w.Samples[i], w.Value[i]})
	}
	b, _ := json.Marshal(struct {
		Version             string    `json:"version"`
		Statistic           string    `json:"statistic"`
		Period              int       `json:"period"`
		RecentDatapoints    []float64 `json:"recentDatapoints"`
		Threshold           float64   `json:"threshold"`
		EvaluatedDatapoints []point   `json:"evaluatedDatapoints,omitempty"`
	}{"1.0", a.Statistic, a.Period, recent, a.Threshold, evaluated})
	return string(b)
}
