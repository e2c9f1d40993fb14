package bolt

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/vedette-dns/vedette/internal/store"
)

// On-disk layout, schema version 1. One bbolt file with four buckets:
//
//	meta    "schema"   -> u64 schema version (1)
//	        "rev"      -> u64 current revision (0 before the first write)
//	        "firstLog" -> u64 oldest revision still in log (1 on a new file)
//	        "leaseSeq" -> u64 last lease id granted (ids are never reused)
//	kv      key        -> uv createRev, uv modRev, uv version, uv lease, value (the rest)
//	log     u64 rev    -> uv event count, then per event:
//	                      type byte, uv len, key, uv len, value,
//	                      uv createRev, uv version, uv lease
//	                      (modRev is the revision in the bucket key)
//	leases  u64 id     -> uv ttl in nanoseconds
//
// u64 is 8 bytes big-endian, so bbolt's byte order is numeric order; uv is
// an unsigned varint (encoding/binary). Every revision in [firstLog, rev]
// has a log entry: a write that produces no event does not get a revision.
// Lease renewals are kept in memory only: on Open every lease restarts its
// TTL from now.

const schemaVersion = 1

var (
	bucketMeta   = []byte("meta")
	bucketKV     = []byte("kv")
	bucketLog    = []byte("log")
	bucketLeases = []byte("leases")

	keySchema   = []byte("schema")
	keyRev      = []byte("rev")
	keyFirstLog = []byte("firstLog")
	keyLeaseSeq = []byte("leaseSeq")
)

// errCorrupt reports a record that cannot be decoded.
var errCorrupt = errors.New("corrupt record")

// u64 encodes n as 8 bytes big-endian.
func u64(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }

// fromU64 decodes u64; a missing value reads as zero.
func fromU64(b []byte) int64 {
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

func encodeKV(kv store.KeyValue) []byte {
	b := make([]byte, 0, 4*binary.MaxVarintLen64+len(kv.Value))
	b = binary.AppendUvarint(b, uint64(kv.CreateRevision))
	b = binary.AppendUvarint(b, uint64(kv.ModRevision))
	b = binary.AppendUvarint(b, uint64(kv.Version))
	b = binary.AppendUvarint(b, uint64(kv.Lease))
	return append(b, kv.Value...)
}

// decodeKV decodes a kv bucket record. The value is copied: raw belongs to bbolt.
func decodeKV(key string, raw []byte) (store.KeyValue, error) {
	d := decoder{b: raw}
	kv := store.KeyValue{Key: key}
	kv.CreateRevision = d.int()
	kv.ModRevision = d.int()
	kv.Version = d.int()
	kv.Lease = store.LeaseID(d.int())
	kv.Value = clone(d.b)
	return kv, d.err
}

func encodeEvents(events []store.Event) []byte {
	b := binary.AppendUvarint(nil, uint64(len(events)))
	for _, ev := range events {
		b = append(b, byte(ev.Type))
		b = binary.AppendUvarint(b, uint64(len(ev.KV.Key)))
		b = append(b, ev.KV.Key...)
		b = binary.AppendUvarint(b, uint64(len(ev.KV.Value)))
		b = append(b, ev.KV.Value...)
		b = binary.AppendUvarint(b, uint64(ev.KV.CreateRevision))
		b = binary.AppendUvarint(b, uint64(ev.KV.Version))
		b = binary.AppendUvarint(b, uint64(ev.KV.Lease))
	}
	return b
}

// decodeEvents decodes the log entry of revision rev.
func decodeEvents(rev int64, raw []byte) ([]store.Event, error) {
	d := decoder{b: raw}
	n := d.int()
	if n < 0 || n > int64(len(raw)) {
		return nil, errCorrupt
	}
	events := make([]store.Event, 0, n)
	for range n {
		var ev store.Event
		ev.Type = store.EventType(d.byte())
		ev.KV.Key = string(d.bytes())
		ev.KV.Value = d.bytes()
		ev.KV.CreateRevision = d.int()
		ev.KV.Version = d.int()
		ev.KV.Lease = store.LeaseID(d.int())
		ev.KV.ModRevision = rev
		events = append(events, ev)
	}
	return events, d.err
}

func encodeTTL(ttl time.Duration) []byte { return binary.AppendUvarint(nil, uint64(ttl)) }

func decodeTTL(raw []byte) (time.Duration, error) {
	d := decoder{b: raw}
	ttl := time.Duration(d.int())
	if d.err == nil && ttl <= 0 {
		return 0, errCorrupt
	}
	return ttl, d.err
}

// decoder reads varint-framed fields; the first failure sticks in err.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return int64(v)
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// bytes reads a length-prefixed field and returns a copy of it.
func (d *decoder) bytes() []byte {
	n := d.int()
	if d.err != nil || n < 0 || n > int64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	out := clone(d.b[:n])
	d.b = d.b[n:]
	return out
}

// clone copies b; an empty value is always nil, whether read back from the
// kv bucket, the log or a live event.
func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
