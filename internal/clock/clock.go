// Package clock owns the time source of everything in Vedette that waits or
// schedules: production code takes a Clock, gets Real, and tests pass a Fake
// that they move forward by hand instead of sleeping.
package clock

import "time"

// Clock tells the time and makes timers.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that sends the time on its channel once d has
	// passed; a d of zero or less fires at once.
	NewTimer(d time.Duration) Timer
}

// Timer is a single-shot timer, as time.Timer with Go 1.23 semantics: after
// Stop or Reset returns, no value from before the call is received from C.
// A Timer may be used by one goroutine at a time.
type Timer interface {
	// C is the channel the time is sent on when the timer fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing. It reports whether the timer was
	// still waiting, false if it had fired or been stopped.
	Stop() bool
	// Reset makes the timer fire d from now, whether or not it was waiting.
	// It reports whether the timer was waiting.
	Reset(d time.Duration) bool
}

// Real returns the system clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }
