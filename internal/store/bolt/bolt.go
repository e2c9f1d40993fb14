// Package bolt implements store.Store on one bbolt file: Vedette's embedded,
// single-node configuration store, with an fsync per committed write.
package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"

	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
	"github.com/vedette-dns/vedette/internal/store"
)

const (
	defaultKeepEvents = 100000
	// maxCompactPerCommit bounds the log entries one commit deletes, so that
	// lowering KeepEvents on a large file never stalls a single write.
	maxCompactPerCommit = 10000
	// watchQueueLen is how many revisions a live watcher may fall behind
	// before it is switched back to replaying from the log.
	watchQueueLen = 1024
	// replayChunk is how many revisions one read transaction replays.
	replayChunk = 512
	// leaseCheckInterval is how often the background loop expires leases.
	leaseCheckInterval = 500 * time.Millisecond
	// openTimeout bounds the wait for the file lock another process holds.
	openTimeout = 5 * time.Second
)

var (
	errEmptyKey = errors.New("empty key")
	// errNothingWritten rolls back a transaction that made no change.
	errNothingWritten = errors.New("nothing written")
	// errStopped ends a watcher whose context or store is done.
	errStopped = errors.New("watcher stopped")
)

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// Clock is the time source for lease expiry. Default: real time.
	Clock store.Clock
	// Logger receives errors of background work (lease expiry).
	// Default: slog.Default().
	Logger *slog.Logger
	// KeepEvents is how many revisions of event history are kept for Watch
	// replay; older ones are compacted away on commit, in batches of up to a
	// tenth of KeepEvents (at most 1000). Default (or <= 0): 100000.
	KeepEvents int
	// NoSync skips the fsync of each commit, so acknowledged writes can be
	// lost on power failure. Only for benchmarks and tests. Default: false.
	NoSync bool
	// Observer, when set, is told the latency of reads (selfmetrics.StoreGet
	// for Get, StoreRange for Range), of write transactions up to their
	// durable commit, writer queueing included (StoreCommit: Txn, Compact
	// and lease changes), and of the live delivery of a commit's events to
	// each watcher, from the commit's publication (StoreWatch). Default:
	// none.
	Observer selfmetrics.StoreObserver
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Store is a store.Store on one bbolt file. The on-disk layout is described
// in codec.go.
//
// Commits are serialized: each is one bbolt read-write transaction, fsynced
// before the call returns, then its events are handed to the watchers in
// revision order.
type Store struct {
	db         *bbolt.DB
	clock      store.Clock
	log        *slog.Logger
	keepEvents int64
	obs        selfmetrics.StoreObserver // nil: no latencies measured

	// closeMu is held shared by every call in flight and exclusively by
	// Close while it marks the store closed.
	closeMu sync.RWMutex
	closed  atomic.Bool
	done    chan struct{} // closed by Close: stops watchers and the lease loop
	wg      sync.WaitGroup

	// writeMu serializes commits with the publication of their events and
	// with the changes they make to the lease table.
	writeMu sync.Mutex

	mu       sync.Mutex // guards rev and watchers
	rev      int64      // last published revision
	watchers map[*watcher]chan queued

	leaseMu sync.Mutex // guards leases; entries are added and removed under writeMu too
	leases  map[store.LeaseID]*lease
}

// lease is the in-memory state of a granted lease.
type lease struct {
	ttl    time.Duration
	expiry time.Time           // last renewal + ttl
	keys   map[string]struct{} // keys attached to the lease
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the store in the bbolt file at path and
// starts its lease-expiry loop. It fails with store.ErrSchema when the file
// was written by a newer schema version.
func Open(path string, opts Options) (*Store, error) {
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.KeepEvents <= 0 {
		opts.KeepEvents = defaultKeepEvents
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: openTimeout, NoSync: opts.NoSync})
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	s := &Store{
		db:         db,
		clock:      opts.Clock,
		log:        opts.Logger,
		keepEvents: int64(opts.KeepEvents),
		obs:        opts.Observer,
		done:       make(chan struct{}),
		watchers:   make(map[*watcher]chan queued),
		leases:     make(map[store.LeaseID]*lease),
	}
	if err := s.load(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	s.wg.Add(1)
	go s.expireLoop()
	return s, nil
}

// load checks or writes the schema, then reads the revision and the leases.
func (s *Store) load() error {
	if err := s.db.Update(initSchema); err != nil {
		return err
	}
	return s.db.View(func(tx *bbolt.Tx) error {
		s.rev = fromU64(tx.Bucket(bucketMeta).Get(keyRev))
		if err := s.loadLeases(tx); err != nil {
			return fmt.Errorf("load leases: %w", err)
		}
		return s.indexLeaseKeys(tx)
	})
}

func initSchema(tx *bbolt.Tx) error {
	if meta := tx.Bucket(bucketMeta); meta != nil {
		if v := fromU64(meta.Get(keySchema)); v != schemaVersion {
			return fmt.Errorf("file has schema version %d, this build reads %d: %w", v, schemaVersion, store.ErrSchema)
		}
	}
	for _, name := range [][]byte{bucketMeta, bucketKV, bucketLog, bucketLeases} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if meta.Get(keySchema) != nil {
		return nil
	}
	if err := meta.Put(keySchema, u64(schemaVersion)); err != nil {
		return err
	}
	return meta.Put(keyFirstLog, u64(1))
}

// loadLeases gives every persisted lease a fresh TTL starting now.
func (s *Store) loadLeases(tx *bbolt.Tx) error {
	now := s.clock.Now()
	return tx.Bucket(bucketLeases).ForEach(func(k, v []byte) error {
		ttl, err := decodeTTL(v)
		if err != nil {
			return fmt.Errorf("lease %x: %w", k, err)
		}
		s.leases[store.LeaseID(fromU64(k))] = &lease{ttl: ttl, expiry: now.Add(ttl), keys: map[string]struct{}{}}
		return nil
	})
}

// indexLeaseKeys rebuilds the lease -> keys index from the kv bucket.
func (s *Store) indexLeaseKeys(tx *bbolt.Tx) error {
	return tx.Bucket(bucketKV).ForEach(func(k, v []byte) error {
		kv, err := decodeKV(string(k), v)
		if err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
		if kv.Lease == 0 {
			return nil
		}
		if l := s.leases[kv.Lease]; l != nil {
			l.keys[kv.Key] = struct{}{}
		} else {
			s.log.Warn("bolt: key attached to a missing lease", "key", kv.Key, "lease", int64(kv.Lease))
		}
		return nil
	})
}

// Close stops the store, in order: new calls fail with store.ErrClosed;
// calls in flight finish; watch channels close and the lease loop stops
// (Close waits for every goroutine the store started); the file is closed.
// A second Close returns store.ErrClosed.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed.Swap(true) {
		s.closeMu.Unlock()
		return store.ErrClosed
	}
	close(s.done)
	s.closeMu.Unlock()
	s.wg.Wait()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close: %w", err)
	}
	return nil
}

// enter admits a call: it fails when ctx is done or the store is closed.
// On success the caller must call exit. Exported methods call enter once and
// never call each other, as a nested read lock could deadlock with Close.
func (s *Store) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.closeMu.RLock()
	if s.closed.Load() {
		s.closeMu.RUnlock()
		return store.ErrClosed
	}
	return nil
}

func (s *Store) exit() { s.closeMu.RUnlock() }

// observe reports the latency of op, started at start, to the observer.
func (s *Store) observe(op string, start time.Time) {
	if s.obs != nil {
		s.obs.ObserveStore(op, time.Since(start))
	}
}

// queued is a response in a watcher's live queue, with when it was
// published (zero when no observer measures delivery).
type queued struct {
	resp store.WatchResponse
	at   time.Time
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) (kv store.KeyValue, ok bool, rev int64, err error) {
	if err := s.enter(ctx); err != nil {
		return kv, false, 0, err
	}
	defer s.exit()
	defer s.observe(selfmetrics.StoreGet, time.Now())
	err = s.db.View(func(tx *bbolt.Tx) error {
		rev = fromU64(tx.Bucket(bucketMeta).Get(keyRev))
		raw := tx.Bucket(bucketKV).Get([]byte(key))
		if raw == nil {
			return nil
		}
		ok = true
		kv, err = decodeKV(key, raw)
		return err
	})
	if err != nil {
		return store.KeyValue{}, false, 0, fmt.Errorf("bolt: get %q: %w", key, err)
	}
	return kv, ok, rev, nil
}

// Range implements store.Store.
func (s *Store) Range(ctx context.Context, prefix string) (kvs []store.KeyValue, rev int64, err error) {
	if err := s.enter(ctx); err != nil {
		return nil, 0, err
	}
	defer s.exit()
	defer s.observe(selfmetrics.StoreRange, time.Now())
	err = s.db.View(func(tx *bbolt.Tx) error {
		rev = fromU64(tx.Bucket(bucketMeta).Get(keyRev))
		p := []byte(prefix)
		c := tx.Bucket(bucketKV).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			kv, err := decodeKV(string(k), v)
			if err != nil {
				return fmt.Errorf("key %q: %w", k, err)
			}
			kvs = append(kvs, kv)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("bolt: range %q: %w", prefix, err)
	}
	return kvs, rev, nil
}

// Txn implements store.Store. A transaction whose chosen branch changes
// nothing (no ops, or only deletes of missing keys) does not move the
// revision. Putting with a lease that is unknown or past its expiry fails
// with store.ErrLeaseNotFound and writes nothing.
func (s *Store) Txn(ctx context.Context, t store.Txn) (store.TxnResult, error) {
	if err := s.enter(ctx); err != nil {
		return store.TxnResult{}, err
	}
	defer s.exit()
	var res store.TxnResult
	rev, err := s.commit(ctx, func(b *batch) error {
		ok, err := b.holds(t.If)
		if err != nil {
			return err
		}
		res.Succeeded = ok
		if ok {
			return b.apply(t.Then)
		}
		return b.apply(t.Else)
	})
	if err != nil {
		return store.TxnResult{}, fmt.Errorf("bolt: txn: %w", err)
	}
	res.Revision = rev
	return res, nil
}

// Compact discards the event history before rev, so Watch from an earlier
// revision fails with store.ErrCompacted. KeepEvents compacts automatically;
// Compact is for administration and tests.
func (s *Store) Compact(ctx context.Context, rev int64) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.exit()
	_, err := s.commit(ctx, func(b *batch) error {
		if rev > b.rev {
			return fmt.Errorf("compact to %d, current %d: %w", rev, b.rev-1, store.ErrFutureRevision)
		}
		return b.compactLog(rev)
	})
	if err != nil {
		return fmt.Errorf("bolt: compact: %w", err)
	}
	return nil
}

// commit runs fn in one bbolt read-write transaction under writeMu. When fn
// produced events they get the next revision, are appended to the log and,
// once the transaction is durable, published to watchers. It returns the
// store revision after the commit.
func (s *Store) commit(ctx context.Context, fn func(*batch) error) (int64, error) {
	start := time.Now()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var b *batch
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b = newBatch(s, tx)
		if err := fn(b); err != nil {
			return err
		}
		if !b.touched {
			return errNothingWritten
		}
		return b.finish()
	})
	s.observe(selfmetrics.StoreCommit, start)
	if errors.Is(err, errNothingWritten) {
		return b.rev - 1, nil
	}
	if err != nil {
		return 0, err
	}
	s.moveLeaseKeys(b.moves)
	for _, f := range b.onCommit {
		f()
	}
	if len(b.events) == 0 {
		return b.rev - 1, nil
	}
	s.publish(b.rev, b.events)
	return b.rev, nil
}

// batch is the state of one commit.
type batch struct {
	s        *Store
	tx       *bbolt.Tx
	kv       *bbolt.Bucket
	meta     *bbolt.Bucket
	rev      int64     // the revision this batch writes at: current + 1
	now      time.Time // for lease validity
	events   []store.Event
	moves    []leaseMove // lease index changes, applied after the commit
	onCommit []func()    // lease table changes, applied after the commit
	touched  bool        // something was written
}

// leaseMove records that key left lease from (0: none) for lease to.
type leaseMove struct {
	key      string
	from, to store.LeaseID
}

func newBatch(s *Store, tx *bbolt.Tx) *batch {
	meta := tx.Bucket(bucketMeta)
	return &batch{
		s:    s,
		tx:   tx,
		kv:   tx.Bucket(bucketKV),
		meta: meta,
		rev:  fromU64(meta.Get(keyRev)) + 1,
		now:  s.clock.Now(),
	}
}

// holds reports whether every compare holds.
func (b *batch) holds(cmps []store.Compare) (bool, error) {
	for _, c := range cmps {
		raw := b.kv.Get([]byte(c.Key))
		var ok bool
		switch c.Kind {
		case store.ModRevisionEquals:
			if raw == nil {
				ok = c.ModRevision == 0
				break
			}
			kv, err := decodeKV(c.Key, raw)
			if err != nil {
				return false, fmt.Errorf("key %q: %w", c.Key, err)
			}
			ok = kv.ModRevision == c.ModRevision
		case store.ValueEquals:
			if raw == nil {
				break
			}
			kv, err := decodeKV(c.Key, raw)
			if err != nil {
				return false, fmt.Errorf("key %q: %w", c.Key, err)
			}
			ok = bytes.Equal(kv.Value, c.Value)
		default:
			return false, fmt.Errorf("unknown compare kind %d", c.Kind)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func (b *batch) apply(ops []store.Op) error {
	for _, op := range ops {
		var err error
		switch op.Kind {
		case store.OpPut:
			err = b.put(op.Key, op.Value, op.Lease)
		case store.OpDelete:
			err = b.delete(op.Key)
		case store.OpDeletePrefix:
			err = b.deletePrefix(op.Key)
		default:
			err = fmt.Errorf("unknown op kind %d", op.Kind)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) put(key string, value []byte, id store.LeaseID) error {
	if key == "" {
		return errEmptyKey
	}
	if id != 0 && !b.s.leaseLive(id, b.now) {
		return fmt.Errorf("put %q: lease %d: %w", key, id, store.ErrLeaseNotFound)
	}
	kv := store.KeyValue{Key: key, Value: clone(value), CreateRevision: b.rev, ModRevision: b.rev, Version: 1, Lease: id}
	var from store.LeaseID
	if raw := b.kv.Get([]byte(key)); raw != nil {
		old, err := decodeKV(key, raw)
		if err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		kv.CreateRevision, kv.Version, from = old.CreateRevision, old.Version+1, old.Lease
	}
	if err := b.kv.Put([]byte(key), encodeKV(kv)); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	b.record(store.Event{Type: store.EventPut, KV: kv}, from)
	return nil
}

// delete removes key; a missing key is no change and no event.
func (b *batch) delete(key string) error {
	raw := b.kv.Get([]byte(key))
	if raw == nil {
		return nil
	}
	old, err := decodeKV(key, raw)
	if err != nil {
		return fmt.Errorf("key %q: %w", key, err)
	}
	if err := b.kv.Delete([]byte(key)); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	b.record(store.Event{Type: store.EventDelete, KV: store.KeyValue{Key: key, ModRevision: b.rev}}, old.Lease)
	return nil
}

// deletePrefix deletes every key under prefix, in key order.
func (b *batch) deletePrefix(prefix string) error {
	var keys []string
	p := []byte(prefix)
	c := b.kv.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		keys = append(keys, string(k))
	}
	for _, k := range keys {
		if err := b.delete(k); err != nil {
			return err
		}
	}
	return nil
}

// record notes an event whose key was attached to lease from before.
func (b *batch) record(ev store.Event, from store.LeaseID) {
	b.events = append(b.events, ev)
	b.touched = true
	if from != ev.KV.Lease {
		b.moves = append(b.moves, leaseMove{key: ev.KV.Key, from: from, to: ev.KV.Lease})
	}
}

// finish writes the log entry and the new revision, then compacts the log
// in batches once it holds more than keepEvents revisions.
func (b *batch) finish() error {
	if len(b.events) == 0 {
		return nil
	}
	if err := b.tx.Bucket(bucketLog).Put(u64(b.rev), encodeEvents(b.events)); err != nil {
		return fmt.Errorf("append log: %w", err)
	}
	if err := b.meta.Put(keyRev, u64(b.rev)); err != nil {
		return fmt.Errorf("write revision: %w", err)
	}
	keep := b.s.keepEvents
	step := min(max(keep/10, 1), 1000)
	first := fromU64(b.meta.Get(keyFirstLog))
	keepFrom := b.rev - keep + 1 // oldest revision to keep
	if keepFrom-first < step {
		return nil
	}
	return b.compactLog(min(keepFrom, first+maxCompactPerCommit))
}

// compactLog deletes the log entries before revision below.
func (b *batch) compactLog(below int64) error {
	first := fromU64(b.meta.Get(keyFirstLog))
	if below <= first {
		return nil
	}
	logb := b.tx.Bucket(bucketLog)
	var keys [][]byte
	c := logb.Cursor()
	for k, _ := c.Seek(u64(first)); k != nil && fromU64(k) < below; k, _ = c.Next() {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if err := logb.Delete(k); err != nil {
			return fmt.Errorf("compact log: %w", err)
		}
	}
	b.touched = true
	return b.meta.Put(keyFirstLog, u64(below))
}

// Grant implements store.Store. The lease is persisted; renewals are not
// (after Open every lease restarts its TTL).
func (s *Store) Grant(ctx context.Context, ttl time.Duration) (store.LeaseID, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("bolt: grant: ttl %v is not positive", ttl)
	}
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	defer s.exit()
	var id store.LeaseID
	_, err := s.commit(ctx, func(b *batch) error {
		seq := fromU64(b.meta.Get(keyLeaseSeq)) + 1
		id = store.LeaseID(seq)
		if err := b.meta.Put(keyLeaseSeq, u64(seq)); err != nil {
			return err
		}
		if err := b.tx.Bucket(bucketLeases).Put(u64(seq), encodeTTL(ttl)); err != nil {
			return err
		}
		b.touched = true
		b.onCommit = append(b.onCommit, func() { s.addLease(id, ttl, b.now) })
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: grant: %w", err)
	}
	return id, nil
}

// KeepAlive implements store.Store: the lease then expires ttl after now.
// A lease past its expiry cannot be renewed, even before the expiry loop
// has deleted it. Renewals are kept in memory only.
func (s *Store) KeepAlive(ctx context.Context, id store.LeaseID) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.exit()
	now := s.clock.Now()
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	l := s.leases[id]
	if l == nil || !now.Before(l.expiry) {
		return fmt.Errorf("bolt: keepalive %d: %w", id, store.ErrLeaseNotFound)
	}
	l.expiry = now.Add(l.ttl)
	return nil
}

// Revoke implements store.Store: the lease record and every key attached to
// it are deleted in one commit (one revision when it had keys).
func (s *Store) Revoke(ctx context.Context, id store.LeaseID) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.exit()
	_, err := s.commit(ctx, func(b *batch) error { return b.revoke(id) })
	if err != nil {
		return fmt.Errorf("bolt: revoke: %w", err)
	}
	return nil
}

// ExpireLeases runs one expiry pass now: every lease whose last renewal plus
// TTL is not after the clock's now is revoked, all in one commit. A
// background loop calls it every 500ms; tests call it after moving a fake
// clock.
func (s *Store) ExpireLeases() error {
	if err := s.enter(context.Background()); err != nil {
		return err
	}
	defer s.exit()
	now := s.clock.Now()
	_, err := s.commit(context.Background(), func(b *batch) error {
		for _, id := range s.expiredLeases(now) {
			if err := b.revoke(id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: expire leases: %w", err)
	}
	return nil
}

// revoke deletes lease id and its keys.
func (b *batch) revoke(id store.LeaseID) error {
	keys, ok := b.s.leaseKeys(id)
	if !ok {
		return fmt.Errorf("lease %d: %w", id, store.ErrLeaseNotFound)
	}
	for _, k := range keys {
		if err := b.delete(k); err != nil {
			return err
		}
	}
	if err := b.tx.Bucket(bucketLeases).Delete(u64(int64(id))); err != nil {
		return fmt.Errorf("delete lease %d: %w", id, err)
	}
	b.touched = true
	b.onCommit = append(b.onCommit, func() { b.s.dropLease(id) })
	return nil
}

func (s *Store) expireLoop() {
	defer s.wg.Done()
	t := time.NewTicker(leaseCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.expireOnce()
		}
	}
}

// expireOnce runs ExpireLeases for the loop, logging failures and panics.
func (s *Store) expireOnce() {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("bolt: lease expiry panicked", "panic", r)
		}
	}()
	if err := s.ExpireLeases(); err != nil && !errors.Is(err, store.ErrClosed) {
		s.log.Error("bolt: lease expiry failed", "err", err)
	}
}

func (s *Store) addLease(id store.LeaseID, ttl time.Duration, now time.Time) {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	s.leases[id] = &lease{ttl: ttl, expiry: now.Add(ttl), keys: map[string]struct{}{}}
}

func (s *Store) dropLease(id store.LeaseID) {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	delete(s.leases, id)
}

// leaseLive reports whether lease id exists and has not expired at now.
func (s *Store) leaseLive(id store.LeaseID, now time.Time) bool {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	l := s.leases[id]
	return l != nil && now.Before(l.expiry)
}

// leaseKeys returns the keys attached to lease id, sorted.
func (s *Store) leaseKeys(id store.LeaseID) ([]string, bool) {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	l := s.leases[id]
	if l == nil {
		return nil, false
	}
	keys := make([]string, 0, len(l.keys))
	for k := range l.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, true
}

func (s *Store) expiredLeases(now time.Time) []store.LeaseID {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	var ids []store.LeaseID
	for id, l := range s.leases {
		if !now.Before(l.expiry) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (s *Store) moveLeaseKeys(moves []leaseMove) {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	for _, m := range moves {
		if l := s.leases[m.from]; l != nil {
			delete(l.keys, m.key)
		}
		if l := s.leases[m.to]; l != nil {
			l.keys[m.key] = struct{}{}
		}
	}
}

// watcher is one Watch call. Its goroutine (owned by the store's WaitGroup)
// alternates between two modes:
//
//   - catching up: replay revisions [next, published revision] from the log
//     bucket, chunk by chunk; once next is just past the published revision,
//     subscribe under mu, the lock publish holds, so the first live revision
//     is exactly next: no gap, no duplicate.
//   - following: forward the responses publish puts in its queue. publish
//     never blocks: when the queue (watchQueueLen revisions) is full, the
//     watcher is unsubscribed and its queue closed; after draining it the
//     watcher catches up from the log again. A slow watcher thus never holds
//     up writers and never loses an event; only if it falls so far behind
//     that the log was compacted past it does it get store.ErrCompacted (and
//     the consumer must reload with Range).
type watcher struct {
	prefix string
	next   int64 // next revision this watcher has not yet considered
	out    chan store.WatchResponse
}

// Watch implements store.Store. fromRev <= 0 means the revision after the
// current one. A start revision before the oldest kept one yields a single
// response with store.ErrCompacted, one beyond current+1 a single response
// with store.ErrFutureRevision; then the channel closes. It also closes
// when ctx ends (without a response) or the store closes. After Close,
// Watch returns one response with store.ErrClosed. Events in responses are
// shared between watchers and must not be modified.
func (s *Store) Watch(ctx context.Context, prefix string, fromRev int64) <-chan store.WatchResponse {
	if err := s.enter(ctx); err != nil {
		if errors.Is(err, store.ErrClosed) {
			return failed(err)
		}
		return failed(nil)
	}
	defer s.exit()
	s.mu.Lock()
	cur := s.rev
	s.mu.Unlock()
	if fromRev <= 0 {
		fromRev = cur + 1
	}
	if fromRev > cur+1 {
		return failed(fmt.Errorf("bolt: watch from %d, current %d: %w", fromRev, cur, store.ErrFutureRevision))
	}
	w := &watcher{prefix: prefix, next: fromRev, out: make(chan store.WatchResponse)}
	s.wg.Add(1)
	go s.runWatch(ctx, w)
	return w.out
}

// failed returns a closed channel holding one response with err, or none
// when err is nil.
func failed(err error) <-chan store.WatchResponse {
	ch := make(chan store.WatchResponse, 1)
	if err != nil {
		ch <- store.WatchResponse{Err: err}
	}
	close(ch)
	return ch
}

func (s *Store) runWatch(ctx context.Context, w *watcher) {
	defer s.wg.Done()
	defer close(w.out)
	defer s.unsubscribe(w)
	for {
		queue, err := s.catchUp(ctx, w)
		if errors.Is(err, errStopped) {
			return
		}
		if err != nil {
			s.send(ctx, w, store.WatchResponse{Err: err})
			return
		}
		if !s.follow(ctx, w, queue) {
			return
		}
	}
}

// catchUp replays the log until w is level with the published revision,
// then subscribes w and returns its live queue.
func (s *Store) catchUp(ctx context.Context, w *watcher) (<-chan queued, error) {
	for {
		queue, upto := s.subscribe(w)
		if queue != nil {
			return queue, nil
		}
		resp, err := s.readLog(w, upto)
		if err != nil {
			return nil, err
		}
		if len(resp.Events) > 0 && !s.send(ctx, w, resp) {
			return nil, errStopped
		}
	}
}

// subscribe registers w for live events if it has seen every published
// revision; otherwise it returns the published revision to replay up to.
func (s *Store) subscribe(w *watcher) (<-chan queued, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.next <= s.rev {
		return nil, s.rev
	}
	q := make(chan queued, watchQueueLen)
	s.watchers[w] = q
	return q, 0
}

func (s *Store) unsubscribe(w *watcher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.watchers, w)
}

// readLog reads up to replayChunk revisions from w.next (at most upto) in
// one read transaction and advances w.next past them. The events matching
// w's prefix come back as one response.
func (s *Store) readLog(w *watcher, upto int64) (store.WatchResponse, error) {
	var resp store.WatchResponse
	err := s.db.View(func(tx *bbolt.Tx) error {
		first := fromU64(tx.Bucket(bucketMeta).Get(keyFirstLog))
		if w.next < first {
			return fmt.Errorf("bolt: watch from %d, oldest kept %d: %w", w.next, first, store.ErrCompacted)
		}
		end := min(upto, w.next+replayChunk-1)
		c := tx.Bucket(bucketLog).Cursor()
		for k, v := c.Seek(u64(w.next)); k != nil && fromU64(k) <= end; k, v = c.Next() {
			events, err := decodeEvents(fromU64(k), v)
			if err != nil {
				return fmt.Errorf("bolt: log revision %d: %w", fromU64(k), err)
			}
			if evs := filter(events, w.prefix); len(evs) > 0 {
				resp.Events = append(resp.Events, evs...)
				resp.Revision = fromU64(k)
			}
		}
		w.next = end + 1
		return nil
	})
	return resp, err
}

// follow forwards live responses from queue. It returns true when the
// queue overflowed and w must catch up from the log, false when ctx or the
// store is done.
func (s *Store) follow(ctx context.Context, w *watcher, queue <-chan queued) bool {
	for {
		select {
		case item, ok := <-queue:
			if !ok {
				return true
			}
			if !s.send(ctx, w, item.resp) {
				return false
			}
			if !item.at.IsZero() {
				s.observe(selfmetrics.StoreWatch, item.at)
			}
			w.next = item.resp.Revision + 1
		case <-ctx.Done():
			return false
		case <-s.done:
			return false
		}
	}
}

func (s *Store) send(ctx context.Context, w *watcher, resp store.WatchResponse) bool {
	select {
	case w.out <- resp:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// publish hands the events of revision rev to every subscribed watcher
// without blocking. Called under writeMu, in revision order.
func (s *Store) publish(rev int64, events []store.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rev = rev
	var at time.Time
	if s.obs != nil {
		at = time.Now()
	}
	for w, q := range s.watchers {
		evs := filter(events, w.prefix)
		if len(evs) == 0 {
			continue
		}
		select {
		case q <- queued{store.WatchResponse{Events: evs, Revision: rev}, at}:
		default: // overflow: w drains q, then replays from the log
			delete(s.watchers, w)
			close(q)
		}
	}
}

// filter returns the events on keys under prefix, sharing events when all match.
func filter(events []store.Event, prefix string) []store.Event {
	n := 0
	for _, ev := range events {
		if strings.HasPrefix(ev.KV.Key, prefix) {
			n++
		}
	}
	if n == len(events) {
		return events
	}
	out := make([]store.Event, 0, n)
	for _, ev := range events {
		if strings.HasPrefix(ev.KV.Key, prefix) {
			out = append(out, ev)
		}
	}
	return out
}
