package probe

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vedette-dns/vedette/internal/model"
)

// ErrInvalidTarget is wrapped by every error of NewTarget.
var ErrInvalidTarget = errors.New("invalid probe target")

// SearchWindow is how much of the decoded body a string-match check searches.
const SearchWindow = 5120

// Target is one health check's endpoint with everything a probe needs
// computed once: address or name, port, the request bytes (path, Host header,
// the User-Agent's ref), the TLS configuration (SNI) and the search string.
// Build it with NewTarget; it is immutable and safe to share.
type Target struct {
	id     string
	typ    model.HealthCheckType
	ip     netip.Addr // IPAddress; invalid when the check is addressed by name
	name   string     // FullyQualifiedDomainName without a trailing dot; "" when none
	port   uint16
	host   string      // Host header value
	uri    string      // request target
	head   string      // request line, Host, "User-Agent: "
	tail   string      // " (ref <id>)", Accept, Accept-Encoding, end of headers
	tls    *tls.Config // HTTPS types only
	search []byte      // string-match types only
}

// NewTarget builds the Target of health check id from cfg, a configuration
// whose defaults are applied (model.NormalizeHealthCheckConfig); a zero Port
// still gets Route 53's default (80, or 443 for HTTPS types) and a nil
// EnableSNI is true for HTTPS types. It refuses what cannot be probed
// (non-endpoint types, a missing address, a TCP check without Port, a
// string-match check without SearchString, a malformed name, IP or id) with
// an error wrapping ErrInvalidTarget. It does not apply the probe target
// policy: see ValidateIP.
func NewTarget(id string, cfg model.HealthCheckConfig) (Target, error) {
	t := Target{id: id, typ: cfg.Type}
	if err := t.setAddress(cfg); err != nil {
		return Target{}, fmt.Errorf("%w: %w", ErrInvalidTarget, err)
	}
	if !printable(id) {
		return Target{}, fmt.Errorf("%w: health check id %q has control characters", ErrInvalidTarget, id)
	}
	if cfg.Type == model.TypeTCP {
		return t, nil
	}
	if cfg.Type.IsStrMatch() {
		if cfg.SearchString == "" {
			return Target{}, fmt.Errorf("%w: a %s check needs a SearchString", ErrInvalidTarget, cfg.Type)
		}
		t.search = []byte(cfg.SearchString)
	}
	t.host = hostHeader(t.hostName(), cfg.Type, t.port)
	t.uri = requestURI(cfg.ResourcePath)
	t.head = "GET " + t.uri + " HTTP/1.1\r\nHost: " + t.host + "\r\nUser-Agent: "
	t.tail = " (ref " + id + ")\r\nAccept: */*\r\nAccept-Encoding: identity,gzip,deflate\r\n\r\n"
	if cfg.Type.IsHTTPS() {
		t.tls = tlsConfig(t.name, cfg.EnableSNI == nil || *cfg.EnableSNI)
	}
	return t, nil
}

// setAddress validates the type, address, name and port.
func (t *Target) setAddress(cfg model.HealthCheckConfig) error {
	if !cfg.Type.IsEndpoint() {
		return fmt.Errorf("type %q does not probe an endpoint", cfg.Type)
	}
	if cfg.IPAddress != "" {
		ip, err := netip.ParseAddr(cfg.IPAddress)
		if err != nil || ip.Zone() != "" {
			return fmt.Errorf("the IPAddress %q is not an IPv4 or IPv6 address", cfg.IPAddress)
		}
		t.ip = ip.Unmap()
	}
	t.name = strings.TrimSuffix(cfg.FullyQualifiedDomainName, ".")
	if cfg.FullyQualifiedDomainName != "" && !validName(t.name) {
		return fmt.Errorf("the FullyQualifiedDomainName %q is not a host name", cfg.FullyQualifiedDomainName)
	}
	if !t.ip.IsValid() && t.name == "" {
		return errors.New("neither IPAddress nor FullyQualifiedDomainName is set")
	}
	port := cfg.Port
	switch {
	case port == 0 && cfg.Type == model.TypeTCP:
		return errors.New("TCP checks need a Port")
	case port == 0 && cfg.Type.IsHTTPS():
		port = 443
	case port == 0:
		port = 80
	case port < 0 || port > 65535:
		return fmt.Errorf("the Port %d is outside 1..65535", port)
	}
	t.port = uint16(port)
	return nil
}

// ID returns the health check's id.
func (t Target) ID() string { return t.id }

// Type returns the health check's type.
func (t Target) Type() model.HealthCheckType { return t.typ }

// String describes the target for logs, e.g. "HTTPS www.example.com:443/health".
func (t Target) String() string {
	return string(t.typ) + " " + hostPort(t.hostName(), t.port) + t.uri
}

// byName reports whether the address comes from resolving the name.
func (t *Target) byName() bool { return !t.ip.IsValid() }

// hostName is the FQDN, else the IP address.
func (t *Target) hostName() string {
	if t.name != "" {
		return t.name
	}
	return t.ip.String()
}

// appendRequest appends the GET request, with the User-Agent
// "<product> (ref <id>)", to dst.
func (t *Target) appendRequest(dst []byte, product string) []byte {
	dst = append(dst, t.head...)
	dst = append(dst, product...)
	return append(dst, t.tail...)
}

// hostHeader is reference §3.5: the FQDN (or the IP address when there is
// none) alone on port 80 for HTTP types and port 443 for HTTPS types, else
// with ":port". IPv6 literals are bracketed.
func hostHeader(host string, typ model.HealthCheckType, port uint16) string {
	if (port == 80 && !typ.IsHTTPS()) || (port == 443 && typ.IsHTTPS()) {
		if strings.IndexByte(host, ':') >= 0 {
			return "[" + host + "]"
		}
		return host
	}
	return hostPort(host, port)
}

func hostPort(host string, port uint16) string {
	if strings.IndexByte(host, ':') >= 0 {
		return "[" + host + "]:" + strconv.Itoa(int(port))
	}
	return host + ":" + strconv.Itoa(int(port))
}

// tlsConfig accepts any certificate (Route 53 never validates them) and any
// version from TLS 1.0, with every cipher suite Go implements, so that old
// endpoints can be checked. The FQDN goes in the SNI extension when sni is
// set; Go sends none for an empty name or an IP literal.
func tlsConfig(name string, sni bool) *tls.Config {
	suites := tls.CipherSuites()
	ids := make([]uint16, 0, len(suites))
	for _, s := range suites {
		ids = append(ids, s.ID)
	}
	cfg := &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // health checks do not validate certificates, as Route 53
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       ids,
	}
	if sni {
		cfg.ServerName = name
	}
	return cfg
}

// requestURI is ResourcePath as an origin-form request target: "/" when
// empty, a leading "/" added, the fragment dropped, and every byte that may
// not appear in a request target percent-encoded (existing %XX escapes are
// kept as they are).
func requestURI(path string) string {
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path = path[:i]
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if uriByte(c) {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// uriByte reports whether c may appear as it is in a request target:
// unreserved, sub-delims, ":", "@", "/", "?" and "%".
func uriByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0
}

// validName accepts host names of letters, digits, "-" and "_" in dot-separated
// labels of 1–63 bytes, at most 253 bytes in all, and IP literals.
func validName(name string) bool {
	if _, err := netip.ParseAddr(name); err == nil {
		return true
	}
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// printable reports whether s has no control characters (it goes in a header).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}
