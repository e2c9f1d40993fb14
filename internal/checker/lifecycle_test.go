package checker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/model"
)

func TestRemoveWhileWaitingForAWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		h := start(t, checker.Options{Prober: g, Concurrency: 1})
		h.c.Set([]model.HealthCheck{check("a", 10), check("b", 10), check("c", 10)})
		h.advance(10 * time.Second) // one probe runs, two checks wait for the worker
		first := g.probed[0].ID
		for _, id := range []string{"a", "b", "c"} {
			if id != first {
				h.c.Remove(id)
			}
		}
		g.open()
		h.expect(first)
		if g.started() != 1 {
			t.Errorf("probes started: %d, want 1: removed checks were probed", g.started())
		}
		if s := h.c.Stats(); s.Scheduled != 1 || s.InFlight != 0 {
			t.Errorf("Stats: Scheduled %d, InFlight %d; want 1, 0", s.Scheduled, s.InFlight)
		}
	})
}

func TestRunAgainResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		clk := clock.NewFake(t0)
		obs := make(chan model.Observation, 10)
		c, err := checker.New(checker.Options{CheckerID: "c", Clock: clk, Prober: g, Concurrency: 1,
			Emit: func(o model.Observation) { obs <- o }})
		if err != nil {
			t.Fatal(err)
		}
		c.Set([]model.HealthCheck{check("a", 10), check("b", 10), check("c", 10)})
		run := func() (stop func()) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- c.Run(ctx) }()
			synctest.Wait()
			return func() {
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Errorf("Run = %v, want context.Canceled", err)
				}
			}
		}
		stop := run()
		clk.Advance(10 * time.Second) // one probe runs, two checks wait for the worker
		synctest.Wait()
		stop()
		if s := c.Stats(); s.Scheduled != 3 || s.InFlight != 0 || s.Started != 1 || len(obs) != 0 {
			t.Errorf("after stop: Scheduled %d, InFlight %d, Started %d, emitted %d; want 3, 0, 1, 0",
				s.Scheduled, s.InFlight, s.Started, len(obs))
		}
		stop = run() // the two that waited are overdue: they run at once
		defer stop()
		g.open()
		g.open()
		if len(obs) != 2 || g.started() != 3 {
			t.Errorf("after restart: emitted %d, started %d; want 2, 3", len(obs), g.started())
		}
	})
}

func TestLargeSetAndChurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, checker.Options{})
		var checks []model.HealthCheck
		for i := range 3000 {
			checks = append(checks, check(fmt.Sprintf("hc-%04d", i), 10+i%3*10))
		}
		h.c.Set(checks)
		h.settle()
		h.c.Set(checks[:1000]) // drops 2000 queued checks: the queue is compacted
		for i := range 1000 {
			if i%2 == 0 {
				h.c.Remove(checks[i].ID)
				h.c.Upsert(checks[i])
			}
		}
		if n := h.c.Stats().Scheduled; n != 1000 {
			t.Fatalf("Scheduled = %d, want 1000", n)
		}
		h.advance(30 * time.Second)
		seen := map[string]bool{}
		for range 1000 {
			o := h.next()
			if seen[o.HealthCheckID] {
				t.Fatalf("%s probed twice", o.HealthCheckID)
			}
			seen[o.HealthCheckID] = true
		}
		h.none()
	})
}
