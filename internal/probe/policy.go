package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"syscall"
)

// ErrNotAllowed is wrapped by every *PolicyError.
var ErrNotAllowed = errors.New("address not allowed by the probe target policy")

// ErrInvalidIP is returned by ValidateIP for a string that is not an IP address.
var ErrInvalidIP = errors.New("not a valid IPv4 or IPv6 address")

// defaultDeny is what probes never reach unless an operator allows it:
// unspecified, link-local, multicast, broadcast and cloud metadata addresses.
// Loopback and private addresses are allowed: operators probe local services.
var defaultDeny = [...]netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network", includes unspecified
	netip.MustParsePrefix("169.254.0.0/16"),     // link-local, includes 169.254.169.254 (AWS, GCP, Azure, OCI metadata)
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud metadata
	netip.MustParsePrefix("224.0.0.0/4"),        // multicast
	netip.MustParsePrefix("255.255.255.255/32"), // limited broadcast
	netip.MustParsePrefix("::/128"),             // unspecified
	netip.MustParsePrefix("fe80::/10"),          // link-local
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS metadata over IPv6
	netip.MustParsePrefix("ff00::/8"),           // multicast
}

// DefaultDeny returns a copy of the prefixes denied unless a Policy allows them.
func DefaultDeny() []netip.Prefix { return append([]netip.Prefix(nil), defaultDeny[:]...) }

// Policy decides which addresses probes may connect to. It is enforced on
// the address actually being connected to, in the dialer's Control hook, so
// a name that re-resolves to a refused address is refused too.
//
// An address is refused when it lies in Deny; otherwise allowed when it lies
// in Allow; otherwise refused when it lies in DefaultDeny; otherwise allowed.
// Allow is not an allow-only list: it only carves exceptions out of
// DefaultDeny (allowing 169.254.0.0/16 allows the metadata address too,
// unless Deny lists it). IPv4-mapped IPv6 addresses are judged as IPv4 and
// zones are ignored. A nil *Policy applies DefaultDeny alone.
type Policy struct {
	// Deny lists prefixes never probed; it wins over Allow. Default: none.
	Deny []netip.Prefix
	// Allow lists prefixes probed even though DefaultDeny covers them. Default: none.
	Allow []netip.Prefix
}

// PolicyError is a refusal by the probe target policy. It wraps ErrNotAllowed.
type PolicyError struct {
	// Addr is the refused address.
	Addr netip.Addr
	// Prefix is the deny-list entry that matched; invalid for an invalid Addr.
	Prefix netip.Prefix
	// Operator is true when Prefix comes from Policy.Deny, false when from DefaultDeny.
	Operator bool
}

func (e *PolicyError) Error() string {
	switch {
	case !e.Prefix.IsValid():
		return fmt.Sprintf("the address %v is not allowed by the probe target policy", e.Addr)
	case e.Operator:
		return fmt.Sprintf("the address %v is not allowed by the probe target policy (%v is in the deny list)", e.Addr, e.Prefix)
	}
	return fmt.Sprintf("the address %v is not allowed by the probe target policy (%v is denied by default)", e.Addr, e.Prefix)
}

// Unwrap returns ErrNotAllowed.
func (e *PolicyError) Unwrap() error { return ErrNotAllowed }

// Check returns nil when addr may be probed, else a *PolicyError.
func (p *Policy) Check(addr netip.Addr) error {
	if !addr.IsValid() {
		return &PolicyError{Addr: addr}
	}
	a := addr.WithZone("").Unmap() // a prefix never contains a zoned or mapped address
	if p != nil {
		if pfx, ok := match(p.Deny, a); ok {
			return &PolicyError{Addr: addr, Prefix: pfx, Operator: true}
		}
		if _, ok := match(p.Allow, a); ok {
			return nil
		}
	}
	if pfx, ok := match(defaultDeny[:], a); ok {
		return &PolicyError{Addr: addr, Prefix: pfx}
	}
	return nil
}

// ValidateIP is Check, under the name the API's create-time validation uses.
func (p *Policy) ValidateIP(addr netip.Addr) error { return p.Check(addr) }

// ValidateIP parses an IPAddress of a health-check configuration and checks
// it against p, for refusing it at create time (InvalidInput). It returns an
// error wrapping ErrInvalidIP or a *PolicyError.
func ValidateIP(p *Policy, ip string) error {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return fmt.Errorf("%q: %w", ip, ErrInvalidIP)
	}
	return p.Check(addr)
}

// clone returns a copy of p that later changes to p do not reach.
func (p *Policy) clone() *Policy {
	if p == nil {
		return nil
	}
	return &Policy{Deny: slices.Clone(p.Deny), Allow: slices.Clone(p.Allow)}
}

func match(prefixes []netip.Prefix, a netip.Addr) (netip.Prefix, bool) {
	for _, pfx := range prefixes {
		if pfx.Contains(a) {
			return pfx, true
		}
	}
	return netip.Prefix{}, false
}

// control is a net.Dialer ControlContext hook: it sees the address the
// socket is about to connect to, after any resolution.
func (p *Policy) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &PolicyError{}
	}
	return p.Check(ap.Addr())
}
