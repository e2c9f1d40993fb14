// Package storetest is the conformance suite every store.Store
// implementation must pass, with the fake clock it drives leases with.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/store"
)

// waitTimeout bounds every wait for an asynchronous watch delivery. It is
// only reached when a test fails.
const waitTimeout = 10 * time.Second

// Harness is one fresh, empty store under test and the controls the suite
// needs around it. open must arrange (with t.Cleanup) for every store it or
// Reopen opens to be closed; closing an already closed store is harmless.
type Harness struct {
	// Store is the store under test.
	Store store.Store
	// Advance moves the clock the store's leases use forward by d. Nil when
	// the backend cannot drive its clock: lease-expiry tests are skipped.
	Advance func(d time.Duration)
	// ExpireLeases runs one lease-expiry pass now. Required with Advance.
	ExpireLeases func() error
	// Compact discards the event history before rev. Nil skips the
	// compaction test.
	Compact func(rev int64) error
	// Reopen closes the store and opens the same data again, returning the
	// new store; Advance, ExpireLeases and Compact then act on it. Nil when
	// the backend has no restart to test.
	Reopen func(t *testing.T) store.Store
}

// Clock is a fake store.Clock that moves only when told to. It is safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock set to a fixed instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Now implements store.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Run runs the conformance suite; open returns a fresh harness per subtest.
func Run(t *testing.T, open func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"Revisions", testRevisions},
		{"GetRange", testGetRange},
		{"TxnCompare", testTxnCompare},
		{"Atomicity", testAtomicity},
		{"Versions", testVersions},
		{"DeletePrefix", testDeletePrefix},
		{"WatchReplay", testWatchReplay},
		{"WatchConcurrentWriters", testWatchConcurrent},
		{"WatchPrefix", testWatchPrefix},
		{"WatchCompacted", testWatchCompacted},
		{"WatchFuture", testWatchFuture},
		{"WatchCancel", testWatchCancel},
		{"LeaseUnknown", testLeaseUnknown},
		{"LeaseRevoke", testLeaseRevoke},
		{"LeaseKeepAliveAndExpiry", testLeaseExpiry},
		{"LeaseDetach", testLeaseDetach},
		{"Restart", testRestart},
		{"Context", testContext},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

func testRevisions(t *testing.T, h Harness) {
	s, ctx := h.Store, t.Context()
	if _, ok, rev, err := s.Get(ctx, "a"); err != nil || ok || rev != 0 {
		t.Fatalf("Get on empty store = ok %v, rev %d, err %v; want absent at 0", ok, rev, err)
	}
	wantRev(t, put(t, s, "a", "1"), 1)
	wantRev(t, put(t, s, "b", "1"), 2)
	res := txn(t, s, store.Txn{If: []store.Compare{store.NotExists("a")}, Then: []store.Op{store.Put("x", nil)}})
	if res.Succeeded || res.Revision != 2 {
		t.Fatalf("failed compare with empty Else = %+v; want not succeeded at 2", res)
	}
	res = txn(t, s, store.Txn{Then: []store.Op{store.Delete("missing"), store.DeletePrefix("none/")}})
	if !res.Succeeded || res.Revision != 2 {
		t.Fatalf("deleting missing keys = %+v; want succeeded at 2", res)
	}
	wantRev(t, put(t, s, "a", "2"), 3)
	wantRev(t, del(t, s, "a"), 4)
}

func testGetRange(t *testing.T, h Harness) {
	s, ctx := h.Store, t.Context()
	for _, k := range []string{"b", "a/2", "a/1", "a", "ab", "a/1/x"} {
		put(t, s, k, "v:"+k)
	}
	kvs, rev := rangeKeys(t, s, "a/")
	wantKeys(t, kvs, "a/1", "a/1/x", "a/2")
	wantRev(t, rev, 6)
	kvs, _ = rangeKeys(t, s, "")
	wantKeys(t, kvs, "a", "a/1", "a/1/x", "a/2", "ab", "b")
	for _, kv := range kvs {
		if string(kv.Value) != "v:"+kv.Key {
			t.Errorf("Range value of %q = %q", kv.Key, kv.Value)
		}
	}
	if kvs, rev := rangeKeys(t, s, "zz"); len(kvs) != 0 || rev != 6 {
		t.Errorf("Range(zz) = %d keys at %d; want none at 6", len(kvs), rev)
	}
	kv, ok, rev, err := s.Get(ctx, "a/1")
	if err != nil || !ok || string(kv.Value) != "v:a/1" || rev != 6 || kv.ModRevision != 3 {
		t.Errorf("Get(a/1) = %+v, %v, %d, %v; want v:a/1 modified at 3, read at 6", kv, ok, rev, err)
	}
	if _, ok, rev, err := s.Get(ctx, "a/"); err != nil || ok || rev != 6 {
		t.Errorf("Get(a/) = ok %v, rev %d, err %v; want absent at 6", ok, rev, err)
	}
}

func testTxnCompare(t *testing.T, h Harness) {
	s, ctx := h.Store, t.Context()
	r := put(t, s, "k", "v1")
	tests := []struct {
		name string
		cmps []store.Compare
		want bool
	}{
		{"no compares", nil, true},
		{"absent key is absent", []store.Compare{store.NotExists("nope")}, true},
		{"present key is not absent", []store.Compare{store.NotExists("k")}, false},
		{"mod revision matches", []store.Compare{store.ModRevisionIs("k", r)}, true},
		{"stale mod revision", []store.Compare{store.ModRevisionIs("k", r-1)}, false},
		{"mod revision of absent key", []store.Compare{store.ModRevisionIs("nope", r)}, false},
		{"value matches", []store.Compare{valueIs("k", "v1")}, true},
		{"value differs", []store.Compare{valueIs("k", "v2")}, false},
		{"value of absent key", []store.Compare{valueIs("nope", "")}, false},
		{"all hold", []store.Compare{store.ModRevisionIs("k", r), valueIs("k", "v1")}, true},
		{"one fails", []store.Compare{store.ModRevisionIs("k", r), valueIs("k", "v2")}, false},
	}
	for i, tc := range tests {
		then, els := fmt.Sprintf("then/%d", i), fmt.Sprintf("else/%d", i)
		res := txn(t, s, store.Txn{If: tc.cmps, Then: []store.Op{store.Put(then, nil)}, Else: []store.Op{store.Put(els, nil)}})
		if res.Succeeded != tc.want {
			t.Errorf("%s: Succeeded = %v, want %v", tc.name, res.Succeeded, tc.want)
		}
		_, thenOK, _, _ := s.Get(ctx, then)
		_, elseOK, _, _ := s.Get(ctx, els)
		if thenOK != tc.want || elseOK == tc.want {
			t.Errorf("%s: Then applied %v, Else applied %v", tc.name, thenOK, elseOK)
		}
	}
}

func testAtomicity(t *testing.T, h Harness) {
	s := h.Store
	r0 := put(t, s, "x/0", "old")
	w := watch(t, s, "", r0+1)
	res := txn(t, s, store.Txn{Then: []store.Op{
		store.Put("x/1", []byte("a")), store.Put("x/2", []byte("b")), store.Delete("x/0"), store.Put("y", nil),
	}})
	wantRev(t, res.Revision, r0+1)
	kvs, rev := rangeKeys(t, s, "x/")
	wantRev(t, rev, res.Revision)
	wantKeys(t, kvs, "x/1", "x/2")
	for _, kv := range kvs {
		wantRev(t, kv.ModRevision, res.Revision)
	}
	resp := w.next()
	if len(resp.Events) != 4 || resp.Revision != res.Revision {
		t.Fatalf("first watch response = %s; want the 4 events of revision %d together", describe(resp.Events), res.Revision)
	}
	want := []string{"put x/1", "put x/2", "delete x/0", "put y"}
	if got := eventNames(resp.Events); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	for _, ev := range resp.Events {
		wantRev(t, ev.KV.ModRevision, res.Revision)
	}
}

func testVersions(t *testing.T, h Harness) {
	s := h.Store
	r1 := put(t, s, "k", "1")
	check := func(create, mod, version int64) {
		t.Helper()
		kv, ok, _, err := s.Get(t.Context(), "k")
		if err != nil || !ok || kv.CreateRevision != create || kv.ModRevision != mod || kv.Version != version || kv.Lease != 0 {
			t.Fatalf("Get(k) = %+v, %v, %v; want create %d, mod %d, version %d", kv, ok, err, create, mod, version)
		}
	}
	check(r1, r1, 1)
	r2 := put(t, s, "k", "2")
	check(r1, r2, 2)
	del(t, s, "k")
	r4 := put(t, s, "k", "3")
	check(r4, r4, 1)
}

func testDeletePrefix(t *testing.T, h Harness) {
	s := h.Store
	var r int64
	for _, k := range []string{"p/1", "p/2", "p/3/x", "p", "q"} {
		r = put(t, s, k, "v")
	}
	w := watch(t, s, "", r+1)
	res := txn(t, s, store.Txn{Then: []store.Op{store.DeletePrefix("p/")}})
	wantRev(t, res.Revision, r+1)
	kvs, _ := rangeKeys(t, s, "")
	wantKeys(t, kvs, "p", "q")
	evs := w.collect(3)
	want := []string{"delete p/1", "delete p/2", "delete p/3/x"}
	if got := eventNames(evs); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	for _, ev := range evs {
		wantRev(t, ev.KV.ModRevision, res.Revision)
	}
	res = txn(t, s, store.Txn{Then: []store.Op{store.DeletePrefix("p/")}})
	wantRev(t, res.Revision, r+1)
}

func testWatchReplay(t *testing.T, h Harness) {
	s := h.Store
	for i := 1; i <= 5; i++ {
		put(t, s, fmt.Sprintf("k%d", i), "v")
	}
	w := watch(t, s, "", 3)
	wantEvents(t, w.collect(3), "put k3@3", "put k4@4", "put k5@5")
	put(t, s, "k6", "v")
	put(t, s, "k7", "v")
	wantEvents(t, w.collect(2), "put k6@6", "put k7@7")
}

func testWatchConcurrent(t *testing.T, h Harness) {
	const writers, perWriter = 4, 200
	s := h.Store
	live := watch(t, s, "", 0)
	one := watch(t, s, "c/1/", 0)
	started := make(chan struct{})
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range perWriter {
				if g == 0 && i == perWriter/4 {
					close(started)
				}
				if _, err := s.Txn(context.Background(), store.Txn{Then: []store.Op{store.Put(fmt.Sprintf("c/%d/%03d", g, i), nil)}}); err != nil {
					t.Errorf("writer %d: %v", g, err)
					return
				}
			}
		})
	}
	<-started
	late := watch(t, s, "", 1) // joins while writers run: replay races live commits
	wg.Wait()
	for name, w := range map[string]*watchReader{"live": live, "late": late} {
		evs := w.collect(writers * perWriter)
		for i, ev := range evs {
			if ev.KV.ModRevision != int64(i+1) {
				t.Fatalf("%s watcher: event %d has revision %d; want every revision once, in order", name, i, ev.KV.ModRevision)
			}
		}
	}
	for i, ev := range one.collect(perWriter) {
		if want := fmt.Sprintf("c/1/%03d", i); ev.KV.Key != want {
			t.Fatalf("prefix watcher: event %d is %s, want %s", i, ev.KV.Key, want)
		}
	}
}

func testWatchPrefix(t *testing.T, h Harness) {
	s := h.Store
	w := watch(t, s, "a/", 1)
	for _, k := range []string{"a/1", "b/1", "a/2", "ab", "a"} {
		put(t, s, k, "v")
	}
	wantEvents(t, w.collect(2), "put a/1@1", "put a/2@3")
	put(t, s, "a/3", "v") // proves b/1, ab and a were skipped, not delayed
	wantEvents(t, w.collect(1), "put a/3@6")
}

func testWatchCompacted(t *testing.T, h Harness) {
	if h.Compact == nil {
		t.Skip("backend cannot compact on demand")
	}
	s := h.Store
	for i := 1; i <= 10; i++ {
		put(t, s, fmt.Sprintf("k%d", i), "v")
	}
	if err := h.Compact(6); err != nil {
		t.Fatalf("Compact(6): %v", err)
	}
	watch(t, s, "", 3).wantErr(store.ErrCompacted)
	wantEvents(t, watch(t, s, "", 6).collect(5), "put k6@6", "put k7@7", "put k8@8", "put k9@9", "put k10@10")
}

func testWatchFuture(t *testing.T, h Harness) {
	s := h.Store
	put(t, s, "a", "v")
	put(t, s, "b", "v")
	watch(t, s, "", 4).wantErr(store.ErrFutureRevision)
	w := watch(t, s, "", 3)
	put(t, s, "c", "v")
	wantEvents(t, w.collect(1), "put c@3")
}

func testWatchCancel(t *testing.T, h Harness) {
	s := h.Store
	put(t, s, "a", "v")
	ctx, cancel := context.WithCancel(t.Context())
	w := &watchReader{t: t, ch: s.Watch(ctx, "", 1)}
	cancel()
	w.waitClosed()
}

func testLeaseUnknown(t *testing.T, h Harness) {
	s, ctx := h.Store, t.Context()
	r := put(t, s, "a", "v")
	_, err := s.Txn(ctx, store.Txn{Then: []store.Op{store.Put("other", nil), {Kind: store.OpPut, Key: "k", Lease: 999}}})
	if !errors.Is(err, store.ErrLeaseNotFound) {
		t.Fatalf("put with unknown lease: err = %v, want ErrLeaseNotFound", err)
	}
	if kvs, rev := rangeKeys(t, s, ""); len(kvs) != 1 || rev != r {
		t.Errorf("after failed txn: %d keys at %d; want nothing written", len(kvs), rev)
	}
	if err := s.KeepAlive(ctx, 999); !errors.Is(err, store.ErrLeaseNotFound) {
		t.Errorf("KeepAlive(unknown) = %v, want ErrLeaseNotFound", err)
	}
	if err := s.Revoke(ctx, 999); !errors.Is(err, store.ErrLeaseNotFound) {
		t.Errorf("Revoke(unknown) = %v, want ErrLeaseNotFound", err)
	}
}

func testLeaseRevoke(t *testing.T, h Harness) {
	s, ctx := h.Store, t.Context()
	id := grant(t, s, time.Minute)
	res := txn(t, s, store.Txn{Then: []store.Op{putLease("l/1", id), putLease("l/2", id), store.Put("plain", nil)}})
	if kv, _, _, _ := s.Get(ctx, "l/1"); kv.Lease != id {
		t.Errorf("Get(l/1).Lease = %d, want %d", kv.Lease, id)
	}
	w := watch(t, s, "", res.Revision+1)
	if err := s.Revoke(ctx, id); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	kvs, rev := rangeKeys(t, s, "")
	wantKeys(t, kvs, "plain")
	wantRev(t, rev, res.Revision+1)
	wantEvents(t, w.collect(2), "delete l/1@"+fmt.Sprint(rev), "delete l/2@"+fmt.Sprint(rev))
	if err := s.KeepAlive(ctx, id); !errors.Is(err, store.ErrLeaseNotFound) {
		t.Errorf("KeepAlive after Revoke = %v, want ErrLeaseNotFound", err)
	}
	if err := s.Revoke(ctx, id); !errors.Is(err, store.ErrLeaseNotFound) {
		t.Errorf("second Revoke = %v, want ErrLeaseNotFound", err)
	}
}

func testLeaseExpiry(t *testing.T, h Harness) {
	if h.Advance == nil {
		t.Skip("backend cannot drive its clock")
	}
	s, ctx := h.Store, t.Context()
	id := grant(t, s, 10*time.Second)
	empty := grant(t, s, 10*time.Second)
	r := txn(t, s, store.Txn{Then: []store.Op{putLease("k", id)}}).Revision
	w := watch(t, s, "", r+1)
	h.Advance(6 * time.Second)
	if err := s.KeepAlive(ctx, id); err != nil {
		t.Fatalf("KeepAlive: %v", err)
	}
	h.Advance(6 * time.Second) // 12s after grant, 6s after renewal
	expire(t, h)
	if _, ok, rev, _ := s.Get(ctx, "k"); !ok || rev != r {
		t.Fatalf("renewed key: present %v at %d; want present at %d (expiring a keyless lease writes no revision)", ok, rev, r)
	}
	if err := s.KeepAlive(ctx, empty); !errors.Is(err, store.ErrLeaseNotFound) {
		t.Errorf("KeepAlive(expired lease) = %v, want ErrLeaseNotFound", err)
	}
	h.Advance(5 * time.Second) // 11s after renewal
	expire(t, h)
	wantEvents(t, w.collect(1), fmt.Sprintf("delete k@%d", r+1))
	if _, ok, _, _ := s.Get(ctx, "k"); ok {
		t.Error("key of expired lease still present")
	}
	if err := s.KeepAlive(ctx, id); !errors.Is(err, store.ErrLeaseNotFound) {
		t.Errorf("KeepAlive after expiry = %v, want ErrLeaseNotFound", err)
	}
	if _, err := s.Txn(ctx, store.Txn{Then: []store.Op{putLease("k", id)}}); !errors.Is(err, store.ErrLeaseNotFound) {
		t.Errorf("put with expired lease = %v, want ErrLeaseNotFound", err)
	}
}

func testLeaseDetach(t *testing.T, h Harness) {
	s, ctx := h.Store, t.Context()
	a, b := grant(t, s, time.Minute), grant(t, s, time.Minute)
	txn(t, s, store.Txn{Then: []store.Op{putLease("moved", a), putLease("freed", a), putLease("kept", a)}})
	txn(t, s, store.Txn{Then: []store.Op{putLease("moved", b), store.Put("freed", nil)}})
	if err := s.Revoke(ctx, a); err != nil {
		t.Fatalf("Revoke(a): %v", err)
	}
	kvs, _ := rangeKeys(t, s, "")
	wantKeys(t, kvs, "freed", "moved")
	if err := s.Revoke(ctx, b); err != nil {
		t.Fatalf("Revoke(b): %v", err)
	}
	kvs, _ = rangeKeys(t, s, "")
	wantKeys(t, kvs, "freed")
}

func testRestart(t *testing.T, h Harness) {
	if h.Reopen == nil {
		t.Skip("backend has no restart")
	}
	s, ctx := h.Store, t.Context()
	id := grant(t, s, 10*time.Second)
	put(t, s, "a", "1")
	put(t, s, "b", "1")
	del(t, s, "b")
	r := txn(t, s, store.Txn{Then: []store.Op{putLease("l", id)}}).Revision
	s = h.Reopen(t)
	kvs, rev := rangeKeys(t, s, "")
	wantKeys(t, kvs, "a", "l")
	wantRev(t, rev, r)
	if kv, _, _, _ := s.Get(ctx, "a"); string(kv.Value) != "1" || kv.ModRevision != 1 {
		t.Errorf("Get(a) after reopen = %+v", kv)
	}
	wantRev(t, put(t, s, "c", "1"), r+1)
	wantEvents(t, watch(t, s, "", 1).collect(int(r+1)), "put a@1", "put b@2", "delete b@3", "put l@4", "put c@5")
	if id2 := grant(t, s, time.Minute); id2 == id {
		t.Errorf("lease id %d reused after reopen", id)
	}
	if err := s.KeepAlive(ctx, id); err != nil {
		t.Fatalf("KeepAlive of a lease granted before reopen: %v", err)
	}
	if h.Advance == nil {
		return
	}
	h.Advance(11 * time.Second)
	expire(t, h)
	if _, ok, _, _ := s.Get(ctx, "l"); ok {
		t.Error("key of a lease granted before reopen did not expire")
	}
}

func testContext(t *testing.T, h Harness) {
	s := h.Store
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Txn(ctx, store.Txn{Then: []store.Op{store.Put("a", nil)}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Txn with canceled ctx = %v, want context.Canceled", err)
	}
	if _, _, _, err := s.Get(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with canceled ctx = %v, want context.Canceled", err)
	}
	if kvs, rev := rangeKeys(t, s, ""); len(kvs) != 0 || rev != 0 {
		t.Errorf("canceled Txn wrote: %d keys at %d", len(kvs), rev)
	}
}

func testClose(t *testing.T, h Harness) {
	s, ctx := h.Store, t.Context()
	id := grant(t, s, time.Minute)
	put(t, s, "a", "v")
	w := watch(t, s, "", 0)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	w.waitClosed()
	checks := map[string]error{}
	_, _, _, checks["Get"] = s.Get(ctx, "a")
	_, _, checks["Range"] = s.Range(ctx, "")
	_, checks["Txn"] = s.Txn(ctx, store.Txn{Then: []store.Op{store.Put("b", nil)}})
	_, checks["Grant"] = s.Grant(ctx, time.Minute)
	checks["KeepAlive"] = s.KeepAlive(ctx, id)
	checks["Revoke"] = s.Revoke(ctx, id)
	checks["Close"] = s.Close()
	for name, err := range checks {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	watch(t, s, "", 0).wantErr(store.ErrClosed)
}

func txn(t *testing.T, s store.Store, tx store.Txn) store.TxnResult {
	t.Helper()
	res, err := s.Txn(t.Context(), tx)
	if err != nil {
		t.Fatalf("Txn: %v", err)
	}
	return res
}

// put writes key and returns the new revision.
func put(t *testing.T, s store.Store, key, value string) int64 {
	t.Helper()
	return txn(t, s, store.Txn{Then: []store.Op{store.Put(key, []byte(value))}}).Revision
}

// del deletes key and returns the revision after the delete.
func del(t *testing.T, s store.Store, key string) int64 {
	t.Helper()
	return txn(t, s, store.Txn{Then: []store.Op{store.Delete(key)}}).Revision
}

func grant(t *testing.T, s store.Store, ttl time.Duration) store.LeaseID {
	t.Helper()
	id, err := s.Grant(t.Context(), ttl)
	if err != nil {
		t.Fatalf("Grant(%v): %v", ttl, err)
	}
	return id
}

func expire(t *testing.T, h Harness) {
	t.Helper()
	if err := h.ExpireLeases(); err != nil {
		t.Fatalf("ExpireLeases: %v", err)
	}
}

func putLease(key string, id store.LeaseID) store.Op {
	return store.Op{Kind: store.OpPut, Key: key, Value: []byte("v"), Lease: id}
}

func valueIs(key, value string) store.Compare {
	return store.Compare{Kind: store.ValueEquals, Key: key, Value: []byte(value)}
}

func rangeKeys(t *testing.T, s store.Store, prefix string) ([]store.KeyValue, int64) {
	t.Helper()
	kvs, rev, err := s.Range(t.Context(), prefix)
	if err != nil {
		t.Fatalf("Range(%q): %v", prefix, err)
	}
	return kvs, rev
}

func wantRev(t *testing.T, got, want int64) {
	t.Helper()
	if got != want {
		t.Fatalf("revision = %d, want %d", got, want)
	}
}

func wantKeys(t *testing.T, kvs []store.KeyValue, want ...string) {
	t.Helper()
	var got []string
	for _, kv := range kvs {
		got = append(got, kv.Key)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
}

// wantEvents compares events with "put key@rev" / "delete key@rev" strings.
func wantEvents(t *testing.T, evs []store.Event, want ...string) {
	t.Helper()
	if got := describe(evs); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}

func describe(evs []store.Event) []string {
	out := eventNames(evs)
	for i, ev := range evs {
		out[i] += fmt.Sprintf("@%d", ev.KV.ModRevision)
	}
	return out
}

func eventNames(evs []store.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		verb := "put"
		if ev.Type == store.EventDelete {
			verb = "delete"
		}
		out[i] = verb + " " + ev.KV.Key
	}
	return out
}

// watchReader receives from a watch channel with a deadline per wait.
type watchReader struct {
	t  *testing.T
	ch <-chan store.WatchResponse
}

// watch starts a watch that ends with the test.
func watch(t *testing.T, s store.Store, prefix string, fromRev int64) *watchReader {
	return &watchReader{t: t, ch: s.Watch(t.Context(), prefix, fromRev)}
}

// next returns the next response, failing on an error, a close or a timeout.
func (w *watchReader) next() store.WatchResponse {
	w.t.Helper()
	select {
	case resp, ok := <-w.ch:
		if !ok {
			w.t.Fatal("watch channel closed")
		}
		if resp.Err != nil {
			w.t.Fatalf("watch error: %v", resp.Err)
		}
		if len(resp.Events) == 0 {
			w.t.Fatal("watch response without events")
		}
		if last := resp.Events[len(resp.Events)-1].KV.ModRevision; resp.Revision != last {
			w.t.Fatalf("response Revision %d, last event at %d", resp.Revision, last)
		}
		return resp
	case <-time.After(waitTimeout):
		w.t.Fatal("timed out waiting for a watch response")
	}
	return store.WatchResponse{}
}

// collect returns exactly the next n events; responses must end on n.
func (w *watchReader) collect(n int) []store.Event {
	w.t.Helper()
	var evs []store.Event
	for len(evs) < n {
		evs = append(evs, w.next().Events...)
	}
	if len(evs) > n {
		w.t.Fatalf("got %d events, want %d: %q", len(evs), n, describe(evs))
	}
	return evs
}

// wantErr expects one response carrying want, then the channel closed.
func (w *watchReader) wantErr(want error) {
	w.t.Helper()
	select {
	case resp, ok := <-w.ch:
		if !ok || !errors.Is(resp.Err, want) || len(resp.Events) != 0 {
			w.t.Fatalf("watch response = %+v (open %v), want only Err %v", resp, ok, want)
		}
	case <-time.After(waitTimeout):
		w.t.Fatalf("timed out waiting for watch error %v", want)
	}
	w.waitClosed()
}

// waitClosed drains the channel until it closes. Events already on their
// way may still arrive after a cancel, so they are not an error.
func (w *watchReader) waitClosed() {
	w.t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case _, ok := <-w.ch:
			if !ok {
				return
			}
		case <-timeout:
			w.t.Fatal("timed out waiting for the watch channel to close")
		}
	}
}
