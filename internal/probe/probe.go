// Package probe owns single probes: one attempt, over a fresh connection,
// against the endpoint of one HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH
// or TCP health check, judged by Route 53's rules (reference §3.3–§3.6,
// §4.1–§4.3) and returned as a typed Result with a reason and phase timings.
//
// # The probe
//
// A check addressed by IPAddress is probed at that address; one addressed by
// FullyQualifiedDomainName alone has the name resolved again for every probe
// (no cache), and the first IPv4 address of the answer is probed, else the
// first IPv6 address: Route 53 uses IPv4 only in this mode, Vedette falls
// back to IPv6 for names without A records. The probe target policy (Policy)
// is enforced on the address being connected to, in the dialer's Control
// hook.
//
// TCP checks pass when a connection is established within Options.TCPTimeout
// (10 s); nothing is sent. HTTP types connect within Options.ConnectTimeout
// (4 s), then the TLS handshake (HTTPS types: any certificate accepted, SNI
// per EnableSNI), the request and the status line and headers must all be
// done within Options.ResponseTimeout (2 s) of connecting; a status of
// 200–399 passes and redirects are never followed. The request is
//
//	GET <ResourcePath> HTTP/1.1
//	Host: <per reference §3.5>
//	User-Agent: Vedette-Health-Check/<version> (ref <health-check-id>)
//	Accept: */*
//	Accept-Encoding: identity,gzip,deflate
//
// String-match types then read the body within Options.BodyTimeout (2 s) of
// the headers, decode gzip or deflate, and pass only if SearchString lies
// entirely within the first SearchWindow (5,120) decoded bytes; reading stops
// as soon as the string is found or the window is full. Every read is
// bounded: Options.MaxHeaderBytes of headers, 64 KiB of encoded body. The
// connection is closed after every probe, without reading the rest.
//
// A probe therefore lasts at most ResolveTimeout (names only) +
// ConnectTimeout + ResponseTimeout + BodyTimeout, 12 s with the defaults, or
// ResolveTimeout + TCPTimeout for TCP checks, 14 s; a context deadline or
// cancellation ends it sooner. A probe starts no goroutine.
//
// # Reasons
//
// Result.Reason is one of these texts (the constants in reasons.go):
//
//	Success: HTTP Status Code 200, OK                        (StatusReason, 200–399)
//	Failure: HTTP Status Code 503, Service Unavailable        (StatusReason, other codes)
//	Success: TCP connection established
//	Failure: DNS resolution failed
//	Failure: The address 169.254.169.254 is not allowed by the probe target policy   (PolicyReason)
//	Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall
//	Failure: Connection refused
//	Failure: Host unreachable
//	Failure: Network unreachable
//	Failure: Could not connect to the endpoint
//	Failure: TLS handshake timed out
//	Failure: TLS handshake failed: <detail, e.g. remote error: tls: handshake failure>
//	Failure: Timed out waiting for the HTTP response
//	Failure: Connection closed by the endpoint before the HTTP response
//	Failure: Connection reset by the endpoint
//	Failure: Invalid HTTP response
//	Failure: HTTP response headers too large
//	Failure: Timed out reading the response body
//	Failure: Response body didn't contain the expected string
//	Failure: Response body has an unsupported Content-Encoding
//	Failure: Response body could not be decoded
//	Failure: Connection lost while reading the response body
//	Failure: Probe canceled
//	Failure: Invalid health check target
//
// For checks addressed by name, every reason given after resolution ends
// with ". Resolved IP: <address>", as Route 53's do, except the policy
// reason, which names the address already.
package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/version"
)

// Prober runs one probe: one attempt over a fresh connection against t's
// endpoint. It returns when the attempt is judged, within the timeouts of
// its Options or when ctx is done, whichever comes first; a canceled ctx
// yields a failure with ReasonCanceled. A Prober keeps no state about
// earlier probes and is safe for concurrent use; thresholds, scheduling and
// retries belong to the caller.
type Prober interface {
	Probe(ctx context.Context, t Target) Result
}

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context, t Target) Result

// Probe calls f(ctx, t).
func (f ProberFunc) Probe(ctx context.Context, t Target) Result { return f(ctx, t) }

// Result is the outcome of one probe.
type Result struct {
	// Success is true when the probe passed.
	Success bool
	// Reason says why, in Route 53's words (see the package documentation).
	Reason string
	// Timings are the phase durations, zero for a phase that did not
	// complete: Connect is the TCP connect, TLSHandshake the handshake, and
	// FirstByte runs from the start of the request write to the first byte
	// of the response.
	Timings model.Timings
	// SourceIP is the local address of the connection, when one was made.
	SourceIP netip.Addr
	// RemoteIP is the address probed, when one was chosen (also when the
	// connection failed or the policy refused it).
	RemoteIP netip.Addr
}

// Resolver resolves names; *net.Resolver implements it. LookupNetIP is
// called with network "ip".
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure an EndpointProber. Zero values mean the defaults.
type Options struct {
	// Policy decides which addresses may be probed; New copies it. Default:
	// nil, DefaultDeny alone.
	Policy *Policy
	// Resolver resolves FullyQualifiedDomainName for checks without IPAddress.
	// Default: net.DefaultResolver.
	Resolver Resolver
	// UserAgentVersion is <version> in "Vedette-Health-Check/<version>
	// (ref <health-check-id>)". Default: version.String().
	UserAgentVersion string
	// ConnectTimeout bounds the TCP connect of HTTP types. Default: 4 s.
	ConnectTimeout time.Duration
	// ResponseTimeout bounds, from the connect, the TLS handshake, the
	// request and the response status line and headers. Default: 2 s.
	ResponseTimeout time.Duration
	// BodyTimeout bounds, from the headers, the body read of string-match
	// types. Default: 2 s.
	BodyTimeout time.Duration
	// TCPTimeout bounds the connect of TCP checks. Default: 10 s.
	TCPTimeout time.Duration
	// ResolveTimeout bounds the name resolution. Default: 4 s.
	ResolveTimeout time.Duration
	// MaxHeaderBytes bounds the bytes read up to the end of the response
	// headers. Default: 16384, Route 53's limit.
	MaxHeaderBytes int
	// LocalAddr, when valid, is the source address every probe connects
	// from (the checker's --source-ip); a probe to an address of the other
	// family then fails to connect. Default: chosen by the kernel.
	LocalAddr netip.Addr
}

// Defaults of Options.
const (
	DefaultConnectTimeout  = 4 * time.Second
	DefaultResponseTimeout = 2 * time.Second
	DefaultBodyTimeout     = 2 * time.Second
	DefaultTCPTimeout      = 10 * time.Second
	DefaultResolveTimeout  = 4 * time.Second
	DefaultMaxHeaderBytes  = 16384
)

// EndpointProber probes the endpoint check types. It starts no goroutines
// and holds no connections between probes.
type EndpointProber struct {
	resolver        Resolver
	product         string // "Vedette-Health-Check/<version>"
	httpDialer      net.Dialer
	tcpDialer       net.Dialer
	responseTimeout time.Duration
	bodyTimeout     time.Duration
	resolveTimeout  time.Duration
	maxHeaderBytes  int64
	scratch         sync.Pool // *scratch
}

// New returns an EndpointProber with opts' defaults filled in.
func New(opts Options) *EndpointProber {
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.UserAgentVersion == "" {
		opts.UserAgentVersion = version.String()
	}
	orDefault(&opts.ConnectTimeout, DefaultConnectTimeout)
	orDefault(&opts.ResponseTimeout, DefaultResponseTimeout)
	orDefault(&opts.BodyTimeout, DefaultBodyTimeout)
	orDefault(&opts.TCPTimeout, DefaultTCPTimeout)
	orDefault(&opts.ResolveTimeout, DefaultResolveTimeout)
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	control := opts.Policy.clone().control
	var local net.Addr
	if opts.LocalAddr.IsValid() {
		local = &net.TCPAddr{IP: opts.LocalAddr.AsSlice()}
	}
	p := &EndpointProber{
		resolver: opts.Resolver,
		product:  "Vedette-Health-Check/" + headerSafe(opts.UserAgentVersion),
		// KeepAlive -1: a probe's connection lives too briefly for TCP keep-alives.
		httpDialer:      net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: -1, ControlContext: control, LocalAddr: local},
		tcpDialer:       net.Dialer{Timeout: opts.TCPTimeout, KeepAlive: -1, ControlContext: control, LocalAddr: local},
		responseTimeout: opts.ResponseTimeout,
		bodyTimeout:     opts.BodyTimeout,
		resolveTimeout:  opts.ResolveTimeout,
		maxHeaderBytes:  int64(opts.MaxHeaderBytes),
	}
	p.scratch.New = newScratch
	return p
}

func orDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Probe runs one probe against t. See Prober.
func (p *EndpointProber) Probe(ctx context.Context, t Target) Result {
	var r Result
	if !t.typ.IsEndpoint() {
		r.Reason = ReasonInvalidTarget
		return r
	}
	ap, ok := p.resolve(ctx, &t, &r)
	if !ok {
		return r
	}
	r.RemoteIP = ap.Addr()
	if t.typ == model.TypeTCP {
		p.probeTCP(ctx, ap, &r)
	} else {
		p.probeHTTP(ctx, &t, ap, &r)
	}
	if t.byName() {
		r.Reason = withResolvedIP(r.Reason, r.RemoteIP)
	}
	return r
}

// resolve returns the address and port to probe: IPAddress, else the name
// resolved now, preferring IPv4.
func (p *EndpointProber) resolve(ctx context.Context, t *Target, r *Result) (netip.AddrPort, bool) {
	if !t.byName() {
		return netip.AddrPortFrom(t.ip, t.port), true
	}
	rctx, cancel := context.WithTimeout(ctx, p.resolveTimeout)
	addrs, _ := p.resolver.LookupNetIP(rctx, "ip", t.name) // an error leaves no address
	cancel()
	var v6 netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() {
			return netip.AddrPortFrom(a, t.port), true
		}
		if !v6.IsValid() && a.Is6() {
			v6 = a
		}
	}
	if v6.IsValid() {
		return netip.AddrPortFrom(v6, t.port), true
	}
	r.Reason = ReasonDNSFailed
	if errors.Is(ctx.Err(), context.Canceled) {
		r.Reason = ReasonCanceled
	}
	return netip.AddrPort{}, false
}

// dial connects to ap with d, recording the connect time and the source
// address; on failure it sets r.Reason and returns nil.
func dial(ctx context.Context, d *net.Dialer, ap netip.AddrPort, r *Result) net.Conn {
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", ap.String())
	if err != nil {
		r.Reason = dialReason(ctx, err, ap.Addr())
		if la, ok := d.LocalAddr.(*net.TCPAddr); ok {
			r.SourceIP = la.AddrPort().Addr().Unmap()
		}
		return nil
	}
	r.Timings.Connect = time.Since(start)
	if la, ok := conn.LocalAddr().(*net.TCPAddr); ok {
		r.SourceIP = la.AddrPort().Addr().Unmap()
	}
	return conn
}

func dialReason(ctx context.Context, err error, addr netip.Addr) string {
	var pe *PolicyError
	switch {
	case errors.As(err, &pe):
		return PolicyReason(addr)
	case errors.Is(ctx.Err(), context.Canceled):
		return ReasonCanceled
	case isTimeout(err):
		return ReasonConnectTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ReasonConnectionRefused
	case errors.Is(err, syscall.EHOSTUNREACH):
		return ReasonHostUnreachable
	case errors.Is(err, syscall.ENETUNREACH):
		return ReasonNetworkUnreachable
	}
	return ReasonConnectFailed
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// headerSafe drops control characters, which cannot go in a header.
func headerSafe(s string) string {
	if printable(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x20 && s[i] != 0x7f {
			b = append(b, s[i])
		}
	}
	return string(b)
}
