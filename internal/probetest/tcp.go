package probetest

import (
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
)

// TCPServer accepts TCP connections on a loopback port and hands each to a
// handler in its own goroutine.
type TCPServer struct {
	// Addr is the address the server listens on.
	Addr netip.AddrPort

	ln       net.Listener
	handle   func(net.Conn)
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	accepted int
	closed   bool
}

// StartTCP starts a TCP server on 127.0.0.1, port 0, and returns once it
// accepts connections. handle serves one connection, which is closed when
// handle returns; a nil handle holds every connection open, reading and
// discarding, until the peer closes it: an endpoint that accepts and never
// answers. At cleanup the listener and every open connection are closed and
// the handlers waited for.
func StartTCP(tb testing.TB, handle func(net.Conn)) *TCPServer {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("probetest: listen: %v", err)
	}
	if handle == nil {
		handle = func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }
	}
	s := &TCPServer{
		Addr:   ln.Addr().(*net.TCPAddr).AddrPort(),
		ln:     ln,
		handle: handle,
		conns:  map[net.Conn]struct{}{},
	}
	s.wg.Add(1)
	go s.serve()
	tb.Cleanup(s.close)
	return s
}

func (s *TCPServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // the listener is closed
		}
		s.mu.Lock()
		if s.closed { // accepted while closing: close has already swept the connections
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.accepted++
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

func (s *TCPServer) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		_ = c.Close()
	}()
	s.handle(c)
}

func (s *TCPServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Port returns the port the server listens on.
func (s *TCPServer) Port() int { return int(s.Addr.Port()) }

// Accepted returns how many connections the server has accepted.
func (s *TCPServer) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// RefusedPort returns a loopback address whose port refuses connections: a
// port just bound on 127.0.0.1 and released. (Another process could take it
// in between; on a test machine that is unlikely.)
func RefusedPort(tb testing.TB) netip.AddrPort {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("probetest: listen: %v", err)
	}
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	if err := ln.Close(); err != nil {
		tb.Fatalf("probetest: close: %v", err)
	}
	return ap
}
