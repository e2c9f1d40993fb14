package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/geo/geotest"
	"github.com/vedette-dns/vedette/internal/routing"
)

func TestGeoFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	db := geotest.WriteMMDB(t, geotest.Entry{Network: "198.51.100.0/24", Continent: "EU", Country: "DE"})
	good := write("good.json", `[{"countries": ["DE"], "regions": ["eu-central-1"]}]`)
	c, err := parse(t, nil, "--geoip-db", db, "--latency-map", good)
	if err != nil {
		t.Fatal(err)
	}
	if c.GeoIPDB != db || c.LatencyMap == nil {
		t.Fatalf("%+v", c)
	}
	if got := c.LatencyMap.Regions(netip.MustParseAddr("198.51.100.1"), routing.Location{Country: "DE"}, true); len(got) != 1 || got[0] != "eu-central-1" {
		t.Fatalf("loaded map: %v", got)
	}

	missing := filepath.Join(dir, "missing.json")
	tests := []struct {
		args []string
		want string // prefix of the error
	}{
		{[]string{"--latency-map", write("empty.json", `[]`)}, `--latency-map "` + dir + `/empty.json": no entries`},
		{[]string{"--latency-map", write("region.json", `[{"continents": ["EU"], "regions": ["eu-west-9"]}]`)},
			`--latency-map "` + dir + `/region.json": entry 1: region "eu-west-9" is not a ResourceRecordSetRegion`},
		{[]string{"--latency-map", write("match.json", `[{"regions": ["eu-west-1"]}]`)},
			`--latency-map "` + dir + `/match.json": entry 1: needs networks, countries or continents`},
		{[]string{"--latency-map", write("syntax.json", `[{`)}, `--latency-map "` + dir + `/syntax.json": not a JSON list of entries: `},
		{[]string{"--latency-map", missing}, `--latency-map "` + missing + `": open ` + missing + `: no such file or directory`},
		{[]string{"--geoip-db", write("bad.mmdb", "not a database")}, `--geoip-db "` + dir + `/bad.mmdb": not a readable MaxMind database: `},
		{[]string{"--geoip-db", missing}, `--geoip-db "` + missing + `": not a readable MaxMind database: `},
	}
	for _, tt := range tests {
		_, err := parse(t, nil, tt.args...)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
}
