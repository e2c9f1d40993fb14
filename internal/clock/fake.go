package clock

import (
	"context"
	"sync"
	"time"
)

// Fake is a Clock whose time moves only when Advance is called. Its zero value
// is not usable; call NewFake. It is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiting []*fakeTimer  // timers that have not fired or been stopped
	changed chan struct{} // closed and replaced whenever waiting changes
}

// NewFake returns a Fake clock that reads start until it is advanced.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, changed: make(chan struct{})}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a timer that fires when the fake time reaches Now()+d.
func (f *Fake) NewTimer(d time.Duration) Timer {
	t := &fakeTimer{f: f, ch: make(chan time.Time, 1)}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.arm(t, d)
	return t
}

// Advance moves the time forward by d and fires, in order of their deadlines,
// the timers that fall due on the way; each receives the time it was due at.
// Sends never block: a fired timer's channel holds one value.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	end := f.now.Add(d)
	for {
		t := f.earliest()
		if t == nil || t.when.After(end) {
			break
		}
		if t.when.After(f.now) {
			f.now = t.when
		}
		f.fire(t)
	}
	f.now = end
}

// Waiting returns the number of timers that have yet to fire.
func (f *Fake) Waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiting)
}

// BlockUntil returns once at least n timers are waiting to fire, or with
// ctx's error when ctx ends first. Tests call it before Advance to be sure
// the code under test has set its timers.
func (f *Fake) BlockUntil(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		ok, changed := len(f.waiting) >= n, f.changed
		f.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// arm schedules t at now+d, firing at once when d <= 0. f.mu is held.
func (f *Fake) arm(t *fakeTimer, d time.Duration) {
	t.when = f.now.Add(d)
	if d <= 0 {
		t.ch <- f.now
		return
	}
	f.waiting = append(f.waiting, t)
	f.notify()
}

// disarm takes t off the waiting list and drops a value it sent but nobody
// received, reporting whether it was waiting. f.mu is held.
func (f *Fake) disarm(t *fakeTimer) bool {
	select {
	case <-t.ch:
	default:
	}
	for i, w := range f.waiting {
		if w == t {
			f.waiting = append(f.waiting[:i], f.waiting[i+1:]...)
			f.notify()
			return true
		}
	}
	return false
}

func (f *Fake) fire(t *fakeTimer) {
	f.disarm(t)
	t.ch <- f.now
}

// earliest returns the waiting timer due first; among equals, the one armed
// first. f.mu is held.
func (f *Fake) earliest() *fakeTimer {
	var first *fakeTimer
	for _, t := range f.waiting {
		if first == nil || t.when.Before(first.when) {
			first = t
		}
	}
	return first
}

func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

type fakeTimer struct {
	f    *Fake
	ch   chan time.Time
	when time.Time
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	return t.f.disarm(t)
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	was := t.f.disarm(t)
	t.f.arm(t, d)
	return was
}
