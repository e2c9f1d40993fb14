package checker

import (
	"context"
	"slices"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// entry is one check on the schedule. Its fields are guarded by Checker.mu.
type entry struct {
	hc model.HealthCheck // the configuration the next probe uses
	// due is when the next (or current) probe is due, in nanoseconds since
	// the checker's epoch.
	due   int64
	gen   uint32 // bumped whenever the entry's slot in the queue goes stale
	state state
}

type state uint8

const (
	queued  state = iota // waiting in the queue
	running              // taken by the scheduler for a worker
	leaving              // running, but off the schedule: its result is dropped
)

// maxInterval is the longest interval, Route 53's default, in seconds.
const maxInterval = 30

// interval returns the time from the end of one probe of hc to the start of
// the next: RequestInterval seconds, at most 30; 30 when unset or negative.
func interval(hc model.HealthCheck) time.Duration {
	s := hc.Config.RequestInterval
	if s <= 0 {
		s = maxInterval
	}
	return time.Duration(min(s, maxInterval)) * time.Second
}

// wants reports whether this checker probes hc.
func (c *Checker) wants(hc model.HealthCheck) bool {
	cfg := &hc.Config
	return cfg.Type.IsEndpoint() && !cfg.Disabled &&
		(c.all || len(cfg.Regions) == 0 || slices.Contains(cfg.Regions, c.region))
}

// setChunk is how many checks Set changes per hold of the lock, so that a
// large Set does not stall the scheduler.
const setChunk = 256

// Set makes checks the whole set of checks: those it does not hold, or holds
// but this checker does not probe, leave the schedule (see Remove), the others
// are added or updated (see Upsert). A check already scheduled keeps its
// place in time. Set is not atomic: the scheduler may see part of the change
// before Set returns.
func (c *Checker) Set(checks []model.HealthCheck) {
	for chunk := range slices.Chunk(checks, setChunk) {
		c.mu.Lock()
		now := c.now()
		for _, hc := range chunk {
			c.upsert(hc, now)
		}
		c.mu.Unlock()
		c.poke()
	}
	keep := make(map[string]struct{}, len(checks))
	for _, hc := range checks {
		keep[hc.ID] = struct{}{}
	}
	var gone []string
	for _, id := range c.ids() {
		if _, ok := keep[id]; !ok {
			gone = append(gone, id)
		}
	}
	for chunk := range slices.Chunk(gone, setChunk) {
		c.mu.Lock()
		for _, id := range chunk {
			c.remove(id)
		}
		c.mu.Unlock()
	}
	c.poke()
}

// ids returns the IDs of the checks on the schedule, and of leaving ones.
func (c *Checker) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, 0, len(c.entries))
	for id := range c.entries {
		ids = append(ids, id)
	}
	return ids
}

// Upsert adds or updates one check. A check this checker does not probe
// (not an endpoint type, Disabled, or for other regions) leaves the schedule,
// as with Remove. A new check first runs at a random delay within its
// interval. For a known check, the next probe uses the new configuration: a
// probe in flight finishes, and its result is emitted; a waiting check whose
// interval shrinks runs no later than one new interval from now.
func (c *Checker) Upsert(hc model.HealthCheck) {
	c.mu.Lock()
	c.upsert(hc, c.now())
	c.mu.Unlock()
	c.poke()
}

// Remove takes the check with the given ID off the schedule. A probe of it in
// flight finishes, but its result is not emitted, unless the check is added
// back before it ends.
func (c *Checker) Remove(id string) {
	c.mu.Lock()
	c.remove(id)
	c.mu.Unlock()
	c.poke()
}

// upsert is Upsert with c.mu held; now is c.now().
func (c *Checker) upsert(hc model.HealthCheck, now int64) {
	if !c.wants(hc) {
		c.remove(hc.ID)
		return
	}
	e, ok := c.entries[hc.ID]
	if !ok {
		e = &entry{hc: hc}
		c.entries[hc.ID] = e
		c.push(e, now+c.rand.Int64N(int64(interval(hc))))
		return
	}
	e.hc = hc
	switch next := now + int64(interval(hc)); {
	case e.state == leaving:
		e.state = running
		c.stats.leaving--
	case e.state == queued && next < e.due:
		c.stale(e)
		c.push(e, next)
	}
}

// remove is Remove with c.mu held.
func (c *Checker) remove(id string) {
	e, ok := c.entries[id]
	switch {
	case !ok || e.state == leaving:
	case e.state == running:
		e.state = leaving
		c.stats.leaving++
	default:
		c.stale(e)
		delete(c.entries, id)
	}
}

// now returns the clock's time in nanoseconds since the epoch.
func (c *Checker) now() int64 { return int64(c.clock.Now().Sub(c.epoch)) }

// poke wakes the scheduler to look at the queue again.
func (c *Checker) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// batch is the most due checks the scheduler takes from the queue per hold
// of the lock.
const batch = 128

// schedule is the scheduler goroutine: it sleeps until the soonest check is
// due, then hands the due checks to the workers, until ctx ends.
func (c *Checker) schedule(ctx context.Context, work chan<- *entry) {
	timer := c.clock.NewTimer(time.Hour)
	timer.Stop()
	buf := make([]*entry, 0, batch)
	var ready []*entry // taken from the queue, not yet by a worker
	for {
		var wait time.Duration
		if len(ready) == 0 {
			ready, wait = c.take(buf)
		}
		var offer chan<- *entry
		var first *entry
		var fired <-chan time.Time
		if len(ready) > 0 {
			offer, first = work, ready[0]
		} else if wait > 0 {
			timer.Reset(wait)
			fired = timer.C()
		}
		select {
		case offer <- first:
			ready = ready[1:]
		case <-fired:
		case <-c.wake:
		case <-ctx.Done():
			timer.Stop()
			c.putBack(ready)
			return
		}
		timer.Stop()
	}
}

// take moves up to batch due checks from the queue to ready[:0], marks them
// running and returns ready. When none is due, it also returns how long until
// one is, or 0 when the queue is empty.
func (c *Checker) take(ready []*entry) ([]*entry, time.Duration) {
	ready = ready[:0]
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for len(c.queue) > 0 && len(ready) < batch {
		s := c.queue[0]
		if s.gen == s.e.gen && s.due > now {
			break
		}
		c.queue.pop()
		if s.gen != s.e.gen {
			c.stats.stale--
			continue
		}
		s.e.state = running
		ready = append(ready, s.e)
	}
	if len(ready) > 0 || len(c.queue) == 0 {
		return ready, 0
	}
	return ready, time.Duration(c.queue[0].due - now)
}

// putBack returns checks the workers never took to the queue.
func (c *Checker) putBack(ready []*entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range ready {
		c.requeue(e, e.due)
	}
}

// requeue puts a running entry back in the queue, due at due, or deletes it
// if it is leaving. It reports whether the entry stays. c.mu is held.
func (c *Checker) requeue(e *entry, due int64) bool {
	if e.state == leaving {
		delete(c.entries, e.hc.ID)
		c.stats.leaving--
		return false
	}
	c.push(e, due)
	return true
}

// push queues e, due at due. c.mu is held.
func (c *Checker) push(e *entry, due int64) {
	e.due, e.state = due, queued
	c.queue.push(slot{due: due, gen: e.gen, e: e})
}

// minCompact is the fewest stale slots worth rebuilding the queue for.
const minCompact = 1024

// stale leaves e's slot in the queue, to be skipped when it comes up; when
// more than half the queue is stale, it is rebuilt. c.mu is held.
func (c *Checker) stale(e *entry) {
	e.gen++
	c.stats.stale++
	if c.stats.stale > len(c.queue)/2 && c.stats.stale >= minCompact {
		c.queue = slices.DeleteFunc(c.queue, func(s slot) bool { return s.gen != s.e.gen })
		c.queue.init()
		c.stats.stale = 0
	}
}
