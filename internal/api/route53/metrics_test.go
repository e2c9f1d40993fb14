package route53_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
	"github.com/vedette-dns/vedette/internal/store/bolt"
)

// gatherAPI returns vedette_api_requests_total by "operation/code" and the
// sample count of vedette_api_request_duration_seconds by operation.
func gatherAPI(t *testing.T, reg *prometheus.Registry) (requests, observed map[string]float64) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	requests, observed = map[string]float64{}, map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if l["api"] != "route53" {
				t.Errorf("%s: api label %q", mf.GetName(), l["api"])
			}
			switch mf.GetName() {
			case "vedette_api_requests_total":
				requests[l["operation"]+"/"+l["code"]] = m.GetCounter().GetValue()
			case "vedette_api_request_duration_seconds":
				observed[l["operation"]] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return requests, observed
}

// Requests signed by the AWS SDK are counted by their AWS operation name
// and status; ones failing authentication and unknown paths as Unknown.
func TestMetricsCountRequests(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "v.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	v, err := sigv4.NewVerifier(sigv4.Config{Keys: sigv4.StaticKeys{testKeyID: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	srv := httptest.NewServer(route53.New(route53.Options{
		Catalog:     catalog.New(st),
		Auth:        route53.SigV4(v),
		NameServers: []string{"ns1.vedette.test."},
		Metrics:     selfmetrics.NewAPI(reg),
	}))
	t.Cleanup(srv.Close)
	client := func(secret string) *r53.Client {
		return r53.New(r53.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
			Credentials:      credentials.NewStaticCredentialsProvider(testKeyID, secret, ""),
			RetryMaxAttempts: 1,
		})
	}
	c, ctx := client(testSecret), context.Background()

	if _, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{
		Name: aws.String("example.com."), CallerReference: aws.String("ref-1"),
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.ListHostedZones(ctx, &r53.ListHostedZonesInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String("ZNOSUCHZONE")}); err == nil {
		t.Fatal("GetHostedZone of a missing zone succeeded")
	}
	if _, err := client("wrong-secret").ListHostedZones(ctx, &r53.ListHostedZonesInput{}); err == nil {
		t.Fatal("a bad signature was accepted")
	}
	resp, err := http.Post(srv.URL+"/2013-04-01/nosuchthing", "text/xml", strings.NewReader("<x/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // unsigned: 403, Unknown

	requests, observed := gatherAPI(t, reg)
	want := map[string]float64{
		"CreateHostedZone/201": 1,
		"ListHostedZones/200":  2,
		"GetHostedZone/404":    1,
		"Unknown/403":          2,
	}
	for k, n := range want {
		if requests[k] != n {
			t.Errorf("%s: %v requests, want %v (all: %v)", k, requests[k], n, requests)
		}
	}
	if len(requests) != len(want) {
		t.Errorf("requests %v, want %v", requests, want)
	}
	for op, n := range map[string]float64{"CreateHostedZone": 1, "ListHostedZones": 2, "GetHostedZone": 1, "Unknown": 2} {
		if observed[op] != n {
			t.Errorf("%s: %v durations, want %v", op, observed[op], n)
		}
	}
}
