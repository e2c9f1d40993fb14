package routing_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/routing"
)

// threeLevels is a failover pair of aliases to weighted groups whose
// members are plain records with checks, or aliases to them.
const threeLevels = `
www  = failover: primary primary alias=east eth; secondary secondary alias=west eth
east = weighted: east-a w=1 alias=ea eth; east-b w=1 alias=eb eth
ea   = simple: a hc=h1
eb   = simple: b hc=h2
west = weighted: c w=1 hc=h3; d w=1 hc=h4`

// TestSelectForced covers answers that do not depend on chance: every draw
// must give want (sorted record names; "" is an empty answer).
func TestSelectForced(t *testing.T) {
	tests := []struct {
		name, zone, down, want string
	}{
		{"simple", "www = simple: a", "", "a"},
		{"simple ignores its check", "www = simple: a hc=h1", "h1", "a"},
		{"simple alias is followed whatever its target's health",
			"www = simple: x alias=pool eth\npool = failover: p primary hc=h1; s secondary hc=h2", "h1 h2", "p"},

		{"failover: both healthy", "www = failover: p primary hc=h1; s secondary hc=h2", "", "p"},
		{"failover: primary down", "www = failover: p primary hc=h1; s secondary hc=h2", "h1", "s"},
		{"failover: secondary down", "www = failover: p primary hc=h1; s secondary hc=h2", "h2", "p"},
		{"failover: both down answers the primary", "www = failover: p primary hc=h1; s secondary hc=h2", "h1 h2", "p"},
		{"failover: secondary without check", "www = failover: p primary hc=h1; s secondary", "h1", "s"},
		{"failover: records listed secondary first", "www = failover: s secondary hc=h2; p primary hc=h1", "", "p"},
		{"failover: lone primary healthy", "www = failover: p primary hc=h1", "", "p"},
		{"failover: lone primary down (last resort)", "www = failover: p primary hc=h1", "h1", "p"},
		{"failover: lone secondary down (last resort)", "www = failover: s secondary hc=h2", "h2", "s"},

		{"weighted: lone record", "www = weighted: a w=10 hc=h1", "h1", "a"},
		{"weighted: the only healthy record", "www = weighted: a w=10 hc=h1; b w=20 hc=h2; c w=20 hc=h3", "h1 h2", "c"},
		{"weighted: weight 0 only when every positive one is down",
			"www = weighted: a w=10 hc=h1; b w=20 hc=h2; c w=0", "h1 h2", "c"},
		{"weighted: weight 0 never while a positive one is up",
			"www = weighted: a w=10 hc=h1; b w=20 hc=h2; c w=0", "h1", "b"},
		{"weighted: last resort by weight", "www = weighted: a w=10 hc=h1; b w=0 hc=h2", "h1 h2", "a"},

		{"multivalue: 3 healthy of 10",
			"www = multivalue: m0 hc=h0; m1 hc=h1; m2; m3 hc=h3; m4 hc=h4; m5 hc=h5; m6 hc=h6; m7; m8 hc=h8; m9",
			"h0 h1 h3 h4 h5 h6 h8", "m2 m7 m9"},
		{"multivalue: all healthy when at most 8", "www = multivalue: m0; m1 hc=h1; m2", "", "m0 m1 m2"},
		{"multivalue: none healthy, at most 8 of all", "www = multivalue: m0 hc=h0; m1 hc=h1", "h0 h1", "m0 m1"},

		{"tree: one member of the primary's pool down", threeLevels, "h1", "b"},
		{"tree: primary's pool down backs out to the secondary", threeLevels, "h1 h2 h3", "d"},
		{"tree: alias-level check excludes a healthy branch",
			"www = failover: p primary alias=pool eth hc=h5; s secondary\npool = simple: a hc=h1", "h5", "s"},
		{"tree: alias-level check without eth",
			"www = failover: p primary alias=pool hc=h5; s secondary\npool = simple: a hc=h1", "h5", "s"},
		{"tree: eth false ignores the target's health",
			"www = failover: p primary alias=pool; s secondary\npool = simple: a hc=h1", "h1", "a"},
		{"tree: eth false commits to an all-down branch",
			"www = failover: p primary alias=pool; s secondary\npool = failover: a primary hc=h1; b secondary hc=h2", "h1 h2", "a"},
		{"tree: alias to a plain group of one", "www = failover: p primary alias=pool eth; s secondary\npool = simple: a", "", "a"},

		{"dangling alias with eth is unhealthy", "www = failover: p primary dangling eth; s secondary", "", "s"},
		{"dangling alias without eth answers nothing", "www = failover: p primary dangling; s secondary", "", ""},
		{"dangling alias chosen as last resort", "www = failover: p primary dangling eth; s secondary hc=h2", "h2", ""},
		{"cycle with eth is unhealthy",
			"www = failover: p primary alias=loop eth; s secondary\nloop = failover: q primary alias=www eth; r secondary hc=h1", "h1", "s"},
		{"cycle cut inside a healthy branch",
			"www = failover: p primary alias=loop eth; s secondary\nloop = failover: q primary alias=www eth; r secondary hc=h1", "", "r"},
		{"self alias answers nothing", "www = simple: x alias=www", "", ""},
		{"empty group", "www = weighted:", "", ""},
		{"latency without a client preference", "www = latency: a", "", "a"},
		{"alias to a geolocation group with no applicable record is unhealthy",
			"www = failover: p primary alias=geo eth; s secondary\ngeo = geolocation: a", "", "s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := parseZone(t, tt.zone)
			for seed := range uint64(20) {
				got := names(routing.Select(g, routing.Query{}, down(tt.down), pcg(seed)))
				if got != tt.want {
					t.Fatalf("seed %d: Select = %q, want %q", seed, got, tt.want)
				}
			}
		})
	}
}

// TestSelectPossible covers answers drawn at random: over many draws the
// answers seen must be exactly the alternatives in want ("a|b").
func TestSelectPossible(t *testing.T) {
	tests := []struct {
		name, zone, down, want string
	}{
		{"tree: all healthy", threeLevels, "", "a|b"},
		{"tree: primary's pool down", threeLevels, "h1 h2", "c|d"},
		{"tree: all down, last resort follows the primary", threeLevels, "h1 h2 h3 h4", "a|b"},
		{"tree: eth false commits, last resort inside",
			"www = failover: p primary alias=pool; s secondary\npool = weighted: a w=1 hc=h1; b w=3 hc=h2", "h1 h2", "a|b"},
		{"weighted: weight-0 records share equally", "www = weighted: a w=10 hc=h1; z0 w=0; z1 w=0", "h1", "z0|z1"},
		{"weighted: all weights 0", "www = weighted: a w=0; b w=0; c w=0", "", "a|b|c"},
		{"weighted: alias with eth skipped while its target is down",
			"www = weighted: x w=1 alias=pool eth; y w=1\npool = simple: a hc=h1", "h1", "y"},
		{"weighted: alias with eth in the draw while its target is up",
			"www = weighted: x w=1 alias=pool eth; y w=1\npool = simple: a hc=h1", "", "a|y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := parseZone(t, tt.zone)
			r := pcg(1)
			seen := map[string]bool{}
			for range 500 {
				seen[names(routing.Select(g, routing.Query{}, down(tt.down), r))] = true
			}
			if got := strings.Join(slices.Sorted(maps.Keys(seen)), "|"); got != tt.want {
				t.Fatalf("answers seen %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWeightedShares checks that answers follow the weights: 20,000 draws,
// each record's share within 2 points of want.
func TestWeightedShares(t *testing.T) {
	tests := []struct {
		name, zone, down, want string
	}{
		{"10/20/20", "www = weighted: a w=10 hc=h1; b w=20 hc=h2; c w=20 hc=h3", "", "a=0.2 b=0.4 c=0.4"},
		{"10/20/20, third down, renormalised", "www = weighted: a w=10 hc=h1; b w=20 hc=h2; c w=20 hc=h3", "h3", "a=0.333 b=0.667"},
		{"weight 0 idle while positive ones are up", "www = weighted: a w=10 hc=h1; b w=20 hc=h2; z0 w=0; z1 w=0", "", "a=0.333 b=0.667"},
		{"weight 0 only when every positive one is down", "www = weighted: a w=10 hc=h1; b w=20 hc=h2; z0 w=0; z1 w=0", "h1 h2", "z0=0.5 z1=0.5"},
		{"all weights 0: uniform", "www = weighted: a w=0; b w=0; c w=0", "", "a=0.333 b=0.333 c=0.333"},
		{"all down: last resort by weight", "www = weighted: a w=10 hc=h1; b w=20 hc=h2; z w=0 hc=h3", "h1 h2 h3", "a=0.333 b=0.667"},
		{"all down, all 0: last resort uniform", "www = weighted: a w=0 hc=h1; b w=0 hc=h2", "h1 h2", "a=0.5 b=0.5"},
		{"1/255", "www = weighted: a w=1; b w=255", "", "a=0.004 b=0.996"},
		{"through an alias", "www = simple: x alias=pool\npool = weighted: a w=1; b w=3", "", "a=0.25 b=0.75"},
	}
	const draws = 20000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := parseZone(t, tt.zone)
			h, r := down(tt.down), pcg(7)
			got := map[string]int{}
			for range draws {
				got[names(routing.Select(g, routing.Query{}, h, r))]++
			}
			for _, kv := range strings.Fields(tt.want) {
				var name string
				var share float64
				if _, err := fmt.Sscanf(strings.Replace(kv, "=", " ", 1), "%s %g", &name, &share); err != nil {
					t.Fatalf("want %q: %v", kv, err)
				}
				if s := float64(got[name]) / draws; s < share-0.02 || s > share+0.02 {
					t.Errorf("%s answered %.3f of the time, want %.3f ± 0.02", name, s, share)
				}
				delete(got, name)
			}
			if len(got) > 0 {
				t.Errorf("unexpected answers %v", got)
			}
		})
	}
}

// multivalueZone returns a multivalue group of n records m0..m(n-1), each
// with its own check h0..h(n-1).
func multivalueZone(n int) string {
	var recs []string
	for i := range n {
		recs = append(recs, fmt.Sprintf("m%d hc=h%d", i, i))
	}
	return "www = multivalue: " + strings.Join(recs, "; ")
}

func TestMultiValueLimit(t *testing.T) {
	tests := []struct {
		name, down string
		eligible   int // records answers are drawn from: m0..m(eligible-1)
	}{
		{"12 healthy", "", 12},
		{"9 healthy of 12", "h9 h10 h11", 9},
		{"none healthy: 8 of all", "h0 h1 h2 h3 h4 h5 h6 h7 h8 h9 h10 h11", 12},
	}
	const draws = 6000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := parseZone(t, multivalueZone(12))
			h, r := down(tt.down), pcg(3)
			counts := map[string]int{}
			for range draws {
				got := routing.Select(g, routing.Query{}, h, r)
				if len(got) != routing.MaxMultiValue {
					t.Fatalf("answer %q has %d records, want %d", names(got), len(got), routing.MaxMultiValue)
				}
				for _, n := range strings.Fields(names(got)) {
					counts[n]++
				}
			}
			for i := range 12 {
				want := 0.0
				if i < tt.eligible {
					want = float64(routing.MaxMultiValue) / float64(tt.eligible)
				}
				if c := float64(counts[fmt.Sprintf("m%d", i)]) / draws; c < want-0.03 || c > want+0.03 {
					t.Errorf("m%d in %.3f of the answers, want %.3f ± 0.03", i, c, want)
				}
			}
			if len(counts) != tt.eligible {
				t.Errorf("%d distinct records answered, want %d", len(counts), tt.eligible)
			}
		})
	}
}

func TestHealthy(t *testing.T) {
	tests := []struct {
		name, zone, down string
		want             bool
	}{
		{"plain without check", "www = simple: a", "", true},
		{"simple with its check down", "www = simple: a hc=h1", "h1", false},
		{"failover: one healthy", "www = failover: p primary hc=h1; s secondary hc=h2", "h1", true},
		{"failover: none healthy (no last resort)", "www = failover: p primary hc=h1; s secondary hc=h2", "h1 h2", false},
		{"weighted: only a weight-0 record healthy", "www = weighted: a w=10 hc=h1; z w=0", "h1", true},
		{"multivalue: all down", "www = multivalue: a hc=h1; b hc=h2", "h1 h2", false},
		{"tree: one leaf three levels down", threeLevels, "h1 h3 h4", true},
		{"tree: every leaf down", threeLevels, "h1 h2 h3 h4", false},
		{"alias without eth is healthy", "www = simple: x alias=pool\npool = simple: a hc=h1", "h1", true},
		{"alias own check down", "www = simple: x alias=pool hc=h5\npool = simple: a", "h5", false},
		{"alias own check and eth both needed", "www = simple: x alias=pool eth hc=h5\npool = simple: a hc=h1", "h1", false},
		{"dangling with eth", "www = simple: x dangling eth", "", false},
		{"dangling without eth", "www = simple: x dangling", "", true},
		{"cycle", "www = weighted: x w=1 alias=www eth", "", false},
		{"empty group", "www = failover:", "", false},
		{"IP-based without a matching block or default", "www = ip-based: a", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := parseZone(t, tt.zone)
			if got := routing.Healthy(g, routing.Query{}, down(tt.down)); got != tt.want {
				t.Fatalf("Healthy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name, zone string
		want       bool
	}{
		{"simple", "www = simple: a", true},
		{"failover", "www = failover: p primary hc=h1; s secondary", true},
		{"weighted pair", "www = weighted: a w=1; b w=2", false},
		{"weighted active-passive", "www = weighted: a w=1 hc=h1; b w=0", true},
		{"weighted two standbys", "www = weighted: a w=1 hc=h1; b w=0; c w=0", false},
		{"multivalue of 8", "www = multivalue: a; b; c; d; e; f; g; h", true},
		{"multivalue of 9", "www = multivalue: a; b; c; d; e; f; g; h; i", false},
		{"failover to weighted", "www = failover: p primary alias=pool eth; s secondary\npool = weighted: a w=1; b w=1", false},
		{"failover to failover", "www = failover: p primary alias=pool eth; s secondary\npool = failover: a primary; b secondary", true},
		{"cycle", "www = failover: p primary alias=www eth; s secondary", true},
		{"dangling", "www = simple: x dangling", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := routing.Deterministic(parseZone(t, tt.zone)); got != tt.want {
				t.Fatalf("Deterministic = %v, want %v", got, tt.want)
			}
		})
	}
}

// chain is a zone of n simple groups, each an alias to the next, the last
// holding the plain record "end".
func chain(n int) string {
	var b strings.Builder
	for i := range n - 1 {
		fmt.Fprintf(&b, "g%d = simple: x%d alias=g%d eth\n", i, i, i+1)
	}
	fmt.Fprintf(&b, "g%d = simple: end", n-1)
	return b.String()
}

func TestMaxDepth(t *testing.T) {
	for _, tt := range []struct {
		groups int
		want   string
	}{
		{routing.MaxDepth, "end"},
		{routing.MaxDepth + 1, ""},
	} {
		g := parseZone(t, chain(tt.groups))
		if got := names(routing.Select(g, routing.Query{}, nil, nil)); got != tt.want {
			t.Errorf("chain of %d groups: Select = %q, want %q", tt.groups, got, tt.want)
		}
		if got := routing.Healthy(g, routing.Query{}, nil); got != (tt.want != "") {
			t.Errorf("chain of %d groups: Healthy = %v", tt.groups, got)
		}
	}
}

// TestSharedTargets: aliases that share targets are evaluated once per
// group, so a deep lattice answers at once instead of in 10^15 steps.
func TestSharedTargets(t *testing.T) {
	var b strings.Builder
	const levels, width = 15, 10
	for l := range levels {
		fmt.Fprintf(&b, "g%d = weighted:", l)
		for i := range width {
			fmt.Fprintf(&b, " r%d_%d w=1 alias=g%d eth;", l, i, l+1)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "g%d = simple: end hc=h1", levels)
	g := parseZone(t, b.String())
	if routing.Healthy(g, routing.Query{}, down("h1")) {
		t.Fatal("Healthy with the only leaf down")
	}
	if got := names(routing.Select(g, routing.Query{}, down("h1"), pcg(1))); got != "end" {
		t.Fatalf("Select = %q, want end (last resort all the way down)", got)
	}
}

func TestAppendSelect(t *testing.T) {
	for _, zone := range []string{threeLevels, multivalueZone(12), "www = simple: x dangling"} {
		g := parseZone(t, zone)
		prefix := &routing.Record{Data: "prefix"}
		for seed := range uint64(10) {
			want := routing.Select(g, routing.Query{}, down("h1"), pcg(seed))
			got := routing.AppendSelect([]*routing.Record{prefix}, g, routing.Query{}, down("h1"), pcg(seed))
			if got[0] != prefix || !slices.Equal(got[1:], want) {
				t.Fatalf("AppendSelect = %q, want prefix + %q", names(got), names(want))
			}
		}
	}
}

func TestNilRandAndHealth(t *testing.T) {
	g := parseZone(t, "www = weighted: a w=1 hc=h1; b w=1 hc=h2")
	if got := names(routing.Select(g, routing.Query{}, nil, nil)); got != "a" {
		t.Fatalf("Select with nil Rand = %q, want the first candidate a", got)
	}
	if !routing.Healthy(g, routing.Query{}, nil) {
		t.Fatal("Healthy with nil Health = false")
	}
}

func TestPolicyString(t *testing.T) {
	for p, want := range map[routing.Policy]string{routing.Simple: "simple", routing.IPBased: "IP-based", 42: "Policy(42)"} {
		if got := p.String(); got != want {
			t.Errorf("Policy(%d).String() = %q, want %q", int(p), got, want)
		}
	}
}
