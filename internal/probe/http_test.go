package probe_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/probetest"
)

const needle = "all-systems-go"

// TestHTTPProbe runs one probe per row, each against a fresh server.
func TestHTTPProbe(t *testing.T) {
	var followed atomic.Int32
	redirect := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			followed.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusMovedPermanently)
	}
	tests := []struct {
		name    string
		typ     model.HealthCheckType // default HTTP
		serve   endpoint
		success bool
		reason  string
	}{
		{"200", "", httpServer(status(200)), true, "Success: HTTP Status Code 200, OK"},
		{"204", "", httpServer(status(204)), true, "Success: HTTP Status Code 204, No Content"},
		{"301 is not followed", "", httpServer(redirect), true, "Success: HTTP Status Code 301, Moved Permanently"},
		{"399 without a phrase", "", httpServer(status(399)), true, "Success: HTTP Status Code 399"},
		{"400", "", httpServer(status(400)), false, "Failure: HTTP Status Code 400, Bad Request"},
		{"500", "", httpServer(status(500)), false, "Failure: HTTP Status Code 500, Internal Server Error"},
		{"503 with its own phrase", "", rawServer(respond("HTTP/1.1 503 Service Temporarily Unavailable\r\nContent-Length: 0\r\n\r\n")),
			false, "Failure: HTTP Status Code 503, Service Unavailable"},
		{"slow headers", "", httpServer(func(w http.ResponseWriter, r *http.Request) { dawdle(r, slow) }),
			false, probe.ReasonResponseTimeout},
		{"hang: accepts, never answers", "", rawServer(nil), false, probe.ReasonResponseTimeout},
		{"slow body is not read without a search string", "", httpServer(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			dawdle(r, slow)
		}), true, "Success: HTTP Status Code 200, OK"},
		{"endless body is not read without a search string", "", httpServer(endless), true, "Success: HTTP Status Code 200, OK"},
		{"early hints, then 200", "", rawServer(respond("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")),
			true, "Success: HTTP Status Code 200, OK"},
		{"not HTTP", "", rawServer(respond("SSH-2.0-OpenSSH_9.6\r\n\r\n")), false, probe.ReasonInvalidResponse},
		{"malformed header", "", rawServer(respond("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n")), false, probe.ReasonInvalidResponse},
		{"endless headers", "", rawServer(func(c net.Conn) {
			if !readRequest(c) {
				return
			}
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			for {
				if _, err := io.WriteString(c, "X-Filler: "+strings.Repeat("a", 100)+"\r\n"); err != nil {
					return
				}
			}
		}), false, probe.ReasonHeadersTooLarge},
		{"closed before responding", "", rawServer(func(c net.Conn) { readRequest(c) }), false, probe.ReasonConnectionClosed},
		{"reset before responding", "", rawServer(func(c net.Conn) {
			if readRequest(c) {
				_ = c.(*net.TCPConn).SetLinger(0) // close sends RST
			}
		}), false, probe.ReasonConnectionReset},
		{"refused", "", func(tb testing.TB) netip.AddrPort { return probetest.RefusedPort(tb) }, false, probe.ReasonConnectionRefused},
		{"connect timeout", "", func(tb testing.TB) netip.AddrPort { return probetest.BlackholePort(tb) }, false, probe.ReasonConnectTimeout},

		{"HTTPS self-signed certificate", model.TypeHTTPS, httpServer(status(200), probetest.TLS()), true, "Success: HTTP Status Code 200, OK"},
		{"HTTPS 500", model.TypeHTTPS, httpServer(status(500), probetest.TLS()), false, "Failure: HTTP Status Code 500, Internal Server Error"},
		{"HTTPS slow headers", model.TypeHTTPS, httpServer(func(w http.ResponseWriter, r *http.Request) { dawdle(r, slow) }, probetest.TLS()),
			false, probe.ReasonResponseTimeout},
		{"HTTPS hang in the handshake", model.TypeHTTPS, rawServer(nil), false, probe.ReasonTLSTimeout},
		{"HTTPS against plain HTTP", model.TypeHTTPS, httpServer(status(200)), false,
			probe.ReasonTLSFailed + "tls: first record does not look like a TLS handshake"},
		{"HTTPS TLS 1.0 only", model.TypeHTTPS, httpServer(status(200), probetest.TLS(), probetest.ConfigureTLS(func(c *tls.Config) {
			c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
		})), true, "Success: HTTP Status Code 200, OK"},
		{"HTTPS TLS 1.2 only", model.TypeHTTPS, httpServer(status(200), probetest.TLS(), probetest.ConfigureTLS(func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
		})), true, "Success: HTTP Status Code 200, OK"},
		{"HTTPS client certificate required (TLS 1.3)", model.TypeHTTPS, httpServer(status(200), probetest.TLS(), probetest.ConfigureTLS(func(c *tls.Config) {
			c.ClientAuth = tls.RequireAnyClientCert
		})), false, probe.ReasonTLSFailed + "remote error: tls: certificate required"},
		{"HTTPS client certificate required (TLS 1.2)", model.TypeHTTPS, httpServer(status(200), probetest.TLS(), probetest.ConfigureTLS(func(c *tls.Config) {
			c.ClientAuth, c.MaxVersion = tls.RequireAnyClientCert, tls.VersionTLS12
		})), false, probe.ReasonTLSFailed + "remote error: tls: handshake failure"},
		{"HTTPS closed in the handshake", model.TypeHTTPS, rawServer(func(c net.Conn) { readClientHello(c) }),
			false, probe.ReasonTLSFailed + "connection closed by the endpoint"},
		{"HTTPS reset in the handshake", model.TypeHTTPS, rawServer(func(c net.Conn) {
			if readClientHello(c) {
				_ = c.(*net.TCPConn).SetLinger(0)
			}
		}), false, probe.ReasonTLSFailed + "connection reset by the endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ap := tt.serve(t)
			typ := tt.typ
			if typ == "" {
				typ = model.TypeHTTP
			}
			r := probeOnce(t, newProber(forReason(tt.reason)), model.HealthCheckConfig{Type: typ, IPAddress: ap.Addr().String(), Port: int(ap.Port())})
			if r.Success != tt.success || r.Reason != tt.reason {
				t.Errorf("got %v %q, want %v %q", r.Success, r.Reason, tt.success, tt.reason)
			}
		})
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

// TestStringMatch searches bodies: the window of 5,120 decoded bytes, the
// encodings, slow and endless bodies.
func TestStringMatch(t *testing.T) {
	pad := func(n int) string { return strings.Repeat("x", n) }
	endsAt5120 := pad(probe.SearchWindow-len(needle)) + needle + pad(100)
	startsAt5121 := pad(probe.SearchWindow) + needle
	straddles := pad(probe.SearchWindow-len(needle)+1) + needle
	tests := []struct {
		name    string
		typ     model.HealthCheckType // default HTTP_STR_MATCH
		h       http.HandlerFunc
		success bool
		reason  string
	}{
		{"string at the start", "", body("", []byte(needle+pad(10000))), true, "Success: HTTP Status Code 200, OK"},
		{"string ending at byte 5,120", "", body("", []byte(endsAt5120)), true, "Success: HTTP Status Code 200, OK"},
		{"string starting at byte 5,121", "", body("", []byte(startsAt5121)), false, probe.ReasonStringNotFound},
		{"string crossing byte 5,120", "", body("", []byte(straddles)), false, probe.ReasonStringNotFound},
		{"string absent from a short body", "", body("", []byte("nothing to see")), false, probe.ReasonStringNotFound},
		{"search is case-sensitive", "", body("", []byte(strings.ToUpper(needle))), false, probe.ReasonStringNotFound},
		{"empty body", "", body("", nil), false, probe.ReasonStringNotFound},
		{"chunked body", "", func(w http.ResponseWriter, r *http.Request) {
			for _, part := range []string{pad(3000), needle[:4], needle[4:]} {
				_, _ = io.WriteString(w, part)
				w.(http.Flusher).Flush()
			}
		}, true, "Success: HTTP Status Code 200, OK"},
		{"status fails first", "", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			_, _ = io.WriteString(w, needle)
		}, false, "Failure: HTTP Status Code 503, Service Unavailable"},
		{"redirect body searched", "", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(302)
			_, _ = io.WriteString(w, needle)
		}, true, "Success: HTTP Status Code 302, Found"},
		{"gzip body", "", body("gzip", gzipped(pad(5000)+needle)), true, "Success: HTTP Status Code 200, OK"},
		{"gzip: the window counts decoded bytes", "", body("gzip", gzipped(startsAt5121)), false, probe.ReasonStringNotFound},
		{"x-gzip body", "", body("x-gzip", gzipped(needle)), true, "Success: HTTP Status Code 200, OK"},
		{"deflate body (zlib)", "", body("deflate", zlibbed(pad(4000)+needle)), true, "Success: HTTP Status Code 200, OK"},
		{"deflate body (raw)", "", body("Deflate", deflated(pad(4000)+needle)), true, "Success: HTTP Status Code 200, OK"},
		{"identity body", "", body("identity", []byte(needle)), true, "Success: HTTP Status Code 200, OK"},
		{"corrupt gzip", "", body("gzip", []byte("\x1f\x8b\x08\x00not really gzip at all, no")), false, probe.ReasonBodyDecodeFailed},
		{"not gzip at all", "", body("gzip", []byte(needle)), false, probe.ReasonBodyDecodeFailed},
		{"brotli", "", body("br", []byte(needle)), false, probe.ReasonUnsupportedEncoding},
		{"stacked encodings", "", body("gzip, gzip", gzipped(string(gzipped(needle)))), false, probe.ReasonUnsupportedEncoding},
		{"slow body", "", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			dawdle(r, slow)
			_, _ = io.WriteString(w, needle)
		}, false, probe.ReasonBodyTimeout},
		{"string early in a slow body", "", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, needle)
			w.(http.Flusher).Flush()
			dawdle(r, slow)
		}, true, "Success: HTTP Status Code 200, OK"},
		{"endless body without the string", "", endless, false, probe.ReasonStringNotFound},
		{"malformed chunked body", "", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, _ := http.NewResponseController(w).Hijack()
			defer conn.Close()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + needle + "\r\n")
			_ = buf.Flush()
		}, false, probe.ReasonInvalidResponse},
		{"reset in the body", "", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, _ := http.NewResponseController(w).Hijack()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + pad(100))
			_ = buf.Flush()
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		}, false, probe.ReasonBodyReadFailed},
		{"closed in the body", "", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, _ := http.NewResponseController(w).Hijack()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + pad(100))
			_ = buf.Flush()
			_ = conn.Close()
		}, false, probe.ReasonStringNotFound},
		{"HTTPS gzip body", model.TypeHTTPSStrMatch, body("gzip", gzipped(pad(100)+needle)), true, "Success: HTTP Status Code 200, OK"},
		{"HTTPS string starting at byte 5,121", model.TypeHTTPSStrMatch, body("", []byte(startsAt5121)), false, probe.ReasonStringNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := tt.typ
			if typ == "" {
				typ = model.TypeHTTPStrMatch
			}
			var opts []probetest.Option
			if typ.IsHTTPS() {
				opts = append(opts, probetest.TLS())
			}
			srv := probetest.StartHTTP(t, tt.h, opts...)
			r := probeOnce(t, newProber(forReason(tt.reason)), model.HealthCheckConfig{
				Type: typ, IPAddress: "127.0.0.1", Port: srv.Port(), SearchString: needle,
			})
			if r.Success != tt.success || r.Reason != tt.reason {
				t.Errorf("got %v %q, want %v %q", r.Success, r.Reason, tt.success, tt.reason)
			}
		})
	}
}

// TestEndlessBodyIsBounded: with no string to find, an endless body stops
// being read at the window, long before the body timeout.
func TestEndlessBodyIsBounded(t *testing.T) {
	srv := probetest.StartHTTP(t, http.HandlerFunc(endless))
	p := newProber(func(o *probe.Options) { o.BodyTimeout = 10 * time.Second })
	start := time.Now()
	r := probeOnce(t, p, model.HealthCheckConfig{Type: model.TypeHTTPStrMatch, IPAddress: "127.0.0.1", Port: srv.Port(), SearchString: needle})
	if r.Reason != probe.ReasonStringNotFound {
		t.Errorf("reason %q", r.Reason)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the probe took %v", d)
	}
}

// TestRequestSeen checks the request as the server sees it: method, path,
// protocol, User-Agent, Accept, Accept-Encoding, and no body.
func TestRequestSeen(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"", "/"},
		{"health", "/health"},
		{"/welcome.html?language=jp&login=y", "/welcome.html?language=jp&login=y"},
	}
	for _, tt := range tests {
		got := make(chan *http.Request, 1)
		srv := probetest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r }))
		r := probeOnce(t, newProber(), model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "127.0.0.1", Port: srv.Port(), ResourcePath: tt.path})
		if !r.Success {
			t.Fatalf("%q: %s", tt.path, r.Reason)
		}
		req := <-got
		if req.Method != "GET" || req.RequestURI != tt.want || req.Proto != "HTTP/1.1" || req.ContentLength != 0 {
			t.Errorf("%q: request %s %s %s (length %d)", tt.path, req.Method, req.RequestURI, req.Proto, req.ContentLength)
		}
		want := map[string]string{
			"User-Agent":      "Vedette-Health-Check/1.2.3 (ref hc-1)",
			"Accept":          "*/*",
			"Accept-Encoding": "identity,gzip,deflate",
		}
		for k, v := range want {
			if req.Header.Get(k) != v {
				t.Errorf("%s: %q, want %q", k, req.Header.Get(k), v)
			}
		}
	}
}

// TestHostHeaderSeen checks reference §3.5 as the server sees it (the rules
// for ports 80 and 443 are in TestNewTarget: tests cannot bind them).
func TestHostHeaderSeen(t *testing.T) {
	var res probetest.Resolver
	res.Set("www.example.com", addr("127.0.0.1"))
	res.Set("v6.example.com", addr("::1"))
	tests := []struct {
		name string
		typ  model.HealthCheckType
		ip   string
		fqdn string
		ipv6 bool
		want string // with %d for the port
	}{
		{"IP only", model.TypeHTTP, "127.0.0.1", "", false, "127.0.0.1:%d"},
		{"IP and FQDN", model.TypeHTTP, "127.0.0.1", "www.example.com", false, "www.example.com:%d"},
		{"FQDN only", model.TypeHTTPStrMatch, "", "www.example.com", false, "www.example.com:%d"},
		{"IPv6 only", model.TypeHTTP, "::1", "", true, "[::1]:%d"},
		{"FQDN resolving to IPv6", model.TypeHTTP, "", "v6.example.com", true, "v6.example.com:%d"},
		{"HTTPS IP and FQDN", model.TypeHTTPS, "127.0.0.1", "www.example.com", false, "www.example.com:%d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hosts := make(chan string, 1)
			var opts []probetest.Option
			if tt.ipv6 {
				opts = append(opts, probetest.IPv6())
			}
			if tt.typ.IsHTTPS() {
				opts = append(opts, probetest.TLS())
			}
			srv := probetest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hosts <- r.Host
				_, _ = io.WriteString(w, needle)
			}), opts...)
			p := newProber(func(o *probe.Options) { o.Resolver = &res })
			r := probeOnce(t, p, model.HealthCheckConfig{
				Type: tt.typ, IPAddress: tt.ip, FullyQualifiedDomainName: tt.fqdn, Port: srv.Port(), SearchString: needle,
			})
			if !r.Success {
				t.Fatal(r.Reason)
			}
			if got, want := <-hosts, strings.Replace(tt.want, "%d", itoa(srv.Port()), 1); got != want {
				t.Errorf("Host %q, want %q", got, want)
			}
		})
	}
}

// TestSNISeen checks the server name the TLS server sees, per EnableSNI.
func TestSNISeen(t *testing.T) {
	on, off := true, false
	tests := []struct {
		name      string
		fqdn      string
		enableSNI *bool
		want      string
	}{
		{"enabled", "www.example.com", &on, "www.example.com"},
		{"default for HTTPS", "www.example.com", nil, "www.example.com"},
		{"disabled", "www.example.com", &off, ""},
		{"no FQDN", "", &on, ""},
	}
	t.Run("disabled, and the server needs it", func(t *testing.T) {
		srv := probetest.StartHTTP(t, status(200), probetest.TLS(), probetest.RequireSNI())
		cfg := model.HealthCheckConfig{Type: model.TypeHTTPS, IPAddress: "127.0.0.1", Port: srv.Port(), FullyQualifiedDomainName: "www.example.com"}
		cfg.EnableSNI = &off
		if r := probeOnce(t, newProber(), cfg); r.Reason != probe.ReasonTLSFailed+"remote error: tls: unrecognized name" {
			t.Errorf("without SNI: %q", r.Reason)
		}
		cfg.EnableSNI = &on
		if r := probeOnce(t, newProber(), cfg); !r.Success {
			t.Errorf("with SNI: %q", r.Reason)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := probetest.StartHTTP(t, status(200), probetest.TLS())
			r := probeOnce(t, newProber(), model.HealthCheckConfig{
				Type: model.TypeHTTPS, IPAddress: "127.0.0.1", Port: srv.Port(),
				FullyQualifiedDomainName: tt.fqdn, EnableSNI: tt.enableSNI,
			})
			if !r.Success {
				t.Fatal(r.Reason)
			}
			if got := srv.ServerNames(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("server names %q, want [%q]", got, tt.want)
			}
		})
	}
}

// TestFreshConnectionPerProbe: every probe opens its own connection.
func TestFreshConnectionPerProbe(t *testing.T) {
	for _, typ := range []model.HealthCheckType{model.TypeHTTP, model.TypeHTTPS} {
		var opts []probetest.Option
		if typ.IsHTTPS() {
			opts = append(opts, probetest.TLS())
		}
		srv := probetest.StartHTTP(t, status(200), opts...)
		p := newProber()
		tg := mustTarget(t, model.HealthCheckConfig{Type: typ, IPAddress: "127.0.0.1", Port: srv.Port()})
		const n = 3
		for range n {
			if r := p.Probe(context.Background(), tg); !r.Success {
				t.Fatalf("%s: %s", typ, r.Reason)
			}
		}
		conns := srv.Conns()
		seen := map[string]bool{}
		for _, c := range conns {
			seen[c.String()] = true
		}
		if len(conns) != n || len(seen) != n {
			t.Errorf("%s: %d probes, connections from %v", typ, n, conns)
		}
		if typ.IsHTTPS() && len(srv.ServerNames()) != n {
			t.Errorf("%s: %d probes, %d handshakes", typ, n, len(srv.ServerNames()))
		}
	}
}

// TestTimings: phases that happened have a duration, the others none;
// SourceIP and RemoteIP name the connection's ends.
func TestTimings(t *testing.T) {
	plain := probetest.StartHTTP(t, status(200))
	secure := probetest.StartHTTP(t, status(200), probetest.TLS())
	p := newProber()

	r := probeOnce(t, p, model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "127.0.0.1", Port: plain.Port()})
	if tm := r.Timings; tm.Connect <= 0 || tm.TLSHandshake != 0 || tm.FirstByte <= 0 {
		t.Errorf("HTTP timings %+v", tm)
	}
	if r.SourceIP != addr("127.0.0.1") || r.RemoteIP != addr("127.0.0.1") {
		t.Errorf("HTTP source %v, remote %v", r.SourceIP, r.RemoteIP)
	}
	r = probeOnce(t, p, model.HealthCheckConfig{Type: model.TypeHTTPS, IPAddress: "127.0.0.1", Port: secure.Port()})
	if tm := r.Timings; tm.Connect <= 0 || tm.TLSHandshake <= 0 || tm.FirstByte <= 0 {
		t.Errorf("HTTPS timings %+v", tm)
	}
	refused := probetest.RefusedPort(t)
	r = probeOnce(t, p, model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "127.0.0.1", Port: int(refused.Port())})
	if r.Timings != (model.Timings{}) || r.SourceIP.IsValid() || r.RemoteIP != addr("127.0.0.1") {
		t.Errorf("refused: timings %+v, source %v, remote %v", r.Timings, r.SourceIP, r.RemoteIP)
	}
}

// TestCanceled: a context canceled before or during the probe ends it with
// ReasonCanceled, at once.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := probetest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the caller gives up while the server dawdles
		dawdle(r, slow)
	}))
	p := newProber(func(o *probe.Options) { o.ResponseTimeout = 10 * time.Second })
	tg := mustTarget(t, model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "127.0.0.1", Port: srv.Port()})
	start := time.Now()
	if r := p.Probe(ctx, tg); r.Success || r.Reason != probe.ReasonCanceled {
		t.Errorf("canceled during the probe: %v %q", r.Success, r.Reason)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the canceled probe took %v", d)
	}
	if r := p.Probe(ctx, tg); r.Success || r.Reason != probe.ReasonCanceled {
		t.Errorf("canceled before the probe: %v %q", r.Success, r.Reason)
	}
}

// TestContextDeadline: a caller's deadline shorter than the response timeout
// ends the probe as a response timeout.
func TestContextDeadline(t *testing.T) {
	srv := probetest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { dawdle(r, slow) }))
	p := newProber(func(o *probe.Options) { o.ResponseTimeout = 10 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r := p.Probe(ctx, mustTarget(t, model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "127.0.0.1", Port: srv.Port()}))
	if r.Reason != probe.ReasonResponseTimeout {
		t.Errorf("reason %q", r.Reason)
	}
}

func TestInvalidTarget(t *testing.T) {
	if r := newProber().Probe(context.Background(), probe.Target{}); r.Success || r.Reason != probe.ReasonInvalidTarget {
		t.Errorf("zero Target: %v %q", r.Success, r.Reason)
	}
}
