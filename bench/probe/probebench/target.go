package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// targetCmd serves the probes' endpoints on every -addrs address: HTTP on
// one port (200, body "ok", for any path) and TCP on another (accepts and
// closes), the same two ports on every address. It writes
// "http_port=P tcp_port=Q" to -out once listening and stops on SIGTERM,
// SIGINT or after -lifetime. With -dead, it also opens a port of 127.0.0.1
// where connection attempts hang ("dead_port=D"): a listener with a backlog
// of zero whose one queue slot is taken by a connection it holds and never
// accepts, so that the kernel drops every further SYN; TCP checks of it fail
// after their connect timeout, as checks of an unreachable endpoint do.
//
// With -reset (the default), a connection whose client has already closed
// its side is closed with SO_LINGER 0: the reset frees the client's socket
// at once instead of leaving it in TIME_WAIT for 60 s. Thousands of fresh
// connections per second would otherwise hold most of the machine's
// ephemeral ports, and other programs binding 127.0.0.1:0 on this shared
// machine would fail. Connections the target closes first (an HTTP client
// that sent "Connection: close") close normally: their TIME_WAIT is on the
// target's side and holds no ephemeral port.
func targetCmd(args []string) error {
	fs := flag.NewFlagSet("target", flag.ExitOnError)
	addrs := fs.String("addrs", "127.0.0.1", "loopback addresses to listen on, comma-separated")
	out := fs.String("out", "", "file to write the ports to")
	lifetime := fs.Duration("lifetime", 20*time.Minute, "stop after this long")
	reset := fs.Bool("reset", true, "reset connections the client has closed, sparing it TIME_WAIT")
	dead := fs.Bool("dead", true, "also open a port of 127.0.0.1 where connection attempts hang")
	_ = fs.Parse(args)

	var ips []netip.Addr
	for s := range strings.SplitSeq(*addrs, ",") {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil || !ip.IsLoopback() {
			return fmt.Errorf("%q is not a loopback address", s)
		}
		ips = append(ips, ip)
	}
	var httpLns, tcpLns []net.Listener
	var err error
	for try := 0; try < 20; try++ {
		if httpLns, err = listenAll(ips); err != nil {
			continue
		}
		if tcpLns, err = listenAll(ips); err != nil {
			closeAll(httpLns)
			continue
		}
		break
	}
	if err != nil {
		return err
	}

	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "2")
			_, _ = io.WriteString(w, "ok")
		}),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       5 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	for _, ln := range httpLns {
		if *reset {
			ln = resetListener{ln}
		}
		go func() { _ = srv.Serve(ln) }()
	}
	for _, ln := range tcpLns {
		go acceptClose(ln, *reset)
	}
	ports := fmt.Sprintf("http_port=%d tcp_port=%d", port(httpLns[0]), port(tcpLns[0]))
	if *dead {
		p, closeDead, err := deadPort()
		if err != nil {
			return err
		}
		defer closeDead()
		ports += fmt.Sprintf(" dead_port=%d", p)
	}
	ports += "\n"
	if *out != "" {
		if err := os.WriteFile(*out+".tmp", []byte(ports), 0o644); err != nil {
			return err
		}
		if err := os.Rename(*out+".tmp", *out); err != nil {
			return err
		}
	} else {
		fmt.Print(ports)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	select {
	case <-ctx.Done():
	case <-time.After(*lifetime):
	}
	closeAll(tcpLns)
	sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	return nil
}

// listenAll listens on one port, chosen by the kernel for the first address,
// on every address.
func listenAll(ips []netip.Addr) ([]net.Listener, error) {
	var lns []net.Listener
	p := uint16(0)
	for _, ip := range ips {
		ln, err := net.Listen("tcp", netip.AddrPortFrom(ip, p).String())
		if err != nil {
			closeAll(lns)
			return nil, err
		}
		lns = append(lns, ln)
		p = uint16(port(ln))
	}
	return lns, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close()
	}
}

func port(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }

// acceptClose accepts connections and closes them, until ln closes. With
// reset, it first waits (at most a second) for the client to close its side
// (a TCP health check closes right after connecting), then resets.
func acceptClose(ln net.Listener, reset bool) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(time.Millisecond) // e.g. EMFILE: let the closes catch up
			continue
		}
		if !reset {
			_ = c.Close()
			continue
		}
		go func() {
			rc := &resetConn{Conn: c}
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			var b [1]byte
			_, _ = rc.Read(b[:])
			_ = rc.Close()
		}()
	}
}

// resetListener hands out resetConns.
type resetListener struct{ net.Listener }

func (l resetListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &resetConn{Conn: c}, nil
}

// resetConn closes with SO_LINGER 0 (a reset) when a Read saw the client's
// end of stream, else normally.
type resetConn struct {
	net.Conn
	peerClosed atomic.Bool
}

func (c *resetConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err == io.EOF {
		c.peerClosed.Store(true)
	}
	return n, err
}

func (c *resetConn) Close() error {
	if tc, ok := c.Conn.(*net.TCPConn); ok && c.peerClosed.Load() {
		_ = tc.SetLinger(0)
	}
	return c.Conn.Close()
}

// freeportCmd prints -n free TCP ports of 127.0.0.1, space-separated.
func freeportCmd(args []string) error {
	fs := flag.NewFlagSet("freeport", flag.ExitOnError)
	n := fs.Int("n", 1, "how many ports")
	_ = fs.Parse(args)
	var lns []net.Listener
	defer func() { closeAll(lns) }()
	var ps []string
	for range *n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		lns = append(lns, ln)
		ps = append(ps, fmt.Sprint(port(ln)))
	}
	fmt.Println(strings.Join(ps, " "))
	return nil
}

// waitCmd waits until -url, on a loopback address, answers 200.
func waitCmd(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	url := fs.String("url", "", "URL to poll")
	timeout := fs.Duration("timeout", 15*time.Second, "give up after this long")
	_ = fs.Parse(args)
	if err := loopbackURL(*url); err != nil {
		return err
	}
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(*timeout)
	for {
		resp, err := c.Get(*url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %w", *url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deadPort opens a port of 127.0.0.1 that takes no connection: listening
// with a backlog of zero, its single accept-queue slot filled by a
// connection held open and never accepted, so that Linux drops further SYNs.
func deadPort() (int, func(), error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, nil, fmt.Errorf("dead port: %w", err)
	}
	fail := func(err error) (int, func(), error) {
		_ = syscall.Close(fd)
		return 0, nil, fmt.Errorf("dead port: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fail(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		return fail(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return fail(err)
	}
	p := sa.(*syscall.SockaddrInet4).Port
	held, err := net.DialTimeout("tcp4", fmt.Sprintf("127.0.0.1:%d", p), 5*time.Second)
	if err != nil {
		return fail(err)
	}
	return p, func() { _ = held.Close(); _ = syscall.Close(fd) }, nil
}
