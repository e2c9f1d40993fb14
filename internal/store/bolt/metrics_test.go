package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
	"github.com/vedette-dns/vedette/internal/store"
)

func TestObserverMeasuresOperations(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	s := open(t, filepath.Join(t.TempDir(), "store.db"), Options{NoSync: true, Observer: selfmetrics.NewStore(reg)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watch := s.Watch(ctx, "k/", 0)
	// A write whose event the watcher replays from the log (it had not
	// subscribed yet) is not a live delivery: write until one is live.
	writes := 0
	for ; writes < 5 || (writes < 100 && watchCount(t, reg) == 0); writes++ {
		if _, err := s.Txn(ctx, store.Txn{Then: []store.Op{store.Put(fmt.Sprintf("k/%d", writes), []byte("v"))}}); err != nil {
			t.Fatal(err)
		}
		select {
		case resp := <-watch:
			if resp.Err != nil || len(resp.Events) != 1 {
				t.Fatalf("watch response %+v", resp)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event for write %d", writes)
		}
	}
	if _, _, _, err := s.Get(ctx, "k/1"); err != nil {
		t.Fatal(err)
	}
	if kvs, _, err := s.Range(ctx, "k/"); err != nil || len(kvs) != writes {
		t.Fatalf("range: %d, %v", len(kvs), err)
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() != "vedette_store_operation_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			counts[m.GetLabel()[0].GetValue()] = m.GetHistogram().GetSampleCount()
		}
	}
	if counts["commit"] != uint64(writes) || counts["get"] != 1 || counts["range"] != 1 || counts["watch"] == 0 {
		t.Fatalf("observations by op %v; want commit %d, get 1, range 1, watch > 0", counts, writes)
	}
}

// watchCount returns how many watch deliveries reg has observed.
func watchCount(t *testing.T, reg *prometheus.Registry) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == "vedette_store_operation_duration_seconds" && m.GetLabel()[0].GetValue() == selfmetrics.StoreWatch {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}
