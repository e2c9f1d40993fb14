// Package history owns Vedette's durable metric and event history: the
// per-minute aggregates of every metric series (the Route 53 health-check
// metrics such as HealthCheckStatus, HealthCheckPercentageHealthy and the
// per-region latencies, and the custom metrics pushed with PutMetricData),
// and the append-only event logs (health-check status changes, alarm
// history, notification deliveries). It keeps them in a bbolt file of its
// own, separate from the configuration store, for a bounded retention
// (default 15 days, at least 14) at one-minute resolution.
//
// Every Add and AddEvents is one bbolt read-write transaction, fsynced
// before the call returns: an acknowledged write survives a crash. Reads are
// bbolt read transactions and run concurrently with the writer.
//
// # File layout (schema version 1)
//
// Buckets:
//
//	meta    "schema" → 1 (one byte); "sealed" → u32 hour (see below)
//	series  metric Key() → registry record
//	open    chunk key → chunk, for the hours still being written
//	data    chunk key → chunk, for the sealed hours
//	events  stream, 0x00, time, seq → event data
//
// Integers in keys are big-endian, so byte order is numeric order.
//
// The series registry maps model.Metric.Key() (dimension-order independent)
// to: a u32 id (the bucket sequence; never reused), the first and last hour
// holding data (u32 hours since the Unix epoch), the unit (the last
// non-empty unit added), and the metric itself (length-prefixed strings),
// which ListMetrics and DeleteMetrics read. The record is rewritten only
// when the series enters a new hour or changes unit.
//
// Points live in chunks of one series-hour, keyed hour (u32) | series id
// (u32): time-major, so one minute of writes for all series touches
// adjacent keys, and pruning deletes a prefix. A chunk holds only the
// minutes with data, as a sequence of entries. Each entry starts with a tag
// byte:
//
//	bits 4-7  gap: minutes without data skipped since the previous entry
//	          (15: the gap is in the next byte)
//	bits 0-1  shape:
//	          0 single sample of value v          → v
//	          1 n equal samples of value v         → uvarint n, v
//	          2 any statistic set                  → codes byte, n, sum, min, max
//	          3 repeat: the previous entry's stats
//	            hold for the next r minutes        → uvarint r
//	bits 2-3  how v is stored (shapes 0 and 1); for shape 2 the codes byte
//	          has two such bits for each of n, sum, min and max:
//	          0 = +0 (no bytes), 1 = 1 (no bytes), 2 = zigzag varint of an
//	          integral value below 2^53, 3 = float64, 8 bytes little-endian.
//
// Shapes 0 and 1 are used only when min == max and sum == n·min exactly.
// So a 0/1 status sample costs one byte a minute, and a run of equal
// minutes (a steady status) costs two or three bytes an hour; a general
// statistic set costs 3 to 35 bytes. Adding to a minute that has data
// merges the statistic sets (model.StatisticSet.Merge): the chunk is
// decoded, merged and re-encoded.
//
// Chunks of the hours at or after "sealed" are in the open bucket, where
// they grow at every Add; the first Add of an hour moves the chunks of the
// hours before the previous one to the data bucket, appended in key order
// with a fill of 100%, so sealed pages are full. (With one bucket, the
// growing chunks split pages again and again and leave them a third full.)
// Late points for a sealed hour are merged into the data bucket directly.
//
// Events are keyed by stream name, a 0 byte (stream names may not contain
// one), the time (UnixNano with the sign bit flipped, 8 bytes) and a global
// sequence number (8 bytes) that keeps insertion order among equal times.
// The value is the event's data as given.
//
// # Retention
//
// Add and AddEvents refuse data older than Now()-Retention (ErrTooOld,
// nothing of the call written). Query and Events never return older data.
// Prune, run by Run every ten minutes, deletes the chunks whose whole hour
// has expired, the series left without data, and the expired events.
//
// # Cost
//
// Measured bytes per series and day, at one point per minute, on pages in
// use (Stats.UsedBytes: bbolt pages, including the branch pages, the
// 16-byte leaf element headers and the page fill); the encoded payload
// (Stats.ChunkBytes: keys and values) in parentheses:
//
//	0/1 status, one sample a minute, steady with a 3-minute
//	outage every 4 hours:                         ~0.8 KB  (~0.3 KB)
//	0/1 status flipping every minute (worst case): ~2.2 KB  (~1.6 KB)
//	percentage, 6 non-integral samples a minute:   ~50 KB   (~36 KB)
//
// from TestDaySize (100 series, one simulated day; its bounds are 1000,
// 2600 and 52000 bytes). So 10,000 status series keep 15 days in about
// 120 MB, and the same number of percentage series in about 7.5 GB.
// BenchmarkAddMinute adds one minute for 10,000 series in one fsynced Add:
//
//	go test -run '^$' -bench BenchmarkAddMinute -benchtime=1440x ./internal/monitor/history/
//
// It reported, for a full simulated day (1440 operations) on a 2-vCPU AMD
// EPYC VM: status 56 ms/op and 716 B/series-day in use (298 B payload);
// percentage 104 ms/op and 49.7 KB/series-day in use (36.5 KB payload).
// Most of an Add is the rewrite of each series' open chunk and the fsync.
package history
