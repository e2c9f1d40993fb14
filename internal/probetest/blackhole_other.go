//go:build !linux

package probetest

import (
	"net/netip"
	"testing"
)

// BlackholePort returns a loopback address where connection attempts hang.
// It needs Linux's accept-queue behaviour; elsewhere it skips the test.
func BlackholePort(tb testing.TB) netip.AddrPort {
	tb.Helper()
	tb.Skip("probetest: BlackholePort needs Linux")
	return netip.AddrPort{}
}
