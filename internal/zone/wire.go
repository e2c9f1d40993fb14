package zone

import (
	"fmt"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/model"
)

// Names inside this package are keyed by their lower-cased wire form held in
// a string: "\x03www\x07example\x03com\x00". Every suffix of such a string
// that starts at a label boundary is the wire form of an ancestor, so walking
// up the tree is slicing, never parsing.

// maxWireName is the longest wire-form name (RFC 1035).
const maxWireName = 255

// wireName returns the lower-cased wire form of a name in presentation form.
func wireName(name string) (string, error) {
	var buf [maxWireName + 1]byte
	n, err := dns.PackDomainName(dns.Fqdn(name), buf[:], 0, nil, false)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", model.ErrInvalidName, name, err)
	}
	lowerASCII(buf[:n])
	return string(buf[:n]), nil
}

// lowerASCII lower-cases the ASCII letters of b in place; DNS compares names
// case-insensitively for ASCII only (RFC 4343).
func lowerASCII(b []byte) {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// nextLabel returns the offset of the label after the one at off.
func nextLabel(w string, off int) int { return off + 1 + int(w[off]) }

// validWire reports whether w is one uncompressed wire-form name that ends
// exactly at the end of w.
func validWire(w []byte) bool {
	if len(w) == 0 || len(w) > maxWireName {
		return false
	}
	off := 0
	for off < len(w) {
		l := int(w[off])
		if l == 0 {
			return off == len(w)-1
		}
		if l > 63 {
			return false
		}
		off += 1 + l
	}
	return false
}

// inZone reports whether wire name w is origin or below it.
func inZone(w, origin string) bool {
	for off := 0; off < len(w); off = nextLabel(w, off) {
		if len(w)-off == len(origin) {
			return w[off:] == origin
		}
		if len(w)-off < len(origin) {
			return false
		}
	}
	return false
}

// presentation returns the presentation form of wire name w.
func presentation(w string) string {
	s, _, err := dns.UnpackDomainName([]byte(w), 0)
	if err != nil {
		return "."
	}
	return s
}
