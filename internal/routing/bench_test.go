package routing_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/routing"
)

func benchSelect(b *testing.B, zone, unhealthy string) {
	g := parseZone(b, zone)
	h, r := down(unhealthy), pcg(1)
	b.ReportAllocs()
	for b.Loop() {
		if len(routing.Select(g, routing.Query{}, h, r)) == 0 {
			b.Fatal("no answer")
		}
	}
}

func weightedZone(n int) string {
	var recs []string
	for i := range n {
		recs = append(recs, fmt.Sprintf("w%d w=%d hc=h%d", i, 10*(i+1), i))
	}
	return "www = weighted: " + strings.Join(recs, "; ")
}

func BenchmarkSelect(b *testing.B) {
	const failover = "www = failover: p primary hc=h1; s secondary hc=h2"
	b.Run("failover/primary-up", func(b *testing.B) { benchSelect(b, failover, "") })
	b.Run("failover/primary-down", func(b *testing.B) { benchSelect(b, failover, "h1") })
	b.Run("weighted-10/all-up", func(b *testing.B) { benchSelect(b, weightedZone(10), "") })
	b.Run("weighted-10/3-down", func(b *testing.B) { benchSelect(b, weightedZone(10), "h1 h4 h7") })
	b.Run("tree-3-levels", func(b *testing.B) { benchSelect(b, threeLevels, "h1") })
	b.Run("multivalue-12", func(b *testing.B) { benchSelect(b, multivalueZone(12), "h3") })
}
