package probetest

import (
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// BlackholePort returns a loopback address where connection attempts hang
// until the client gives up: a socket listening with a backlog of zero whose
// single accept-queue slot is taken by a connection this helper holds, so
// that Linux drops every further SYN. Everything is closed by tb.Cleanup.
func BlackholePort(tb testing.TB) netip.AddrPort {
	tb.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatalf("probetest: socket: %v", err)
	}
	tb.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatalf("probetest: bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		tb.Fatalf("probetest: listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		tb.Fatalf("probetest: getsockname: %v", err)
	}
	ap := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*syscall.SockaddrInet4).Port))
	filler, err := net.DialTimeout("tcp4", ap.String(), 5*time.Second)
	if err != nil {
		tb.Fatalf("probetest: fill the accept queue: %v", err)
	}
	tb.Cleanup(func() { _ = filler.Close() })
	return ap
}
