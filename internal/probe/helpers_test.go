package probe_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/probetest"
)

// Probers in tests are patient, so that a loaded machine (the race
// detector, other packages' tests) cannot turn a row into a timeout; a row
// that expects a timeout gets a short one for that phase alone (forReason).
const (
	patient = 5 * time.Second
	short   = 300 * time.Millisecond
	// slow is how long slow test servers dawdle: far beyond every timeout.
	// They stop as soon as the probe hangs up.
	slow = 30 * time.Second
)

func testOptions() probe.Options {
	return probe.Options{
		UserAgentVersion: "1.2.3",
		ConnectTimeout:   patient,
		ResponseTimeout:  patient,
		BodyTimeout:      patient,
		TCPTimeout:       patient,
		ResolveTimeout:   patient,
	}
}

func newProber(configure ...func(*probe.Options)) *probe.EndpointProber {
	opts := testOptions()
	for _, f := range configure {
		f(&opts)
	}
	return probe.New(opts)
}

// forReason shortens the timeout of the phase whose timeout reason is
// expected, and no other.
func forReason(reason string) func(*probe.Options) {
	return func(o *probe.Options) {
		switch reason {
		case probe.ReasonConnectTimeout:
			o.ConnectTimeout, o.TCPTimeout = short, short
		case probe.ReasonResponseTimeout, probe.ReasonTLSTimeout:
			o.ResponseTimeout = short
		case probe.ReasonBodyTimeout:
			o.BodyTimeout = short
		}
	}
}

func mustTarget(tb testing.TB, cfg model.HealthCheckConfig) probe.Target {
	tb.Helper()
	t, err := probe.NewTarget("hc-1", cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// probeOnce probes cfg once with p and a background context.
func probeOnce(tb testing.TB, p probe.Prober, cfg model.HealthCheckConfig) probe.Result {
	tb.Helper()
	return p.Probe(context.Background(), mustTarget(tb, cfg))
}

// endpoint is a test server for one table row; it returns where it listens.
type endpoint func(tb testing.TB) netip.AddrPort

func httpServer(h http.HandlerFunc, opts ...probetest.Option) endpoint {
	return func(tb testing.TB) netip.AddrPort { return probetest.StartHTTP(tb, h, opts...).Addr }
}

func rawServer(h func(net.Conn)) endpoint {
	return func(tb testing.TB) netip.AddrPort { return probetest.StartTCP(tb, h).Addr }
}

// dawdle simulates a slow server: it waits d or until the client hangs up.
func dawdle(r *http.Request, d time.Duration) {
	select {
	case <-time.After(d):
	case <-r.Context().Done():
	}
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

// body answers 200 with data as the body, under Content-Encoding enc if set.
func body(enc string, data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if enc != "" {
			w.Header().Set("Content-Encoding", enc)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = w.Write(data)
	}
}

// endless answers 200 and writes x until the client hangs up.
func endless(w http.ResponseWriter, r *http.Request) {
	chunk := bytes.Repeat([]byte("x"), 4096)
	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// readRequest reads one request's head from c, so that closing c later does
// not reset the connection for unread data.
func readRequest(c net.Conn) bool {
	_, err := http.ReadRequest(bufio.NewReader(c))
	return err == nil
}

// respond reads the request, then writes resp as it is.
func respond(resp string) func(net.Conn) {
	return func(c net.Conn) {
		if readRequest(c) {
			_, _ = io.WriteString(c, resp)
		}
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = io.WriteString(w, s)
	_ = w.Close()
	return b.Bytes()
}

func zlibbed(s string) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	_, _ = io.WriteString(w, s)
	_ = w.Close()
	return b.Bytes()
}

func deflated(s string) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.DefaultCompression)
	_, _ = io.WriteString(w, s)
	_ = w.Close()
	return b.Bytes()
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func itoa(n int) string { return strconv.Itoa(n) }

// readClientHello reads the first TLS record from c: the client's hello.
func readClientHello(c net.Conn) bool {
	var hdr [5]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return false
	}
	_, err := io.CopyN(io.Discard, c, int64(hdr[3])<<8|int64(hdr[4]))
	return err == nil
}
