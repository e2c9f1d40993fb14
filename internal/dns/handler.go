package dns

import (
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/routing"
	"github.com/vedette-dns/vedette/internal/zone"
)

// scratch holds one goroutine's reusable buffers, so that the cache path
// allocates nothing.
type scratch struct {
	client netip.Addr // the query's source address, set by the reader
	key    []byte     // cache key, cap keyCap
	pack   []byte     // the slow path packs here, cap maxMsg

	counts    *queryCounts // where handle counts this goroutine's queries
	rcode     int          // the rcode of the reply reply returned
	malformed bool         // the query reply answered did not parse
}

func newScratch(counts *queryCounts) *scratch {
	return &scratch{key: make([]byte, 0, keyCap), pack: make([]byte, maxMsg), counts: counts}
}

// safeReply is reply with a recover: a panic drops the query and is logged.
func (s *Server) safeReply(q, out []byte, udp bool, sc *scratch) (resp []byte) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("dns: panic answering a query", "panic", p, "stack", string(debug.Stack()))
			resp = nil
			sc.counts.count(nil, 0, false)
		}
	}()
	return s.handle(q, out, udp, sc)
}

// handle is reply, counting the query in sc.counts by the rcode of its
// reply (or as dropped): a few atomic adds on counters only this goroutine
// writes, nothing allocated.
func (s *Server) handle(q, out []byte, udp bool, sc *scratch) []byte {
	sc.malformed = false
	resp := s.reply(q, out, udp, sc)
	sc.counts.count(resp, sc.rcode, sc.malformed)
	return resp
}

// reply writes the reply to query q into out (len maxMsg) and returns it, or
// nil when q gets no reply (too short for a header, or itself a response).
// udp selects the UDP size rules and truncation. A plain query whose reply
// is cached costs a parse of the header and question and a copy; anything
// else is parsed, answered and packed with miekg/dns, and a plain query's
// reply is then cached for the current snapshot.
func (s *Server) reply(q, out []byte, udp bool, sc *scratch) []byte {
	st := s.state.Load()
	qr, plain := parseQuery(q, sc.key)
	if plain && st != nil && st.cache != nil {
		if pkt := st.cache.get(qr.key); pkt != nil {
			sc.rcode = int(pkt[3] & 0x0F) // cached replies are plain: no extended rcode
			return emit(out, pkt, q, qr.nameEnd, s.limit(udp, qr.edns, qr.size), qr.edns)
		}
	}
	return s.miss(st, q, out, udp, qr.key, sc)
}

// limit returns the largest reply the client accepts: on UDP 512 without
// EDNS(0), else its advertised size clamped to [512, MaxUDPSize]; on TCP
// the largest message.
func (s *Server) limit(udp, edns bool, size uint16) int {
	switch {
	case !udp:
		return maxMsg
	case !edns:
		return minUDPSize
	}
	return min(max(int(size), minUDPSize), s.maxUDP)
}

// miss answers q with miekg/dns and, when key is not nil (q is plain),
// caches the packed reply under it.
func (s *Server) miss(st *serving, q, out []byte, udp bool, key []byte, sc *scratch) []byte {
	if len(q) < headerLen || q[2]&bitQR != 0 {
		return nil
	}
	var m dns.Msg
	if err := m.Unpack(q); err != nil {
		sc.rcode, sc.malformed = dns.RcodeFormatError, true
		return formErr(out, q)
	}
	r, cacheable := s.answer(st, &m, sc.client)
	pkt, err := r.PackBuffer(sc.pack)
	if err != nil || len(pkt) > maxMsg {
		s.log.Warn("dns: reply does not pack", "question", r.Question, "err", err, "len", len(pkt))
		r, _ = s.fail(&m, dns.RcodeServerFailure)
		if pkt, err = r.PackBuffer(sc.pack); err != nil {
			return nil
		}
	}
	if key != nil && cacheable && st.cache != nil {
		st.cache.put(key, pkt)
	}
	sc.rcode = r.Rcode
	opt := m.IsEdns0()
	limit := s.limit(udp, opt != nil, optSize(opt))
	return emit(out, pkt, q, max(nameEnd(q, headerLen), 0), limit, r.IsEdns0() != nil)
}

// answer builds the reply to a parsed query; cacheable says the reply came
// from the snapshot and depends only on what a cache key holds.
func (s *Server) answer(st *serving, m *dns.Msg, client netip.Addr) (r *dns.Msg, cacheable bool) {
	r, rcode := s.fail(m, dns.RcodeSuccess)
	if rcode != dns.RcodeSuccess {
		return r, false
	}
	q := r.Question[0]
	switch {
	case q.Qclass != dns.ClassINET:
		r.Rcode = dns.RcodeRefused
	case q.Qtype == dns.TypeAXFR || q.Qtype == dns.TypeIXFR:
		r.Rcode = dns.RcodeRefused // no zone transfers
	case q.Qtype == dns.TypeOPT:
		r.Rcode = dns.RcodeFormatError
	case st == nil || st.snap == nil:
		r.Rcode = dns.RcodeServerFailure // no snapshot
	default:
		return r, s.fill(r, st, q, m, client)
	}
	return r, false
}

// fail returns the reply skeleton for m: header, question (lower-cased; emit
// puts the client's case back) and OPT, with rcode, or with the error the
// query itself deserves (EDNS, opcode, question count), returned as well.
func (s *Server) fail(m *dns.Msg, rcode int) (*dns.Msg, int) {
	r := &dns.Msg{MsgHdr: dns.MsgHdr{
		Id: m.Id, Response: true, Opcode: m.Opcode,
		RecursionDesired: m.RecursionDesired, CheckingDisabled: m.CheckingDisabled,
	}, Compress: true}
	if len(m.Question) > 0 {
		q := m.Question[0]
		q.Name = strings.ToLower(q.Name) // ASCII only: miekg escapes other bytes
		r.Question = []dns.Question{q}
	}
	opt, ednsRcode := checkEDNS(m)
	switch {
	case rcode != dns.RcodeSuccess:
	case ednsRcode != dns.RcodeSuccess:
		rcode = ednsRcode
	case m.Opcode != dns.OpcodeQuery:
		rcode = dns.RcodeNotImplemented
	case len(m.Question) != 1:
		rcode = dns.RcodeFormatError
	}
	r.Rcode = rcode
	if opt != nil {
		r.SetEdns0(uint16(s.maxUDP), opt.Do())
	}
	return r, rcode
}

// fill answers question q from the snapshot into r and reports whether the
// reply may be cached (no routing policy chose at random).
func (s *Server) fill(r *dns.Msg, st *serving, q dns.Question, m *dns.Msg, client netip.Addr) bool {
	var buf [maxName + 1]byte
	n, err := dns.PackDomainName(q.Name, buf[:], 0, nil, false)
	if err != nil {
		r.Rcode = dns.RcodeFormatError
		return false
	}
	query, ecs := clientQuery(m, client)
	res := s.lookup(query, func(query routing.Query) zone.Result {
		return st.snap.LookupFor(buf[:n], q.Qtype, query, st.health)
	})
	r.Rcode, r.Authoritative = res.Rcode, res.Authoritative
	opt := r.Extra // SetEdns0 already put our OPT there
	if ecs != nil && len(opt) == 1 {
		echo := *ecs // RFC 7871 §7.2.1: same family, source prefix and address
		echo.SourceScope = 0
		if res.ClientScoped {
			echo.SourceScope = ecs.SourceNetmask
		}
		opt[0].(*dns.OPT).Option = append(opt[0].(*dns.OPT).Option, &echo)
	}
	r.Answer, r.Ns, r.Extra = res.Answer, res.Ns, append(res.Extra, opt...)
	return !res.Volatile && ecs == nil
}

// clientQuery returns the routing query for m: its EDNS client subnet when
// it carries one (returned too, to echo), else the source address.
func clientQuery(m *dns.Msg, client netip.Addr) (routing.Query, *dns.EDNS0_SUBNET) {
	if opt := m.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			e, ok := o.(*dns.EDNS0_SUBNET)
			if !ok {
				continue
			}
			addr, ok := netip.AddrFromSlice(e.Address)
			if !ok {
				return routing.Query{}, e
			}
			p, err := addr.Unmap().Prefix(int(e.SourceNetmask))
			if err != nil {
				return routing.Query{}, e
			}
			return routing.Query{Client: p}, e
		}
	}
	if client.IsValid() {
		return routing.Query{Client: netip.PrefixFrom(client, client.BitLen())}, nil
	}
	return routing.Query{}, nil
}

// checkEDNS returns the query's OPT record and the rcode it calls for:
// FORMERR for several OPT records or one not owned by the root (RFC 6891
// §6.1.1), BADVERS for a version above 0 (§6.1.3).
func checkEDNS(m *dns.Msg) (*dns.OPT, int) {
	var opt *dns.OPT
	for _, rr := range m.Extra {
		o, ok := rr.(*dns.OPT)
		if !ok {
			continue
		}
		if opt != nil || o.Hdr.Name != "." {
			return nil, dns.RcodeFormatError
		}
		opt = o
	}
	if opt != nil && opt.Version() != 0 {
		return opt, dns.RcodeBadVers
	}
	return opt, dns.RcodeSuccess
}

func optSize(opt *dns.OPT) uint16 {
	if opt == nil {
		return 0
	}
	return opt.UDPSize()
}

// formErr writes a header-only FORMERR reply to the unparseable query q
// (at least a header long) into out: its ID, opcode and RD kept.
func formErr(out, q []byte) []byte {
	out = out[:headerLen]
	clear(out)
	out[0], out[1] = q[0], q[1]
	out[2] = bitQR | q[2]&(bitsQROpcode&^bitQR|bitRD) // QR, the query's opcode and RD
	out[3] = dns.RcodeFormatError
	return out
}
