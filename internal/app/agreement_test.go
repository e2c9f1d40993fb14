package app

import (
	"context"
	"fmt"

	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/catalog"
)

// TestDNSAnswerAgreesWithDNS drives a zone holding every deterministic
// routing policy through combinations of client subnets and health (routing
// controls switched on and off) and checks that TestDNSAnswer returns what
// DNS answers each time.
func TestDNSAnswerAgreesWithDNS(t *testing.T) {
	a, c := startGeoNode(t, `[{"continents":["EU"],"regions":["eu-west-1","us-east-1"]},{"continents":["NA","AS"],"regions":["us-east-1","eu-west-1"]}]`)
	ctx := context.Background()
	// Two RECOVERY_CONTROL checks give the test direct control of health.
	arn := func(n string) string { return "arn:aws:route53-recovery-control::1:controlpanel/p/routingcontrol/" + n }
	hc := map[string]*string{}
	for _, n := range []string{"one", "two"} {
		out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String(n), HealthCheckConfig: &types.HealthCheckConfig{
			Type: types.HealthCheckTypeRecoveryControl, RoutingControlArn: aws.String(arn(n))}})
		if err != nil {
			t.Fatal(err)
		}
		hc[n] = out.HealthCheck.Id
	}
	col, err := c.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String("nets"), CallerReference: aws.String("n")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: col.Collection.Id, Changes: []types.CidrCollectionChange{
		{LocationName: aws.String("wide"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"198.51.0.0/16"}},
		{LocationName: aws.String("narrow"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"198.51.100.0/24"}},
	}}); err != nil {
		t.Fatal(err)
	}
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("agree.test"), CallerReference: aws.String("z")})
	if err != nil {
		t.Fatal(err)
	}
	rr := func(name, id, ip string, check *string, f func(*types.ResourceRecordSet)) types.Change {
		rs := &types.ResourceRecordSet{Name: aws.String(name + ".agree.test"), Type: types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}, HealthCheckId: check}
		if id != "" {
			rs.SetIdentifier = aws.String(id)
		}
		f(rs)
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: rs}
	}
	none := func(*types.ResourceRecordSet) {}
	fo := func(role types.ResourceRecordSetFailover) func(*types.ResourceRecordSet) {
		return func(r *types.ResourceRecordSet) { r.Failover = role }
	}
	geo := func(cont, country, sub string) func(*types.ResourceRecordSet) {
		return func(r *types.ResourceRecordSet) {
			r.GeoLocation = &types.GeoLocation{}
			if cont != "" {
				r.GeoLocation.ContinentCode = aws.String(cont)
			}
			if country != "" {
				r.GeoLocation.CountryCode = aws.String(country)
			}
			if sub != "" {
				r.GeoLocation.SubdivisionCode = aws.String(sub)
			}
		}
	}
	cidr := func(loc string) func(*types.ResourceRecordSet) {
		return func(r *types.ResourceRecordSet) {
			r.CidrRoutingConfig = &types.CidrRoutingConfig{CollectionId: col.Collection.Id, LocationName: aws.String(loc)}
		}
	}
	region := func(rg types.ResourceRecordSetRegion) func(*types.ResourceRecordSet) {
		return func(r *types.ResourceRecordSet) { r.Region = rg }
	}
	mv := func(r *types.ResourceRecordSet) { r.MultiValueAnswer = aws.Bool(true) }
	changes := []types.Change{
		rr("simple", "", "10.0.0.1", nil, none),
		rr("fo", "p", "10.0.1.1", hc["one"], fo(types.ResourceRecordSetFailoverPrimary)),
		rr("fo", "s", "10.0.1.2", hc["two"], fo(types.ResourceRecordSetFailoverSecondary)),
		rr("geo", "ca", "10.0.2.1", hc["one"], geo("", "US", "CA")),
		rr("geo", "us", "10.0.2.2", hc["two"], geo("", "US", "")),
		rr("geo", "na", "10.0.2.3", nil, geo("NA", "", "")),
		rr("geo", "eu", "10.0.2.4", hc["two"], geo("EU", "", "")),
		rr("geo", "def", "10.0.2.5", nil, geo("", "*", "")),
		rr("ip", "narrow", "10.0.3.1", hc["one"], cidr("narrow")),
		rr("ip", "wide", "10.0.3.2", nil, cidr("wide")),
		rr("ip", "def", "10.0.3.3", nil, cidr("*")),
		rr("lat", "use1", "10.0.4.1", hc["one"], region(types.ResourceRecordSetRegionUsEast1)),
		rr("lat", "euw1", "10.0.4.2", hc["two"], region(types.ResourceRecordSetRegionEuWest1)),
		rr("mv", "a", "10.0.5.1", hc["one"], mv),
		rr("mv", "b", "10.0.5.2", hc["two"], mv),
		rr("mv", "c", "10.0.5.3", nil, mv),
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{Changes: changes}}); err != nil {
		t.Fatal(err)
	}
	// An alias tree over them: failover of aliases to the geolocation and IP-based groups.
	alias := func(id string, role types.ResourceRecordSetFailover, target string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("tree.agree.test"), Type: types.RRTypeA, SetIdentifier: aws.String(id), Failover: role,
			AliasTarget: &types.AliasTarget{HostedZoneId: z.HostedZone.Id, DNSName: aws.String(target + ".agree.test"), EvaluateTargetHealth: true}}}
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{alias("p", types.ResourceRecordSetFailoverPrimary, "fo"), alias("s", types.ResourceRecordSetFailoverSecondary, "geo")}}}); err != nil {
		t.Fatal(err)
	}
	names := []string{"simple", "fo", "geo", "ip", "lat", "mv", "tree"}
	subnets := []struct {
		ip   string
		mask int
	}{{"198.51.100.0", 24}, {"198.51.101.0", 24}, {"198.51.102.0", 24}, {"203.0.113.0", 24}, {"192.0.2.0", 24}, {"2001:db8::", 48}, {"100.64.0.0", 24}}
	rows := 0
	for _, state := range []struct {
		one, two bool
		fo       string // the failover answer the health calls for
	}{{true, true, "10.0.1.1"}, {false, true, "10.0.1.2"}, {true, false, "10.0.1.1"}, {false, false, "10.0.1.1"}} {
		setSwitch(t, a, arn("one"), state.one)
		setSwitch(t, a, arn("two"), state.two)
		// The switches have reached DNS once the failover pair answers as they say.
		waitFor(t, func() string { return sortedAnswer(ecsAnswers(t, a, "fo.agree.test.", "192.0.2.0", 24)) }, state.fo)
		for _, name := range names {
			for _, sn := range subnets {
				dnsAns := waitStable(t, func() string { return sortedAnswer(ecsAnswers(t, a, name+".agree.test.", sn.ip, uint8(sn.mask))) })
				ta, err := c.TestDNSAnswer(ctx, &r53.TestDNSAnswerInput{HostedZoneId: z.HostedZone.Id, RecordName: aws.String(name + ".agree.test"),
					RecordType: types.RRTypeA, EDNS0ClientSubnetIP: aws.String(sn.ip), EDNS0ClientSubnetMask: aws.String(fmt.Sprint(sn.mask))})
				if err != nil {
					t.Fatal(err)
				}
				if got := sortedAnswer(ta.RecordData); got != dnsAns {
					t.Errorf("one=%v two=%v %s from %s/%d: DNS %q, TestDNSAnswer %q", state.one, state.two, name, sn.ip, sn.mask, dnsAns, got)
				}
				rows++
			}
		}
	}
	t.Logf("%d rows agree", rows)
}

// setSwitch sets a routing control and waits until the health feed has it.
func setSwitch(t *testing.T, a *App, arn string, on bool) {
	t.Helper()
	if err := catalog.New(a.store).SetSwitch(context.Background(), arn, on); err != nil {
		t.Fatal(err)
	}
}

// waitStable returns get's value once two reads 50 ms apart agree, so that a
// switch just set has reached DNS.
func waitStable(t *testing.T, get func() string) string {
	t.Helper()
	prev := get()
	deadline := time.Now().Add(5 * time.Second)
	for {
		time.Sleep(20 * time.Millisecond)
		cur := get()
		if cur == prev && !strings.HasPrefix(cur, "rcode") {
			return cur
		}
		if time.Now().After(deadline) {
			t.Fatalf("answer does not settle: %q then %q", prev, cur)
		}
		prev = cur
	}
}

// ecsAnswers asks name A with an ECS option and returns the answer addresses.
func ecsAnswers(t *testing.T, a *App, name, subnet string, mask uint8) []string {
	t.Helper()
	r := ecsExchange(t, a, name, subnet, mask)
	if r.Rcode != dns.RcodeSuccess {
		return []string{"rcode " + dns.RcodeToString[r.Rcode]}
	}
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return out
}

func sortedAnswer(v []string) string {
	s := append([]string(nil), v...)
	sort.Strings(s)
	return strings.Join(s, ",")
}
