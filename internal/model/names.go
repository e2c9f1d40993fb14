package model

import (
	"errors"
	"fmt"
	"strings"
)

// Names inside Vedette are canonical: the presentation form of the lower-cased
// wire name, with a trailing dot, where every byte other than a-z, 0-9, '-',
// '_' and '*' is written as a three-digit *decimal* escape (\DDD, RFC 1035),
// which is what miekg/dns parses. Route 53's API instead writes such bytes as
// three-digit *octal* escapes (\ooo) and shows '*' as \052; ParseAPIName and
// APIName convert between the two at the API boundary.

// Name length limits from RFC 1035.
const (
	maxLabelLen = 63
	maxNameLen  = 255 // wire octets
)

// ErrInvalidName is wrapped by name parsing errors.
var ErrInvalidName = errors.New("invalid domain name")

// ParseAPIName converts a name as a Route 53 client sends it (trailing dot
// optional, octal escapes \ooo) into canonical form.
func ParseAPIName(s string) (string, error) {
	labels, err := splitAPIName(s)
	if err != nil {
		return "", err
	}
	return joinLabels(labels)
}

// splitAPIName splits a Route 53 API name into lower-cased wire labels.
func splitAPIName(s string) ([][]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty name", ErrInvalidName)
	}
	if s == "." {
		return nil, nil
	}
	var labels [][]byte
	var cur []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
				v := int(s[i+1]-'0')*64 + int(s[i+2]-'0')*8 + int(s[i+3]-'0')
				if v > 255 {
					return nil, fmt.Errorf("%w: bad escape in %q", ErrInvalidName, s)
				}
				cur = append(cur, byte(v))
				i += 3
			} else if i+1 < len(s) {
				cur = append(cur, s[i+1])
				i++
			} else {
				return nil, fmt.Errorf("%w: trailing backslash in %q", ErrInvalidName, s)
			}
		case c == '.':
			if len(cur) == 0 {
				return nil, fmt.Errorf("%w: empty label in %q", ErrInvalidName, s)
			}
			labels = append(labels, cur)
			cur = nil
		default:
			cur = append(cur, c)
		}
	}
	if len(cur) > 0 {
		labels = append(labels, cur)
	}
	for _, l := range labels {
		for j, b := range l {
			if b >= 'A' && b <= 'Z' {
				l[j] = b + 'a' - 'A'
			}
		}
	}
	return labels, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

func joinLabels(labels [][]byte) (string, error) {
	if len(labels) == 0 {
		return ".", nil
	}
	wire := 1
	var b strings.Builder
	for _, l := range labels {
		if len(l) > maxLabelLen {
			return "", fmt.Errorf("%w: label longer than %d octets", ErrInvalidName, maxLabelLen)
		}
		wire += len(l) + 1
		for _, c := range l {
			if plainByte(c) {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "\\%03d", c)
			}
		}
		b.WriteByte('.')
	}
	if wire > maxNameLen {
		return "", fmt.Errorf("%w: name longer than %d octets", ErrInvalidName, maxNameLen)
	}
	return b.String(), nil
}

func plainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*'
}

// CanonicalName canonicalises a name in presentation form as miekg/dns
// writes it (decimal escapes, \X escapes); used for values such as NS
// targets that are not Route 53 API names.
func CanonicalName(s string) (string, error) {
	labels, err := splitPresentation(s)
	if err != nil {
		return "", err
	}
	return joinLabels(labels)
}

func splitPresentation(s string) ([][]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty name", ErrInvalidName)
	}
	if s == "." {
		return nil, nil
	}
	var labels [][]byte
	var cur []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]):
			v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if v > 255 {
				return nil, fmt.Errorf("%w: bad escape in %q", ErrInvalidName, s)
			}
			cur = append(cur, byte(v))
			i += 3
		case c == '\\' && i+1 < len(s):
			cur = append(cur, s[i+1])
			i++
		case c == '\\':
			return nil, fmt.Errorf("%w: trailing backslash in %q", ErrInvalidName, s)
		case c == '.':
			if len(cur) == 0 {
				return nil, fmt.Errorf("%w: empty label in %q", ErrInvalidName, s)
			}
			labels = append(labels, cur)
			cur = nil
		default:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			cur = append(cur, c)
		}
	}
	if len(cur) > 0 {
		labels = append(labels, cur)
	}
	return labels, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// APIName renders a canonical name the way Route 53 returns names: octal
// escapes, with '*' written as \052.
func APIName(canonical string) string {
	if !strings.ContainsAny(canonical, "\\*") {
		return canonical
	}
	labels, err := splitPresentation(canonical)
	if err != nil {
		return canonical
	}
	var b strings.Builder
	for _, l := range labels {
		for _, c := range l {
			if plainByte(c) && c != '*' {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "\\%03o", c)
			}
		}
		b.WriteByte('.')
	}
	return b.String()
}

// Labels returns the canonical labels of a canonical name (escapes kept).
func Labels(canonical string) []string {
	if canonical == "." || canonical == "" {
		return nil
	}
	// Canonical names never contain "\." (dots are escaped as \046).
	return strings.Split(strings.TrimSuffix(canonical, "."), ".")
}

// IsInZone reports whether canonical name is the zone apex or below it.
func IsInZone(name, zone string) bool {
	if zone == "." {
		return true
	}
	return name == zone || strings.HasSuffix(name, "."+zone)
}

// ReverseSortKey returns a key that orders names the way Route 53 lists them:
// labels reversed, compared byte by byte, a shorter name first.
func ReverseSortKey(canonical string) string {
	l := Labels(canonical)
	var b strings.Builder
	for i := len(l) - 1; i >= 0; i-- {
		b.WriteString(l[i])
		b.WriteByte('.')
	}
	return b.String()
}
