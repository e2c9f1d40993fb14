package routing

import (
	"math"
	"testing"
)

func downFunc(down []string) HealthFunc {
	return func(id string) bool {
		for _, d := range down {
			if d == id {
				return false
			}
		}
		return true
	}
}

func TestGeolocation(t *testing.T) {
	rec := func(id string, geo GeoLocation) *Record {
		return &Record{SetIdentifier: id, HealthCheckID: "h-" + id, Geo: geo}
	}
	g := &Group{Policy: Geolocation, Records: []*Record{
		rec("def", GeoLocation{Default: true}),
		rec("na", GeoLocation{Continent: "NA"}),
		rec("us", GeoLocation{Country: "US"}),
		rec("us-ca", GeoLocation{Country: "US", Subdivision: "CA"}),
		rec("eu", GeoLocation{Continent: "EU"}),
	}}
	california := Location{Continent: "NA", Country: "US", Subdivision: "CA"}
	texas := Location{Continent: "NA", Country: "US", Subdivision: "TX"}
	canada := Location{Continent: "NA", Country: "CA"}
	germany := Location{Continent: "EU", Country: "DE"}
	japan := Location{Continent: "AS", Country: "JP"}
	tests := []struct {
		name string
		loc  Location
		down []string
		want string
	}{
		{"subdivision", california, nil, "us-ca"},
		{"country when the state has no record", texas, nil, "us"},
		{"US without a known state", Location{Continent: "NA", Country: "US"}, nil, "us"},
		{"continent", canada, nil, "na"},
		{"other continent", germany, nil, "eu"},
		{"default", japan, nil, "def"},
		{"unknown location", Location{}, nil, "def"},
		{"fallback: subdivision down → country", california, []string{"h-us-ca"}, "us"},
		{"fallback: → continent", california, []string{"h-us-ca", "h-us"}, "na"},
		{"fallback: → default", california, []string{"h-us-ca", "h-us", "h-na"}, "def"},
		{"all applicable down: the most specific", california, []string{"h-us-ca", "h-us", "h-na", "h-def"}, "us-ca"},
		{"unrelated records do not serve", germany, []string{"h-eu"}, "def"},
		{"all applicable down, EU", germany, []string{"h-eu", "h-def"}, "eu"},
	}
	for _, tt := range tests {
		got := Select(g, Query{Location: tt.loc}, downFunc(tt.down), nil)
		if len(got) != 1 || got[0].SetIdentifier != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, got, tt.want)
		}
	}
	noDefault := &Group{Policy: Geolocation, Records: []*Record{rec("eu", GeoLocation{Continent: "EU"})}}
	if got := Select(noDefault, Query{Location: japan}, nil, nil); got != nil {
		t.Errorf("no match and no default: %v, want no answer", got)
	}
	if Healthy(noDefault, Query{Location: japan}, nil) {
		t.Error("a group with nothing for the client is not healthy")
	}
	if Deterministic(g) || !UsesClient(g) {
		t.Error("a geolocation group depends on the client")
	}
}

func TestLatency(t *testing.T) {
	rec := func(region string) *Record {
		return &Record{SetIdentifier: region, HealthCheckID: "h-" + region, Region: region}
	}
	g := &Group{Policy: Latency, Records: []*Record{rec("us-east-1"), rec("eu-west-1"), rec("ap-southeast-1"), rec("ap-northeast-1")}}
	tests := []struct {
		name    string
		regions []string
		down    []string
		want    string
	}{
		{"first preferred", []string{"eu-west-1", "us-east-1"}, nil, "eu-west-1"},
		{"preferred region without a record is skipped", []string{"eu-central-1", "us-east-1"}, nil, "us-east-1"},
		{"next preferred when down", []string{"eu-west-1", "us-east-1"}, []string{"h-eu-west-1"}, "us-east-1"},
		{"unlisted regions by name after the listed", []string{"eu-west-1"}, []string{"h-eu-west-1"}, "ap-northeast-1"},
		{"no preference: by name", nil, nil, "ap-northeast-1"},
		{"all down: the first preferred", []string{"us-east-1"}, []string{"h-us-east-1", "h-eu-west-1", "h-ap-southeast-1", "h-ap-northeast-1"}, "us-east-1"},
	}
	for _, tt := range tests {
		got := Select(g, Query{LatencyRegions: tt.regions}, downFunc(tt.down), nil)
		if len(got) != 1 || got[0].SetIdentifier != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, got, tt.want)
		}
	}
	if Deterministic(g) || !UsesClient(g) {
		t.Error("a latency group depends on the client")
	}
	cn := &Group{Policy: Latency, Records: []*Record{rec("ap-east-1"), rec("cn-north-1")}}
	china := Query{Location: Location{Continent: "AS", Country: "CN"}, LatencyRegions: []string{"ap-east-1", "cn-north-1"}}
	if got := Select(cn, china, nil, nil); got[0].SetIdentifier != "cn-north-1" {
		t.Errorf("a client in China: %v, want cn-north-1", got)
	}
	if got := Select(cn, china, downFunc([]string{"h-cn-north-1"}), nil); got[0].SetIdentifier != "ap-east-1" {
		t.Errorf("a client in China, cn-north-1 down: %v, want ap-east-1", got)
	}
}

func TestGeoproximity(t *testing.T) {
	at := func(id, region string, bias int) *Record {
		c := RegionCoordinates[region]
		return &Record{SetIdentifier: id, HealthCheckID: "h-" + id, Proximity: GeoProximity{Latitude: c[0], Longitude: c[1], Bias: bias}}
	}
	paris := Location{Latitude: 48.86, Longitude: 2.35, HasCoordinates: true} // ~340 km from London, ~480 km from Frankfurt
	tests := []struct {
		name string
		recs []*Record
		down []string
		want string
	}{
		{"nearest", []*Record{at("fra", "eu-central-1", 0), at("lon", "eu-west-2", 0), at("iad", "us-east-1", 0)}, nil, "lon"},
		{"positive bias draws traffic", []*Record{at("fra", "eu-central-1", 50), at("lon", "eu-west-2", 0)}, nil, "fra"},
		{"negative bias pushes it away", []*Record{at("fra", "eu-central-1", 0), at("lon", "eu-west-2", -50)}, nil, "fra"},
		{"next nearest when down", []*Record{at("fra", "eu-central-1", 0), at("lon", "eu-west-2", 0), at("iad", "us-east-1", 0)}, []string{"h-lon"}, "fra"},
		{"all down: the nearest", []*Record{at("fra", "eu-central-1", 0), at("lon", "eu-west-2", 0)}, []string{"h-lon", "h-fra"}, "lon"},
	}
	for _, tt := range tests {
		g := &Group{Policy: Geoproximity, Records: tt.recs}
		got := Select(g, Query{Location: paris}, downFunc(tt.down), nil)
		if len(got) != 1 || got[0].SetIdentifier != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, got, tt.want)
		}
	}
	g := &Group{Policy: Geoproximity, Records: []*Record{at("fra", "eu-central-1", 0), at("lon", "eu-west-2", 0)}}
	if got := Select(g, Query{}, nil, nil); len(got) != 1 || got[0].SetIdentifier != "fra" {
		t.Errorf("client without coordinates: got %v, want the first record", got)
	}
	if Deterministic(g) || !UsesClient(g) {
		t.Error("a geoproximity group depends on the client")
	}
}

func TestDistanceAndBias(t *testing.T) {
	// London–Paris is about 344 km.
	if d := Distance(51.51, -0.13, 48.86, 2.35); math.Abs(d-344) > 5 {
		t.Errorf("London–Paris = %.0f km", d)
	}
	if b := biased(100, 50); b != 50 {
		t.Errorf("bias 50: %v", b)
	}
	if b := biased(100, -50); b != 200 {
		t.Errorf("bias -50: %v", b)
	}
	for _, region := range []string{"us-east-1", "eu-west-1", "eusc-de-east-1", "ap-southeast-6"} {
		if _, ok := RegionCoordinates[region]; !ok {
			t.Errorf("no coordinates for %s", region)
		}
	}
}
