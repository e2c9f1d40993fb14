package app

import (
	"context"
	"net"

	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

// TestFailoverFollowsHealthAndTestDNSAnswerAgrees: a failover pair with
// interval-1 checks; DNS and TestDNSAnswer both answer the primary, then the
// secondary within interval × threshold + 1 s of the primary stopping, then
// the primary again.
func TestFailoverFollowsHealthAndTestDNSAnswerAgrees(t *testing.T) {
	a, c := startNode(t)
	ctx := context.Background()
	primary, secondary := startTarget(t, "127.0.0.1:0"), startTarget(t, "127.0.0.1:0")
	check := func(ref string, tg *target) *string {
		_, port, _ := net.SplitHostPort(tg.addr)
		out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String(ref), HealthCheckConfig: &types.HealthCheckConfig{
			Type: types.HealthCheckTypeHttp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(int32(atoi(port))),
			RequestInterval: aws.Int32(1), FailureThreshold: aws.Int32(1)}})
		if err != nil {
			t.Fatal(err)
		}
		return out.HealthCheck.Id
	}
	hcP, hcS := check("p", primary), check("s", secondary)
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("fo.test"), CallerReference: aws.String("fo")})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(id string, role types.ResourceRecordSetFailover, ip string, hc *string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("app.fo.test"), Type: types.RRTypeA, SetIdentifier: aws.String(id), Failover: role, TTL: aws.Int64(1),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}, HealthCheckId: hc}}
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{rec("p", types.ResourceRecordSetFailoverPrimary, "192.0.2.1", hcP), rec("s", types.ResourceRecordSetFailoverSecondary, "192.0.2.2", hcS)}}}); err != nil {
		t.Fatal(err)
	}
	answers := func() (dnsAnswer, testAnswer string) {
		r, err := dns.Exchange(new(dns.Msg).SetQuestion("app.fo.test.", dns.TypeA), a.DNSAddr())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, rr := range r.Answer {
			got = append(got, rr.(*dns.A).A.String())
		}
		ta, err := c.TestDNSAnswer(ctx, &r53.TestDNSAnswerInput{HostedZoneId: z.HostedZone.Id, RecordName: aws.String("app.fo.test"), RecordType: types.RRTypeA})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(ta.ResponseCode) != "NOERROR" {
			t.Fatalf("TestDNSAnswer rcode %s", aws.ToString(ta.ResponseCode))
		}
		return strings.Join(got, ","), strings.Join(ta.RecordData, ",")
	}
	expect := func(want string, limit time.Duration) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for {
			d, ta := answers()
			if d == want && ta == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("dns %q, TestDNSAnswer %q; want %q", d, ta, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	expect("192.0.2.1", 3*time.Second)
	primary.stop()
	expect("192.0.2.2", 2*time.Second) // interval 1 × threshold 1 + 1 s
	startTarget(t, primary.addr)
	expect("192.0.2.1", 2*time.Second)
}
