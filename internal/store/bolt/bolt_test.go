package bolt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"
	"go.uber.org/goleak"

	"github.com/vedette-dns/vedette/internal/store"
	"github.com/vedette-dns/vedette/internal/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// open opens a store at path and closes it when the test ends.
func open(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func harness(t *testing.T) storetest.Harness {
	path := filepath.Join(t.TempDir(), "store.db")
	clock := storetest.NewClock()
	opts := Options{Clock: clock}
	s := open(t, path, opts)
	return storetest.Harness{
		Store:        s,
		Advance:      clock.Advance,
		ExpireLeases: func() error { return s.ExpireLeases() },
		Compact:      func(rev int64) error { return s.Compact(context.Background(), rev) },
		Reopen: func(t *testing.T) store.Store {
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			s = open(t, path, opts)
			return s
		},
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, harness)
}

func TestSchemaRefusal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion+1))
	})
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatalf("writing schema: %v, %v", err, cerr)
	}
	if _, err := Open(path, Options{}); !errors.Is(err, store.ErrSchema) {
		t.Fatalf("Open of a newer schema = %v, want ErrSchema", err)
	}
}

func putN(t testing.TB, s *Store, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.Txn(context.Background(), store.Txn{Then: []store.Op{store.Put(fmt.Sprintf("k/%05d", i), nil)}}); err != nil {
			t.Fatalf("Txn: %v", err)
		}
	}
}

func TestKeepEventsCompacts(t *testing.T) {
	const keep = 20
	s := open(t, filepath.Join(t.TempDir(), "store.db"), Options{KeepEvents: keep, NoSync: true})
	putN(t, s, 100)
	resp := <-s.Watch(t.Context(), "", 1)
	if !errors.Is(resp.Err, store.ErrCompacted) {
		t.Fatalf("Watch from 1 after 100 revisions = %+v, want ErrCompacted", resp)
	}
	resp = <-s.Watch(t.Context(), "", 100-keep+1)
	if resp.Err != nil || resp.Events[0].KV.ModRevision != 100-keep+1 {
		t.Fatalf("Watch from the oldest of the last %d revisions = %+v", keep, resp)
	}
	var first int64
	if err := s.db.View(func(tx *bbolt.Tx) error {
		first = fromU64(tx.Bucket(bucketMeta).Get(keyFirstLog))
		return nil
	}); err != nil || first < 2 {
		t.Fatalf("firstLog = %d, %v; want the log compacted", first, err)
	}
}

// A watcher nobody reads must not block writers; once read, it still
// delivers every revision once, in order (replayed from the log).
func TestSlowWatcherCatchesUp(t *testing.T) {
	const n = watchQueueLen + 200
	s := open(t, filepath.Join(t.TempDir(), "store.db"), Options{NoSync: true})
	ch := s.Watch(t.Context(), "", 0)
	putN(t, s, n)
	want := int64(1)
	for want <= n {
		resp := <-ch
		if resp.Err != nil {
			t.Fatalf("watch error: %v", resp.Err)
		}
		for _, ev := range resp.Events {
			if ev.KV.ModRevision != want {
				t.Fatalf("event at revision %d, want %d", ev.KV.ModRevision, want)
			}
			want++
		}
	}
}

// A slow watcher whose history was compacted meanwhile gets ErrCompacted,
// never a silent gap.
func TestSlowWatcherCompacted(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "store.db"), Options{NoSync: true, KeepEvents: 10})
	ch := s.Watch(t.Context(), "", 0)
	putN(t, s, watchQueueLen+200)
	var last int64
	for resp := range ch {
		if resp.Err != nil {
			if !errors.Is(resp.Err, store.ErrCompacted) {
				t.Fatalf("watch error %v, want ErrCompacted", resp.Err)
			}
			return
		}
		for _, ev := range resp.Events {
			if ev.KV.ModRevision != last+1 {
				t.Fatalf("gap: revision %d after %d", ev.KV.ModRevision, last)
			}
			last = ev.KV.ModRevision
		}
	}
	t.Fatal("channel closed without ErrCompacted")
}

func BenchmarkTxnPut(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		b.Run(fmt.Sprintf("NoSync=%v", noSync), func(b *testing.B) {
			s := open(b, filepath.Join(b.TempDir(), "store.db"), Options{NoSync: noSync})
			value := make([]byte, 256)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				op := store.Put(fmt.Sprintf("bench/%08d", i), value)
				if _, err := s.Txn(context.Background(), store.Txn{Then: []store.Op{op}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
