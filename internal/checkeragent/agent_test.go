package checkeragent

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/model"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestBufferDropsOldest: a full buffer drops the oldest observations and counts them.
func TestBufferDropsOldest(t *testing.T) {
	a, err := New(Options{Client: &checkerapi.Client{BaseURL: "http://127.0.0.1:1"}, Region: "a", Buffer: 3, BatchSize: 100, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		a.emit(model.Observation{HealthCheckID: string(rune('0' + i))})
	}
	if a.Dropped() != 2 || len(a.buf) != 3 || a.buf[0].HealthCheckID != "2" || a.buf[2].HealthCheckID != "4" {
		t.Fatalf("dropped %d, buffer %+v", a.Dropped(), a.buf)
	}
}

// TestOutageThenDelivery: the agent fetches its assignments, probes, keeps
// its observations while the server refuses them, and delivers them once it
// accepts again, with the batch's region, checker id and source address.
func TestOutageThenDelivery(t *testing.T) {
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	go func() {
		for {
			c, err := target.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := target.Addr().(*net.TCPAddr).Port
	var down atomic.Bool
	down.Store(true)
	var mu sync.Mutex
	var got []checkerapi.Batch
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case checkerapi.Prefix + "assignments":
			if r.Header.Get("If-None-Match") == `"1"` {
				time.Sleep(100 * time.Millisecond)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"1"`)
			_ = json.NewEncoder(w).Encode(checkerapi.Assignments{Revision: 1, HealthChecks: []model.HealthCheck{{ID: "hc1", Version: 1,
				Config: model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "127.0.0.1", Port: port, RequestInterval: 1}}}})
		case checkerapi.Prefix + "observations":
			if down.Load() {
				http.Error(w, "down", http.StatusBadGateway)
				return
			}
			var b checkerapi.Batch
			_ = json.NewDecoder(r.Body).Decode(&b)
			mu.Lock()
			got = append(got, b)
			mu.Unlock()
			_, _ = w.Write([]byte(`{"accepted":1}`))
		}
	}))
	defer srv.Close()
	a, err := New(Options{Client: &checkerapi.Client{BaseURL: srv.URL, AccessKeyID: "k", SecretAccessKey: "s"}, Region: "a", CheckerID: "c1",
		FlushEvery: 20 * time.Millisecond, PollWait: time.Second, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(5 * time.Second)
	for a.buffered() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("buffered %d observations during the outage", a.buffered())
		}
		time.Sleep(20 * time.Millisecond)
	}
	down.Store(false)
	for {
		mu.Lock()
		n := 0
		for _, b := range got {
			n += len(b.Observations)
		}
		batches := append([]checkerapi.Batch(nil), got...)
		mu.Unlock()
		if n >= 2 {
			b := batches[0]
			o := b.Observations[0]
			if b.Region != "a" || b.CheckerID != "c1" || o.Region != "a" || o.CheckerID != "c1" || o.HealthCheckID != "hc1" || !o.Success || o.SourceIP != "127.0.0.1" {
				t.Fatalf("batch %+v", b)
			}
			return
		}
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatalf("delivered %d observations after the outage", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
