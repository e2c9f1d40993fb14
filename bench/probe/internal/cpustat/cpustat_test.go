package cpustat

import (
	"os"
	"testing"
	"time"
)

func TestProcSelf(t *testing.T) {
	// Burn a little CPU so that the clock-tick counters move.
	deadline := time.Now().Add(50 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	c, err := Proc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if c.Total() <= 0 || c.Total() > Self().Total()+time.Second {
		t.Fatalf("Proc(self) = %+v, Self() = %+v", c, Self())
	}
	if c, err := Proc(0); err != nil || c.Total() != 0 {
		t.Fatalf("Proc(0) = %v, %v; want 0, nil", c, err)
	}
}

func TestReadMachine(t *testing.T) {
	m, err := ReadMachine()
	if err != nil {
		t.Fatal(err)
	}
	if m.Task <= 0 || m.Idle < 0 {
		t.Fatalf("ReadMachine() = %+v", m)
	}
}

func TestStatus(t *testing.T) {
	st, err := Status("VmRSS", "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	if st["VmRSS"] < 1<<20 || st["VmHWM"] < st["VmRSS"] {
		t.Fatalf("Status() = %v", st)
	}
}

func TestLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:80", "127.0.0.8:1", "[::1]:8080", "[::ffff:127.0.0.1]:80"} {
		if _, err := Loopback(ok); err != nil {
			t.Errorf("Loopback(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.1:80", "192.0.2.1:80", "[2001:db8::1]:80", "127.0.0.1:0", "localhost:80", "127.0.0.1"} {
		if _, err := Loopback(bad); err == nil {
			t.Errorf("Loopback(%q) = nil, want an error", bad)
		}
	}
}

func TestOtherPct(t *testing.T) {
	w := Window{
		Wall:    2 * time.Second,
		Prober:  CPU{User: 300 * time.Millisecond, Sys: 200 * time.Millisecond},
		Target:  CPU{Sys: 500 * time.Millisecond},
		Machine: Machine{Task: 1500 * time.Millisecond},
	}
	if got := w.OtherPct(); got < 24.99 || got > 25.01 {
		t.Fatalf("OtherPct() = %v, want 25", got)
	}
}
