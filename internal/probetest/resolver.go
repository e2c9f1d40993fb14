package probetest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Resolver is a static name resolver for probes (it implements
// probe.Resolver). Names are matched without case and without a trailing
// dot; an unknown name, or one without addresses of the asked family, is
// not found. The zero value knows no names; it is safe for concurrent use.
type Resolver struct {
	mu      sync.Mutex
	names   map[string][]netip.Addr
	lookups map[string]int
}

// Set makes name resolve to addrs, replacing what it resolved to before;
// no addrs removes the name.
func (r *Resolver) Set(name string, addrs ...netip.Addr) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names == nil {
		r.names = map[string][]netip.Addr{}
	}
	if len(addrs) == 0 {
		delete(r.names, canonical(name))
		return
	}
	r.names[canonical(name)] = append([]netip.Addr(nil), addrs...)
}

// Lookups returns how many times name was looked up.
func (r *Resolver) Lookups(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lookups[canonical(name)]
}

// LookupNetIP returns name's addresses of network "ip", "ip4" or "ip6".
func (r *Resolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	name := canonical(host)
	if r.lookups == nil {
		r.lookups = map[string]int{}
	}
	r.lookups[name]++
	var out []netip.Addr
	for _, a := range r.names[name] {
		if network == "ip" || (network == "ip4") == a.Unmap().Is4() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

func canonical(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }
