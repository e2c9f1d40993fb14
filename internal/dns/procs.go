package dns

import "runtime"

// ProcsFor returns the GOMAXPROCS a process serving DNS on sockets UDP
// sockets (0: one per CPU, the server's default) should run with, given its
// current procs: at least one more than the sockets. Each UDP reader spends
// most of its time blocked in recvfrom holding a P in the syscall state;
// when every P is so held, Go's sysmon keeps retaking them (handing each off
// to a new thread that finds nothing to do) and stops backing off, which
// measured as up to 1.7× more CPU per query at 20k qps. One spare P removes
// that state (docs/benchmarks.md).
func ProcsFor(sockets, procs int) int {
	if sockets <= 0 {
		sockets = runtime.NumCPU()
	}
	return max(procs, sockets+1)
}
