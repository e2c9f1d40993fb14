package health

import (
	"fmt"

	"github.com/vedette-dns/vedette/internal/model"
)

// evaluate recomputes c's report from its data and, for CALCULATED checks,
// from its children's current effective statuses.
func (e *Engine) evaluate(c *check) {
	var computed model.Status
	var reason string
	switch t := c.hc.Config.Type; {
	case t.IsEndpoint():
		computed, reason = evalEndpoint(c)
	case t == model.TypeCalculated:
		computed, reason = e.evalCalculated(c)
	case t == model.TypeRecoveryControl:
		computed, reason = e.evalSwitch(c)
	case t == model.TypeCloudWatchMetric:
		computed, reason = evalAlarm(c)
	default:
		computed, reason = model.StatusUnknown, fmt.Sprintf("type %q is not evaluated: initial status", t)
	}
	c.report.Computed = computed
	c.report.Status, c.report.Reason = effective(c.hc.Config, computed, reason)
}

// effective applies the initial status, Disabled and Inverted, in that order
// (reference §4.6, §4.9).
func effective(cfg model.HealthCheckConfig, computed model.Status, reason string) (model.Status, string) {
	s := computed
	if s == model.StatusUnknown {
		s = model.StatusHealthy
	}
	if cfg.Disabled {
		s, reason = model.StatusHealthy, "disabled"
	}
	if cfg.Inverted {
		s, reason = flip(s), reason+"; inverted"
	}
	return s, reason
}

func flip(s model.Status) model.Status {
	if s == model.StatusHealthy {
		return model.StatusUnhealthy
	}
	return model.StatusHealthy
}

func status(healthy bool) model.Status {
	if healthy {
		return model.StatusHealthy
	}
	return model.StatusUnhealthy
}

// evalEndpoint applies the healthy-share rule to the reporting checkers.
func evalEndpoint(c *check) (model.Status, string) {
	healthy, reporting := 0, 0
	for _, k := range c.checkers {
		if k.reporting {
			reporting++
			if k.healthy {
				healthy++
			}
		}
	}
	c.report.Healthy, c.report.Total = healthy, reporting
	switch {
	case reporting > 0:
		ok := 100*healthy > 18*reporting
		return status(ok), fmt.Sprintf("%d of %d checkers healthy (%.1f %%, healthy needs more than 18 %%)",
			healthy, reporting, 100*float64(healthy)/float64(reporting))
	case c.report.Computed == model.StatusUnknown:
		return model.StatusUnknown, "no observations yet: initial status"
	default:
		return c.report.Computed, "no checker has reported recently: last status kept"
	}
}

// evalCalculated counts the children whose effective status is healthy.
func (e *Engine) evalCalculated(c *check) (model.Status, string) {
	healthy := 0
	for _, id := range c.children {
		if e.childHealthy(id) {
			healthy++
		}
	}
	threshold := 0
	if p := c.hc.Config.HealthThreshold; p != nil && *p > 0 {
		threshold = *p
	}
	c.report.Healthy, c.report.Total = healthy, len(c.children)
	return status(healthy >= threshold), fmt.Sprintf("%d of %d child health checks healthy, HealthThreshold %d",
		healthy, len(c.children), threshold)
}

// childHealthy reports whether a child counts as healthy: it exists, is not
// CALCULATED, and its effective status is healthy.
func (e *Engine) childHealthy(id string) bool {
	c := e.checks[id]
	return c != nil && !isCalculated(c) && c.report.Status == model.StatusHealthy
}

func (e *Engine) evalSwitch(c *check) (model.Status, string) {
	arn := c.hc.Config.RoutingControlArn
	if e.switches[arn] {
		return model.StatusUnhealthy, fmt.Sprintf("routing control %s is OFF", arn)
	}
	return model.StatusHealthy, fmt.Sprintf("routing control %s is ON", arn)
}
