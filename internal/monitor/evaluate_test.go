package monitor

import (
	"strings"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

func TestEvaluate(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	win := func(partial bool, vals ...any) Window {
		w := Window{Partial: partial}
		for i, v := range vals {
			w.Start = append(w.Start, t0.Add(time.Duration(i)*time.Minute))
			f, ok := v.(float64)
			w.Value, w.Present, w.Samples = append(w.Value, f), append(w.Present, ok), append(w.Samples, 1)
		}
		return w
	}
	statusAlarm := func(mut ...func(*model.Alarm)) *model.Alarm {
		a := &model.Alarm{AlarmName: "a", Namespace: "AWS/Route53", MetricName: "HealthCheckStatus", Statistic: "Minimum",
			Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: model.CmpLess}
		for _, f := range mut {
			f(a)
		}
		return a
	}
	three := func(m int, missing string) func(*model.Alarm) {
		return func(a *model.Alarm) { a.EvaluationPeriods, a.DatapointsToAlarm, a.TreatMissingData = 3, m, missing }
	}
	cases := []struct {
		name   string
		alarm  *model.Alarm
		w      Window
		want   string // "" = keep
		reason string // substring
	}{
		{"breach", statusAlarm(), win(false, 0.0), "ALARM", "1 datapoint [0.0 (23/11/26 10:00:00)] was less than the threshold (1.0)"},
		{"no breach", statusAlarm(), win(false, 1.0), "OK", "was not less than the threshold (1.0)"},
		{"missing → insufficient", statusAlarm(), win(false, nil), "INSUFFICIENT_DATA", "Insufficient Data: 1 datapoint was unknown."},
		{"missing breaching", statusAlarm(func(a *model.Alarm) { a.TreatMissingData = model.MissingBreaching }), win(false, nil), "ALARM", "Threshold Crossed"},
		{"missing notBreaching", statusAlarm(func(a *model.Alarm) { a.TreatMissingData = model.MissingNotBreaching }), win(false, nil), "OK", ""},
		{"missing ignore keeps", statusAlarm(func(a *model.Alarm) { a.TreatMissingData = model.MissingIgnore }), win(false, nil), "", ""},
		{"2 of 3 breach", statusAlarm(three(2, "")), win(false, 0.0, 1.0, 0.0), "ALARM", "2 out of the last 3 datapoints"},
		{"1 of 3 breach, need 2", statusAlarm(three(2, "")), win(false, 0.0, 1.0, 1.0), "OK", ""},
		{"3 of 3 need all", statusAlarm(three(3, "")), win(false, 0.0, 0.0, 1.0), "OK", ""},
		{"gaps count as breaching", statusAlarm(three(2, model.MissingBreaching)), win(false, nil, 1.0, nil), "ALARM", ""},
		{"partial minimum breach raises early", statusAlarm(), win(true, 0.0), "ALARM", ""},
		{"partial without breach proves nothing", statusAlarm(), win(true, 1.0), "", ""},
		{"partial average never early", statusAlarm(func(a *model.Alarm) { a.Statistic = "Average" }), win(true, 0.0), "", ""},
		{"partial maximum above raises", statusAlarm(func(a *model.Alarm) {
			a.Statistic, a.ComparisonOperator, a.Threshold = "Maximum", model.CmpGreater, 5
		}), win(true, 9.0), "ALARM", "was greater than the threshold (5.0)"},
		{"ge boundary", statusAlarm(func(a *model.Alarm) {
			a.Statistic, a.ComparisonOperator, a.Threshold = "Average", model.CmpGreaterOrEqual, 5
		}), win(false, 5.0), "ALARM", "greater than or equal"},
		{"le boundary", statusAlarm(func(a *model.Alarm) { a.ComparisonOperator = model.CmpLessOrEqual }), win(false, 1.0), "ALARM", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := Evaluate(c.alarm, c.w)
			if c.want == "" {
				if !out.Keep {
					t.Fatalf("got %+v, want keep", out)
				}
				return
			}
			if out.Keep || out.State != c.want {
				t.Fatalf("got %+v, want %s", out, c.want)
			}
			if !strings.Contains(out.Reason, c.reason) {
				t.Fatalf("reason %q does not contain %q", out.Reason, c.reason)
			}
			if !strings.HasPrefix(out.ReasonData, `{"version":"1.0"`) {
				t.Fatalf("reason data %q", out.ReasonData)
			}
		})
	}
}
