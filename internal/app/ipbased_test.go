package app

import (
	"context"
	"net"

	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

// TestIPBasedRoutingWithECS: IP-based record sets answer by the EDNS client
// subnet (most specific block, default "*" otherwise), replies carry the
// ECS scope, and TestDNSAnswer agrees.
func TestIPBasedRoutingWithECS(t *testing.T) {
	a, c := startNode(t)
	ctx := context.Background()
	col, err := c.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String("nets"), CallerReference: aws.String("n")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: col.Collection.Id, Changes: []types.CidrCollectionChange{
		{LocationName: aws.String("wide"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"10.0.0.0/8"}},
		{LocationName: aws.String("narrow"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"10.1.0.0/16", "2001:db8::/32"}},
	}}); err != nil {
		t.Fatal(err)
	}
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("ip.test"), CallerReference: aws.String("ip")})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(loc, ip string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("www.ip.test"), Type: types.RRTypeA, SetIdentifier: aws.String(loc), TTL: aws.Int64(60),
			CidrRoutingConfig: &types.CidrRoutingConfig{CollectionId: col.Collection.Id, LocationName: aws.String(loc)},
			ResourceRecords:   []types.ResourceRecord{{Value: aws.String(ip)}}}}
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{rec("wide", "192.0.2.8"), rec("narrow", "192.0.2.16"), rec("*", "192.0.2.99")}}}); err != nil {
		t.Fatal(err)
	}
	bad := rec("nowhere", "192.0.2.1")
	bad.ResourceRecordSet.Name = aws.String("other.ip.test")
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{bad}}}); err == nil || !strings.Contains(err.Error(), "NoSuchCidrLocationException") {
		t.Fatalf("unknown location: %v", err)
	}
	if _, err := c.DeleteCidrCollection(ctx, &r53.DeleteCidrCollectionInput{Id: col.Collection.Id}); err == nil || !strings.Contains(err.Error(), "CidrCollectionInUseException") {
		t.Fatalf("delete collection in use: %v", err)
	}
	tests := []struct {
		subnet string
		mask   uint8
		want   string
		scope  uint8
	}{
		{"10.1.2.0", 24, "192.0.2.16", 24}, // inside both blocks: the /16 wins
		{"10.9.0.0", 24, "192.0.2.8", 24},
		{"10.0.0.0", 7, "192.0.2.99", 7}, // shorter than the /8 block: no match
		{"203.0.113.0", 24, "192.0.2.99", 24},
		{"2001:db8:1::", 48, "192.0.2.16", 48},
	}
	for _, tt := range tests {
		waitFor(t, func() string {
			m := new(dns.Msg).SetQuestion("www.ip.test.", dns.TypeA)
			m.SetEdns0(1232, false)
			fam := uint16(1)
			if strings.Contains(tt.subnet, ":") {
				fam = 2
			}
			m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: fam, SourceNetmask: tt.mask, Address: net.ParseIP(tt.subnet)})
			r, err := dns.Exchange(m, a.DNSAddr())
			if err != nil || len(r.Answer) != 1 {
				t.Fatalf("query %s/%d: %v %v", tt.subnet, tt.mask, err, r)
			}
			var scope int = -1
			for _, o := range r.IsEdns0().Option {
				if e, ok := o.(*dns.EDNS0_SUBNET); ok {
					scope = int(e.SourceScope)
				}
			}
			if scope != int(tt.scope) {
				t.Fatalf("%s/%d: ECS scope %d, want %d", tt.subnet, tt.mask, scope, tt.scope)
			}
			return r.Answer[0].(*dns.A).A.String()
		}, tt.want)
		ta, err := c.TestDNSAnswer(ctx, &r53.TestDNSAnswerInput{HostedZoneId: z.HostedZone.Id, RecordName: aws.String("www.ip.test"),
			RecordType: types.RRTypeA, EDNS0ClientSubnetIP: aws.String(tt.subnet), EDNS0ClientSubnetMask: aws.String(itoa(int(tt.mask)))})
		if err != nil || strings.Join(ta.RecordData, ",") != tt.want {
			t.Fatalf("TestDNSAnswer %s/%d: %v %v, want %s", tt.subnet, tt.mask, err, ta, tt.want)
		}
	}
	// Without ECS the source address (127.0.0.1) decides: the default.
	r, err := dns.Exchange(new(dns.Msg).SetQuestion("www.ip.test.", dns.TypeA), a.DNSAddr())
	if err != nil || len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.99" {
		t.Fatalf("no ECS: %v %v", err, r)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
