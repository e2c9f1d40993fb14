// Package healthfeed owns running health checks inside a node: it follows the
// health-check configuration and routing-control switches in the store, keeps
// the checker's schedule and the health engine in step with them, folds the
// checker's observations into the engine, publishes the health view, and
// answers status queries for the API.
package healthfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
)

// Scheduler is the part of the checker the feed drives.
type Scheduler interface {
	Set(checks []model.HealthCheck)
	Upsert(hc model.HealthCheck)
	Remove(id string)
}

// Options configure a Feed. Every field's comment states its default.
type Options struct {
	// Store holds the configuration. Required.
	Store store.Store
	// Scheduler receives the checks to probe. Required.
	Scheduler Scheduler
	// Now is the clock used to time configuration changes and expiry. Default time.Now.
	Now func() time.Time
	// OnView receives every new health view (for DNS). Default: none.
	OnView func(*health.View)
	// OnChange receives every status change. Default: logged only.
	OnChange func(health.Change)
	// OnObserve receives every observation after the engine took it, with
	// the check's configuration and report as they now are (for history and
	// metrics). Default: none.
	OnObserve func(o model.Observation, hc model.HealthCheck, r health.Report)
	// AlarmState returns the evaluated state of the named alarm (OK, ALARM,
	// INSUFFICIENT_DATA) for CLOUDWATCH_METRIC checks; false when there is
	// no such alarm. Default: none (such checks keep the initial status
	// until SetAlarm).
	AlarmState func(name string) (string, bool)
	// Logger. Default slog.Default().
	Logger *slog.Logger
}

// Feed runs the health engine of one node.
type Feed struct {
	opts Options
	log  *slog.Logger

	mu     sync.Mutex // guards engine
	engine *health.Engine
}

// New returns a Feed; Run starts it.
func New(opts Options) *Feed {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Feed{opts: opts, log: opts.Logger, engine: health.NewEngine()}
}

// Run loads the configuration, then follows the store until ctx ends. Stale
// checkers are expired once a second.
func (f *Feed) Run(ctx context.Context) error {
	for {
		rev, err := f.load(ctx)
		if err != nil {
			return err
		}
		err = f.follow(ctx, rev+1)
		if errors.Is(err, store.ErrCompacted) {
			f.log.Warn("health feed fell behind the store's history; reloading")
			continue
		}
		return err
	}
}

func (f *Feed) load(ctx context.Context) (int64, error) {
	kvs, rev, err := f.opts.Store.Range(ctx, catalog.HealthChecksPrefix)
	if err != nil {
		return 0, fmt.Errorf("load health checks: %w", err)
	}
	sw, _, err := f.opts.Store.Range(ctx, catalog.SwitchesPrefix)
	if err != nil {
		return 0, fmt.Errorf("load switches: %w", err)
	}
	checks := make([]model.HealthCheck, 0, len(kvs))
	for _, kv := range kvs {
		var hc model.HealthCheck
		if err := json.Unmarshal(kv.Value, &hc); err != nil {
			f.log.Error("undecodable health check in store", "key", kv.Key, "err", err)
			continue
		}
		checks = append(checks, hc)
	}
	f.locked(func(e *health.Engine, now time.Time) []health.Change {
		var changes []health.Change
		for _, kv := range sw {
			changes = append(changes, e.SetSwitch(strings.TrimPrefix(kv.Key, catalog.SwitchesPrefix), string(kv.Value) == catalog.SwitchOn, now)...)
		}
		changes = append(changes, e.SetChecks(checks, now)...)
		for _, hc := range checks {
			changes = append(changes, f.alarmChanges(e, hc, now)...)
		}
		return changes
	})
	f.opts.Scheduler.Set(checks)
	f.log.Info("health checks loaded", "checks", len(checks), "revision", rev)
	return rev, nil
}

func (f *Feed) follow(ctx context.Context, from int64) error {
	events := f.opts.Store.Watch(ctx, "", from)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case resp, ok := <-events:
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return store.ErrClosed
			}
			if resp.Err != nil {
				return resp.Err
			}
			for _, ev := range resp.Events {
				f.apply(ev)
			}
		case <-tick.C:
			f.locked(func(e *health.Engine, now time.Time) []health.Change { return e.Expire(now) })
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// apply folds one store event into the engine and the scheduler.
func (f *Feed) apply(ev store.Event) {
	key := ev.KV.Key
	switch {
	case strings.HasPrefix(key, catalog.HealthChecksPrefix):
		id := strings.TrimPrefix(key, catalog.HealthChecksPrefix)
		if ev.Type == store.EventDelete {
			f.opts.Scheduler.Remove(id)
			f.locked(func(e *health.Engine, now time.Time) []health.Change { return e.Remove(id, now) })
			return
		}
		var hc model.HealthCheck
		if err := json.Unmarshal(ev.KV.Value, &hc); err != nil {
			f.log.Error("undecodable health check in store", "key", key, "err", err)
			return
		}
		f.opts.Scheduler.Upsert(hc)
		f.locked(func(e *health.Engine, now time.Time) []health.Change {
			return append(e.Upsert(hc, now), f.alarmChanges(e, hc, now)...)
		})
	case strings.HasPrefix(key, catalog.SwitchesPrefix):
		arn := strings.TrimPrefix(key, catalog.SwitchesPrefix)
		on := ev.Type == store.EventDelete || string(ev.KV.Value) == catalog.SwitchOn
		f.locked(func(e *health.Engine, now time.Time) []health.Change { return e.SetSwitch(arn, on, now) })
	}
}

// locked runs fn on the engine and publishes what changed.
func (f *Feed) locked(fn func(e *health.Engine, now time.Time) []health.Change) {
	f.mu.Lock()
	changes := fn(f.engine, f.opts.Now())
	var view *health.View
	if len(changes) > 0 {
		view = f.engine.View()
	}
	f.mu.Unlock()
	for _, c := range changes {
		if c.From != model.StatusUnknown && c.To != model.StatusUnknown {
			f.log.Info("health check status changed", "health_check", c.ID, "from", c.From, "to", c.To, "reason", c.Reason)
		}
		if f.opts.OnChange != nil {
			f.opts.OnChange(c)
		}
	}
	if view != nil && f.opts.OnView != nil {
		f.opts.OnView(view)
	}
}

// Observe folds one observation into the engine (the checker's Emit) and
// hands it on to OnObserve, one lock for both.
func (f *Feed) Observe(o model.Observation) {
	var (
		hc    model.HealthCheck
		r     health.Report
		known bool
	)
	f.locked(func(e *health.Engine, _ time.Time) []health.Change {
		changes := e.Observe(o)
		if f.opts.OnObserve != nil {
			hc, r, known = e.Lookup(o.HealthCheckID)
		}
		return changes
	})
	if known {
		f.opts.OnObserve(o, hc, r) // outside the lock: it may take its own
	}
}

// Observations returns each reporting checker's latest observation.
func (f *Feed) Observations(id string) []model.Observation {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []model.Observation
	for _, c := range f.engine.Checkers(id) {
		if c.Reporting { // a checker silent past StaleAfter has aged out
			out = append(out, c.LastObservation)
		}
	}
	return out
}

// LastFailures returns each checker's latest failed observation.
func (f *Feed) LastFailures(id string) []model.Observation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.engine.LastFailure(id)
}

// Status returns a check's current report.
func (f *Feed) Status(id string) (health.Report, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.engine.Status(id)
}

// View returns the current health view.
func (f *Feed) View() *health.View {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.engine.View()
}

// alarmChanges gives a CLOUDWATCH_METRIC check the current state of its alarm.
func (f *Feed) alarmChanges(e *health.Engine, hc model.HealthCheck, now time.Time) []health.Change {
	ai := hc.Config.AlarmIdentifier
	if hc.Config.Type != model.TypeCloudWatchMetric || ai == nil || f.opts.AlarmState == nil {
		return nil
	}
	st, ok := f.opts.AlarmState(ai.Name)
	if !ok {
		st = string(health.AlarmInsufficientData) // the alarm was deleted
	}
	return e.SetAlarmState(hc.ID, health.AlarmState(st), now)
}

// SetAlarm records a new evaluated state of the named alarm in every
// CLOUDWATCH_METRIC check that follows it.
func (f *Feed) SetAlarm(name, state string) {
	f.locked(func(e *health.Engine, now time.Time) []health.Change {
		var ids []string
		e.Each(func(hc model.HealthCheck, _ health.Report) {
			if ai := hc.Config.AlarmIdentifier; hc.Config.Type == model.TypeCloudWatchMetric && ai != nil && ai.Name == name {
				ids = append(ids, hc.ID)
			}
		})
		sort.Strings(ids)
		var changes []health.Change
		for _, id := range ids {
			changes = append(changes, e.SetAlarmState(id, health.AlarmState(state), now)...)
		}
		return changes
	})
}

// Each calls fn for every health check with its configuration and report,
// holding the feed's lock: fn must be quick and must not call the feed.
func (f *Feed) Each(fn func(hc model.HealthCheck, r health.Report)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.engine.Each(fn)
}

// Lookup returns one health check's configuration and report.
func (f *Feed) Lookup(id string) (model.HealthCheck, health.Report, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.engine.Lookup(id)
}
