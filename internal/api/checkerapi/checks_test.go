package checkerapi

import (
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
)

// TestChecksFor: a region gets the endpoint checks that are not Disabled and
// name no region or that region; every change moves the revision and wakes
// waiters.
func TestChecksFor(t *testing.T) {
	c := NewChecks()
	r0, changed := c.Revision()
	c.Set([]model.HealthCheck{
		{ID: "all", Config: model.HealthCheckConfig{Type: model.TypeTCP}},
		{ID: "ab", Config: model.HealthCheckConfig{Type: model.TypeHTTP, Regions: []string{"a", "b"}}},
		{ID: "c", Config: model.HealthCheckConfig{Type: model.TypeHTTP, Regions: []string{"c"}}},
		{ID: "off", Config: model.HealthCheckConfig{Type: model.TypeTCP, Disabled: true}},
		{ID: "calc", Config: model.HealthCheckConfig{Type: model.TypeCalculated}},
	})
	select {
	case <-changed:
	default:
		t.Fatal("Set did not wake waiters")
	}
	ids := func(region string) []string {
		hcs, _ := c.For(region)
		var out []string
		for _, hc := range hcs {
			out = append(out, hc.ID)
		}
		return out
	}
	for region, want := range map[string][]string{"a": {"ab", "all"}, "c": {"all", "c"}, "zz": {"all"}} {
		if got := ids(region); len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Errorf("For(%q) = %v, want %v", region, got, want)
		}
	}
	c.Remove("all")
	if r1, _ := c.Revision(); r1 <= r0 {
		t.Fatalf("revision %d after changes, was %d", r1, r0)
	}
	if got := ids("zz"); len(got) != 0 {
		t.Fatalf("For(zz) after Remove = %v", got)
	}
}
