package dns

import (
	"runtime"
	"testing"
)

func TestProcsFor(t *testing.T) {
	cpus := runtime.NumCPU()
	for _, c := range []struct{ sockets, procs, want int }{
		{2, 2, 3},
		{2, 8, 8},
		{4, 4, 5},
		{1, 1, 2},
		{0, cpus, cpus + 1},
		{0, cpus + 4, cpus + 4},
	} {
		if got := ProcsFor(c.sockets, c.procs); got != c.want {
			t.Errorf("ProcsFor(%d, %d) = %d, want %d", c.sockets, c.procs, got, c.want)
		}
	}
}
