package route53_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func httpCheck(port int32) *types.HealthCheckConfig {
	return &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(port), ResourcePath: aws.String("health")}
}

func status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestHealthCheckLifecycle(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: httpCheck(8080)})
	if err != nil {
		t.Fatal(err)
	}
	hc := out.HealthCheck
	cfg := hc.HealthCheckConfig
	// Route 53's defaults are filled in and the path gets its leading slash.
	if aws.ToInt64(hc.HealthCheckVersion) != 1 || aws.ToInt32(cfg.RequestInterval) != 30 || aws.ToInt32(cfg.FailureThreshold) != 3 ||
		aws.ToString(cfg.ResourcePath) != "/health" || aws.ToBool(cfg.EnableSNI) || aws.ToString(out.Location) == "" {
		t.Fatalf("created %+v %+v", hc, cfg)
	}
	id := hc.Id
	// Same reference and settings: the same check again.
	again, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: httpCheck(8080)})
	if err != nil || aws.ToString(again.HealthCheck.Id) != aws.ToString(id) {
		t.Fatalf("idempotent create: %v", err)
	}
	// Updates with optimistic locking and resets.
	upd, err := c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: id, HealthCheckVersion: aws.Int64(1),
		FailureThreshold: aws.Int32(1), Inverted: aws.Bool(true), ResetElements: []types.ResettableElementName{types.ResettableElementNameResourcePath}})
	if err != nil || aws.ToInt64(upd.HealthCheck.HealthCheckVersion) != 2 || aws.ToInt32(upd.HealthCheck.HealthCheckConfig.FailureThreshold) != 1 ||
		upd.HealthCheck.HealthCheckConfig.ResourcePath != nil || !aws.ToBool(upd.HealthCheck.HealthCheckConfig.Inverted) {
		t.Fatalf("update: %v %+v", err, upd)
	}
	// Tags; the Name tag is the display name.
	if _, err := c.ChangeTagsForResource(ctx, &r53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: id,
		AddTags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("web-1")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeTagsForResource(ctx, &r53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: id,
		RemoveTagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &r53.ListTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: id})
	if err != nil || len(tags.ResourceTagSet.Tags) != 1 || aws.ToString(tags.ResourceTagSet.Tags[0].Value) != "web-1" {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	// In use by a record set: refused (a documented difference from Route 53).
	zone := createZone(t, c, "hc.test", "z")
	rec := change(types.ChangeActionCreate, "www.hc.test", types.RRTypeA, 60, "192.0.2.1")
	rec.ResourceRecordSet.HealthCheckId = id
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: zone.HostedZone.Id, ChangeBatch: &types.ChangeBatch{Changes: []types.Change{rec}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteHealthCheck(ctx, &r53.DeleteHealthCheckInput{HealthCheckId: id}); apiCode(err) != "HealthCheckInUse" || status(err) != http.StatusBadRequest {
		t.Fatalf("delete in use: %v", err)
	}
	rec.Action = types.ChangeActionDelete
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: zone.HostedZone.Id, ChangeBatch: &types.ChangeBatch{Changes: []types.Change{rec}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteHealthCheck(ctx, &r53.DeleteHealthCheckInput{HealthCheckId: id}); err != nil {
		t.Fatalf("delete unused: %v", err)
	}
	if _, err := c.GetHealthCheck(ctx, &r53.GetHealthCheckInput{HealthCheckId: id}); apiCode(err) != "NoSuchHealthCheck" || status(err) != 404 {
		t.Fatalf("deleted check: %v", err)
	}
	// A deleted check's reference stays used.
	if _, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: httpCheck(8080)}); apiCode(err) != "HealthCheckAlreadyExists" {
		t.Fatalf("reuse of deleted reference: %v", err)
	}
}

func TestHealthCheckErrors(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("base"), HealthCheckConfig: httpCheck(80)})
	if err != nil {
		t.Fatal(err)
	}
	id := out.HealthCheck.Id
	mod := func(f func(*types.HealthCheckConfig)) *types.HealthCheckConfig {
		cfg := httpCheck(80)
		f(cfg)
		return cfg
	}
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"reference reused with other settings", func() error {
			_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("base"), HealthCheckConfig: httpCheck(81)})
			return err
		}, "HealthCheckAlreadyExists", 409},
		{"wrong version", func() error {
			_, err := c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: id, HealthCheckVersion: aws.Int64(7), Disabled: aws.Bool(true)})
			return err
		}, "HealthCheckVersionMismatch", 409},
		{"FailureThreshold 11", func() error {
			_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("t11"), HealthCheckConfig: mod(func(c *types.HealthCheckConfig) { c.FailureThreshold = aws.Int32(11) })})
			return err
		}, "InvalidInput", 400},
		{"two regions", func() error {
			_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("r2"), HealthCheckConfig: mod(func(c *types.HealthCheckConfig) {
				c.Regions = []types.HealthCheckRegion{types.HealthCheckRegionUsEast1, types.HealthCheckRegionEuWest1}
			})})
			return err
		}, "InvalidInput", 400},
		{"SearchString on HTTP", func() error {
			_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("ss"), HealthCheckConfig: mod(func(c *types.HealthCheckConfig) { c.SearchString = aws.String("ok") })})
			return err
		}, "InvalidInput", 400},
		{"calculated without threshold", func() error {
			_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("calc"), HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeCalculated}})
			return err
		}, "InvalidInput", 400},
		{"calculated with unknown child", func() error {
			_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("calc2"), HealthCheckConfig: &types.HealthCheckConfig{
				Type: types.HealthCheckTypeCalculated, HealthThreshold: aws.Int32(1), ChildHealthChecks: []string{"nope"}}})
			return err
		}, "NoSuchHealthCheck", 404},
		{"record names a missing check", func() error {
			zone := createZone(t, c, "missing.test", "zm")
			rec := change(types.ChangeActionCreate, "www.missing.test", types.RRTypeA, 60, "192.0.2.1")
			rec.ResourceRecordSet.HealthCheckId = aws.String("00000000-0000-0000-0000-000000000000")
			_, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: zone.HostedZone.Id, ChangeBatch: &types.ChangeBatch{Changes: []types.Change{rec}}})
			return err
		}, "NoSuchHealthCheck", 404},
		{"tags on a missing check", func() error {
			_, err := c.ListTagsForResource(ctx, &r53.ListTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String("nope")})
			return err
		}, "NoSuchHealthCheck", 404},
		{"add an IP to a name-only check", func() error {
			o, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("fqdn"), HealthCheckConfig: &types.HealthCheckConfig{
				Type: types.HealthCheckTypeHttp, FullyQualifiedDomainName: aws.String("www.example.com")}})
			if err != nil {
				return err
			}
			_, err = c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: o.HealthCheck.Id, IPAddress: aws.String("127.0.0.1")})
			return err
		}, "InvalidInput", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if apiCode(err) != tt.code || status(err) != tt.status {
				t.Fatalf("got %q/%d (%v), want %s/%d", apiCode(err), status(err), err, tt.code, tt.status)
			}
		})
	}
	// The refused calls changed nothing.
	got, err := c.GetHealthCheck(ctx, &r53.GetHealthCheckInput{HealthCheckId: id})
	if err != nil || aws.ToInt64(got.HealthCheck.HealthCheckVersion) != 1 {
		t.Fatalf("base check: %v %+v", err, got)
	}
	cnt, err := c.GetHealthCheckCount(ctx, &r53.GetHealthCheckCountInput{})
	if err != nil || aws.ToInt64(cnt.HealthCheckCount) != 2 {
		t.Fatalf("count: %v %v", err, aws.ToInt64(cnt.HealthCheckCount))
	}
}

func TestListHealthChecksPaging(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	for i := range 5 {
		if _, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String(string(rune('a' + i))), HealthCheckConfig: httpCheck(int32(8000 + i))}); err != nil {
			t.Fatal(err)
		}
	}
	p := r53.NewListHealthChecksPaginator(c, &r53.ListHealthChecksInput{MaxItems: aws.Int32(2)})
	seen := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, hc := range page.HealthChecks {
			seen[aws.ToString(hc.Id)] = true
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged %d checks", len(seen))
	}
}
