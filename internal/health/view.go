package health

import (
	"iter"
	"maps"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// View is an immutable snapshot of every health check's effective status,
// safe to share across goroutines. A nil *View is empty, at epoch 0.
type View struct {
	epoch    uint64
	statuses map[string]model.Status
}

// Epoch returns a number that grows whenever a status changes, a check is
// created or a check is removed; equal epochs from one Engine mean equal
// Views.
func (v *View) Epoch() uint64 {
	if v == nil {
		return 0
	}
	return v.epoch
}

// Status returns the effective status of a health check; false when the view
// does not know the id.
func (v *View) Status(id string) (model.Status, bool) {
	if v == nil {
		return model.StatusUnknown, false
	}
	s, ok := v.statuses[id]
	return s, ok
}

// Len returns the number of health checks in the view.
func (v *View) Len() int {
	if v == nil {
		return 0
	}
	return len(v.statuses)
}

// All yields every health check id and status, in no particular order.
func (v *View) All() iter.Seq2[string, model.Status] {
	if v == nil {
		return func(func(string, model.Status) bool) {}
	}
	return maps.All(v.statuses)
}

// View returns the current statuses. It builds a new View only after a
// status changed; otherwise it returns the previous one.
func (e *Engine) View() *View {
	if e.view != nil && e.view.epoch == e.epoch {
		return e.view
	}
	statuses := make(map[string]model.Status, len(e.checks))
	for id, c := range e.checks {
		statuses[id] = c.report.Status
	}
	e.view = &View{epoch: e.epoch, statuses: statuses}
	return e.view
}

// batch collects the checks one call touches and their statuses before it,
// so that the call reports one Change per check however often the check was
// re-evaluated on the way.
type batch struct {
	at     time.Time
	before map[string]model.Status
	order  []string
}

func (e *Engine) newBatch(at time.Time) *batch {
	return &batch{at: at, before: map[string]model.Status{}}
}

func (e *Engine) touch(b *batch, id string) {
	if _, seen := b.before[id]; seen {
		return
	}
	s := model.StatusUnknown
	if c := e.checks[id]; c != nil {
		s = c.report.Status
	}
	b.before[id] = s
	b.order = append(b.order, id)
}

// finish turns the batch into Changes and moves the epoch when there are any.
func (e *Engine) finish(b *batch) []Change {
	var changes []Change
	for _, id := range b.order {
		ch := Change{ID: id, From: b.before[id], At: b.at, Reason: "health check deleted"}
		if c := e.checks[id]; c != nil {
			ch.To, ch.Reason = c.report.Status, c.report.Reason
		}
		if ch.From == ch.To {
			continue
		}
		if c := e.checks[id]; c != nil {
			c.report.Since = b.at
		}
		changes = append(changes, ch)
	}
	if len(changes) > 0 {
		e.epoch++
	}
	return changes
}
