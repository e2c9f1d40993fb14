package dns

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"time"
)

// tcpBuffers are one query's buffers on TCP, pooled so that idle
// connections hold none.
type tcpBuffers struct {
	in  [maxMsg]byte
	out [2 + maxMsg]byte
	sc  *scratch
}

func newTCPBuffers(counts *queryCounts) *tcpBuffers {
	return &tcpBuffers{sc: newScratch(counts)}
}

// acceptTCP accepts connections until the listener is closed.
func (s *Server) acceptTCP(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.closing.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("dns: tcp accept", "err", err)
			select { // e.g. out of descriptors: let some close
			case <-s.done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if !s.track(c) {
			c.Close()
			continue
		}
		s.wg.Add(1)
		go s.serveConn(c)
	}
}

// track registers c, unless the server is closing or at MaxTCPConns.
func (s *Server) track(c net.Conn) bool {
	limit := s.MaxTCPConns
	if limit <= 0 {
		limit = DefaultMaxTCPConns
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() || len(s.conns) >= limit {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// serveConn answers length-prefixed queries on c (RFC 7766) until the client
// closes it, stays idle too long, or sends something that gets no reply.
func (s *Server) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer s.untrack(c)
	idle := s.TCPIdleTimeout
	if idle <= 0 {
		idle = DefaultTCPIdleTimeout
	}
	var prefix [2]byte
	for {
		if c.SetReadDeadline(time.Now().Add(idle)) != nil {
			return
		}
		if _, err := io.ReadFull(c, prefix[:]); err != nil {
			return
		}
		b := s.tcpBufs.Get().(*tcpBuffers)
		ok := s.serveTCPQuery(c, b, int(binary.BigEndian.Uint16(prefix[:])), idle)
		s.tcpBufs.Put(b)
		if !ok {
			return
		}
	}
}

// serveTCPQuery reads one query of n bytes (under the read deadline already
// set) and writes its reply.
func (s *Server) serveTCPQuery(c net.Conn, b *tcpBuffers, n int, idle time.Duration) bool {
	if _, err := io.ReadFull(c, b.in[:n]); err != nil {
		return false
	}
	b.sc.client = netip.Addr{}
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		b.sc.client = ap.Addr().Unmap()
	}
	resp := s.safeReply(b.in[:n], b.out[2:], false, b.sc)
	if resp == nil {
		return false
	}
	binary.BigEndian.PutUint16(b.out[:2], uint16(len(resp)))
	if c.SetWriteDeadline(time.Now().Add(idle)) != nil {
		return false
	}
	_, err := c.Write(b.out[:2+len(resp)])
	return err == nil
}
