package checker

import (
	"math"
	"slices"
	"time"
)

// LagWindow is how many of the latest probe starts the lag percentiles of
// Stats cover.
const LagWindow = 8192

// Stats is a snapshot of a checker's counters.
type Stats struct {
	// Scheduled is the number of checks on the schedule.
	Scheduled int
	// InFlight is the number of probes running now.
	InFlight int
	// Started is the number of probes started since New.
	Started uint64
	// Panics is the number of panics recovered in the Prober since New.
	Panics uint64
	// Schedule lag is how late a probe started: its start minus the time it
	// was due. It grows when every worker is busy. LagP50 and LagP99 are over
	// the last LagWindow probes started, LagMax over all since New.
	LagP50, LagP99, LagMax time.Duration
	// LagBuckets counts every probe started since New by its lag, cumulative
	// as in a Prometheus histogram: Count is the number that started at most
	// Le late. The last bucket's Le is the largest Duration.
	LagBuckets []Bucket
}

// Bucket is one bucket of a lag histogram.
type Bucket struct {
	Le    time.Duration
	Count uint64
}

// lagBounds are the upper bounds of the lag histogram's buckets.
var lagBounds = [...]time.Duration{
	0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second,
	math.MaxInt64,
}

// counters are the checker's statistics, guarded by Checker.mu.
type counters struct {
	started  uint64
	panics   uint64
	inFlight int
	leaving  int // entries running but off the schedule
	stale    int // stale slots in the queue
	lagMax   time.Duration
	lags     []time.Duration // ring of the last LagWindow lags
	hist     [len(lagBounds)]uint64
}

// start records the start of a probe that was due lag ago.
func (s *counters) start(lag time.Duration) {
	if len(s.lags) < LagWindow {
		s.lags = append(s.lags, lag)
	} else {
		s.lags[s.started%LagWindow] = lag
	}
	s.started++
	s.inFlight++
	s.lagMax = max(s.lagMax, lag)
	i, _ := slices.BinarySearch(lagBounds[:], lag)
	s.hist[i]++
}

// Stats returns the checker's counters.
func (c *Checker) Stats() Stats {
	c.mu.Lock()
	s := Stats{
		Scheduled: len(c.entries) - c.stats.leaving,
		InFlight:  c.stats.inFlight,
		Started:   c.stats.started,
		Panics:    c.stats.panics,
		LagMax:    c.stats.lagMax,
	}
	lags := slices.Clone(c.stats.lags)
	hist := c.stats.hist
	c.mu.Unlock()
	var total uint64
	for i, n := range hist {
		total += n
		s.LagBuckets = append(s.LagBuckets, Bucket{Le: lagBounds[i], Count: total})
	}
	slices.Sort(lags)
	s.LagP50, s.LagP99 = percentile(lags, 50), percentile(lags, 99)
	return s
}

// percentile returns the p-th percentile of sorted (nearest rank), 0 when it
// is empty.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (len(sorted)*p + 99) / 100 // ceil(n·p/100), at least 1
	return sorted[max(rank, 1)-1]
}
