package history

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/vedette-dns/vedette/internal/model"
)

// t0 is a fixed, epoch-aligned test time.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is an adjustable Now.
type fakeClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *fakeClock {
	c := new(fakeClock)
	c.ns.Store(t.UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func openTest(t testing.TB, clock *fakeClock) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.db")
	db, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, path
}

func metric(name string, dims ...string) model.Metric {
	m := model.Metric{Namespace: "AWS/Route53", MetricName: name}
	for i := 0; i+1 < len(dims); i += 2 {
		m.Dimensions = append(m.Dimensions, model.Dimension{Name: dims[i], Value: dims[i+1]})
	}
	return m
}

func mustAdd(t testing.TB, db *DB, pts ...Point) {
	t.Helper()
	if err := db.Add(context.Background(), pts); err != nil {
		t.Fatal(err)
	}
}

func mustQuery(t testing.TB, db *DB, m model.Metric, from, to time.Time, period time.Duration) []model.Datapoint {
	t.Helper()
	dps, err := db.Query(context.Background(), m, from, to, period)
	if err != nil {
		t.Fatal(err)
	}
	return dps
}

func TestCodecRoundTrip(t *testing.T) {
	cases := []model.StatisticSet{
		model.Single(0), model.Single(1), model.Single(-3), model.Single(42.5), model.Single(math.Copysign(0, -1)),
		{SampleCount: 6, Sum: 6, Minimum: 1, Maximum: 1},
		{SampleCount: 6, Sum: 300, Minimum: 20, Maximum: 80},
		{SampleCount: 6, Sum: 0.1 * 6, Minimum: 0.1, Maximum: 0.1}, // n*v not bit-exact
		{SampleCount: 2.5, Sum: 5, Minimum: 2, Maximum: 2},
		{SampleCount: 3, Sum: 1e300, Minimum: -1e-300, Maximum: 1e300},
	}
	for gapEvery := 1; gapEvery <= 20; gapEvery += 3 {
		var c chunk
		for i := 0; i < chunkMinutes; i++ {
			if i%gapEvery == 0 || i > 50 {
				c.merge(i, cases[(i/7)%len(cases)])
			}
		}
		b := c.encode()
		var d chunk
		if err := decodeChunk(b, &d); err != nil {
			t.Fatalf("gap %d: %v", gapEvery, err)
		}
		if d.present != c.present {
			t.Fatalf("gap %d: present %x, want %x", gapEvery, d.present, c.present)
		}
		for i := range chunkMinutes {
			if c.has(i) && !sameStats(c.stats[i], d.stats[i]) {
				t.Fatalf("gap %d minute %d: %+v, want %+v", gapEvery, i, d.stats[i], c.stats[i])
			}
		}
	}
	// A constant 0/1 status with a sample every minute: a few bytes an hour.
	var c chunk
	for i := range chunkMinutes {
		c.merge(i, model.Single(1))
	}
	if n := len(c.encode()); n > 3 {
		t.Errorf("constant status chunk is %d bytes, want <= 3", n)
	}
	// Alternating status: one byte a minute.
	c = chunk{}
	for i := range chunkMinutes {
		c.merge(i, model.Single(float64(i%2)))
	}
	if n := len(c.encode()); n != chunkMinutes {
		t.Errorf("alternating status chunk is %d bytes, want %d", n, chunkMinutes)
	}
	// Corrupt input is refused, not a panic.
	for _, b := range [][]byte{{0x0c}, {0x03, 0x01}, {0xf0}, {0xf0, 70, 0x00}, {0x02, 0xff, 1}} {
		if err := decodeChunk(b, &c); err == nil {
			t.Errorf("decode %x: no error", b)
		}
	}
}

func TestMergeSameMinute(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	m := metric("HealthCheckPercentageHealthy", "HealthCheckId", "hc1")
	at := t0.Add(-10 * time.Minute)
	mustAdd(t, db, Point{Metric: m, Time: at.Add(5 * time.Second), Stats: model.Single(50), Unit: "Percent"})
	mustAdd(t, db, Point{Metric: m, Time: at.Add(59 * time.Second), Stats: model.Single(100)},
		Point{Metric: m, Time: at.Add(30 * time.Second), Stats: model.StatisticSet{SampleCount: 2, Sum: 20, Minimum: 0, Maximum: 20}})
	dps := mustQuery(t, db, m, at, at.Add(time.Minute), time.Minute)
	want := []model.Datapoint{{Timestamp: at, Stats: model.StatisticSet{SampleCount: 4, Sum: 170, Minimum: 0, Maximum: 100}, Unit: "Percent"}}
	if !slices.Equal(dps, want) {
		t.Fatalf("got %+v, want %+v", dps, want)
	}
	// Empty stats are ignored.
	mustAdd(t, db, Point{Metric: m, Time: at, Stats: model.StatisticSet{}})
	if got := mustQuery(t, db, m, at, at.Add(time.Minute), time.Minute); !slices.Equal(got, want) {
		t.Fatalf("after empty add: %+v", got)
	}
}

func TestQueryPeriods(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	m := metric("HealthCheckStatus", "HealthCheckId", "hc1")
	base := t0.Add(-3 * time.Hour) // epoch aligned to 5 and 60 minutes
	var pts []Point
	for i := range 120 { // minutes 0..119, value = minute
		pts = append(pts, Point{Metric: m, Time: base.Add(time.Duration(i) * time.Minute), Stats: model.Single(float64(i))})
	}
	mustAdd(t, db, pts...)

	// Five-minute periods over minutes [10, 20): two datapoints.
	dps := mustQuery(t, db, m, base.Add(10*time.Minute), base.Add(20*time.Minute), 5*time.Minute)
	if len(dps) != 2 {
		t.Fatalf("got %d datapoints: %+v", len(dps), dps)
	}
	if !dps[0].Timestamp.Equal(base.Add(10*time.Minute)) || dps[0].Stats != (model.StatisticSet{SampleCount: 5, Sum: 60, Minimum: 10, Maximum: 14}) {
		t.Errorf("first: %+v", dps[0])
	}
	if !dps[1].Timestamp.Equal(base.Add(15*time.Minute)) || dps[1].Stats.Sum != 15+16+17+18+19 {
		t.Errorf("second: %+v", dps[1])
	}
	// Unaligned bounds: periods starting in [from, to).
	dps = mustQuery(t, db, m, base.Add(11*time.Minute), base.Add(16*time.Minute), 5*time.Minute)
	// from = base+11m: the first period start >= from is base+15m, and
	// to = base+16m takes in the whole period starting at base+15m.
	if len(dps) != 1 || !dps[0].Timestamp.Equal(base.Add(15*time.Minute)) || dps[0].Stats.SampleCount != 5 {
		t.Fatalf("unaligned: %+v", dps)
	}
	// Hour periods across the whole range, with an hour-aligned start.
	dps = mustQuery(t, db, m, base.Add(-time.Hour), base.Add(3*time.Hour), time.Hour)
	if len(dps) != 2 || dps[0].Stats.SampleCount != 60 || dps[1].Stats.SampleCount != 60 || dps[1].Stats.Minimum != 60 {
		t.Fatalf("hourly: %+v", dps)
	}
	// A period that is not a multiple of a minute is refused.
	if _, err := db.Query(context.Background(), m, base, t0, 90*time.Second); !errors.Is(err, ErrInvalid) {
		t.Errorf("90s period: %v", err)
	}
	if _, err := db.Query(context.Background(), m, base, t0, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("0 period: %v", err)
	}
	// Empty ranges and unknown metrics give nothing.
	if dps := mustQuery(t, db, m, base.Add(10*time.Minute), base.Add(10*time.Minute), time.Minute); len(dps) != 0 {
		t.Errorf("empty range: %+v", dps)
	}
	if dps := mustQuery(t, db, metric("Nope"), base, t0, time.Minute); len(dps) != 0 {
		t.Errorf("unknown metric: %+v", dps)
	}
	// Zero and far-future bounds work.
	if dps := mustQuery(t, db, m, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 24*time.Hour); len(dps) != 1 || dps[0].Stats.SampleCount != 120 {
		t.Errorf("whole range: %+v", dps)
	}
}

func TestQueryPeriodAlignmentUnaligned(t *testing.T) {
	// A 7-minute period is aligned to the Unix epoch, not to from.
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	m := metric("M")
	base := t0.Add(-2 * time.Hour)
	var pts []Point
	for i := range 60 {
		pts = append(pts, Point{Metric: m, Time: base.Add(time.Duration(i) * time.Minute), Stats: model.Single(1)})
	}
	mustAdd(t, db, pts...)
	dps := mustQuery(t, db, m, base, base.Add(time.Hour), 7*time.Minute)
	for _, dp := range dps {
		if dp.Timestamp.Unix()%(7*60) != 0 {
			t.Fatalf("period start %s not epoch aligned", dp.Timestamp)
		}
		if dp.Timestamp.Before(base) {
			t.Fatalf("period start %s before from", dp.Timestamp)
		}
	}
	total := 0.0
	for _, dp := range dps {
		total += dp.Stats.SampleCount
	}
	first := dps[0].Timestamp.Sub(base)
	last := dps[len(dps)-1].Timestamp
	// Minutes from the first period start to min(end of data, end of last period).
	end := last.Add(7 * time.Minute)
	if end.After(base.Add(time.Hour)) {
		end = base.Add(time.Hour)
	}
	if want := end.Sub(base.Add(first)).Minutes(); total != want {
		t.Fatalf("total %v, want %v (%+v)", total, want, dps)
	}
}

func TestDimensionOrder(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	a := metric("TimeToFirstByte", "HealthCheckId", "hc1", "Region", "eu-west-1")
	b := metric("TimeToFirstByte", "Region", "eu-west-1", "HealthCheckId", "hc1")
	mustAdd(t, db, Point{Metric: a, Time: t0.Add(-time.Minute), Stats: model.Single(10)})
	mustAdd(t, db, Point{Metric: b, Time: t0.Add(-time.Minute), Stats: model.Single(20)})
	dps := mustQuery(t, db, b, t0.Add(-time.Hour), t0, time.Minute)
	if len(dps) != 1 || dps[0].Stats.SampleCount != 2 {
		t.Fatalf("got %+v", dps)
	}
	ms, err := db.ListMetrics(context.Background(), "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Dimensions[0].Name != "HealthCheckId" {
		t.Fatalf("list: %+v", ms)
	}
}

func TestListMetrics(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	ctx := context.Background()
	recent := t0.Add(-time.Hour)
	mustAdd(t, db,
		Point{Metric: metric("HealthCheckStatus", "HealthCheckId", "a"), Time: recent, Stats: model.Single(1)},
		Point{Metric: metric("HealthCheckStatus", "HealthCheckId", "b"), Time: recent, Stats: model.Single(1)},
		Point{Metric: metric("TimeToFirstByte", "HealthCheckId", "a", "Region", "us-east-1"), Time: recent, Stats: model.Single(1)},
		Point{Metric: model.Metric{Namespace: "Custom", MetricName: "Queue"}, Time: recent, Stats: model.Single(1)},
		// 14 days and 30 minutes ago: inside the retention, outside the recency.
		Point{Metric: metric("HealthCheckStatus", "HealthCheckId", "old"), Time: t0.Add(-ListRecency - 30*time.Minute), Stats: model.Single(1)},
		// 14 days minus 10 minutes ago, in a chunk straddling the limit.
		Point{Metric: metric("HealthCheckStatus", "HealthCheckId", "edge"), Time: t0.Add(-ListRecency + 10*time.Minute), Stats: model.Single(1)},
		// Straddling chunk, data only before the limit.
		Point{Metric: metric("HealthCheckStatus", "HealthCheckId", "edge-old"), Time: t0.Add(-ListRecency - 10*time.Minute), Stats: model.Single(1)},
	)
	keys := func(ms []model.Metric) []string {
		var out []string
		for _, m := range ms {
			s := m.Namespace + "/" + m.MetricName
			for _, d := range m.Dimensions {
				s += " " + d.Name + "=" + d.Value
			}
			out = append(out, s)
		}
		return out
	}
	list := func(ns, name string, dims ...DimensionFilter) []string {
		t.Helper()
		ms, err := db.ListMetrics(ctx, ns, name, dims)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSortedFunc(ms, func(a, b model.Metric) int {
			if a.Key() < b.Key() {
				return -1
			}
			return 1
		}) {
			t.Errorf("not sorted by key: %v", keys(ms))
		}
		return keys(ms)
	}
	str := func(s string) *string { return &s }
	check := func(got []string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("got %q\nwant %q", got, want)
		}
	}
	check(list("", ""),
		"AWS/Route53/HealthCheckStatus HealthCheckId=a",
		"AWS/Route53/HealthCheckStatus HealthCheckId=b",
		"AWS/Route53/HealthCheckStatus HealthCheckId=edge",
		"AWS/Route53/TimeToFirstByte HealthCheckId=a Region=us-east-1",
		"Custom/Queue")
	check(list("Custom", ""), "Custom/Queue")
	check(list("", "TimeToFirstByte"), "AWS/Route53/TimeToFirstByte HealthCheckId=a Region=us-east-1")
	check(list("AWS/Route53", "", DimensionFilter{Name: "HealthCheckId", Value: str("a")}),
		"AWS/Route53/HealthCheckStatus HealthCheckId=a",
		"AWS/Route53/TimeToFirstByte HealthCheckId=a Region=us-east-1")
	check(list("", "", DimensionFilter{Name: "Region"}), "AWS/Route53/TimeToFirstByte HealthCheckId=a Region=us-east-1")
	check(list("", "", DimensionFilter{Name: "Region"}, DimensionFilter{Name: "HealthCheckId", Value: str("b")}))
	check(list("", "", DimensionFilter{Name: "Region", Value: str("eu-west-1")}))

	// Eleven minutes later the edge metric's data is older than 14 days.
	clock.Advance(11 * time.Minute)
	check(list("", "HealthCheckStatus"),
		"AWS/Route53/HealthCheckStatus HealthCheckId=a",
		"AWS/Route53/HealthCheckStatus HealthCheckId=b")
}

func TestRetentionAndPrune(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	ctx := context.Background()
	m := metric("HealthCheckStatus", "HealthCheckId", "hc1")
	gone := metric("HealthCheckStatus", "HealthCheckId", "gone")
	// Too old: refused, and nothing of the call written.
	err := db.Add(ctx, []Point{
		{Metric: m, Time: t0.Add(-time.Minute), Stats: model.Single(1)},
		{Metric: m, Time: t0.Add(-DefaultRetention - time.Minute), Stats: model.Single(1)},
	})
	if !errors.Is(err, ErrTooOld) {
		t.Fatalf("too old: %v", err)
	}
	if dps := mustQuery(t, db, m, t0.Add(-time.Hour), t0, time.Minute); len(dps) != 0 {
		t.Fatalf("partial write: %+v", dps)
	}
	if err := db.AddEvents(ctx, []Event{{Stream: "hc/1", Time: t0.Add(-DefaultRetention - time.Second)}}); !errors.Is(err, ErrTooOld) {
		t.Fatalf("old event: %v", err)
	}
	// Data at the oldest kept minute and the day after.
	oldest := t0.Add(-DefaultRetention)
	mustAdd(t, db,
		Point{Metric: m, Time: oldest, Stats: model.Single(1)},
		Point{Metric: m, Time: oldest.Add(24 * time.Hour), Stats: model.Single(0)},
		Point{Metric: gone, Time: oldest.Add(30 * time.Minute), Stats: model.Single(1)},
	)
	if err := db.AddEvents(ctx, []Event{
		{Stream: "hc/1", Time: oldest.Add(time.Second), Data: []byte("old")},
		{Stream: "hc/1", Time: oldest.Add(25 * time.Hour), Data: []byte("new")},
		{Stream: "hc/2", Time: oldest.Add(time.Second), Data: []byte("old2")},
	}); err != nil {
		t.Fatal(err)
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Series != 2 || st.Chunks != 3 || st.Events != 3 {
		t.Fatalf("stats before prune: %+v", st)
	}
	if n, err := db.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("early prune: %d %v", n, err)
	}
	// Half an hour later the first minute has expired: hidden at once,
	// though its chunk is kept until the whole hour has expired.
	clock.Advance(30 * time.Minute)
	if dps := mustQuery(t, db, m, time.Time{}, t0.Add(time.Hour), time.Hour); len(dps) != 1 || dps[0].Stats != model.Single(0) {
		t.Fatalf("expired minute visible: %+v", dps)
	}
	if n, err := db.Prune(ctx); err != nil || n != 2 { // the two old events, no chunk
		t.Fatalf("prune of a straddling chunk: %d %v", n, err)
	}
	// Two hours later: the first hour's chunks and the old events expire.
	clock.Advance(90 * time.Minute)
	if dps := mustQuery(t, db, m, time.Time{}, t0, time.Hour); len(dps) != 1 || dps[0].Stats.Minimum != 0 {
		t.Fatalf("expired data still visible: %+v", dps)
	}
	if evs, err := db.Events(ctx, "hc/1", time.Time{}, t0.Add(time.Hour), 0, false); err != nil || len(evs) != 1 || string(evs[0].Data) != "new" {
		t.Fatalf("expired events visible: %+v %v", evs, err)
	}
	n, err := db.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 { // the two chunks of the first hour
		t.Fatalf("pruned %d, want 2", n)
	}
	st, err = db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Series != 1 || st.Chunks != 1 || st.Events != 1 {
		t.Fatalf("stats after prune: %+v", st)
	}
	if ss, _ := db.Streams(ctx, ""); !slices.Equal(ss, []string{"hc/1"}) {
		t.Fatalf("streams after prune: %q", ss)
	}
	if dps := mustQuery(t, db, m, time.Time{}, t0.Add(time.Hour), time.Hour); len(dps) != 1 || dps[0].Stats != model.Single(0) {
		t.Fatalf("kept data: %+v", dps)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), Options{Retention: 13 * 24 * time.Hour}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short retention: %v", err)
	}
}

func TestRunPrunes(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	m := metric("M")
	mustAdd(t, db, Point{Metric: m, Time: t0.Add(-DefaultRetention), Stats: model.Single(1)})
	clock.Advance(2 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- db.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := db.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Chunks == 0 && st.Series == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Run did not prune: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
}

func TestEvents(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	ctx := context.Background()
	base := t0.Add(-time.Hour)
	var evs []Event
	for i := range 10 {
		evs = append(evs, Event{Stream: "hc/1", Time: base.Add(time.Duration(i) * time.Second), Data: []byte{byte(i)}})
	}
	// Equal times keep insertion order, within one call and across calls.
	evs = append(evs, Event{Stream: "hc/1", Time: base.Add(5 * time.Second), Data: []byte("5b")})
	if err := db.AddEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := db.AddEvents(ctx, []Event{
		{Stream: "hc/1", Time: base.Add(5 * time.Second), Data: []byte("5c")},
		{Stream: "hc/10", Time: base, Data: []byte("other")},
		{Stream: "hc/", Time: base, Data: []byte("short")},
		{Stream: "alarm/x", Time: base, Data: []byte("alarm")},
	}); err != nil {
		t.Fatal(err)
	}
	data := func(evs []Event) []string {
		var out []string
		for _, e := range evs {
			if len(e.Data) == 1 {
				out = append(out, fmt.Sprint(e.Data[0]))
			} else {
				out = append(out, string(e.Data))
			}
		}
		return out
	}
	get := func(from, to time.Time, limit int, newest bool) []string {
		t.Helper()
		evs, err := db.Events(ctx, "hc/1", from, to, limit, newest)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Stream != "hc/1" || e.Time.Location() != time.UTC {
				t.Fatalf("bad event %+v", e)
			}
		}
		return data(evs)
	}
	check := func(got []string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	all := []string{"0", "1", "2", "3", "4", "5", "5b", "5c", "6", "7", "8", "9"}
	check(get(base, t0, 0, false), all...)
	rev := slices.Clone(all)
	slices.Reverse(rev)
	check(get(base, t0, 0, true), rev...)
	check(get(base, t0, 3, false), "0", "1", "2")
	check(get(base, t0, 3, true), "9", "8", "7")
	// [from, to): to excluded, from included.
	check(get(base.Add(5*time.Second), base.Add(7*time.Second), 0, false), "5", "5b", "5c", "6")
	check(get(base.Add(5*time.Second), base.Add(7*time.Second), 0, true), "6", "5c", "5b", "5")
	check(get(base.Add(5*time.Second), base.Add(7*time.Second), 2, true), "6", "5c")
	check(get(base.Add(20*time.Second), t0, 0, false))
	check(get(base.Add(20*time.Second), t0, 0, true))
	check(get(time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 1, true), "9")
	evsOther, err := db.Events(ctx, "hc/10", time.Time{}, t0, 0, false)
	if err != nil || !slices.Equal(data(evsOther), []string{"other"}) {
		t.Errorf("hc/10: %q %v", data(evsOther), err)
	}

	ss, err := db.Streams(ctx, "hc/")
	if err != nil || !slices.Equal(ss, []string{"hc/", "hc/1", "hc/10"}) {
		t.Errorf("streams hc/: %q %v", ss, err)
	}
	ss, _ = db.Streams(ctx, "")
	if !slices.Equal(ss, []string{"alarm/x", "hc/", "hc/1", "hc/10"}) {
		t.Errorf("streams: %q", ss)
	}
	if err := db.DeleteStream(ctx, "hc/1"); err != nil {
		t.Fatal(err)
	}
	check(get(time.Time{}, t0, 0, false))
	ss, _ = db.Streams(ctx, "hc")
	if !slices.Equal(ss, []string{"hc/", "hc/10"}) {
		t.Errorf("streams after delete: %q", ss)
	}
	if err := db.AddEvents(ctx, []Event{{Stream: "a\x00b", Time: t0}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("NUL stream: %v", err)
	}
}

func TestDeleteMetrics(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	ctx := context.Background()
	keep := metric("HealthCheckStatus", "HealthCheckId", "keep")
	del1 := metric("HealthCheckStatus", "HealthCheckId", "del")
	del2 := metric("TimeToFirstByte", "HealthCheckId", "del", "Region", "us-east-1")
	other := model.Metric{Namespace: "Custom", MetricName: "X", Dimensions: []model.Dimension{{Name: "HealthCheckId", Value: "del"}}}
	var pts []Point
	for h := range 30 { // spread over many chunks
		at := t0.Add(-time.Duration(h) * time.Hour)
		for _, m := range []model.Metric{keep, del1, del2, other} {
			pts = append(pts, Point{Metric: m, Time: at, Stats: model.Single(1)})
		}
	}
	mustAdd(t, db, pts...)
	if err := db.DeleteMetrics(ctx, "AWS/Route53", model.Dimension{Name: "HealthCheckId", Value: "del"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []model.Metric{del1, del2} {
		if dps := mustQuery(t, db, m, time.Time{}, t0.Add(time.Hour), time.Hour); len(dps) != 0 {
			t.Errorf("%s still has data", m.MetricName)
		}
	}
	for _, m := range []model.Metric{keep, other} {
		if dps := mustQuery(t, db, m, time.Time{}, t0.Add(time.Hour), time.Hour); len(dps) != 30 {
			t.Errorf("%s: %d datapoints", m.MetricName, len(dps))
		}
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Series != 2 || st.Chunks != 60 {
		t.Fatalf("stats: %+v", st)
	}
	// A re-created series starts empty.
	mustAdd(t, db, Point{Metric: del1, Time: t0, Stats: model.Single(0)})
	if dps := mustQuery(t, db, del1, time.Time{}, t0.Add(time.Hour), time.Hour); len(dps) != 1 || dps[0].Stats != model.Single(0) {
		t.Errorf("re-created: %+v", dps)
	}
}

func TestReopen(t *testing.T) {
	clock := newClock(t0)
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := metric("HealthCheckStatus", "HealthCheckId", "hc1")
	mustAdd(t, db, Point{Metric: m, Time: t0.Add(-time.Minute), Stats: model.Single(1), Unit: "None"})
	if err := db.AddEvents(ctx, []Event{{Stream: "hc/hc1", Time: t0, Data: []byte("up")}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dps := mustQuery(t, db, m, t0.Add(-time.Hour), t0, time.Minute)
	if len(dps) != 1 || dps[0].Stats != model.Single(1) || dps[0].Unit != "None" {
		t.Fatalf("after reopen: %+v", dps)
	}
	evs, err := db.Events(ctx, "hc/hc1", t0, t0.Add(time.Second), 0, false)
	if err != nil || len(evs) != 1 || string(evs[0].Data) != "up" || !evs[0].Time.Equal(t0) {
		t.Fatalf("events after reopen: %+v %v", evs, err)
	}
	// Ids keep increasing after reopen: a new series does not collide.
	m2 := metric("HealthCheckStatus", "HealthCheckId", "hc2")
	mustAdd(t, db, Point{Metric: m2, Time: t0.Add(-time.Minute), Stats: model.Single(0)})
	if dps := mustQuery(t, db, m, t0.Add(-time.Hour), t0, time.Minute); len(dps) != 1 || dps[0].Stats != model.Single(1) {
		t.Fatalf("old series after new add: %+v", dps)
	}
}

func TestInvalidPoints(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	ctx := context.Background()
	for _, p := range []Point{
		{Metric: model.Metric{MetricName: "x"}, Time: t0, Stats: model.Single(1)},
		{Metric: metric("x"), Time: t0, Stats: model.Single(math.NaN())},
		{Metric: metric("x"), Time: t0, Stats: model.Single(math.Inf(1))},
		{Metric: metric("x"), Time: t0, Stats: model.StatisticSet{SampleCount: -1}},
	} {
		if err := db.Add(ctx, []Point{p}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", p, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.Add(cctx, []Point{{Metric: metric("x"), Time: t0, Stats: model.Single(1)}}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	clock := newClock(t0)
	db, _ := openTest(t, clock)
	ctx := context.Background()
	const writers, adds = 4, 30
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range adds {
				m := metric("Shared")
				own := metric("Own", "Writer", fmt.Sprint(w))
				at := t0.Add(-time.Duration(i+1) * time.Minute)
				if err := db.Add(ctx, []Point{
					{Metric: m, Time: at, Stats: model.Single(1)},
					{Metric: own, Time: at, Stats: model.Single(float64(w))},
				}); err != nil {
					t.Error(err)
					return
				}
				if err := db.AddEvents(ctx, []Event{{Stream: "s", Time: at, Data: []byte{byte(w)}}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			for range adds {
				if _, err := db.Query(ctx, metric("Shared"), t0.Add(-time.Hour), t0, 5*time.Minute); err != nil {
					t.Error(err)
					return
				}
				if _, err := db.ListMetrics(ctx, "", "", nil); err != nil {
					t.Error(err)
					return
				}
				if _, err := db.Events(ctx, "s", time.Time{}, t0, 10, true); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	dps := mustQuery(t, db, metric("Shared"), t0.Add(-time.Hour), t0, time.Hour)
	if len(dps) != 1 || dps[0].Stats.SampleCount != writers*adds {
		t.Fatalf("shared: %+v", dps)
	}
	evs, err := db.Events(ctx, "s", time.Time{}, t0.Add(time.Hour), 0, false)
	if err != nil || len(evs) != writers*adds {
		t.Fatalf("events: %d %v", len(evs), err)
	}
	ms, _ := db.ListMetrics(ctx, "", "Own", nil)
	if len(ms) != writers {
		t.Fatalf("own metrics: %d", len(ms))
	}
}

func TestSealing(t *testing.T) {
	clock := newClock(t0)
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	m := metric("HealthCheckStatus", "HealthCheckId", "hc1")
	at := t0.Add(-10 * time.Minute)
	mustAdd(t, db, Point{Metric: m, Time: at, Stats: model.Single(1)})
	inBucket := func(name []byte) int {
		t.Helper()
		n := 0
		err := db.bdb.View(func(tx *bbolt.Tx) error {
			n = tx.Bucket(name).Stats().KeyN
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if inBucket(bucketOpen) != 1 || inBucket(bucketData) != 0 {
		t.Fatalf("before sealing: open %d, sealed %d", inBucket(bucketOpen), inBucket(bucketData))
	}
	// Three hours later, the next Add seals the hour of at.
	clock.Advance(3 * time.Hour)
	mustAdd(t, db, Point{Metric: m, Time: clock.Now(), Stats: model.Single(1)})
	if inBucket(bucketOpen) != 1 || inBucket(bucketData) != 1 {
		t.Fatalf("after sealing: open %d, sealed %d", inBucket(bucketOpen), inBucket(bucketData))
	}
	// A late point for the sealed hour merges into the sealed chunk.
	mustAdd(t, db, Point{Metric: m, Time: at, Stats: model.Single(0)})
	if inBucket(bucketOpen) != 1 || inBucket(bucketData) != 1 {
		t.Fatalf("after late point: open %d, sealed %d", inBucket(bucketOpen), inBucket(bucketData))
	}
	want := model.StatisticSet{SampleCount: 2, Sum: 1, Minimum: 0, Maximum: 1}
	if dps := mustQuery(t, db, m, at, at.Add(time.Minute), time.Minute); len(dps) != 1 || dps[0].Stats != want {
		t.Fatalf("late point: %+v", dps)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if dps := mustQuery(t, db, m, t0.Add(-time.Hour), clock.Now().Add(time.Hour), time.Hour); len(dps) != 2 || dps[0].Stats != want || dps[1].Stats != model.Single(1) {
		t.Fatalf("after reopen: %+v", dps)
	}
	ms, err := db.ListMetrics(context.Background(), "", "", nil)
	if err != nil || len(ms) != 1 {
		t.Fatalf("list: %+v %v", ms, err)
	}
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.bdb.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte{schemaVersion + 1})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{}); !errors.Is(err, ErrSchema) {
		t.Fatalf("newer schema: %v", err)
	}
}
