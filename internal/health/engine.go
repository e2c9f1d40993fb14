package health

import (
	"slices"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// Change is one status change of one health check: an event for history,
// metrics and notifications.
type Change struct {
	ID   string
	From model.Status // StatusUnknown when the check was just created
	To   model.Status // StatusUnknown when the check was removed
	At   time.Time
	// Reason says why the check has its new status, e.g.
	// "1 of 6 checkers healthy (16.7 %, healthy needs more than 18 %)".
	Reason string
}

// Report is the current status of one health check.
type Report struct {
	// Status is the effective status, what DNS answers with: after Disabled
	// and Inverted.
	Status model.Status
	// Computed is the status the check's type computes, before Disabled and
	// Inverted; StatusUnknown while the check has no data (initial status).
	Computed model.Status
	Reason   string
	// Since is when Status last changed (or the check was created).
	Since time.Time
	// Healthy of Total: reporting checkers that see the endpoint healthy
	// (endpoint checks), healthy children of distinct children (CALCULATED).
	Healthy, Total int
}

// Engine holds every health check's state. It is not safe for concurrent
// use: one goroutine owns it and feeds it configuration, observations,
// switch positions, alarm states and the time; Views it returns may be
// shared freely.
type Engine struct {
	checks map[string]*check
	// parents maps a child id to the sorted ids of the CALCULATED checks that
	// list it; the child need not exist.
	parents map[string][]string
	// switches holds routing controls that are OFF; absent means ON.
	switches map[string]bool
	epoch    uint64
	view     *View
}

// check is one health check's configuration and state.
type check struct {
	hc       model.HealthCheck
	children []string            // distinct ChildHealthChecks (CALCULATED)
	checkers map[string]*checker // by CheckerID (endpoint types)
	alarm    AlarmState          // CLOUDWATCH_METRIC
	known    model.Status        // alarm: status when data was last sufficient
	report   Report
}

// NewEngine returns an engine with no health checks.
func NewEngine() *Engine {
	return &Engine{
		checks:   map[string]*check{},
		parents:  map[string][]string{},
		switches: map[string]bool{},
	}
}

// SetChecks replaces the whole configuration with checks (when ids repeat,
// the last wins) and re-evaluates every check. Checks that keep their type
// keep their state.
func (e *Engine) SetChecks(checks []model.HealthCheck, now time.Time) []Change {
	b := e.newBatch(now)
	want := make(map[string]model.HealthCheck, len(checks))
	for _, hc := range checks {
		want[hc.ID] = hc
	}
	for _, id := range sortedKeys(e.checks) {
		if _, ok := want[id]; !ok {
			e.drop(b, id)
		}
	}
	for _, id := range sortedKeys(want) {
		e.install(b, want[id])
	}
	// Children first: a parent reads its children's effective statuses.
	ids := sortedKeys(e.checks)
	for _, calculated := range []bool{false, true} {
		for _, id := range ids {
			if c := e.checks[id]; isCalculated(c) == calculated {
				e.evaluate(c)
			}
		}
	}
	return e.finish(b)
}

// Upsert creates or replaces one health check and re-evaluates it and its
// parents. A changed FailureThreshold applies from the next observation on,
// counting the consecutive results already seen.
func (e *Engine) Upsert(hc model.HealthCheck, now time.Time) []Change {
	b := e.newBatch(now)
	e.install(b, hc)
	e.refresh(b, hc.ID)
	return e.finish(b)
}

// Remove deletes one health check; its parents re-evaluate (a missing child
// counts unhealthy).
func (e *Engine) Remove(id string, now time.Time) []Change {
	if e.checks[id] == nil {
		return nil
	}
	b := e.newBatch(now)
	e.drop(b, id)
	e.refreshParents(b, id)
	return e.finish(b)
}

// Status returns the current status of one health check.
func (e *Engine) Status(id string) (Report, bool) {
	c := e.checks[id]
	if c == nil {
		return Report{}, false
	}
	return c.report, true
}

// install stores hc, keeping the runtime state of a check whose type is
// unchanged. It does not evaluate.
func (e *Engine) install(b *batch, hc model.HealthCheck) {
	e.touch(b, hc.ID)
	c := e.checks[hc.ID]
	if c == nil || c.hc.Config.Type != hc.Config.Type {
		if c != nil {
			e.unindex(c)
		}
		c = &check{checkers: map[string]*checker{}}
		e.checks[hc.ID] = c
	} else {
		e.unindex(c)
		if c.hc.Config.Disabled && !hc.Config.Disabled {
			// Enabled again: the probe data is stale, start over.
			c.checkers = map[string]*checker{}
			c.report.Computed = model.StatusUnknown
		}
	}
	c.hc = hc
	c.children = distinct(hc.Config.ChildHealthChecks)
	e.index(c)
}

// drop deletes a check without evaluating anything.
func (e *Engine) drop(b *batch, id string) {
	e.touch(b, id)
	e.unindex(e.checks[id])
	delete(e.checks, id)
}

// refresh re-evaluates one check and the checks that list it as a child.
func (e *Engine) refresh(b *batch, id string) {
	e.touch(b, id)
	if c := e.checks[id]; c != nil {
		e.evaluate(c)
		e.refreshParents(b, id)
	}
}

// refreshParents re-evaluates the CALCULATED checks that list id. It goes
// one level only: a CALCULATED check counts as an unhealthy child whatever
// its status, so nothing above a parent depends on the parent's status.
func (e *Engine) refreshParents(b *batch, id string) {
	for _, p := range e.parents[id] {
		e.touch(b, p)
		e.evaluate(e.checks[p])
	}
}

func (e *Engine) index(c *check) {
	if !isCalculated(c) {
		return
	}
	for _, child := range c.children {
		ps := e.parents[child]
		if i, found := slices.BinarySearch(ps, c.hc.ID); !found {
			e.parents[child] = slices.Insert(ps, i, c.hc.ID)
		}
	}
}

func (e *Engine) unindex(c *check) {
	if !isCalculated(c) {
		return
	}
	for _, child := range c.children {
		ps := e.parents[child]
		if i, found := slices.BinarySearch(ps, c.hc.ID); found {
			ps = slices.Delete(ps, i, i+1)
		}
		if len(ps) == 0 {
			delete(e.parents, child)
		} else {
			e.parents[child] = ps
		}
	}
}

func isCalculated(c *check) bool {
	return c != nil && c.hc.Config.Type == model.TypeCalculated
}

func distinct(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Each calls fn for every health check with its configuration and report,
// in no particular order (for metrics and history sampling).
func (e *Engine) Each(fn func(hc model.HealthCheck, r Report)) {
	for _, c := range e.checks {
		fn(c.hc, c.report)
	}
}

// Lookup returns one health check's configuration and report.
func (e *Engine) Lookup(id string) (model.HealthCheck, Report, bool) {
	c := e.checks[id]
	if c == nil {
		return model.HealthCheck{}, Report{}, false
	}
	return c.hc, c.report, true
}
