package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// Series kinds of the cost measurements.
const (
	// kindStatus is a 0/1 HealthCheckStatus with one sample a minute:
	// healthy, with a three-minute outage every four hours.
	kindStatus = "status"
	// kindFlapping is the worst case of a 0/1 status: it flips every minute.
	kindFlapping = "flapping"
	// kindPercent is a HealthCheckPercentageHealthy-like series with six
	// samples a minute of varying, non-integral values.
	kindPercent = "percent"
)

// simSeries are the metrics of a simulation.
func simSeries(kind string, n int) []model.Metric {
	ms := make([]model.Metric, n)
	for i := range ms {
		ms[i] = model.Metric{Namespace: "AWS/Route53", MetricName: kind,
			Dimensions: []model.Dimension{{Name: "HealthCheckId", Value: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)}}}
	}
	return ms
}

// simMinute returns the points of minute m for the series.
func simMinute(kind string, ms []model.Metric, at time.Time, m int, rng *rand.Rand) []Point {
	pts := make([]Point, len(ms))
	for s, metric := range ms {
		var st model.StatisticSet
		switch kind {
		case kindStatus:
			v := 1.0
			if (m+s*37)%240 < 3 {
				v = 0
			}
			st = model.Single(v)
		case kindFlapping:
			st = model.Single(float64((m + s) % 2))
		case kindPercent:
			for range 6 {
				st = st.Merge(model.Single(float64(rng.IntN(1000)) / 10))
			}
		}
		pts[s] = Point{Metric: metric, Time: at, Stats: st, Unit: "None"}
	}
	return pts
}

// simulate adds minutes [first, last) of kind for the series, advancing the
// clock.
func simulate(tb testing.TB, db *DB, clock *fakeClock, kind string, ms []model.Metric, first, last int, rng *rand.Rand) {
	tb.Helper()
	for m := first; m < last; m++ {
		at := t0.Add(time.Duration(m) * time.Minute)
		clock.Set(at.Add(30 * time.Second))
		if err := db.Add(context.Background(), simMinute(kind, ms, at, m, rng)); err != nil {
			tb.Fatal(err)
		}
	}
}

// dayBounds are the documented upper bounds of the bytes in use per series
// and day (see the package documentation for the measured values).
var dayBounds = map[string]int64{
	kindStatus:   1000,
	kindFlapping: 2600,
	kindPercent:  52000,
}

// TestDaySize fills one simulated day for 100 series of each kind and checks
// the growth of the pages in use (and of the file) against dayBounds.
func TestDaySize(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a simulated day")
	}
	const series = 100
	for _, kind := range []string{kindStatus, kindFlapping, kindPercent} {
		t.Run(kind, func(t *testing.T) {
			clock := newClock(t0)
			db, _ := openTest(t, clock)
			db.bdb.NoSync = true // same layout, without 1440 fsyncs
			rng := rand.New(rand.NewPCG(1, 2))
			ms := simSeries(kind, series)
			simulate(t, db, clock, kind, ms, 0, 1, rng)
			before, err := db.Stats()
			if err != nil {
				t.Fatal(err)
			}
			simulate(t, db, clock, kind, ms, 1, 1441, rng)
			after, err := db.Stats()
			if err != nil {
				t.Fatal(err)
			}
			used := (after.UsedBytes - before.UsedBytes) / series
			payload := (after.ChunkBytes - before.ChunkBytes) / series
			file := (after.FileBytes - before.FileBytes) / series
			t.Logf("%s: per series-day: %d B in use, %d B chunk payload, %d B file growth; %+v", kind, used, payload, file, after)
			if after.Chunks != series*25 { // minute 0 to minute 1440: 25 hours touched
				t.Errorf("chunks %d, want %d", after.Chunks, series*25)
			}
			if used > dayBounds[kind] {
				t.Errorf("%d B in use per series-day, bound %d", used, dayBounds[kind])
			}
			// The file grows in steps; allow one 16 MiB step over the bound.
			if after.FileBytes > dayBounds[kind]*series+16<<20+before.FileBytes {
				t.Errorf("file %d B", after.FileBytes)
			}
			// Spot check: the day's data is all there.
			dps := mustQuery(t, db, ms[7], t0, t0.Add(24*time.Hour), time.Hour)
			want := 1440.0
			if kind == kindPercent {
				want *= 6
			}
			got := 0.0
			for _, dp := range dps {
				got += dp.Stats.SampleCount
			}
			if len(dps) != 24 || got != want {
				t.Errorf("day query: %d datapoints, %v samples, want 24, %v", len(dps), got, want)
			}
		})
	}
}

// BenchmarkAddMinute adds one minute for 10,000 series in one Add per
// operation (fsynced), and reports the growth of the pages in use per series
// and simulated day. Use -benchtime=1440x for a full day:
//
//	go test -run '^$' -bench BenchmarkAddMinute -benchtime=1440x ./internal/monitor/history/
func BenchmarkAddMinute(b *testing.B) {
	const series = 10000
	for _, kind := range []string{kindStatus, kindPercent} {
		b.Run(kind, func(b *testing.B) {
			clock := newClock(t0)
			db, _ := openTest(b, clock)
			rng := rand.New(rand.NewPCG(1, 2))
			ms := simSeries(kind, series)
			// Minute 0 creates the series; it is not measured.
			simulate(b, db, clock, kind, ms, 0, 1, rng)
			before, err := db.Stats()
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ResetTimer()
			for m := 1; m <= b.N; m++ {
				b.StopTimer()
				at := t0.Add(time.Duration(m) * time.Minute)
				clock.Set(at.Add(30 * time.Second))
				pts := simMinute(kind, ms, at, m, rng)
				b.StartTimer()
				if err := db.Add(ctx, pts); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			after, err := db.Stats()
			if err != nil {
				b.Fatal(err)
			}
			days := float64(b.N) / 1440
			b.ReportMetric(float64(after.UsedBytes-before.UsedBytes)/series/days, "B/series-day")
			b.ReportMetric(float64(after.ChunkBytes-before.ChunkBytes)/series/days, "payload-B/series-day")
		})
	}
}
