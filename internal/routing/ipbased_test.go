package routing

import (
	"net/netip"
	"testing"
)

func TestIPBased(t *testing.T) {
	rec := func(id, hc string, blocks ...string) *Record {
		r := &Record{SetIdentifier: id, HealthCheckID: hc, DefaultLocation: id == "*"}
		for _, b := range blocks {
			r.Blocks = append(r.Blocks, netip.MustParsePrefix(b))
		}
		return r
	}
	g := &Group{Policy: IPBased, Records: []*Record{
		rec("wide", "hw", "10.0.0.0/8"),
		rec("narrow", "hn", "10.1.0.0/16", "2001:db8::/32"),
		rec("*", "hd"),
	}}
	tests := []struct {
		client string
		down   []string
		want   string
	}{
		{"10.1.2.0/24", nil, "narrow"},                  // overlapping blocks: most specific
		{"10.9.0.0/24", nil, "wide"},                    // only the /8 holds it
		{"10.0.0.0/7", nil, "*"},                        // a client prefix shorter than the block does not match
		{"192.0.2.1/32", nil, "*"},                      // no block: the default
		{"2001:db8:1::/48", nil, "narrow"},              // IPv6
		{"10.1.2.0/24", []string{"hn"}, "*"},            // matched record down: the default
		{"10.1.2.0/24", []string{"hn", "hd"}, "narrow"}, // both down: last resort, the match
		{"192.0.2.1/32", []string{"hd"}, "*"},           // default down and nothing else applies
		{"", nil, "*"},                                  // unknown client
	}
	for _, tt := range tests {
		var q Query
		if tt.client != "" {
			q.Client = netip.MustParsePrefix(tt.client)
		}
		h := HealthFunc(func(id string) bool {
			for _, d := range tt.down {
				if d == id {
					return false
				}
			}
			return true
		})
		got := Select(g, q, h, nil)
		if len(got) != 1 || got[0].SetIdentifier != tt.want {
			t.Errorf("client %q down %v: got %v, want %s", tt.client, tt.down, got, tt.want)
		}
	}
	if Deterministic(g) || !UsesClient(g) {
		t.Error("an IP-based group depends on the client")
	}
	alias := &Group{Policy: Simple, Records: []*Record{{Alias: &Alias{Target: g, EvaluateTargetHealth: true}}}}
	if !UsesClient(alias) {
		t.Error("an alias to an IP-based group depends on the client")
	}
	noDefault := &Group{Policy: IPBased, Records: []*Record{rec("wide", "", "10.0.0.0/8")}}
	if got := Select(noDefault, Query{Client: netip.MustParsePrefix("192.0.2.0/24")}, nil, nil); got != nil {
		t.Errorf("no match and no default: %v, want no answer", got)
	}
}
