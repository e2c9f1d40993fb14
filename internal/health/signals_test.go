package health_test

import (
	"testing"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

func TestRecoveryControl(t *testing.T) {
	const arn = "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/def"
	for _, h := range []history{{
		name:   "OFF is unhealthy, ON is healthy, by ARN or by check id",
		checks: []model.HealthCheck{recovery("hc", arn)},
		steps: []step{
			{at: 10 * s, do: setSwitch(arn, false), want: U, events: []string{"hc Healthy→Unhealthy"}, reason: "routing control " + arn + " is OFF"},
			{at: 11 * s, do: setSwitch(arn, false), want: U},
			{at: 20 * s, do: setSwitch("hc", true), want: H, events: []string{"hc Unhealthy→Healthy"}},
			{at: 30 * s, do: setSwitch("hc", false), want: U, events: []string{"hc Healthy→Unhealthy"}},
		},
	}, {
		name:   "checks that share an ARN follow one switch",
		checks: []model.HealthCheck{recovery("hc", arn), recovery("twin", arn), recovery("other", "arn:other")},
		steps: []step{
			{at: 10 * s, do: setSwitch("twin", false), want: U, events: []string{"hc Healthy→Unhealthy", "twin Healthy→Unhealthy"}},
		},
	}, {
		name:   "a switch set before its check exists",
		checks: nil,
		steps: []step{
			{at: 10 * s, do: setSwitch(arn, false), want: model.StatusUnknown},
			{at: 20 * s, do: upsert(recovery("hc", arn)), want: U, events: []string{"hc Unknown→Unhealthy"}},
		},
	}, {
		name:   "inverted follows the switch the other way",
		checks: []model.HealthCheck{recovery("hc", arn, inverted)},
		steps: []step{
			{at: 10 * s, do: setSwitch(arn, false), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "a disabled routing-control check stays healthy",
		checks: []model.HealthCheck{recovery("hc", arn, disabled)},
		steps: []step{
			{at: 10 * s, do: setSwitch(arn, false), want: H},
			{at: 20 * s, do: upsert(recovery("hc", arn)), want: U, events: []string{"hc Healthy→Unhealthy"}},
		},
	}} {
		run(t, h)
	}
}

func TestSwitchOn(t *testing.T) {
	e := health.NewEngine()
	e.SetChecks([]model.HealthCheck{recovery("hc", "arn:a")}, t0)
	if !e.SwitchOn("arn:a") || !e.SwitchOn("hc") || !e.SwitchOn("arn:never-set") {
		t.Error("a switch never set is not ON")
	}
	e.SetSwitch("arn:a", false, t0)
	if e.SwitchOn("arn:a") || e.SwitchOn("hc") {
		t.Error("switch still ON")
	}
}

func TestAlarm(t *testing.T) {
	for _, h := range []history{{
		name:   "OK is healthy, ALARM unhealthy; insufficient data keeps the last known status",
		checks: []model.HealthCheck{cloudwatch("hc")},
		steps: []step{
			{at: 10 * s, do: alarm("hc", health.AlarmAlarm), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 20 * s, do: alarm("hc", health.AlarmInsufficientData), want: U, reason: "alarm state INSUFFICIENT_DATA: last known status"},
			{at: 30 * s, do: alarm("hc", health.AlarmOK), want: H, events: []string{"hc Unhealthy→Healthy"}},
			{at: 40 * s, do: alarm("hc", "BOGUS"), want: H},
		},
	}, {
		name:   "insufficient data with no history is healthy",
		checks: []model.HealthCheck{cloudwatch("hc", insufficient(health.InsufficientLastKnown), inverted)},
		steps:  []step{{at: 10 * s, do: alarm("hc", health.AlarmInsufficientData), want: U}},
	}, {
		name:   "insufficient data as Unhealthy",
		checks: []model.HealthCheck{cloudwatch("hc", insufficient(health.InsufficientUnhealthy))},
		steps: []step{
			{at: 10 * s, do: alarm("hc", health.AlarmInsufficientData), want: U, events: []string{"hc Healthy→Unhealthy"}},
		},
	}, {
		name:   "insufficient data as Healthy",
		checks: []model.HealthCheck{cloudwatch("hc", insufficient(health.InsufficientHealthy))},
		steps: []step{
			{at: 10 * s, do: alarm("hc", health.AlarmAlarm), want: U, events: []string{"hc Healthy→Unhealthy"}},
			{at: 20 * s, do: alarm("hc", health.AlarmInsufficientData), want: H, events: []string{"hc Unhealthy→Healthy"}},
		},
	}, {
		name:   "alarm states of other checks are ignored",
		checks: []model.HealthCheck{endpoint("hc")},
		steps:  []step{{at: 10 * s, do: alarm("hc", health.AlarmAlarm), want: H}},
	}} {
		run(t, h)
	}
}
