package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/clock"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// received returns the value waiting on c, if any, without blocking.
func received(c <-chan time.Time) (time.Time, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		return time.Time{}, false
	}
}

func TestFakeAdvanceFiresInOrder(t *testing.T) {
	f := clock.NewFake(start)
	late := f.NewTimer(3 * time.Second)
	early := f.NewTimer(time.Second)
	if got := f.Waiting(); got != 2 {
		t.Fatalf("Waiting = %d, want 2", got)
	}
	f.Advance(999 * time.Millisecond)
	if _, ok := received(early.C()); ok {
		t.Fatal("timer fired before its deadline")
	}
	f.Advance(5 * time.Second)
	if v, ok := received(early.C()); !ok || !v.Equal(start.Add(time.Second)) {
		t.Errorf("early timer: %v, %v; want %v", v, ok, start.Add(time.Second))
	}
	if v, ok := received(late.C()); !ok || !v.Equal(start.Add(3*time.Second)) {
		t.Errorf("late timer: %v, %v; want %v", v, ok, start.Add(3*time.Second))
	}
	if got, want := f.Now(), start.Add(5999*time.Millisecond); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
	if got := f.Waiting(); got != 0 {
		t.Errorf("Waiting after firing = %d, want 0", got)
	}
}

func TestFakeStopAndReset(t *testing.T) {
	f := clock.NewFake(start)
	tm := f.NewTimer(time.Second)
	if !tm.Stop() {
		t.Error("Stop of a waiting timer = false")
	}
	if tm.Stop() {
		t.Error("second Stop = true")
	}
	f.Advance(2 * time.Second)
	if _, ok := received(tm.C()); ok {
		t.Error("stopped timer fired")
	}
	if tm.Reset(time.Second) {
		t.Error("Reset of a stopped timer = true")
	}
	f.Advance(time.Second)
	if _, ok := received(tm.C()); !ok {
		t.Error("reset timer did not fire")
	}
}

func TestFakeStopDropsUnreceivedValue(t *testing.T) {
	f := clock.NewFake(start)
	tm := f.NewTimer(time.Second)
	f.Advance(time.Second)
	if tm.Stop() {
		t.Error("Stop of a fired timer = true")
	}
	if v, ok := received(tm.C()); ok {
		t.Errorf("received %v after Stop", v)
	}
	tm.Reset(time.Second)
	f.Advance(time.Second)
	tm.Reset(time.Minute)
	if v, ok := received(tm.C()); ok {
		t.Errorf("received %v from before Reset", v)
	}
}

func TestFakeZeroDurationFiresAtOnce(t *testing.T) {
	f := clock.NewFake(start)
	for _, d := range []time.Duration{0, -time.Second} {
		tm := f.NewTimer(d)
		if v, ok := received(tm.C()); !ok || !v.Equal(start) {
			t.Errorf("NewTimer(%v): %v, %v; want %v at once", d, v, ok, start)
		}
	}
	if got := f.Waiting(); got != 0 {
		t.Errorf("Waiting = %d, want 0", got)
	}
}

func TestFakeBlockUntil(t *testing.T) {
	f := clock.NewFake(start)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- f.BlockUntil(ctx, 2)
	}()
	f.NewTimer(time.Second)
	f.NewTimer(time.Second)
	if err := <-done; err != nil {
		t.Fatalf("BlockUntil: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.BlockUntil(ctx, 3); err != context.Canceled {
		t.Errorf("BlockUntil with a done context = %v, want %v", err, context.Canceled)
	}
}

func TestRealTimer(t *testing.T) {
	c := clock.Real()
	before := c.Now()
	tm := c.NewTimer(time.Millisecond)
	select {
	case v := <-tm.C():
		if v.Before(before) {
			t.Errorf("fired at %v, before %v", v, before)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("real timer did not fire")
	}
	if tm.Stop() {
		t.Error("Stop of a fired timer = true")
	}
	if tm.Reset(time.Hour) {
		t.Error("Reset of a stopped timer = true")
	}
	if !tm.Stop() {
		t.Error("Stop of a waiting timer = false")
	}
}
