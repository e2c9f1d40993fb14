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
	return &Replier{s: s, out: make([]byte, maxMsg), sc: newScratch()}
}

// Reply is the handler without its panic recovery, so the fuzzer sees
// panics. The result is valid until the next call.
func (r *Replier) Reply(q []byte, udp bool) []byte { return r.s.reply(q, r.out, udp, r.sc) }

// Miss answers q on the slow path, as for a cache miss (and caches it).
func (r *Replier) Miss(q []byte, udp bool) []byte {
	qr, _ := parseQuery(q, r.sc.key)
	return r.s.miss(r.s.state.Load(), q, r.out, udp, qr.key, r.sc)
}
