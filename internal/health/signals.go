package health

import (
	"fmt"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// SetSwitch sets a routing control ON or OFF and returns the changes of the
// RECOVERY_CONTROL checks that follow it (and of their parents). key is a
// RoutingControlArn, or the id of a RECOVERY_CONTROL check, which stands for
// that check's ARN. A switch may be set before any check follows it.
func (e *Engine) SetSwitch(key string, on bool, now time.Time) []Change {
	arn := key
	if c := e.checks[key]; c != nil && c.hc.Config.Type == model.TypeRecoveryControl {
		arn = c.hc.Config.RoutingControlArn
	}
	if on {
		delete(e.switches, arn)
	} else {
		e.switches[arn] = true
	}
	b := e.newBatch(now)
	for _, id := range sortedKeys(e.checks) {
		cfg := e.checks[id].hc.Config
		if cfg.Type == model.TypeRecoveryControl && cfg.RoutingControlArn == arn {
			e.refresh(b, id)
		}
	}
	return e.finish(b)
}

// SwitchOn reports the state of a routing control (by ARN, or by the id of a
// RECOVERY_CONTROL check); a switch never set is ON.
func (e *Engine) SwitchOn(key string) bool {
	if c := e.checks[key]; c != nil && c.hc.Config.Type == model.TypeRecoveryControl {
		key = c.hc.Config.RoutingControlArn
	}
	return !e.switches[key]
}

// AlarmState is the state of the alarm a CLOUDWATCH_METRIC check follows.
type AlarmState string

// Alarm states, as CloudWatch names them.
const (
	AlarmOK               AlarmState = "OK"
	AlarmAlarm            AlarmState = "ALARM"
	AlarmInsufficientData AlarmState = "INSUFFICIENT_DATA"
)

// Values of InsufficientDataHealthStatus.
const (
	InsufficientHealthy   = "Healthy"
	InsufficientUnhealthy = "Unhealthy"
	InsufficientLastKnown = "LastKnownStatus"
)

// SetAlarmState records the alarm state of a CLOUDWATCH_METRIC check and
// returns the changes it causes. Unknown checks, other types and unknown
// states are ignored.
func (e *Engine) SetAlarmState(id string, state AlarmState, now time.Time) []Change {
	c := e.checks[id]
	if c == nil || c.hc.Config.Type != model.TypeCloudWatchMetric {
		return nil
	}
	switch state {
	case AlarmOK:
		c.known = model.StatusHealthy
	case AlarmAlarm:
		c.known = model.StatusUnhealthy
	case AlarmInsufficientData:
	default:
		return nil
	}
	c.alarm = state
	b := e.newBatch(now)
	e.refresh(b, id)
	return e.finish(b)
}

// evalAlarm maps the alarm state to a status (reference §4.8).
func evalAlarm(c *check) (model.Status, string) {
	switch c.alarm {
	case AlarmOK:
		return model.StatusHealthy, "alarm state OK"
	case AlarmAlarm:
		return model.StatusUnhealthy, "alarm state ALARM"
	case AlarmInsufficientData:
		mode := c.hc.Config.InsufficientDataHealthStatus
		reason := fmt.Sprintf("alarm state INSUFFICIENT_DATA, InsufficientDataHealthStatus %s", mode)
		switch mode {
		case InsufficientHealthy:
			return model.StatusHealthy, reason
		case InsufficientUnhealthy:
			return model.StatusUnhealthy, reason
		}
		return c.known, "alarm state INSUFFICIENT_DATA: last known status"
	}
	return model.StatusUnknown, "no alarm state yet: initial status"
}
