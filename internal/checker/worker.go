package checker

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// work is one worker goroutine: it probes the checks the scheduler hands it
// until the scheduler closes the channel.
func (c *Checker) work(ctx context.Context, work <-chan *entry) {
	for e := range work {
		c.run(ctx, e)
	}
}

// run probes one check, puts it back on the schedule one interval after the
// probe ended, then emits the observation.
func (c *Checker) run(ctx context.Context, e *entry) {
	if ctx.Err() != nil { // stopping: the checks still buffered wait for the next Run
		c.putBack([]*entry{e})
		return
	}
	hc, ok := c.begin(e)
	if !ok {
		return
	}
	res := c.probe(ctx, hc)
	now := c.clock.Now()
	if !c.end(e, int64(now.Sub(c.epoch))) || ctx.Err() != nil {
		return
	}
	c.send(model.Observation{
		HealthCheckID: hc.ID,
		CheckerID:     c.id,
		Region:        c.region,
		SourceIP:      res.SourceIP,
		Time:          now,
		Success:       res.Success,
		Reason:        res.Reason,
		Timings:       res.Timings,
	})
}

// begin records the start of a probe of e and returns the configuration to
// probe; ok is false if e left the schedule while it waited for a worker.
func (c *Checker) begin(e *entry) (hc model.HealthCheck, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.state == leaving {
		delete(c.entries, e.hc.ID)
		c.stats.leaving--
		return hc, false
	}
	c.stats.start(time.Duration(c.now() - e.due))
	return e.hc, true
}

// end records the end, at now, of a probe of e and queues its next one. It
// reports whether e is still on the schedule.
func (c *Checker) end(e *entry, now int64) bool {
	c.mu.Lock()
	c.stats.inFlight--
	stays := c.requeue(e, now+int64(interval(e.hc)))
	first := stays && c.queue[0].e == e
	c.mu.Unlock()
	if first {
		c.poke() // the scheduler may be waiting for a later check
	}
	return stays
}

// probe runs the prober under the probe deadline; a panic becomes a failure.
func (c *Checker) probe(ctx context.Context, hc model.HealthCheck) (res Result) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("prober panicked", "healthCheckId", hc.ID, "panic", p, "stack", string(debug.Stack()))
			c.mu.Lock()
			c.stats.panics++
			c.mu.Unlock()
			res = Result{Reason: ReasonInternalError}
		}
	}()
	return c.prober.Probe(ctx, hc)
}

// send calls Emit; a panic is logged and the observation is lost.
func (c *Checker) send(o model.Observation) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("emit panicked", "healthCheckId", o.HealthCheckID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	c.emit(o)
}
