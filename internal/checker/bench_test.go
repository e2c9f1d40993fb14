package checker_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/model"
)

var scaleFor = flag.Duration("checker.scale", 5*time.Second, "how long BenchmarkSchedule100k runs the scheduler")

// scaleChecks returns n HTTP checks as the store would hold them: distinct
// IDs, addresses and paths, in Route 53's two intervals.
func scaleChecks(n int) []model.HealthCheck {
	checks := make([]model.HealthCheck, n)
	for i := range checks {
		checks[i] = check(fmt.Sprintf("%08x-4f1c-4e2a-9a51-%012x", i, i), 10+i%2*20)
		checks[i].CallerReference = fmt.Sprintf("terraform-%020d", i)
		checks[i].Config.IPAddress = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		checks[i].Config.ResourcePath = fmt.Sprintf("/service-%d/health", i)
		checks[i].CreatedAt = t0
	}
	return checks
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func nopProber() checker.Prober {
	return checker.ProberFunc(func(context.Context, model.HealthCheck) checker.Result {
		return checker.Result{Success: true, Reason: "Success: HTTP Status Code 200, OK"}
	})
}

// BenchmarkRegister100k reports the memory held per registered check: the
// heap a checker with 100,000 checks holds, their configurations included,
// divided by 100,000 ("B/check"). The time per op is that of one Set of
// 100,000 new checks.
func BenchmarkRegister100k(b *testing.B) {
	const n = 100_000
	var perCheck float64
	b.StopTimer()
	for range b.N {
		before := heapInUse()
		checks := scaleChecks(n)
		c, err := checker.New(checker.Options{CheckerID: "bench", Prober: nopProber(), Emit: func(model.Observation) {}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c.Set(checks)
		b.StopTimer()
		perCheck = float64(heapInUse()-before) / n
		if got := c.Stats().Scheduled; got != n {
			b.Fatalf("Scheduled = %d, want %d", got, n)
		}
	}
	b.ReportMetric(perCheck, "B/check")
}

// BenchmarkSchedule100k runs a checker on the real clock for -checker.scale
// (5 s), with a prober that returns at once, Sets 100,000 checks once it runs,
// and reports the probes per second, the process's CPU per probe (scheduler,
// workers, GC and the Set), and the schedule lag: p50 and p99 over the last
// LagWindow probes, the maximum, and the percentage of all probes that
// started more than 100 ms late. One sub-benchmark mixes Route 53's 10 and
// 30 s intervals, the other sets every interval to 1 s: 100,000 probes per
// second.
func BenchmarkSchedule100k(b *testing.B) {
	for _, tc := range []struct {
		name     string
		interval int // 0 keeps scaleChecks' mix of 10 and 30 s
	}{{"mixed-10s-30s", 0}, {"all-1s", 1}} {
		b.Run(tc.name, func(b *testing.B) {
			checks := scaleChecks(100_000)
			if tc.interval > 0 {
				for i := range checks {
					checks[i].Config.RequestInterval = tc.interval
				}
			}
			for b.Loop() {
				runScale(b, checks)
			}
		})
	}
}

func runScale(b *testing.B, checks []model.HealthCheck) {
	var emitted atomic.Int64
	c, err := checker.New(checker.Options{CheckerID: "bench", Prober: nopProber(), Emit: func(model.Observation) { emitted.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *scaleFor)
	defer cancel()
	cpu := cpuTime()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	c.Set(checks)
	<-done
	cpu = cpuTime() - cpu
	s := c.Stats()
	probes := float64(emitted.Load())
	var late uint64
	for _, bk := range s.LagBuckets {
		if bk.Le == 100*time.Millisecond {
			late = s.Started - bk.Count
		}
	}
	b.ReportMetric(probes/scaleFor.Seconds(), "probes/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/probes, "cpu-ns/probe")
	b.ReportMetric(float64(s.LagP50.Microseconds())/1000, "lag-p50-ms")
	b.ReportMetric(float64(s.LagP99.Microseconds())/1000, "lag-p99-ms")
	b.ReportMetric(float64(s.LagMax.Microseconds())/1000, "lag-max-ms")
	b.ReportMetric(100*float64(late)/float64(s.Started), "pct-late-100ms")
}

// cpuTime returns the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
