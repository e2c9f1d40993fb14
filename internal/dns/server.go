// Package dns is Vedette's authoritative DNS server. It answers UDP and TCP
// queries from the *zone.Snapshot last given to SetSnapshot and never calls
// the store: whoever follows the store builds snapshots and swaps them in.
//
// The UDP path is built around where the CPU goes (see DESIGN.md, "DNS: fast
// by construction"): several sockets share the port with SO_REUSEPORT, and
// each is read by one goroutine locked to its OS thread doing blocking
// recvfrom/sendto on a blocking descriptor, outside the Go netpoller. Replies
// are packed once per snapshot and cached; a cached reply is sent by copying
// it and patching in the query's ID and question-name case, without parsing
// or packing a message.
//
// Inside this package the identifier dns names github.com/miekg/dns, which
// provides the wire format.
package dns

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/routing"
	"github.com/vedette-dns/vedette/internal/zone"
)

// Defaults of the Server fields.
const (
	DefaultListenAddr     = "127.0.0.1:5353"
	DefaultMaxUDPSize     = 1232
	DefaultMaxTCPConns    = 1024
	DefaultTCPIdleTimeout = 10 * time.Second
	DefaultCacheEntries   = 16384
)

// Server is an authoritative DNS server over UDP and TCP. Set its fields,
// then call Start; the fields must not change afterwards. SetSnapshot may be
// called at any time, before Start too. A Server must not be copied.
type Server struct {
	// ListenAddr is the IP:port that both the UDP sockets and the TCP listener
	// bind. Default DefaultListenAddr (127.0.0.1:5353). An empty host means
	// 0.0.0.0. Port 0 picks a free port, the same one for UDP and TCP.
	// UDP replies leave from the address the kernel picks for the client,
	// so on a multi-homed host bind a specific address rather than a
	// wildcard.
	ListenAddr string
	// UDPSockets is the number of UDP sockets bound to Addr with
	// SO_REUSEPORT, each read by its own goroutine locked to an OS thread.
	// Default runtime.NumCPU().
	UDPSockets int
	// MaxUDPSize is the largest UDP reply sent, and the payload size our
	// EDNS(0) replies advertise. Default DefaultMaxUDPSize (1232); values
	// below 512 mean 512.
	MaxUDPSize int
	// MaxTCPConns caps concurrent TCP connections; one beyond it is closed
	// at once. Default DefaultMaxTCPConns (1024).
	MaxTCPConns int
	// TCPIdleTimeout is how long a TCP connection may take to send its next
	// query, and to take a reply. Default DefaultTCPIdleTimeout (10s).
	TCPIdleTimeout time.Duration
	// CacheEntries bounds the packed-reply cache of each snapshot (rounded
	// up to a power of two). Default DefaultCacheEntries (16384); negative
	// turns caching off.
	CacheEntries int
	// Logger receives errors and panics, never a line per query. Default
	// slog.Default().
	Logger *slog.Logger
	// Placer, when set, fills in where the client is (routing.Query's
	// Location and LatencyRegions, from its Client) for the answers that
	// depend on the client; nil leaves clients unplaced.
	Placer Placer

	once    sync.Once
	log     *slog.Logger
	maxUDP  int
	tcpBufs sync.Pool

	state  atomic.Pointer[serving]
	swapMu sync.Mutex // serialises SetSnapshot and SetHealth

	mu      sync.Mutex
	started bool
	closing atomic.Bool
	done    chan struct{}
	addr    netip.AddrPort
	udpFDs  []int
	tcp     net.Listener
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup

	// Query counters (see Collector): one set per UDP socket reader, under
	// mu, and one shared by the TCP connections.
	udpCounts []*queryCounts
	_         [64]byte // keep tcpCounts off the cache lines UDP readers read
	tcpCounts queryCounts
}

// serving is what a query is answered from: a snapshot and its reply cache,
// swapped together.
type serving struct {
	snap   *zone.Snapshot
	health routing.Health // nil: every health check healthy
	cache  *answerCache   // nil when caching is off
}

// init resolves the defaults once.
func (s *Server) init() {
	s.once.Do(func() {
		s.log = s.Logger
		if s.log == nil {
			s.log = slog.Default()
		}
		s.maxUDP = s.MaxUDPSize
		if s.maxUDP == 0 {
			s.maxUDP = DefaultMaxUDPSize
		}
		s.maxUDP = min(max(s.maxUDP, minUDPSize), maxMsg)
		s.tcpBufs.New = func() any { return newTCPBuffers(&s.tcpCounts) }
		s.done = make(chan struct{})
	})
}

// SetSnapshot makes snap the data every later query is answered from, with
// a new, empty reply cache. A nil snapshot makes every query SERVFAIL.
func (s *Server) SetSnapshot(snap *zone.Snapshot) {
	s.init()
	s.swapMu.Lock()
	defer s.swapMu.Unlock()
	var h routing.Health
	if cur := s.state.Load(); cur != nil {
		h = cur.health
	}
	s.swap(snap, h)
}

// SetHealth makes h the health view routed record sets are answered under,
// with a new, empty reply cache: the snapshot and the health view meet here,
// and a change of either starts a new cache epoch.
func (s *Server) SetHealth(h routing.Health) {
	s.init()
	s.swapMu.Lock()
	defer s.swapMu.Unlock()
	var snap *zone.Snapshot
	if cur := s.state.Load(); cur != nil {
		snap = cur.snap
	}
	s.swap(snap, h)
}

// swap installs a new serving state; callers hold swapMu.
func (s *Server) swap(snap *zone.Snapshot, h routing.Health) {
	st := &serving{snap: snap, health: h}
	if snap != nil {
		entries := s.CacheEntries
		if entries == 0 {
			entries = DefaultCacheEntries
		}
		st.cache = newAnswerCache(entries)
	}
	s.state.Store(st)
}

// Snapshot returns the snapshot being served, or nil. Its Revision is the
// store revision DNS answers reflect (what makes a change INSYNC).
func (s *Server) Snapshot() *zone.Snapshot {
	if st := s.state.Load(); st != nil {
		return st.snap
	}
	return nil
}

// Addr returns the address the server listens on (UDP and TCP), once
// started.
func (s *Server) Addr() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Start binds the UDP sockets and the TCP listener, starts serving and
// returns: once it returns nil, queries are answered. A Server starts once.
func (s *Server) Start() error {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closing.Load() {
		return errors.New("dns: server already started or closed")
	}
	ap, err := parseAddr(s.ListenAddr)
	if err != nil {
		return err
	}
	n := s.UDPSockets
	if n <= 0 {
		n = runtime.NumCPU()
	}
	fds, ln, err := listen(ap, n)
	if err != nil {
		return err
	}
	s.started, s.udpFDs, s.tcp = true, fds, ln
	s.addr = netip.AddrPortFrom(ap.Addr(), uint16(ln.Addr().(*net.TCPAddr).Port))
	s.conns = make(map[net.Conn]struct{})
	for _, fd := range fds {
		counts := new(queryCounts)
		s.udpCounts = append(s.udpCounts, counts)
		s.wg.Add(1)
		go s.serveUDP(fd, counts)
	}
	s.wg.Add(1)
	go s.acceptTCP(ln)
	return nil
}

// Close stops the server and waits for every goroutine it started, in this
// order:
//  1. marks the server closing (no TCP connection is taken on after this);
//  2. shuts down each UDP socket with shutdown(2), which wakes its reader
//     blocked in recvfrom (a 1 s receive timeout is the fallback); the
//     reader sees the mark and returns;
//  3. closes the TCP listener, which ends the accept loop;
//  4. closes every open TCP connection, which ends its goroutine;
//  5. waits for all those goroutines;
//  6. closes the UDP descriptors, only now, so no reader can meet a reused
//     descriptor number.
//
// Close is safe to call more than once and before Start.
func (s *Server) Close() error {
	s.init()
	s.mu.Lock()
	if s.closing.Swap(true) {
		s.mu.Unlock()
		return nil
	}
	close(s.done)
	for _, fd := range s.udpFDs {
		shutdownUDP(fd)
	}
	var err error
	if s.tcp != nil {
		err = s.tcp.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	for _, fd := range s.udpFDs {
		closeFD(fd)
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// parseAddr parses ListenAddr: an IP literal (or empty host) and a port.
func parseAddr(addr string) (netip.AddrPort, error) {
	if addr == "" {
		addr = DefaultListenAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("dns: listen address %q: %w", addr, err)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	ap, err := netip.ParseAddrPort(net.JoinHostPort(host, port))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("dns: listen address %q: host must be an IP address: %w", addr, err)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// Placer places clients for location-aware routing; *geo.Placer is one.
// Place must be safe for concurrent use and must not keep q.
type Placer interface {
	Place(q *routing.Query)
}

// Resolve answers a question from the current snapshot and health view the
// way a query would be answered (for TestDNSAnswer), without the cache. q
// needs only its Client: Resolve places it as queries are placed.
func (s *Server) Resolve(name string, qtype uint16, q routing.Query) zone.Result {
	st := s.state.Load()
	if st == nil || st.snap == nil {
		return zone.Result{Rcode: dns.RcodeServerFailure}
	}
	return s.lookup(q, func(q routing.Query) zone.Result { return st.snap.LookupNameFor(name, qtype, q, st.health) })
}

// lookup runs look with q, and when the answer depends on the client and a
// Placer is set, runs it again with q placed: clients are located (a
// database lookup) only for the names whose answer needs it.
func (s *Server) lookup(q routing.Query, look func(routing.Query) zone.Result) zone.Result {
	res := look(q)
	if !res.ClientScoped || s.Placer == nil || !q.Client.IsValid() {
		return res
	}
	s.Placer.Place(&q)
	return look(q)
}
