package history

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/vedette-dns/vedette/internal/model"
)

const (
	// DefaultRetention is how long data and events are kept by default.
	DefaultRetention = 15 * 24 * time.Hour
	// MinRetention is the shortest retention Open accepts: CloudWatch lists
	// metrics with data in the last 14 days and serves that much history.
	MinRetention = 14 * 24 * time.Hour
	// ListRecency is how recent a metric's data must be for ListMetrics.
	ListRecency = 14 * 24 * time.Hour
	// PruneInterval is how often Run prunes.
	PruneInterval = 10 * time.Minute

	schemaVersion = 1
	openTimeout   = 5 * time.Second
	// pruneBatch bounds the deletions of one pruning transaction.
	pruneBatch = 20000
	// sealedFillPercent packs the pages of sealed chunks: sealing appends
	// them in key order at the end of the bucket, and they rarely change.
	sealedFillPercent = 1.0
)

var (
	bucketMeta   = []byte("meta")
	bucketSeries = []byte("series")
	bucketData   = []byte("data") // sealed chunks
	bucketOpen   = []byte("open") // chunks of the hours still being written
	bucketEvents = []byte("events")
	keySchema    = []byte("schema")
	keySealed    = []byte("sealed") // u32: chunks of earlier hours are in bucketData
)

var (
	// ErrTooOld is returned by Add and AddEvents for data older than the
	// retention; nothing of the call is written.
	ErrTooOld = errors.New("history: older than the retention")
	// ErrSchema is returned by Open for a file of another schema version.
	ErrSchema = errors.New("history: unsupported schema version")
	// ErrInvalid is returned for malformed arguments.
	ErrInvalid = errors.New("history: invalid argument")
)

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// Retention is how long data and events are kept. Default 15 days;
	// Open refuses less than MinRetention.
	Retention time.Duration
	// Now is the time source for pruning, the refusal of old data and
	// ListMetrics recency. Default time.Now.
	Now func() time.Time
	// Logger receives Run's pruning errors. Default slog.Default().
	Logger *slog.Logger
}

// DB is the metric and event history in one bbolt file. It is safe for
// concurrent use; writes are serialized by bbolt and each is fsynced before
// it returns.
type DB struct {
	bdb       *bbolt.DB
	path      string
	retention time.Duration
	now       func() time.Time
	log       *slog.Logger
}

// Point is one aggregate to add to a metric's minute.
type Point struct {
	Metric model.Metric
	Time   time.Time
	Stats  model.StatisticSet
	Unit   string
}

// DimensionFilter selects metrics having the dimension Name, with the value
// *Value when Value is not nil.
type DimensionFilter struct {
	Name  string
	Value *string
}

// Event is one entry of an append-only event stream.
type Event struct {
	Stream string
	Time   time.Time
	Data   []byte
}

// Stats describes the file's size and contents.
type Stats struct {
	// FileBytes is the size of the file; bbolt grows it in steps (doubling,
	// then 16 MiB), so it moves coarsely.
	FileBytes int64
	// UsedBytes is the size of the pages in use: the allocated high-water
	// mark minus the free pages that later writes reuse.
	UsedBytes int64
	// ChunkBytes is the sum of the chunk keys and encoded values: the
	// payload of the data, without bbolt's page overhead.
	ChunkBytes int64
	Series     int
	Chunks     int
	Events     int
}

// Open opens, creating if needed, the history file at path.
func Open(path string, opts Options) (*DB, error) {
	if opts.Retention == 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Retention < MinRetention {
		return nil, fmt.Errorf("%w: retention %s is shorter than %s", ErrInvalid, opts.Retention, MinRetention)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: openTimeout})
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketSeries, bucketData, bucketOpen, bucketEvents} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keySchema)
		if v == nil {
			return meta.Put(keySchema, []byte{schemaVersion})
		}
		if len(v) != 1 || v[0] != schemaVersion {
			return fmt.Errorf("%w %v", ErrSchema, v)
		}
		return nil
	})
	if err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	return &DB{bdb: bdb, path: path, retention: opts.Retention, now: opts.Now, log: opts.Logger}, nil
}

// Close closes the file, waiting for the transactions in flight.
func (db *DB) Close() error { return db.bdb.Close() }

// cutoff is the oldest time kept.
func (db *DB) cutoff() time.Time { return db.now().Add(-db.retention) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// ceilSeconds returns t rounded up to a whole second, in Unix seconds.
func ceilSeconds(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func validStats(s model.StatisticSet) bool {
	for _, v := range [4]float64{s.SampleCount, s.Sum, s.Minimum, s.Maximum} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return s.SampleCount >= 0 && s.Minimum <= s.Maximum
}

// pendingSeries collects one Add's chunks of a series.
type pendingSeries struct {
	metric model.Metric
	unit   string
	hours  map[uint32]*chunk
}

// Add merges each point into its series' minute bucket (Time truncated to
// the minute, UTC) in one durable transaction. Points with SampleCount 0 are
// ignored. When a point is older than the retention (ErrTooOld) or malformed
// (ErrInvalid), nothing is written. A series' unit is the last non-empty unit
// added to it.
func (db *DB) Add(ctx context.Context, points []Point) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cutoff := db.cutoff()
	groups := make(map[string]*pendingSeries)
	for i, p := range points {
		if p.Stats.SampleCount == 0 {
			continue
		}
		if p.Metric.Namespace == "" || p.Metric.MetricName == "" {
			return fmt.Errorf("%w: point %d: empty namespace or metric name", ErrInvalid, i)
		}
		if !validStats(p.Stats) {
			return fmt.Errorf("%w: point %d: bad statistics %+v", ErrInvalid, i, p.Stats)
		}
		t := p.Time.UTC().Truncate(time.Minute)
		if t.Before(cutoff.Truncate(time.Minute)) {
			return fmt.Errorf("%w: point %d of %s at %s is before %s", ErrTooOld, i, p.Metric.MetricName, p.Time.UTC().Format(time.RFC3339), cutoff.UTC().Format(time.RFC3339))
		}
		sec := t.Unix()
		if sec < 0 || sec/3600 > math.MaxUint32 {
			return fmt.Errorf("%w: point %d: time %s out of range", ErrInvalid, i, p.Time)
		}
		key := p.Metric.Key()
		g := groups[key]
		if g == nil {
			m := p.Metric
			m.Dimensions = slices.Clone(m.Dimensions)
			model.SortDimensions(m.Dimensions)
			g = &pendingSeries{metric: m, hours: make(map[uint32]*chunk, 1)}
			groups[key] = g
		}
		if p.Unit != "" {
			g.unit = p.Unit
		}
		hour := uint32(sec / 3600)
		c := g.hours[hour]
		if c == nil {
			c = new(chunk)
			g.hours[hour] = c
		}
		c.merge(int(sec%3600/60), p.Stats)
	}
	if len(groups) == 0 {
		return nil
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return db.bdb.Update(func(tx *bbolt.Tx) error {
		series := tx.Bucket(bucketSeries)
		cs, err := sealChunks(tx, hourOf(db.now()))
		if err != nil {
			return err
		}
		var old chunk
		for _, k := range keys {
			g := groups[k]
			hours := make([]uint32, 0, len(g.hours))
			for h := range g.hours {
				hours = append(hours, h)
			}
			slices.Sort(hours)
			first, last := hours[0], hours[len(hours)-1]
			info, err := db.register(series, k, g, first, last)
			if err != nil {
				return err
			}
			for _, h := range hours {
				c := g.hours[h]
				ck := chunkKey(h, info.id)
				data := cs.bucket(h)
				if raw := data.Get(ck); raw != nil {
					if err := decodeChunk(raw, &old); err != nil {
						return fmt.Errorf("%w: chunk %x", err, ck)
					}
					for i := range chunkMinutes {
						if c.has(i) {
							old.merge(i, c.stats[i])
						}
					}
					c = &old
				}
				if err := data.Put(ck, c.encode()); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// register returns the registry record of the series with key k, creating
// it or widening its hour range and updating its unit as needed.
func (db *DB) register(series *bbolt.Bucket, k string, g *pendingSeries, first, last uint32) (seriesInfo, error) {
	raw := series.Get([]byte(k))
	if raw == nil {
		id, err := series.NextSequence()
		if err != nil {
			return seriesInfo{}, err
		}
		if id > math.MaxUint32 {
			return seriesInfo{}, errors.New("history: series ids exhausted")
		}
		info := seriesInfo{id: uint32(id), firstHour: first, lastHour: last, unit: g.unit, metric: g.metric}
		return info, series.Put([]byte(k), info.encode())
	}
	info, err := decodeSeries(raw, false)
	if err != nil {
		return info, fmt.Errorf("%w: series %q", err, k)
	}
	changed := false
	if first < info.firstHour {
		info.firstHour, changed = first, true
	}
	if last > info.lastHour {
		info.lastHour, changed = last, true
	}
	if g.unit != "" && g.unit != info.unit {
		info.unit, changed = g.unit, true
	}
	if !changed {
		return info, nil
	}
	full, err := decodeSeries(raw, true)
	if err != nil {
		return info, fmt.Errorf("%w: series %q", err, k)
	}
	info.metric = full.metric
	return info, series.Put([]byte(k), info.encode())
}

// Query aggregates the minute buckets of metric m (dimensions in any order)
// into periods aligned to the Unix epoch; period must be a positive multiple
// of one minute. It returns one Datapoint per period that has data, oldest
// first, for the periods starting in [from, to). Data older than the
// retention is never returned, even before Prune removes it.
func (db *DB) Query(ctx context.Context, m model.Metric, from, to time.Time, period time.Duration) ([]model.Datapoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if period <= 0 || period%time.Minute != 0 {
		return nil, fmt.Errorf("%w: period %s is not a positive multiple of a minute", ErrInvalid, period)
	}
	ps := int64(period / time.Second)
	lo := ceilDiv(ceilSeconds(from), ps) * ps          // first period start >= from
	hi := ceilDiv(ceilSeconds(to), ps) * ps            // end of the last period starting before to
	cutoff := db.cutoff().Truncate(time.Minute).Unix() // oldest minute kept, as in Add
	lo = max(lo, floorDiv(cutoff, ps)*ps)
	var out []model.Datapoint
	err := db.bdb.View(func(tx *bbolt.Tx) error {
		raw := tx.Bucket(bucketSeries).Get([]byte(m.Key()))
		if raw == nil {
			return nil
		}
		info, err := decodeSeries(raw, false)
		if err != nil {
			return err
		}
		hi = min(hi, (int64(info.lastHour)+1)*3600)
		if lo >= hi {
			return nil
		}
		cs := chunksOf(tx)
		var c chunk
		var cur model.Datapoint
		curStart := int64(math.MinInt64)
		for h := max(int64(info.firstHour), floorDiv(lo, 3600)); h <= int64(info.lastHour) && h*3600 < hi; h++ {
			if h&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			v := cs.get(uint32(h), info.id)
			if v == nil {
				continue
			}
			if err := decodeChunk(v, &c); err != nil {
				return err
			}
			for i := range chunkMinutes {
				t := h*3600 + int64(i)*60
				if !c.has(i) || t < lo || t >= hi || t < cutoff {
					continue
				}
				start := floorDiv(t, ps) * ps
				if start != curStart {
					if cur.Stats.SampleCount != 0 {
						out = append(out, cur)
					}
					curStart = start
					cur = model.Datapoint{Timestamp: time.Unix(start, 0).UTC(), Unit: info.unit}
				}
				cur.Stats = cur.Stats.Merge(c.stats[i])
			}
		}
		if cur.Stats.SampleCount != 0 {
			out = append(out, cur)
		}
		return nil
	})
	return out, err
}

// ListMetrics returns the metrics, sorted by Key, with data in the last 14
// days (ListRecency), in namespace and named metricName ("" matches any),
// that have every filter dimension (with its value when Value is not nil).
func (db *DB) ListMetrics(ctx context.Context, namespace, metricName string, dims []DimensionFilter) ([]model.Metric, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recent := db.now().Add(-ListRecency).Unix()
	var out []model.Metric
	err := db.bdb.View(func(tx *bbolt.Tx) error {
		cs := chunksOf(tx)
		var c chunk
		n := 0
		return tx.Bucket(bucketSeries).ForEach(func(k, v []byte) error {
			if n++; n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			info, err := decodeSeries(v, true)
			if err != nil {
				return fmt.Errorf("%w: series %q", err, k)
			}
			m := info.metric
			if (namespace != "" && m.Namespace != namespace) || (metricName != "" && m.MetricName != metricName) || !matchDims(m.Dimensions, dims) {
				return nil
			}
			start := int64(info.lastHour) * 3600
			if start+3600 <= recent {
				return nil
			}
			if start < recent { // the last chunk straddles the limit: look inside
				raw := cs.get(info.lastHour, info.id)
				if raw == nil {
					return nil
				}
				if err := decodeChunk(raw, &c); err != nil {
					return err
				}
				if c.present>>uint((recent-start+59)/60) == 0 {
					return nil
				}
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

func matchDims(have []model.Dimension, want []DimensionFilter) bool {
	for _, f := range want {
		found := false
		for _, d := range have {
			if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// DeleteMetrics removes every series in namespace whose metric has the
// dimension dim (name and value), with all its data.
func (db *DB) DeleteMetrics(ctx context.Context, namespace string, dim model.Dimension) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bdb.Update(func(tx *bbolt.Tx) error {
		series := tx.Bucket(bucketSeries)
		cs := chunksOf(tx)
		var keys [][]byte
		var infos []seriesInfo
		err := series.ForEach(func(k, v []byte) error {
			info, err := decodeSeries(v, true)
			if err != nil {
				return fmt.Errorf("%w: series %q", err, k)
			}
			if info.metric.Namespace == namespace && slices.Contains(info.metric.Dimensions, dim) {
				keys = append(keys, slices.Clone(k))
				infos = append(infos, info)
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		oldest := uint32(math.MaxUint32)
		for _, b := range []*bbolt.Bucket{cs.sealed, cs.open} {
			if k, _ := b.Cursor().First(); k != nil {
				h, _, _ := splitChunkKey(k)
				oldest = min(oldest, h)
			}
		}
		for i, k := range keys {
			if err := series.Delete(k); err != nil {
				return err
			}
			info := infos[i]
			for h := max(info.firstHour, oldest); h <= info.lastHour; h++ {
				if err := cs.bucket(h).Delete(chunkKey(h, info.id)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func validStream(s string) error {
	if s == "" || bytes.IndexByte([]byte(s), 0) >= 0 {
		return fmt.Errorf("%w: stream name %q", ErrInvalid, s)
	}
	return nil
}

var (
	minEventTime = time.Unix(0, math.MinInt64)
	maxEventTime = time.Unix(0, math.MaxInt64)
)

// clampEventTime keeps t within what an event key can encode.
func clampEventTime(t time.Time) time.Time {
	if t.Before(minEventTime) {
		return minEventTime
	}
	if t.After(maxEventTime) {
		return maxEventTime
	}
	return t
}

// AddEvents appends events in one durable transaction. Events of one stream
// with equal times keep their insertion order. When an event is older than
// the retention (ErrTooOld) or malformed (ErrInvalid), nothing is written.
// Times are kept to the nanosecond and returned in UTC.
func (db *DB) AddEvents(ctx context.Context, events []Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	cutoff := db.cutoff()
	for i, e := range events {
		if err := validStream(e.Stream); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
		if e.Time.Before(cutoff) {
			return fmt.Errorf("%w: event %d of %s at %s is before %s", ErrTooOld, i, e.Stream, e.Time.UTC().Format(time.RFC3339), cutoff.UTC().Format(time.RFC3339))
		}
		if e.Time.After(maxEventTime) {
			return fmt.Errorf("%w: event %d: time %s out of range", ErrInvalid, i, e.Time)
		}
	}
	return db.bdb.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		for _, e := range events {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := b.Put(eventKey(e.Stream, e.Time, seq), append([]byte{}, e.Data...)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Events returns the events of stream with Time in [from, to), oldest first
// or, with newestFirst, newest first; at most limit of them (0: no limit).
// Events older than the retention are never returned.
func (db *DB) Events(ctx context.Context, stream string, from, to time.Time, limit int, newestFirst bool) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := validStream(stream); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, fmt.Errorf("%w: limit %d", ErrInvalid, limit)
	}
	if c := db.cutoff(); from.Before(c) {
		from = c
	}
	if !from.Before(to) {
		return nil, nil
	}
	prefix := eventPrefix(stream)
	lo := appendEventTime(slices.Clone(prefix), clampEventTime(from))
	hi := appendEventTime(slices.Clone(prefix), clampEventTime(to))
	var out []Event
	err := db.bdb.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		add := func(k, v []byte) bool {
			_, t, ok := splitEventKey(k)
			if !ok {
				return false
			}
			out = append(out, Event{Stream: stream, Time: t, Data: bytes.Clone(v)})
			return limit == 0 || len(out) < limit
		}
		if !newestFirst {
			for k, v := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
				if !add(k, v) {
					break
				}
			}
			return nil
		}
		k, v := c.Seek(hi)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.Compare(k, lo) >= 0; k, v = c.Prev() {
			if bytes.Compare(k, hi) >= 0 {
				continue
			}
			if !add(k, v) {
				break
			}
		}
		return nil
	})
	return out, err
}

// Streams returns the names of the streams, sorted, that start with prefix
// and hold at least one event.
func (db *DB) Streams(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := db.bdb.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		p := []byte(prefix)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); {
			stream, _, ok := splitEventKey(k)
			if !ok {
				return fmt.Errorf("%w: event key %x", errCorrupt, k)
			}
			out = append(out, stream)
			k, _ = c.Seek(append([]byte(stream), 1))
		}
		return nil
	})
	return out, err
}

// DeleteStream removes a stream and all its events.
func (db *DB) DeleteStream(ctx context.Context, stream string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validStream(stream); err != nil {
		return err
	}
	prefix := eventPrefix(stream)
	return db.bdb.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		var keys [][]byte
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, slices.Clone(k))
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Prune removes the data and events older than Now()-Retention. Data goes a
// whole hour chunk at a time, once all of it has expired (Query already
// hides the expired minutes); series left without data leave the registry.
// removed counts the chunks and events deleted.
func (db *DB) Prune(ctx context.Context) (removed int, err error) {
	cutoff := db.cutoff()
	below := uint32(max(0, min(floorDiv(cutoff.Unix(), 3600), math.MaxUint32)))
	// Chunks: a prefix of each time-major chunk bucket.
	for _, name := range [][]byte{bucketData, bucketOpen} {
		n, err := db.pruneChunks(ctx, name, below)
		removed += n
		if err != nil {
			return removed, err
		}
	}
	// Series whose last chunk has expired.
	err = db.bdb.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSeries)
		var keys [][]byte
		err := b.ForEach(func(k, v []byte) error {
			info, err := decodeSeries(v, false)
			if err != nil {
				return fmt.Errorf("%w: series %q", err, k)
			}
			if info.lastHour < below {
				keys = append(keys, slices.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return removed, err
	}
	n, err := db.pruneEvents(ctx, cutoff)
	return removed + n, err
}

// pruneChunks deletes the chunks of the named bucket before hour below.
func (db *DB) pruneChunks(ctx context.Context, name []byte, below uint32) (int, error) {
	return db.deleteInBatches(ctx, name, func(c *bbolt.Cursor) ([][]byte, error) {
		var keys [][]byte
		for k, _ := c.First(); k != nil && len(keys) < pruneBatch; k, _ = c.Next() {
			if h, _, _ := splitChunkKey(k); h >= below {
				break
			}
			keys = append(keys, slices.Clone(k))
		}
		return keys, nil
	})
}

// pruneEvents deletes the events before cutoff: the head of each stream.
func (db *DB) pruneEvents(ctx context.Context, cutoff time.Time) (int, error) {
	return db.deleteInBatches(ctx, bucketEvents, func(c *bbolt.Cursor) ([][]byte, error) {
		var keys [][]byte
		for k, _ := c.First(); k != nil && len(keys) < pruneBatch; {
			stream, t, ok := splitEventKey(k)
			if !ok {
				return nil, fmt.Errorf("%w: event key %x", errCorrupt, k)
			}
			if t.Before(cutoff) {
				keys = append(keys, slices.Clone(k))
				k, _ = c.Next()
				continue
			}
			k, _ = c.Seek(append([]byte(stream), 1)) // next stream
		}
		return keys, nil
	})
}

// deleteInBatches deletes, one transaction at a time, the keys pick chooses
// (at most pruneBatch a call) from the named bucket, until pick chooses
// fewer than pruneBatch, and returns how many it deleted.
func (db *DB) deleteInBatches(ctx context.Context, name []byte, pick func(*bbolt.Cursor) ([][]byte, error)) (removed int, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		n := 0
		err := db.bdb.Update(func(tx *bbolt.Tx) error {
			b := tx.Bucket(name)
			keys, err := pick(b.Cursor())
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n = len(keys)
			return nil
		})
		if err != nil {
			return removed, err
		}
		removed += n
		if n < pruneBatch {
			return removed, nil
		}
	}
}

// Run prunes at once and then every PruneInterval until ctx ends, and
// returns ctx's error.
func (db *DB) Run(ctx context.Context) error {
	t := time.NewTicker(PruneInterval)
	defer t.Stop()
	for {
		if n, err := db.Prune(ctx); err != nil && ctx.Err() == nil {
			db.log.Error("history: prune", "err", err)
		} else if n > 0 {
			db.log.Debug("history: pruned", "removed", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Stats reports the file's size and contents. It walks the data bucket:
// meant for tests, benchmarks and documentation, not for hot paths.
func (db *DB) Stats() (Stats, error) {
	var s Stats
	fi, err := os.Stat(db.path)
	if err != nil {
		return s, err
	}
	s.FileBytes = fi.Size()
	st := db.bdb.Stats()
	err = db.bdb.View(func(tx *bbolt.Tx) error {
		free := int64(st.FreePageN+st.PendingPageN) * int64(db.bdb.Info().PageSize)
		s.UsedBytes = tx.Size() - free
		s.Series = tx.Bucket(bucketSeries).Stats().KeyN
		s.Events = tx.Bucket(bucketEvents).Stats().KeyN
		for _, name := range [][]byte{bucketData, bucketOpen} {
			err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				s.Chunks++
				s.ChunkBytes += int64(len(k) + len(v))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return s, err
}

// hourOf returns t's hour number since the Unix epoch, clamped to a u32.
func hourOf(t time.Time) uint32 {
	return uint32(max(0, min(floorDiv(t.Unix(), 3600), math.MaxUint32)))
}

// chunkStore is a transaction's view of the chunks: those of the hours
// before sealedBelow are in the sealed bucket (bucketData), packed and
// rarely rewritten; the others, still growing, are in bucketOpen.
type chunkStore struct {
	sealed, open *bbolt.Bucket
	sealedBelow  uint32
}

func chunksOf(tx *bbolt.Tx) chunkStore {
	cs := chunkStore{sealed: tx.Bucket(bucketData), open: tx.Bucket(bucketOpen)}
	if v := tx.Bucket(bucketMeta).Get(keySealed); len(v) == 4 {
		cs.sealedBelow = binary.BigEndian.Uint32(v)
	}
	cs.sealed.FillPercent = sealedFillPercent
	return cs
}

func (cs chunkStore) bucket(hour uint32) *bbolt.Bucket {
	if hour < cs.sealedBelow {
		return cs.sealed
	}
	return cs.open
}

func (cs chunkStore) get(hour, id uint32) []byte {
	return cs.bucket(hour).Get(chunkKey(hour, id))
}

// sealChunks moves the open chunks of the hours before the previous one
// (now's hour minus one: late data of the last hour still lands in the open
// bucket) to the sealed bucket, appending them in key order so that their
// pages are full. A chunk written while open is rewritten at every Add; in
// one bucket with the closed hours, its growth would split pages over and
// over and leave them a third full.
func sealChunks(tx *bbolt.Tx, nowHour uint32) (chunkStore, error) {
	cs := chunksOf(tx)
	if nowHour == 0 || nowHour-1 <= cs.sealedBelow {
		return cs, nil
	}
	target := nowHour - 1
	type kv struct{ k, v []byte }
	var moved []kv
	c := cs.open.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if h, _, _ := splitChunkKey(k); h >= target {
			break
		}
		moved = append(moved, kv{slices.Clone(k), slices.Clone(v)})
	}
	var a, b chunk
	for _, m := range moved {
		if err := cs.open.Delete(m.k); err != nil {
			return cs, err
		}
		v := m.v
		if old := cs.sealed.Get(m.k); old != nil { // only after clock jumps
			if decodeChunk(old, &a) != nil || decodeChunk(v, &b) != nil {
				return cs, fmt.Errorf("%w: chunk %x", errCorrupt, m.k)
			}
			for i := range chunkMinutes {
				if b.has(i) {
					a.merge(i, b.stats[i])
				}
			}
			v = a.encode()
		}
		if err := cs.sealed.Put(m.k, v); err != nil {
			return cs, err
		}
	}
	if err := tx.Bucket(bucketMeta).Put(keySealed, binary.BigEndian.AppendUint32(nil, target)); err != nil {
		return cs, err
	}
	cs.sealedBelow = target
	return cs, nil
}
