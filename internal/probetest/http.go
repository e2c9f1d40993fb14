package probetest

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
)

// Server is an HTTP or HTTPS server on a loopback port. It records the
// remote address of every connection it accepts and, with TLS, the SNI
// server name of every handshake.
type Server struct {
	*httptest.Server
	// Addr is the address the server listens on.
	Addr netip.AddrPort

	requireSNI bool

	mu    sync.Mutex
	conns []netip.AddrPort
	names []string
}

// Option configures StartHTTP.
type Option func(*serverConfig)

type serverConfig struct {
	tls        bool
	ipv6       bool
	requireSNI bool
	configure  []func(*tls.Config)
}

// TLS makes the server speak HTTPS with a fresh self-signed certificate for
// "probetest.invalid" (a name no probe asks for).
func TLS() Option { return func(c *serverConfig) { c.tls = true } }

// IPv6 makes the server listen on [::1] instead of 127.0.0.1.
func IPv6() Option { return func(c *serverConfig) { c.ipv6 = true } }

// RequireSNI (with TLS) makes the server refuse handshakes without SNI, as
// name-based virtual hosts do: it has no certificate for them and sends the
// alert unrecognized_name.
func RequireSNI() Option { return func(c *serverConfig) { c.requireSNI = true } }

// ConfigureTLS (with TLS) lets f change the server's TLS configuration
// (versions, client authentication) before it starts.
func ConfigureTLS(f func(*tls.Config)) Option {
	return func(c *serverConfig) { c.configure = append(c.configure, f) }
}

// StartHTTP starts a server for h on a loopback port and returns once it
// accepts connections. It is closed by tb.Cleanup; h should return when its
// request's context is done, or Close waits for it.
func StartHTTP(tb testing.TB, h http.Handler, opts ...Option) *Server {
	tb.Helper()
	var cfg serverConfig
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{Server: httptest.NewUnstartedServer(h)}
	if cfg.ipv6 {
		_ = s.Listener.Close()
		s.Listener = ListenIPv6(tb)
	}
	s.Config.ConnState = s.connState
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // probes abort handshakes and requests on purpose
	if cfg.tls {
		s.requireSNI = cfg.requireSNI
		s.TLS = &tls.Config{
			Certificates:       []tls.Certificate{SelfSignedCertificate(tb, "probetest.invalid")},
			GetConfigForClient: s.recordServerName,
		}
		for _, f := range cfg.configure {
			f(s.TLS)
		}
		s.StartTLS()
	} else {
		s.Start()
	}
	tb.Cleanup(s.Close)
	s.Addr = s.Listener.Addr().(*net.TCPAddr).AddrPort()
	return s
}

func (s *Server) connState(c net.Conn, state http.ConnState) {
	if state != http.StateNew {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns = append(s.conns, c.RemoteAddr().(*net.TCPAddr).AddrPort())
}

func (s *Server) recordServerName(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names = append(s.names, hello.ServerName)
	if s.requireSNI && hello.ServerName == "" {
		return &tls.Config{}, nil // no certificate: the handshake fails with unrecognized_name
	}
	return nil, nil
}

// Port returns the port the server listens on.
func (s *Server) Port() int { return int(s.Addr.Port()) }

// Conns returns the remote addresses of the connections accepted so far, in order.
func (s *Server) Conns() []netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]netip.AddrPort(nil), s.conns...)
}

// ServerNames returns the SNI server name of every TLS handshake so far, in
// order; "" for a handshake without SNI.
func (s *Server) ServerNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.names...)
}

// ListenIPv6 listens on [::1], port 0; the listener is closed by tb.Cleanup.
func ListenIPv6(tb testing.TB) net.Listener {
	tb.Helper()
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		tb.Fatalf("probetest: listen on [::1]: %v", err)
	}
	tb.Cleanup(func() { _ = l.Close() })
	return l
}
