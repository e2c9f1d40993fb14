package model

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// SupportedTypes are the record types Vedette accepts, in Route 53's spelling.
var SupportedTypes = map[string]uint16{
	"A": dns.TypeA, "AAAA": dns.TypeAAAA, "CAA": dns.TypeCAA, "CNAME": dns.TypeCNAME,
	"DS": dns.TypeDS, "MX": dns.TypeMX, "NAPTR": dns.TypeNAPTR, "NS": dns.TypeNS,
	"PTR": dns.TypePTR, "SOA": dns.TypeSOA, "SPF": dns.TypeSPF, "SRV": dns.TypeSRV,
	"TXT": dns.TypeTXT, "TLSA": dns.TypeTLSA, "SSHFP": dns.TypeSSHFP,
	"SVCB": dns.TypeSVCB, "HTTPS": dns.TypeHTTPS,
}

// Limits on record values (reference §7.2, §10).
const (
	MaxValueLen       = 4000
	MaxValuesPerSet   = 400
	MaxTTL            = 2147483647
	maxCharStringLen  = 255
	singleValueReason = "must have exactly one value"
)

// ValueError is a problem with one value of a record set, worded as Route 53
// words it ("Invalid Resource Record: 'FATAL problem: …'").
type ValueError struct {
	Code   string // e.g. ARRDATAIllegalIPv4Address
	Detail string // e.g. Value is not a valid IPv4 address
	Value  string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("Invalid Resource Record: 'FATAL problem: %s (%s) encountered with '%s''", e.Code, e.Detail, e.Value)
}

// ParseRR parses one Route 53 value of the given type for owner name (canonical)
// into a DNS resource record with the given TTL.
func ParseRR(name, typ string, ttl uint32, value string) (dns.RR, error) {
	if len(value) > MaxValueLen {
		return nil, &ValueError{Code: "RRDATATooLong", Detail: fmt.Sprintf("Value is longer than %d characters", MaxValueLen), Value: truncate(value)}
	}
	if strings.ContainsAny(value, "\n\r") || strings.TrimSpace(value) == "" {
		return nil, &ValueError{Code: typ + "RRDATAIllegal", Detail: "Value is empty or contains a line break", Value: value}
	}
	switch typ {
	case "A":
		a, err := netip.ParseAddr(value)
		if err != nil || !a.Is4() {
			return nil, &ValueError{Code: "ARRDATAIllegalIPv4Address", Detail: "Value is not a valid IPv4 address", Value: value}
		}
	case "AAAA":
		a, err := netip.ParseAddr(value)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return nil, &ValueError{Code: "AAAARRDATAIllegalIPv6Address", Detail: "Value is not a valid IPv6 address", Value: value}
		}
	case "TXT", "SPF":
		if err := checkCharStrings(value); err != nil {
			return nil, &ValueError{Code: typ + "RRDATAIllegal", Detail: err.Error(), Value: value}
		}
	}
	if strings.Contains(value, ";") && typ != "TXT" && typ != "SPF" {
		return nil, &ValueError{Code: typ + "RRDATAIllegal", Detail: "Value contains a ';'", Value: value}
	}
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", name, ttl, typ, value))
	if err != nil || rr == nil {
		detail := "Value is not a valid " + typ + " record"
		if pe, ok := err.(*dns.ParseError); ok {
			detail += ": " + pe.Error()
		}
		return nil, &ValueError{Code: typ + "RRDATAIllegal", Detail: detail, Value: value}
	}
	return rr, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// checkCharStrings validates TXT-style data: one or more quoted strings (or a
// single unquoted word), each at most 255 octets.
func checkCharStrings(v string) error {
	i := 0
	for i < len(v) {
		for i < len(v) && v[i] == ' ' {
			i++
		}
		if i == len(v) {
			break
		}
		n := 0
		if v[i] != '"' {
			for i < len(v) && v[i] != ' ' {
				if v[i] == '\\' {
					i++
				}
				i++
				n++
			}
		} else {
			i++
			closed := false
			for i < len(v) {
				c := v[i]
				if c == '\\' && i+3 < len(v) && isDigit(v[i+1]) && isDigit(v[i+2]) && isDigit(v[i+3]) {
					i += 4
				} else if c == '\\' {
					i += 2
				} else if c == '"' {
					i++
					closed = true
					break
				} else {
					i++
				}
				n++
			}
			if !closed {
				return fmt.Errorf("Value has an unterminated quoted string")
			}
		}
		if n > maxCharStringLen {
			return fmt.Errorf("Value contains a character string longer than %d characters", maxCharStringLen)
		}
	}
	return nil
}

// RRs parses every value of a simple record set into DNS records.
func (r *RecordSet) RRs() ([]dns.RR, error) {
	var ttl uint32
	if r.TTL != nil {
		ttl = uint32(*r.TTL)
	}
	out := make([]dns.RR, 0, len(r.Values))
	for _, v := range r.Values {
		rr, err := ParseRR(r.Name, r.Type, ttl, v)
		if err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	return out, nil
}

// rdataKey returns a comparison key for a value: its parsed rdata in canonical
// presentation form, so "1.2.3.4" and " 1.2.3.4" or differently cased names
// compare equal.
func rdataKey(rr dns.RR) string {
	s := rr.String()
	hdr := rr.Header().String()
	s = strings.TrimPrefix(s, hdr)
	if rr.Header().Rrtype != dns.TypeTXT && rr.Header().Rrtype != dns.TypeSPF && rr.Header().Rrtype != dns.TypeCAA {
		s = strings.ToLower(s)
	}
	return s
}
