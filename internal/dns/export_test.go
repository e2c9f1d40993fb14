package dns

// Replier gives the external tests (fuzzing, benchmarks) the packet handler
// with its own reusable buffers, as a UDP or TCP serving goroutine has them.
type Replier struct {
	s   *Server
	out []byte
	sc  *scratch
}

func NewReplier(s *Server) *Replier {
	s.init()
	return &Replier{s: s, out: make([]byte, maxMsg), sc: newScratch(new(queryCounts))}
}

// Reply is the handler without its panic recovery, so the fuzzer sees
// panics. The result is valid until the next call.
// It counts the query as a serving goroutine does (in counters of its own).
func (r *Replier) Reply(q []byte, udp bool) []byte { return r.s.handle(q, r.out, udp, r.sc) }

// Counted returns how many queries Reply counted with rcode.
func (r *Replier) Counted(rcode int) uint64 { return r.sc.counts.rcode[rcode].Load() }

// Miss answers q on the slow path, as for a cache miss (and caches it).
func (r *Replier) Miss(q []byte, udp bool) []byte {
	qr, _ := parseQuery(q, r.sc.key)
	return r.s.miss(r.s.state.Load(), q, r.out, udp, qr.key, r.sc)
}

// UDPReaderQueries returns how many replies each UDP socket reader counted.
func UDPReaderQueries(s *Server) []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []uint64
	for _, c := range s.udpCounts {
		var sum countSnapshot
		c.addTo(&sum)
		var n uint64
		for _, v := range sum.rcode {
			n += v
		}
		out = append(out, n)
	}
	return out
}
