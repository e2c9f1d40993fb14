package probe

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// HTTP types speak HTTP/1.1 over one connection that the probe dials,
// through the policy-checking dialer, and closes: no http.Transport, whose
// pooled connections, per-connection goroutines and detached dials do not fit
// one attempt per fresh connection. net/http parses the response.

const (
	// maxEncodedBody bounds the raw body bytes a string-match probe reads:
	// SearchWindow decoded bytes never need more.
	maxEncodedBody = 64 << 10
	// maxInformational bounds the 1xx responses skipped before the final one.
	maxInformational = 5
	// maxEmptyReads bounds reads that return nothing and no error.
	maxEmptyReads = 100
)

// aLongTimeAgo is a deadline in the past: it fails pending I/O at once.
var aLongTimeAgo = time.Unix(1, 0)

var errUnsupportedEncoding = errors.New("unsupported Content-Encoding")

// scratch is the per-probe memory of HTTP probes, pooled by EndpointProber.
type scratch struct {
	lr   io.LimitedReader // the connection, with the bytes still allowed
	br   bufio.Reader     // over lr: the response
	bb   bufio.Reader     // over the response body: input of the decoders
	req  []byte
	body [SearchWindow]byte
	gz   *gzip.Reader  // created on first use, then Reset
	fl   io.ReadCloser // raw deflate, likewise
	zl   io.ReadCloser // zlib-wrapped deflate, likewise
}

func newScratch() any { return &scratch{req: make([]byte, 0, 512)} }

// release drops the references to the connection before s goes back to the pool.
func (p *EndpointProber) release(s *scratch) {
	s.lr.R = nil
	s.br.Reset(nil)
	s.bb.Reset(nil)
	p.scratch.Put(s)
}

// probeHTTP is one HTTP(S) probe against ap: connect, TLS handshake, request,
// status, and for string-match types the body search.
func (p *EndpointProber) probeHTTP(ctx context.Context, t *Target, ap netip.AddrPort, r *Result) {
	raw := dial(ctx, &p.httpDialer, ap, r)
	if raw == nil {
		return
	}
	// Closing the connection, never the body, ends the probe: http's body
	// Close would read what is left.
	defer func() { _ = raw.Close() }()
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(aLongTimeAgo) })
		defer stop()
	}
	setDeadline(ctx, raw, p.responseTimeout)
	conn := raw
	if t.tls != nil {
		if conn = handshake(ctx, raw, t.tls, r); conn == nil {
			return
		}
	}
	s := p.scratch.Get().(*scratch)
	defer p.release(s)
	s.lr = io.LimitedReader{R: conn, N: p.maxHeaderBytes}
	s.br.Reset(&s.lr)
	resp := p.roundTrip(ctx, conn, t, s, r)
	if resp == nil {
		return
	}
	r.Success, r.Reason = statusOK(resp.StatusCode), StatusReason(resp.StatusCode)
	if !r.Success || t.search == nil {
		return
	}
	setDeadline(ctx, raw, p.bodyTimeout)
	s.lr.N = maxEncodedBody
	if reason := s.searchBody(ctx, resp, t.search); reason != "" {
		r.Success, r.Reason = false, reason
	}
}

// setDeadline gives conn's I/O d from now, or none if ctx is done already
// (its AfterFunc may have run before this call).
func setDeadline(ctx context.Context, conn net.Conn, d time.Duration) {
	_ = conn.SetDeadline(time.Now().Add(d))
	if ctx.Err() != nil {
		_ = conn.SetDeadline(aLongTimeAgo)
	}
}

// handshake runs the TLS client handshake on raw; on failure it sets
// r.Reason and returns nil.
func handshake(ctx context.Context, raw net.Conn, cfg *tls.Config, r *Result) net.Conn {
	tc := tls.Client(raw, cfg)
	start := time.Now()
	if err := tc.Handshake(); err != nil {
		r.Reason = tlsReason(ctx, err)
		return nil
	}
	r.Timings.TLSHandshake = time.Since(start)
	return tc
}

// roundTrip writes the request and reads the final response's status line
// and headers, skipping informational (1xx) responses; on failure it sets
// r.Reason and returns nil.
func (p *EndpointProber) roundTrip(ctx context.Context, conn net.Conn, t *Target, s *scratch, r *Result) *http.Response {
	s.req = t.appendRequest(s.req[:0], p.product)
	start := time.Now()
	if _, err := conn.Write(s.req); err != nil {
		r.Reason = responseReason(ctx, err, s)
		return nil
	}
	if _, err := s.br.Peek(1); err != nil {
		r.Reason = responseReason(ctx, err, s)
		return nil
	}
	r.Timings.FirstByte = time.Since(start)
	for range maxInformational + 1 {
		resp, err := http.ReadResponse(&s.br, nil)
		if err != nil {
			r.Reason = responseReason(ctx, err, s)
			return nil
		}
		if c := resp.StatusCode; c < 100 || c > 199 || c == http.StatusSwitchingProtocols {
			return resp
		}
	}
	r.Reason = ReasonInvalidResponse
	return nil
}

// searchBody returns "" when needle lies within the first SearchWindow
// decoded bytes of resp's body, else the reason of the failure.
func (s *scratch) searchBody(ctx context.Context, resp *http.Response, needle []byte) string {
	body, err := s.decoder(resp)
	if err != nil {
		return bodyReason(ctx, err)
	}
	found, err := findInPrefix(body, s.body[:], needle)
	if found {
		return ""
	}
	return bodyReason(ctx, err)
}

// decoder returns the decoded body per Content-Encoding: identity, gzip and
// deflate (zlib-wrapped as RFC 9110 says, or raw as some servers send it).
func (s *scratch) decoder(resp *http.Response) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "", "identity":
		return resp.Body, nil
	case "gzip", "x-gzip":
		s.bb.Reset(resp.Body)
		if s.gz == nil {
			gz, err := gzip.NewReader(&s.bb)
			s.gz = gz
			return gz, err
		}
		return s.gz, s.gz.Reset(&s.bb)
	case "deflate":
		s.bb.Reset(resp.Body)
		return s.inflate()
	}
	return nil, errUnsupportedEncoding
}

// inflate returns a deflate decoder over s.bb, zlib-wrapped or raw.
func (s *scratch) inflate() (io.Reader, error) {
	hdr, err := s.bb.Peek(2)
	if err != nil {
		return nil, err
	}
	if zlibHeader(hdr) {
		if s.zl == nil {
			zl, err := zlib.NewReader(&s.bb)
			s.zl = zl
			return zl, err
		}
		return s.zl, s.zl.(zlib.Resetter).Reset(&s.bb, nil)
	}
	if s.fl == nil {
		s.fl = flate.NewReader(&s.bb)
		return s.fl, nil
	}
	return s.fl, s.fl.(flate.Resetter).Reset(&s.bb, nil)
}

// zlibHeader reports whether hdr starts a zlib stream (RFC 1950): method 8
// and a check value making the first two bytes a multiple of 31.
func zlibHeader(hdr []byte) bool {
	return hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0
}

// findInPrefix reads r into buf until needle appears, buf is full, or r
// fails or ends, and reports whether needle lies within what was read.
func findInPrefix(r io.Reader, buf, needle []byte) (bool, error) {
	n, empty := 0, 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		from := max(0, n-len(needle)+1)
		n += m
		if bytes.Contains(buf[from:n], needle) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if m == 0 {
			if empty++; empty > maxEmptyReads {
				return false, io.ErrNoProgress
			}
		}
	}
	return false, nil
}

func tlsReason(ctx context.Context, err error) string {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return ReasonCanceled
	case isTimeout(err):
		return ReasonTLSTimeout
	}
	return ReasonTLSFailed + tlsDetail(err)
}

// tlsDetail says why a handshake failed, without the addresses that
// net.OpError would add.
func tlsDetail(err error) string {
	var op *net.OpError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the endpoint"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the endpoint"
	case errors.As(err, &op) && op.Op == "remote error":
		return "remote error: " + op.Err.Error()
	case op != nil:
		return op.Err.Error()
	}
	return err.Error()
}

func responseReason(ctx context.Context, err error, s *scratch) string {
	var op *net.OpError
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return ReasonCanceled
	case isTimeout(err):
		return ReasonResponseTimeout
	case errors.As(err, &op) && op.Op == "remote error":
		// A TLS 1.3 server refuses the client after the client's side of
		// the handshake is done: the alert arrives with the response.
		return ReasonTLSFailed + tlsDetail(err)
	case s.lr.N <= 0:
		return ReasonHeadersTooLarge
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ReasonConnectionClosed
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ReasonConnectionReset
	}
	return ReasonInvalidResponse
}

func bodyReason(ctx context.Context, err error) string {
	var corrupt flate.CorruptInputError
	var op *net.OpError
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ReasonStringNotFound // the body ended, or the window is full
	case errors.Is(err, errUnsupportedEncoding):
		return ReasonUnsupportedEncoding
	case errors.Is(ctx.Err(), context.Canceled):
		return ReasonCanceled
	case isTimeout(err):
		return ReasonBodyTimeout
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum),
		errors.Is(err, zlib.ErrHeader), errors.Is(err, zlib.ErrChecksum),
		errors.Is(err, zlib.ErrDictionary), errors.As(err, &corrupt):
		return ReasonBodyDecodeFailed
	case errors.As(err, &op):
		return ReasonBodyReadFailed
	}
	return ReasonInvalidResponse // e.g. malformed chunked encoding
}
