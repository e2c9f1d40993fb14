package dns

import (
	"encoding/binary"

	"github.com/miekg/dns"
)

// Wire-format constants (RFC 1035 §4.1, RFC 6891 §6.1).
const (
	headerLen  = 12
	maxMsg     = 65535 // the largest DNS message (TCP length prefix)
	minUDPSize = 512   // what a client without EDNS(0) accepts
	optLen     = 11    // our OPT record: root owner, no options
	maxName    = 255
	// keyCap is the capacity a cache key needs: flags, qtype, qname.
	keyCap = 3 + maxName
)

// Header bits in bytes 2 and 3.
const (
	bitQR        = 0x80 // byte 2
	bitsQROpcode = 0xF8 // byte 2: QR and OPCODE
	bitTC        = 0x02 // byte 2
	bitRD        = 0x01 // byte 2
	bitCD        = 0x10 // byte 3
	bitDO        = 0x80 // high byte of the OPT flags
)

// Flags in the first byte of a cache key.
const (
	keyRD = 1 << iota
	keyCD
	keyEDNS
	keyDO
)

// query is what the cache path needs from a plain query.
type query struct {
	// key is the cache key: flags (keyRD…), qtype, lower-cased qname in wire
	// form. Everything else that shapes the reply is the same for every
	// plain query (opcode QUERY, class IN, our EDNS version and size), and
	// the ID and the case of the question name are patched in by emit.
	// It is nil unless parseQuery reported a plain query.
	key     []byte
	nameEnd int    // offset just past the question name
	edns    bool   // the query had an OPT record
	size    uint16 // the client's EDNS UDP payload size
}

// parseQuery recognises a plain query, the only kind the cache answers: QR=0,
// opcode QUERY, one question of class IN with an uncompressed name, no
// answer or authority records, at most one additional record that is an
// EDNS(0) OPT of version 0 with well-formed options, and nothing after it.
// Anything else takes the slow path, which parses with miekg/dns. The key is
// built in key's storage.
func parseQuery(q, key []byte) (query, bool) {
	var qr query
	if len(q) < headerLen+5 || q[2]&bitsQROpcode != 0 ||
		be16(q[4:]) != 1 || be16(q[6:]) != 0 || be16(q[8:]) != 0 || be16(q[10:]) > 1 {
		return qr, false
	}
	key, off, ok := appendLowerName(append(key[:0], 0, 0, 0), q)
	if !ok || off+4 > len(q) || be16(q[off+2:]) != dns.ClassINET {
		return qr, false
	}
	qr.nameEnd = off
	key[1], key[2] = q[off], q[off+1]
	off += 4
	var flags byte
	if be16(q[10:]) == 1 {
		if off, flags, ok = parseOPT(q, off, &qr); !ok {
			return qr, false
		}
	}
	if off != len(q) {
		return qr, false
	}
	if q[2]&bitRD != 0 {
		flags |= keyRD
	}
	if q[3]&bitCD != 0 {
		flags |= keyCD
	}
	key[0] = flags
	qr.key = key
	return qr, true
}

// appendLowerName appends the question name of q, which must be
// uncompressed and followed by at least one byte, lower-cased, to key and
// returns the offset just past it.
func appendLowerName(key, q []byte) ([]byte, int, bool) {
	off := headerLen
	for q[off] != 0 {
		l := int(q[off])
		if l > 63 || off+1+l >= len(q) || off+1+l-headerLen >= maxName {
			return key, 0, false
		}
		key = append(key, q[off])
		for _, c := range q[off+1 : off+1+l] {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			key = append(key, c)
		}
		off += 1 + l
	}
	return append(key, 0), off + 1, true
}

// parseOPT parses the OPT record at off, which must end the message, and
// returns its end and the key flags it implies.
func parseOPT(q []byte, off int, qr *query) (int, byte, bool) {
	// owner(1) type(2) class=size(2) ext-rcode(1) version(1) flags(2) rdlen(2)
	if off+optLen > len(q) || q[off] != 0 || be16(q[off+1:]) != dns.TypeOPT ||
		q[off+5] != 0 || q[off+6] != 0 {
		return 0, 0, false
	}
	qr.edns, qr.size = true, be16(q[off+3:])
	flags := byte(keyEDNS)
	if q[off+7]&bitDO != 0 {
		flags |= keyDO
	}
	end := off + optLen + int(be16(q[off+9:]))
	if end != len(q) {
		return 0, 0, false
	}
	for off += optLen; off < end; {
		if off+4 > end {
			return 0, 0, false
		}
		code, l := be16(q[off:]), int(be16(q[off+2:]))
		off += 4
		if off+l > end || !plainOption(code, q[off:off+l]) {
			return 0, 0, false
		}
		off += l
	}
	return end, flags, true
}

// plainOption reports whether an EDNS option may be ignored on the cache
// path: one we do not implement, that does not change our reply, and that
// miekg/dns would also accept (so the slow path agrees).
func plainOption(code uint16, v []byte) bool {
	switch code {
	case dns.EDNS0NSID, dns.EDNS0COOKIE, dns.EDNS0PADDING:
		return true
	case dns.EDNS0TCPKEEPALIVE:
		return len(v) == 0 || len(v) == 2
	case dns.EDNS0SUBNET:
		return false // answered on the slow path: routing may depend on it, and the reply echoes it (RFC 7871)
	}
	return false
}

// nameEnd returns the offset just past the uncompressed name at off in b,
// or -1.
func nameEnd(b []byte, off int) int {
	for start := off; off < len(b) && off-start < maxName; off += 1 + int(b[off]) {
		if b[off] == 0 {
			return off + 1
		}
		if b[off] > 63 {
			return -1
		}
	}
	return -1
}

// emit writes reply pkt into out for a client that accepts limit bytes,
// truncating it (TC=1, every section emptied but the OPT, RFC 2181 §9) when
// it does not fit, then gives it the query's ID and, when qNameEnd > 0, the
// query's question-name bytes (same name, the client's case: 0x20).
// hasOPT says whether pkt ends with our OPT record.
func emit(out, pkt, q []byte, qNameEnd, limit int, hasOPT bool) []byte {
	var n int
	if len(pkt) <= limit {
		n = copy(out, pkt)
	} else {
		n = truncate(out, pkt, hasOPT)
	}
	out = out[:n]
	out[0], out[1] = q[0], q[1]
	if qNameEnd > headerLen && qNameEnd <= n && be16(out[4:]) == 1 {
		copy(out[headerLen:qNameEnd], q[headerLen:qNameEnd])
	}
	return out
}

// truncate writes pkt's header and question, TC set, and its OPT into out.
func truncate(out, pkt []byte, hasOPT bool) int {
	end := headerLen
	if be16(pkt[4:]) == 1 {
		end = nameEnd(pkt, headerLen) + 4 // we packed it: valid and uncompressed
	}
	n := copy(out, pkt[:end])
	out[2] |= bitTC
	clear(out[6:12])
	if hasOPT {
		n += copy(out[n:], pkt[len(pkt)-optLen:])
		out[11] = 1
	}
	return n
}

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
