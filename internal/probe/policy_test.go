package probe_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/vedette-dns/vedette/internal/probe"
)

// The API's create-time check takes a *probe.Policy as it is.
var _ interface{ ValidateIP(netip.Addr) error } = (*probe.Policy)(nil)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestPolicyCheck(t *testing.T) {
	operator := &probe.Policy{
		Deny:  prefixes("192.0.2.0/24", "127.0.0.2/32"),
		Allow: prefixes("169.254.10.0/24", "127.0.0.0/8", "fe80::/10"),
	}
	tests := []struct {
		policy *probe.Policy
		addr   string
		want   string // "" when allowed
	}{
		{nil, "127.0.0.1", ""},
		{nil, "::1", ""},
		{nil, "10.1.2.3", ""},
		{nil, "192.168.1.1", ""},
		{nil, "fd00::1", ""},
		{nil, "100.64.0.1", ""},
		{nil, "198.51.100.7", ""},
		{nil, "2001:db8::1", ""},
		{nil, "169.254.169.254", "the address 169.254.169.254 is not allowed by the probe target policy (169.254.0.0/16 is denied by default)"},
		{nil, "169.254.1.1", "the address 169.254.1.1 is not allowed by the probe target policy (169.254.0.0/16 is denied by default)"},
		{nil, "fd00:ec2::254", "the address fd00:ec2::254 is not allowed by the probe target policy (fd00:ec2::254/128 is denied by default)"},
		{nil, "100.100.100.200", "the address 100.100.100.200 is not allowed by the probe target policy (100.100.100.200/32 is denied by default)"},
		{nil, "0.0.0.0", "the address 0.0.0.0 is not allowed by the probe target policy (0.0.0.0/8 is denied by default)"},
		{nil, "::", "the address :: is not allowed by the probe target policy (::/128 is denied by default)"},
		{nil, "224.0.0.1", "the address 224.0.0.1 is not allowed by the probe target policy (224.0.0.0/4 is denied by default)"},
		{nil, "ff02::1", "the address ff02::1 is not allowed by the probe target policy (ff00::/8 is denied by default)"},
		{nil, "255.255.255.255", "the address 255.255.255.255 is not allowed by the probe target policy (255.255.255.255/32 is denied by default)"},
		{nil, "fe80::1", "the address fe80::1 is not allowed by the probe target policy (fe80::/10 is denied by default)"},
		// A zone or an IPv4-mapped form does not slip past a prefix.
		{nil, "fe80::1%eth0", "the address fe80::1%eth0 is not allowed by the probe target policy (fe80::/10 is denied by default)"},
		{nil, "::ffff:169.254.169.254", "the address ::ffff:169.254.169.254 is not allowed by the probe target policy (169.254.0.0/16 is denied by default)"},
		// Operator lists: Allow carves out of the defaults, Deny wins over everything.
		{operator, "169.254.10.5", ""},
		{operator, "169.254.169.254", "the address 169.254.169.254 is not allowed by the probe target policy (169.254.0.0/16 is denied by default)"},
		{operator, "fe80::1", ""},
		{operator, "192.0.2.9", "the address 192.0.2.9 is not allowed by the probe target policy (192.0.2.0/24 is in the deny list)"},
		{operator, "::ffff:192.0.2.9", "the address ::ffff:192.0.2.9 is not allowed by the probe target policy (192.0.2.0/24 is in the deny list)"},
		{operator, "127.0.0.2", "the address 127.0.0.2 is not allowed by the probe target policy (127.0.0.2/32 is in the deny list)"},
		{operator, "127.0.0.1", ""},
		{&probe.Policy{Deny: prefixes("0.0.0.0/0"), Allow: prefixes("0.0.0.0/0")}, "198.51.100.1",
			"the address 198.51.100.1 is not allowed by the probe target policy (0.0.0.0/0 is in the deny list)"},
		{&probe.Policy{Allow: prefixes("::/0", "0.0.0.0/0")}, "169.254.169.254", ""},
	}
	for _, tt := range tests {
		err := tt.policy.Check(netip.MustParseAddr(tt.addr))
		got := ""
		if err != nil {
			got = err.Error()
			var pe *probe.PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, probe.ErrNotAllowed) {
				t.Errorf("%s: %v is not a *PolicyError wrapping ErrNotAllowed", tt.addr, err)
			}
		}
		if got != tt.want {
			t.Errorf("%v.Check(%s) = %q, want %q", tt.policy, tt.addr, got, tt.want)
		}
	}
	if err := (*probe.Policy)(nil).Check(netip.Addr{}); !errors.Is(err, probe.ErrNotAllowed) {
		t.Errorf("the zero address is allowed: %v", err)
	}
}

func TestValidateIP(t *testing.T) {
	if err := probe.ValidateIP(nil, "127.0.0.1"); err != nil {
		t.Errorf("127.0.0.1: %v", err)
	}
	if err := probe.ValidateIP(nil, "169.254.169.254"); !errors.Is(err, probe.ErrNotAllowed) {
		t.Errorf("169.254.169.254: %v, want ErrNotAllowed", err)
	}
	if err := probe.ValidateIP(&probe.Policy{Allow: prefixes("169.254.169.254/32")}, "169.254.169.254"); err != nil {
		t.Errorf("169.254.169.254 allowed by the operator: %v", err)
	}
	err := probe.ValidateIP(nil, "not-an-ip")
	if !errors.Is(err, probe.ErrInvalidIP) || err.Error() != `"not-an-ip": not a valid IPv4 or IPv6 address` {
		t.Errorf("not-an-ip: %v", err)
	}
	if err := (*probe.Policy)(nil).ValidateIP(netip.MustParseAddr("224.0.0.1")); !errors.Is(err, probe.ErrNotAllowed) {
		t.Errorf("ValidateIP method: %v", err)
	}
}

func TestDefaultDenyIsACopy(t *testing.T) {
	d := probe.DefaultDeny()
	d[0] = netip.MustParsePrefix("10.0.0.0/8")
	if err := (*probe.Policy)(nil).Check(netip.MustParseAddr("0.0.0.1")); err == nil {
		t.Error("changing DefaultDeny's result changed the policy")
	}
}
