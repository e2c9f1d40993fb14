// Package geotest writes small MaxMind-format databases for tests, so that
// no test needs a downloaded GeoIP file. Only tests import it.
package geotest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Entry places one network. Empty fields are left out of the record;
// HasCoordinates adds location.latitude/longitude.
type Entry struct {
	Network                         string // CIDR
	Continent, Country, Subdivision string
	Latitude, Longitude             float64
	HasCoordinates                  bool
}

// WriteMMDB writes a GeoLite2-City style database holding entries into
// t.TempDir() and returns its path.
func WriteMMDB(t testing.TB, entries ...Entry) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoLite2-City",
		RecordSize:              24,
		IncludeReservedNetworks: true, // tests use documentation and private ranges
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		_, n, err := net.ParseCIDR(e.Network)
		if err != nil {
			t.Fatal(err)
		}
		rec := mmdbtype.Map{}
		if e.Continent != "" {
			rec["continent"] = mmdbtype.Map{"code": mmdbtype.String(e.Continent)}
		}
		if e.Country != "" {
			rec["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(e.Country)}
		}
		if e.Subdivision != "" {
			rec["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(e.Subdivision)}}
		}
		if e.HasCoordinates {
			rec["location"] = mmdbtype.Map{"latitude": mmdbtype.Float64(e.Latitude), "longitude": mmdbtype.Float64(e.Longitude)}
		}
		if err := tree.Insert(n, rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "geo.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
