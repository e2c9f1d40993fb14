package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/notify"
	"github.com/vedette-dns/vedette/internal/store/bolt"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// wait bounds every wait for something asynchronous.
const wait = 10 * time.Second

func openStore(t *testing.T, path string) *bolt.Store {
	t.Helper()
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatalf("bolt.Open: %v", err)
	}
	return st
}

// env is a Service on a fresh bbolt store and a fake clock, with every
// Delivery also sent to deliveries.
type env struct {
	svc        *notify.Service
	clk        *clock.Fake
	deliveries chan notify.Delivery
	ctx        context.Context
}

func newEnv(t *testing.T, opts notify.Options) *env {
	t.Helper()
	e := &env{clk: clock.NewFake(t0), deliveries: make(chan notify.Delivery, 1000), ctx: t.Context()}
	if opts.Store == nil {
		st := openStore(t, filepath.Join(t.TempDir(), "vedette.db"))
		t.Cleanup(func() { st.Close() })
		opts.Store = st
	}
	opts.Clock = e.clk
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	prev := opts.OnDelivery
	opts.OnDelivery = func(d notify.Delivery) {
		if prev != nil {
			prev(d)
		}
		e.deliveries <- d
	}
	svc, err := notify.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.svc = svc
	return e
}

// run starts the workers until the test ends.
func (e *env) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(wait):
			t.Error("Run did not return after cancel")
		}
	})
}

// next returns the next Delivery record.
func (e *env) next(t *testing.T) notify.Delivery {
	t.Helper()
	select {
	case d := <-e.deliveries:
		return d
	case <-time.After(wait):
		t.Fatal("timed out waiting for a delivery record")
		return notify.Delivery{}
	}
}

// noMore fails when a Delivery record is waiting.
func (e *env) noMore(t *testing.T) {
	t.Helper()
	select {
	case d := <-e.deliveries:
		t.Fatalf("unexpected delivery record %+v", d)
	default:
	}
}

func (e *env) topic(t *testing.T, name string) model.Topic {
	t.Helper()
	tp, err := e.svc.CreateTopic(e.ctx, name, nil, nil)
	if err != nil {
		t.Fatalf("CreateTopic(%s): %v", name, err)
	}
	return tp
}

func (e *env) subscribe(t *testing.T, topicArn, protocol, endpoint string, attrs map[string]string) model.Subscription {
	t.Helper()
	sub, err := e.svc.Subscribe(e.ctx, topicArn, protocol, endpoint, attrs)
	if err != nil {
		t.Fatalf("Subscribe(%s, %s): %v", protocol, endpoint, err)
	}
	return sub
}

// request is what a test HTTP server received.
type request struct {
	Path   string
	Header http.Header
	Body   []byte
}

// recorder is an httptest server that answers with status(n) for the n-th
// request (counting from 1) and sends every request to reqs.
type recorder struct {
	*httptest.Server
	reqs chan request
}

func newRecorder(t *testing.T, status func(n int) int) *recorder {
	t.Helper()
	r := &recorder{reqs: make(chan request, 100)}
	var mu sync.Mutex
	n := 0
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		mu.Lock()
		n++
		code := status(n)
		mu.Unlock()
		r.reqs <- request{Path: req.URL.Path, Header: req.Header.Clone(), Body: body}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) next(t *testing.T) request {
	t.Helper()
	select {
	case req := <-r.reqs:
		return req
	case <-time.After(wait):
		t.Fatal("timed out waiting for a request")
		return request{}
	}
}

func ok(int) int { return http.StatusOK }

// code returns the SNS error code of err, or "".
func code(err error) string {
	var ne *model.NotifyError
	if errors.As(err, &ne) {
		return ne.Code
	}
	return ""
}
