package health

import (
	"slices"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// Defaults used when a configuration leaves a field unset (reference §3.2).
const (
	defaultFailureThreshold = 3
	defaultRequestInterval  = 30 * time.Second
	// staleGrace is added to 3 × RequestInterval: room for a slow probe
	// (up to 10 s for TCP) and a little clock skew between nodes.
	staleGrace = 10 * time.Second
)

// CheckerState is one checker's view of one endpoint check, for
// GetHealthCheckStatus.
type CheckerState struct {
	CheckerID string
	Region    string
	SourceIP  string
	// LastObservation is the checker's latest result.
	LastObservation model.Observation
	// Healthy is the checker's view after FailureThreshold.
	Healthy bool
	// Reporting is false once the checker has been silent longer than
	// StaleAfter; it then does not count toward the check's status.
	Reporting bool
}

// checker is the state one checker has for one check.
type checker struct {
	last        model.Observation
	lastFailure model.Observation
	failed      bool // lastFailure is set
	healthy     bool // the view after FailureThreshold
	streak      int  // consecutive results that disagree with healthy
	reporting   bool
}

// fold applies one result: the view flips after threshold consecutive
// results that disagree with it; a result that agrees resets the count.
func (k *checker) fold(o model.Observation, threshold int) {
	k.last, k.reporting = o, true
	if !o.Success {
		k.lastFailure, k.failed = o, true
	}
	if o.Success == k.healthy {
		k.streak = 0
		return
	}
	k.streak++
	if k.streak >= threshold {
		k.healthy, k.streak = o.Success, 0
	}
}

// Observe folds one probe result into the state of its checker and returns
// the status changes it causes: of the observed check and of the CALCULATED
// checks that list it. Observations of unknown, disabled or non-endpoint
// checks are ignored, and so is an observation older than the checker's
// latest one (results arriving out of order).
func (e *Engine) Observe(o model.Observation) []Change {
	c := e.checks[o.HealthCheckID]
	if c == nil || !c.hc.Config.Type.IsEndpoint() || c.hc.Config.Disabled {
		return nil
	}
	k := c.checkers[o.CheckerID]
	if k == nil {
		k = &checker{healthy: true}
		c.checkers[o.CheckerID] = k
	} else if o.Time.Before(k.last.Time) {
		return nil
	}
	k.fold(o, failureThreshold(c.hc.Config))
	b := e.newBatch(o.Time)
	e.refresh(b, o.HealthCheckID)
	return e.finish(b)
}

// Expire takes every checker that has been silent for longer than
// StaleAfter out of the healthy share, and returns the resulting changes.
// Call it about once a second.
func (e *Engine) Expire(now time.Time) []Change {
	var expired []string
	for id, c := range e.checks {
		if c.expire(now) {
			expired = append(expired, id)
		}
	}
	slices.Sort(expired)
	b := e.newBatch(now)
	for _, id := range expired {
		e.refresh(b, id)
	}
	return e.finish(b)
}

func (c *check) expire(now time.Time) bool {
	limit := StaleAfter(c.hc.Config)
	changed := false
	for _, k := range c.checkers {
		if k.reporting && now.Sub(k.last.Time) > limit {
			k.reporting, changed = false, true
		}
	}
	return changed
}

// StaleAfter is how long a checker may stay silent and still count as
// reporting for a check: 3 × RequestInterval + 10 s (RequestInterval 30 s
// when unset), so 100 s by default and 40 s at 10 s intervals.
func StaleAfter(cfg model.HealthCheckConfig) time.Duration {
	interval := time.Duration(cfg.RequestInterval) * time.Second
	if interval <= 0 {
		interval = defaultRequestInterval
	}
	return 3*interval + staleGrace
}

func failureThreshold(cfg model.HealthCheckConfig) int {
	if cfg.FailureThreshold < 1 {
		return defaultFailureThreshold
	}
	return cfg.FailureThreshold
}

// Checkers returns every checker's view of an endpoint check, sorted by
// CheckerID, expired checkers included; nil for an unknown check or one that
// has no observations.
func (e *Engine) Checkers(id string) []CheckerState {
	c := e.checks[id]
	if c == nil {
		return nil
	}
	var out []CheckerState
	for cid, k := range c.checkers {
		out = append(out, CheckerState{
			CheckerID:       cid,
			Region:          k.last.Region,
			SourceIP:        k.last.SourceIP,
			LastObservation: k.last,
			Healthy:         k.healthy,
			Reporting:       k.reporting,
		})
	}
	slices.SortFunc(out, func(a, b CheckerState) int { return strings.Compare(a.CheckerID, b.CheckerID) })
	return out
}

// LastFailure returns, for each checker that has ever seen the check fail,
// its most recent failed observation, sorted by CheckerID (for
// GetHealthCheckLastFailureReason).
func (e *Engine) LastFailure(id string) []model.Observation {
	c := e.checks[id]
	if c == nil {
		return nil
	}
	var out []model.Observation
	for _, k := range c.checkers {
		if k.failed {
			out = append(out, k.lastFailure)
		}
	}
	slices.SortFunc(out, func(a, b model.Observation) int { return strings.Compare(a.CheckerID, b.CheckerID) })
	return out
}
