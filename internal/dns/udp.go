package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// udpRecvTimeoutSec is SO_RCVTIMEO on the UDP sockets, in seconds: the
// fallback that lets a reader notice Close should shutdown(2) not wake it.
const udpRecvTimeoutSec = 1

// listenAttempts bounds the retries when port 0 was asked for and the port
// the UDP sockets got is taken for TCP.
const listenAttempts = 8

// yieldEvery is how often a UDP reader passes through the Go scheduler.
// A goroutine that only ever makes system calls never does, so after 10 ms
// sysmon takes it for a hog and retakes its P at every pass, and then runs
// every 20 µs instead of backing off: measured at 20k qps, that cost about
// 40 % more CPU per query. A runtime.Gosched() every 5 ms (a few hundred a
// second) keeps sysmon quiet.
const yieldEvery = 5 * time.Millisecond

// listen binds n UDP sockets and one TCP listener on the same address and
// port.
func listen(ap netip.AddrPort, n int) ([]int, net.Listener, error) {
	for attempt := 1; ; attempt++ {
		fds, bound, err := listenUDP(ap, n)
		if err != nil {
			return nil, nil, err
		}
		var lc net.ListenConfig
		ln, err := lc.Listen(context.Background(), "tcp", bound.String())
		if err == nil {
			return fds, ln, nil
		}
		closeFDs(fds)
		if ap.Port() != 0 || attempt == listenAttempts || !errors.Is(err, unix.EADDRINUSE) {
			return nil, nil, fmt.Errorf("dns: listen tcp %s: %w", bound, err)
		}
	}
}

// listenUDP binds n blocking UDP sockets with SO_REUSEPORT to ap; port 0
// becomes the port the first socket got.
func listenUDP(ap netip.AddrPort, n int) ([]int, netip.AddrPort, error) {
	fds := make([]int, 0, n)
	for range n {
		fd, err := udpSocket(ap)
		if err != nil {
			closeFDs(fds)
			return nil, ap, fmt.Errorf("dns: listen udp %s: %w", ap, err)
		}
		fds = append(fds, fd)
		if ap.Port() == 0 {
			sa, err := unix.Getsockname(fd)
			if err != nil {
				closeFDs(fds)
				return nil, ap, fmt.Errorf("dns: listen udp %s: %w", ap, err)
			}
			ap = netip.AddrPortFrom(ap.Addr(), uint16(sockaddrPort(sa)))
		}
	}
	return fds, ap, nil
}

func udpSocket(ap netip.AddrPort) (int, error) {
	family, sa := unix.AF_INET6, unix.Sockaddr(&unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()})
	if ap.Addr().Is4() {
		family, sa = unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return -1, err
	}
	if err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err == nil {
		err = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: udpRecvTimeoutSec})
	}
	if err == nil {
		err = unix.Bind(fd, sa)
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func sockaddrPort(sa unix.Sockaddr) int {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return a.Port
	case *unix.SockaddrInet6:
		return a.Port
	}
	return 0
}

func shutdownUDP(fd int) { _ = unix.Shutdown(fd, unix.SHUT_RDWR) } // ENOTCONN, yet it wakes readers
func closeFD(fd int)     { _ = unix.Close(fd) }

func closeFDs(fds []int) {
	for _, fd := range fds {
		closeFD(fd)
	}
}

// udpWorker is one UDP socket's reader with its buffers, reused for every
// datagram.
type udpWorker struct {
	fd      int
	in      [maxMsg]byte
	out     [maxMsg]byte
	sc      *scratch
	from    unix.RawSockaddrAny
	fromLen uint32
}

// serveUDP reads and answers datagrams on fd until Close, on a locked OS
// thread blocked in recvfrom: no netpoller, no goroutine wake-up per packet,
// and nothing allocated per packet.
// Its queries are counted in counts, which only it writes.
func (s *Server) serveUDP(fd int, counts *queryCounts) {
	defer s.wg.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	w := &udpWorker{fd: fd, sc: newScratch(counts)}
	last := time.Now()
	for !s.closing.Load() {
		if now := time.Now(); now.Sub(last) > yieldEvery {
			runtime.Gosched()
			last = now
		}
		n, err := w.recv()
		if err != nil {
			if err != unix.EINTR && err != unix.EAGAIN && !s.closing.Load() {
				s.log.Error("dns: udp receive", "err", err)
			}
			continue
		}
		w.sc.client = w.source()
		if resp := s.safeReply(w.in[:n], w.out[:], true, w.sc); resp != nil {
			w.send(resp) // UDP is lossy: a failed send is a lost reply
		}
	}
}

// recv is recvfrom(2) into w.in and w.from. unix.Recvfrom would allocate a
// Sockaddr per datagram; the raw call reuses w.from.
func (w *udpWorker) recv() (int, error) {
	w.fromLen = unix.SizeofSockaddrAny
	n, _, errno := unix.Syscall6(unix.SYS_RECVFROM, uintptr(w.fd),
		uintptr(unsafe.Pointer(&w.in[0])), uintptr(len(w.in)), 0,
		uintptr(unsafe.Pointer(&w.from)), uintptr(unsafe.Pointer(&w.fromLen)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// send is sendto(2) of b to the address of the last datagram received.
func (w *udpWorker) send(b []byte) {
	_, _, _ = unix.Syscall6(unix.SYS_SENDTO, uintptr(w.fd),
		uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0,
		uintptr(unsafe.Pointer(&w.from)), uintptr(w.fromLen))
}

// source returns the address the last datagram came from (for routing by
// client address when the query carries no EDNS client subnet).
func (w *udpWorker) source() netip.Addr {
	switch w.from.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&w.from))
		return netip.AddrFrom4(sa.Addr)
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&w.from))
		return netip.AddrFrom16(sa.Addr).Unmap()
	}
	return netip.Addr{}
}
