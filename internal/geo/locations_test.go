package geo

import "testing"

func TestParseLocations(t *testing.T) {
	got, err := ParseLocations([]byte(`{"paris-dc": {"latitude": 48.86, "longitude": 2.35}}`))
	if err != nil || got["paris-dc"] != [2]float64{48.86, 2.35} {
		t.Fatalf("%v %v", got, err)
	}
	bad := []struct{ in, want string }{
		{`[]`, "not a JSON object of locations: json: cannot unmarshal array into Go value of type map[string]struct { Latitude *float64 \"json:\\\"latitude\\\"\"; Longitude *float64 \"json:\\\"longitude\\\"\" }"},
		{`{"a b": {"latitude": 1, "longitude": 1}}`, `location name "a b" must be 1 to 64 characters of 0-9, A-Z, a-z, '.', '_', '-'`},
		{`{"x": {"latitude": 1}}`, `location "x" needs a latitude and a longitude`},
		{`{"x": {"latitude": 91, "longitude": 0}}`, `location "x": latitude 91 is outside -90..90`},
		{`{"x": {"latitude": 0, "longitude": -181}}`, `location "x": longitude -181 is outside -180..180`},
		{`{"x": {"latitude": 0, "longitude": 0, "alt": 3}}`, `not a JSON object of locations: json: unknown field "alt"`},
	}
	for _, b := range bad {
		if _, err := ParseLocations([]byte(b.in)); err == nil || err.Error() != b.want {
			t.Errorf("%s: error %v, want %q", b.in, err, b.want)
		}
	}
}
