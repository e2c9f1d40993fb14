package app

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/geo/geotest"
)

// geoEntries place the test networks: California, Texas, Canada, Germany,
// Japan, and an IPv6 block in Ireland.
var geoEntries = []geotest.Entry{
	{Network: "198.51.100.0/24", Continent: "NA", Country: "US", Subdivision: "CA", Latitude: 37.77, Longitude: -122.42, HasCoordinates: true},
	{Network: "198.51.101.0/24", Continent: "NA", Country: "US", Subdivision: "TX", Latitude: 30.27, Longitude: -97.74, HasCoordinates: true},
	{Network: "198.51.102.0/24", Continent: "NA", Country: "CA", Latitude: 43.65, Longitude: -79.38, HasCoordinates: true},
	{Network: "203.0.113.0/24", Continent: "EU", Country: "DE", Latitude: 50.11, Longitude: 8.68, HasCoordinates: true},
	{Network: "192.0.2.0/24", Continent: "AS", Country: "JP", Latitude: 35.68, Longitude: 139.69, HasCoordinates: true},
	{Network: "2001:db8::/32", Continent: "EU", Country: "IE", Latitude: 53.35, Longitude: -6.26, HasCoordinates: true},
}

// startGeoNode starts a node with a generated geoip database and the given
// latency map ("" for none).
func startGeoNode(t *testing.T, latencyMap string, configure ...func(*config.Serve)) (*App, *r53.Client) {
	t.Helper()
	geoDB := geotest.WriteMMDB(t, geoEntries...)
	latencyFile := filepath.Join(t.TempDir(), "latency.json")
	if latencyMap != "" {
		if err := os.WriteFile(latencyFile, []byte(latencyMap), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return startNode(t, append(configure, func(cfg *config.Serve) {
		cfg.GeoIPDB = geoDB
		if latencyMap != "" {
			cfg.LatencyMapFile = latencyFile
		}
	})...)
}

// ecsQuery asks name A with an ECS option for subnet/mask and returns the
// answer's address and the reply's ECS scope (-1 without the option).
func ecsQuery(t *testing.T, a *App, name, subnet string, mask uint8) (string, int) {
	t.Helper()
	r := ecsExchange(t, a, name, subnet, mask)
	if r.Rcode != dns.RcodeSuccess {
		return dns.RcodeToString[r.Rcode], -1 // the zone may still be loading
	}
	scope := -1
	for _, o := range r.IsEdns0().Option {
		if e, ok := o.(*dns.EDNS0_SUBNET); ok {
			scope = int(e.SourceScope)
		}
	}
	if len(r.Answer) == 0 {
		return "", scope
	}
	return r.Answer[0].(*dns.A).A.String(), scope
}

// ecsExchange asks name A with an EDNS client-subnet option for subnet/mask.
func ecsExchange(t *testing.T, a *App, name, subnet string, mask uint8) *dns.Msg {
	t.Helper()
	m := new(dns.Msg).SetQuestion(name, dns.TypeA)
	m.SetEdns0(1232, false)
	fam := uint16(1)
	if strings.Contains(subnet, ":") {
		fam = 2
	}
	m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: fam, SourceNetmask: mask, Address: net.ParseIP(subnet)})
	r, err := dns.Exchange(m, a.DNSAddr())
	if err != nil {
		t.Fatalf("query %s %s/%d: %v", name, subnet, mask, err)
	}
	return r
}

func createZone(t *testing.T, c *r53.Client, name string, changes ...types.Change) *string {
	t.Helper()
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{Changes: changes}}); err != nil {
		t.Fatal(err)
	}
	return z.HostedZone.Id
}

func testAnswer(t *testing.T, c *r53.Client, zone *string, name, subnet string, mask uint8) string {
	t.Helper()
	ta, err := c.TestDNSAnswer(context.Background(), &r53.TestDNSAnswerInput{HostedZoneId: zone, RecordName: aws.String(name),
		RecordType: types.RRTypeA, EDNS0ClientSubnetIP: aws.String(subnet), EDNS0ClientSubnetMask: aws.String(itoa(int(mask)))})
	if err != nil {
		t.Fatalf("TestDNSAnswer %s/%d: %v", subnet, mask, err)
	}
	return strings.Join(ta.RecordData, ",")
}

// TestGeolocationRoutingWithECS: geolocation record sets answer by where the
// EDNS client subnet is (subdivision, country, continent, default "*"),
// replies carry the ECS scope, and TestDNSAnswer agrees; a health check
// failing moves the client outward.
func TestGeolocationRoutingWithECS(t *testing.T) {
	a, c := startGeoNode(t, "")
	ctx := context.Background()
	hc, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("calc"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeCalculated, HealthThreshold: aws.Int32(0), Inverted: aws.Bool(true)}}) // never healthy
	if err != nil {
		t.Fatal(err)
	}
	rec := func(id, ip string, g types.GeoLocation, check *string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("www.geo.test"), Type: types.RRTypeA, SetIdentifier: aws.String(id), TTL: aws.Int64(60), GeoLocation: &g,
			HealthCheckId: check, ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}}}
	}
	zone := createZone(t, c, "geo.test",
		rec("us-ca", "10.0.0.1", types.GeoLocation{CountryCode: aws.String("US"), SubdivisionCode: aws.String("CA")}, nil),
		rec("us", "10.0.0.2", types.GeoLocation{CountryCode: aws.String("US")}, nil),
		rec("na", "10.0.0.3", types.GeoLocation{ContinentCode: aws.String("NA")}, nil),
		rec("eu", "10.0.0.4", types.GeoLocation{ContinentCode: aws.String("EU")}, nil),
		rec("default", "10.0.0.9", types.GeoLocation{CountryCode: aws.String("*")}, nil),
	)
	tests := []struct {
		subnet string
		mask   uint8
		want   string
	}{
		{"198.51.100.0", 24, "10.0.0.1"}, // California
		{"198.51.101.0", 24, "10.0.0.2"}, // Texas: no state record, the country
		{"198.51.102.0", 24, "10.0.0.3"}, // Canada: the continent
		{"203.0.113.0", 24, "10.0.0.4"},  // Germany
		{"2001:db8:1::", 48, "10.0.0.4"}, // Ireland over IPv6
		{"192.0.2.0", 24, "10.0.0.9"},    // Japan: the default
		{"100.64.0.0", 24, "10.0.0.9"},   // unknown to the database: the default
	}
	for _, tt := range tests {
		waitFor(t, func() string { got, _ := ecsQuery(t, a, "www.geo.test.", tt.subnet, tt.mask); return got }, tt.want)
		if _, scope := ecsQuery(t, a, "www.geo.test.", tt.subnet, tt.mask); scope != int(tt.mask) {
			t.Fatalf("%s/%d: ECS scope %d, want %d", tt.subnet, tt.mask, scope, tt.mask)
		}
		if got := testAnswer(t, c, zone, "www.geo.test", tt.subnet, tt.mask); got != tt.want {
			t.Fatalf("TestDNSAnswer %s/%d: %s, want %s", tt.subnet, tt.mask, got, tt.want)
		}
	}

	// The California record fails its check: California falls back to US.
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: zone, ChangeBatch: &types.ChangeBatch{Changes: []types.Change{
		func() types.Change {
			ch := rec("us-ca", "10.0.0.1", types.GeoLocation{CountryCode: aws.String("US"), SubdivisionCode: aws.String("CA")}, hc.HealthCheck.Id)
			ch.Action = types.ChangeActionUpsert
			return ch
		}()}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() string { got, _ := ecsQuery(t, a, "www.geo.test.", "198.51.100.0", 24); return got }, "10.0.0.2")
	if got := testAnswer(t, c, zone, "www.geo.test", "198.51.100.0", 24); got != "10.0.0.2" {
		t.Fatalf("TestDNSAnswer California, record unhealthy: %s", got)
	}

	// Without ECS the source address (127.0.0.1, unknown) decides: the default.
	r, err := dns.Exchange(new(dns.Msg).SetQuestion("www.geo.test.", dns.TypeA), a.DNSAddr())
	if err != nil || len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "10.0.0.9" {
		t.Fatalf("no ECS: %v %v", err, r)
	}
}

// TestLatencyAndGeoproximityRouting: latency records answer by the
// operator's latency map (networks first, then countries), else by the
// distance to the region; geoproximity records by biased distance.
func TestLatencyAndGeoproximityRouting(t *testing.T) {
	a, c := startGeoNode(t, `[
		{"networks": ["100.64.0.0/16"], "regions": ["ap-northeast-1", "us-west-2"]},
		{"countries": ["US"], "regions": ["us-west-2", "eu-west-1"]}
	]`)
	lat := func(region, ip string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("lat.loc.test"), Type: types.RRTypeA, SetIdentifier: aws.String(region), TTL: aws.Int64(60),
			Region: types.ResourceRecordSetRegion(region), ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}}}
	}
	prox := func(id, ip string, l types.GeoProximityLocation) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("prox.loc.test"), Type: types.RRTypeA, SetIdentifier: aws.String(id), TTL: aws.Int64(60),
			GeoProximityLocation: &l, ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}}}
	}
	zone := createZone(t, c, "loc.test",
		lat("us-west-2", "10.1.0.1"), lat("eu-central-1", "10.1.0.2"), lat("ap-northeast-1", "10.1.0.3"),
		prox("fra", "10.2.0.1", types.GeoProximityLocation{AWSRegion: aws.String("eu-central-1")}),
		prox("nyc", "10.2.0.2", types.GeoProximityLocation{Coordinates: &types.Coordinates{Latitude: aws.String("40.71"), Longitude: aws.String("-74.01")}}),
		prox("tok", "10.2.0.3", types.GeoProximityLocation{AWSRegion: aws.String("ap-northeast-1"), Bias: aws.Int32(-99)}),
	)
	tests := []struct {
		name, subnet string
		want         string
	}{
		{"lat.loc.test", "100.64.1.0", "10.1.0.3"},    // the map's network entry
		{"lat.loc.test", "198.51.101.0", "10.1.0.1"},  // the map's US entry
		{"lat.loc.test", "203.0.113.0", "10.1.0.2"},   // Germany: no entry, nearest region
		{"lat.loc.test", "192.0.2.0", "10.1.0.3"},     // Japan: nearest region
		{"prox.loc.test", "203.0.113.0", "10.2.0.1"},  // Frankfurt
		{"prox.loc.test", "198.51.102.0", "10.2.0.2"}, // Toronto: New York
		{"prox.loc.test", "192.0.2.0", "10.2.0.3"},    // Tokyo, though biased away, is still nearest
	}
	for _, tt := range tests {
		waitFor(t, func() string { got, _ := ecsQuery(t, a, tt.name+".", tt.subnet, 24); return got }, tt.want)
		if _, scope := ecsQuery(t, a, tt.name+".", tt.subnet, 24); scope != 24 {
			t.Fatalf("%s %s: ECS scope %d, want 24", tt.name, tt.subnet, scope)
		}
		if got := testAnswer(t, c, zone, tt.name, tt.subnet, 24); got != tt.want {
			t.Fatalf("TestDNSAnswer %s %s: %s, want %s", tt.name, tt.subnet, got, tt.want)
		}
	}
}

// waitFor polls get until it returns want, for up to ten seconds (zones
// load and health changes arrive asynchronously).
func waitFor(t *testing.T, get func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := get()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("answer %q, want %q", got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOperatorGeoproximityLocations: LocalZoneGroup names an operator-defined
// location; an unknown name is refused.
func TestOperatorGeoproximityLocations(t *testing.T) {
	a, c := startGeoNode(t, "", func(cfg *config.Serve) {
		cfg.Locations = map[string][2]float64{"paris-dc": {48.86, 2.35}, "osaka-dc": {34.69, 135.50}}
	})
	prox := func(id, ip string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("op.loc.test"), Type: types.RRTypeA, SetIdentifier: aws.String(id), TTL: aws.Int64(60),
			GeoProximityLocation: &types.GeoProximityLocation{LocalZoneGroup: aws.String(id)}, ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}}}
	}
	zone := createZone(t, c, "loc.test", prox("paris-dc", "10.3.0.1"), prox("osaka-dc", "10.3.0.2"))
	for subnet, want := range map[string]string{"203.0.113.0": "10.3.0.1", "192.0.2.0": "10.3.0.2", "2001:db8::": "10.3.0.1"} {
		mask := uint8(24)
		if strings.Contains(subnet, ":") {
			mask = 48
		}
		waitFor(t, func() string { got, _ := ecsQuery(t, a, "op.loc.test.", subnet, mask); return got }, want)
		if got := testAnswer(t, c, zone, "op.loc.test", subnet, mask); got != want {
			t.Fatalf("TestDNSAnswer %s: %s, want %s", subnet, got, want)
		}
	}
	_, err := c.ChangeResourceRecordSets(context.Background(), &r53.ChangeResourceRecordSetsInput{HostedZoneId: zone, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{prox("nowhere", "10.3.0.9")}}})
	if err == nil || !strings.Contains(err.Error(), "InvalidInput") || !strings.Contains(err.Error(), "not an operator-defined geoproximity location") {
		t.Fatalf("unknown location: %v", err)
	}
}
