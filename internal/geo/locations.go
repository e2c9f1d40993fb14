package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
)

var locationNameRE = regexp.MustCompile(`^[0-9A-Za-z_.\-]{1,64}$`)

// ParseLocations parses the operator's geoproximity locations: a JSON object
// mapping a location name (1 to 64 characters of 0-9, A-Z, a-z, '.', '_',
// '-') to its coordinates, e.g.
//
//	{"paris-dc": {"latitude": 48.86, "longitude": 2.35}}
//
// Record sets name them in GeoProximityLocation.LocalZoneGroup. The result
// maps each name to {latitude, longitude}.
func ParseLocations(b []byte) (map[string][2]float64, error) {
	var raw map[string]struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON object of locations: %w", err)
	}
	out := make(map[string][2]float64, len(raw))
	for name, c := range raw {
		switch {
		case !locationNameRE.MatchString(name):
			return nil, fmt.Errorf("location name %q must be 1 to 64 characters of 0-9, A-Z, a-z, '.', '_', '-'", name)
		case c.Latitude == nil || c.Longitude == nil:
			return nil, fmt.Errorf("location %q needs a latitude and a longitude", name)
		case *c.Latitude < -90 || *c.Latitude > 90:
			return nil, fmt.Errorf("location %q: latitude %v is outside -90..90", name, *c.Latitude)
		case *c.Longitude < -180 || *c.Longitude > 180:
			return nil, fmt.Errorf("location %q: longitude %v is outside -180..180", name, *c.Longitude)
		}
		out[name] = [2]float64{*c.Latitude, *c.Longitude}
	}
	return out, nil
}
