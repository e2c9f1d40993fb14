package app

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/model"
)

// startRemoteNode starts a node without the embedded checker and returns it
// with a checker-API client signed with the root key.
func startRemoteNode(t *testing.T) (*App, *r53.Client, *checkerapi.Client) {
	t.Helper()
	cfg := testConfig(t)
	cfg.NoChecker = true
	a, err := Start(cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	id, secret, err := sigv4.ReadCredentialsFile(filepath.Join(cfg.DataDir, CredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	c := r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + a.HTTPAddr()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	return a, c, &checkerapi.Client{BaseURL: "http://" + a.HTTPAddr(), AccessKeyID: id, SecretAccessKey: secret}
}

// TestCheckerKeyRefusedByRoute53: a checker key gets 403 AccessDenied from
// every Route 53 operation, and the checker API accepts it.
func TestCheckerKeyRefusedByRoute53(t *testing.T) {
	_, root, rootChk := startRemoteNode(t)
	ctx := context.Background()
	key, err := rootChk.CreateKey(ctx, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	c := r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: root.Options().BaseEndpoint, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key.AccessKeyID, key.SecretAccessKey, "")})
	id, typ := aws.String("Z1"), types.TagResourceTypeHealthcheck
	ops := map[string]func() error{
		"CreateHostedZone": func() error {
			_, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("x.test."), CallerReference: aws.String("r")})
			return err
		},
		"ListHostedZones": func() error { _, err := c.ListHostedZones(ctx, &r53.ListHostedZonesInput{}); return err },
		"GetHostedZone":   func() error { _, err := c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: id}); return err },
		"UpdateHostedZoneComment": func() error {
			_, err := c.UpdateHostedZoneComment(ctx, &r53.UpdateHostedZoneCommentInput{Id: id, Comment: aws.String("c")})
			return err
		},
		"DeleteHostedZone":      func() error { _, err := c.DeleteHostedZone(ctx, &r53.DeleteHostedZoneInput{Id: id}); return err },
		"ListHostedZonesByName": func() error { _, err := c.ListHostedZonesByName(ctx, &r53.ListHostedZonesByNameInput{}); return err },
		"GetHostedZoneCount":    func() error { _, err := c.GetHostedZoneCount(ctx, &r53.GetHostedZoneCountInput{}); return err },
		"ChangeResourceRecordSets": func() error {
			_, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: id, ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{
				Action: types.ChangeActionUpsert, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("a.x.test."), Type: types.RRTypeA, TTL: aws.Int64(60),
					ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}}}}})
			return err
		},
		"ListResourceRecordSets": func() error {
			_, err := c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: id})
			return err
		},
		"GetChange": func() error { _, err := c.GetChange(ctx, &r53.GetChangeInput{Id: aws.String("C1")}); return err },
		"GetHostedZoneLimit": func() error {
			_, err := c.GetHostedZoneLimit(ctx, &r53.GetHostedZoneLimitInput{HostedZoneId: id, Type: types.HostedZoneLimitTypeMaxRrsetsByZone})
			return err
		},
		"GetAccountLimit": func() error {
			_, err := c.GetAccountLimit(ctx, &r53.GetAccountLimitInput{Type: types.AccountLimitTypeMaxHealthChecksByOwner})
			return err
		},
		"CreateHealthCheck": func() error {
			_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("r"), HealthCheckConfig: &types.HealthCheckConfig{
				Type: types.HealthCheckTypeTcp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(1)}})
			return err
		},
		"ListHealthChecks": func() error { _, err := c.ListHealthChecks(ctx, &r53.ListHealthChecksInput{}); return err },
		"GetHealthCheck":   func() error { _, err := c.GetHealthCheck(ctx, &r53.GetHealthCheckInput{HealthCheckId: id}); return err },
		"UpdateHealthCheck": func() error {
			_, err := c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: id, Disabled: aws.Bool(true)})
			return err
		},
		"DeleteHealthCheck": func() error {
			_, err := c.DeleteHealthCheck(ctx, &r53.DeleteHealthCheckInput{HealthCheckId: id})
			return err
		},
		"GetHealthCheckStatus": func() error {
			_, err := c.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: id})
			return err
		},
		"GetHealthCheckLastFailureReason": func() error {
			_, err := c.GetHealthCheckLastFailureReason(ctx, &r53.GetHealthCheckLastFailureReasonInput{HealthCheckId: id})
			return err
		},
		"GetHealthCheckCount": func() error { _, err := c.GetHealthCheckCount(ctx, &r53.GetHealthCheckCountInput{}); return err },
		"GetCheckerIpRanges":  func() error { _, err := c.GetCheckerIpRanges(ctx, &r53.GetCheckerIpRangesInput{}); return err },
		"TestDNSAnswer": func() error {
			_, err := c.TestDNSAnswer(ctx, &r53.TestDNSAnswerInput{HostedZoneId: id, RecordName: aws.String("a.x.test."), RecordType: types.RRTypeA})
			return err
		},
		"CreateCidrCollection": func() error {
			_, err := c.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String("n"), CallerReference: aws.String("r")})
			return err
		},
		"ListCidrCollections": func() error { _, err := c.ListCidrCollections(ctx, &r53.ListCidrCollectionsInput{}); return err },
		"ChangeCidrCollection": func() error {
			_, err := c.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: aws.String("c0ffee00-0000-0000-0000-000000000000"),
				Changes: []types.CidrCollectionChange{{Action: types.CidrCollectionChangeActionPut, LocationName: aws.String("l"), CidrList: []string{"192.0.2.0/24"}}}})
			return err
		},
		"ListCidrLocations": func() error {
			_, err := c.ListCidrLocations(ctx, &r53.ListCidrLocationsInput{CollectionId: aws.String("c0ffee00-0000-0000-0000-000000000000")})
			return err
		},
		"ListCidrBlocks": func() error {
			_, err := c.ListCidrBlocks(ctx, &r53.ListCidrBlocksInput{CollectionId: aws.String("c0ffee00-0000-0000-0000-000000000000")})
			return err
		},
		"DeleteCidrCollection": func() error {
			_, err := c.DeleteCidrCollection(ctx, &r53.DeleteCidrCollectionInput{Id: aws.String("c0ffee00-0000-0000-0000-000000000000")})
			return err
		},
		"ListTagsForResource": func() error {
			_, err := c.ListTagsForResource(ctx, &r53.ListTagsForResourceInput{ResourceId: id, ResourceType: typ})
			return err
		},
		"ChangeTagsForResource": func() error {
			_, err := c.ChangeTagsForResource(ctx, &r53.ChangeTagsForResourceInput{ResourceId: id, ResourceType: typ,
				AddTags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		},
		"ListTagsForResources": func() error {
			_, err := c.ListTagsForResources(ctx, &r53.ListTagsForResourcesInput{ResourceIds: []string{"Z1"}, ResourceType: typ})
			return err
		},
	}
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			err := ops[name]()
			var ae smithy.APIError
			var re *smithyhttp.ResponseError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
				t.Fatalf("err = %v, want 403 AccessDenied", err)
			}
		})
	}
	// The root key still works, and the checker key works on the checker API
	// for its own region only.
	if _, err := root.ListHostedZones(ctx, &r53.ListHostedZonesInput{}); err != nil {
		t.Fatalf("root ListHostedZones: %v", err)
	}
	chk := &checkerapi.Client{BaseURL: rootChk.BaseURL, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
	if _, _, err := chk.Assignments(ctx, "eu-west-1", 0, 0); err != nil {
		t.Fatalf("checker key assignments: %v", err)
	}
	var se *checkerapi.StatusError
	if _, _, err := chk.Assignments(ctx, "us-east-1", 0, 0); !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("assignments of another region: %v, want 403", err)
	}
	if _, err := chk.CreateKey(ctx, "eu-west-1"); !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("checker key creating a key: %v, want 403", err)
	}
}

// TestRemoteObservations: assignments follow the configuration (with an
// ETag that long-polls), posted observations reach GetHealthCheckStatus with
// their region and source address, and GetCheckerIpRanges lists the source.
func TestRemoteObservations(t *testing.T) {
	_, r, chk := startRemoteNode(t)
	ctx := context.Background()
	first, ok, err := chk.Assignments(ctx, "a", 0, 0)
	if err != nil || !ok || len(first.HealthChecks) != 0 {
		t.Fatalf("assignments = %+v %v %v", first, ok, err)
	}
	out, err := r.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("r1"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeTcp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(9), RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("r2"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeTcp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(9), Regions: []types.HealthCheckRegion{"us-east-1", "eu-west-1", "sa-east-1"}}}); err != nil {
		t.Fatal(err)
	}
	hcID := *out.HealthCheck.Id
	// The feed applies the two creates one after the other; wait until the
	// second (visible to us-east-1 only) is in, so no bump is still pending.
	deadline := time.Now().Add(5 * time.Second)
	for {
		us, _, err := chk.Assignments(ctx, "us-east-1", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(us.HealthChecks) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("us-east-1 assignments = %+v, want both checks", us)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The long poll returns when the configuration changes (it already has).
	next, ok, err := chk.Assignments(ctx, "a", first.Revision, 5*time.Second)
	if err != nil || !ok || len(next.HealthChecks) != 1 || next.HealthChecks[0].ID != hcID {
		t.Fatalf("assignments after create = %+v %v %v", next, ok, err)
	}
	start := time.Now()
	if _, ok, err := chk.Assignments(ctx, "a", next.Revision, time.Second); ok || err != nil {
		t.Fatalf("unchanged assignments: ok=%v err=%v, want 304", ok, err)
	}
	if time.Since(start) < 900*time.Millisecond {
		t.Fatalf("304 after %v, want a wait of about 1 s", time.Since(start))
	}
	now := time.Now()
	b := checkerapi.Batch{CheckerID: "c1", Region: "a", SourceIP: "127.0.0.11", Observations: []model.Observation{
		{HealthCheckID: hcID, CheckerID: "c1", Region: "a", Time: now, Success: true, Reason: "Success: TCP connection established"}}}
	if err := chk.Post(ctx, b); err != nil {
		t.Fatal(err)
	}
	bad := b
	bad.Observations = []model.Observation{{HealthCheckID: hcID, CheckerID: "other", Region: "a", Time: now}}
	var se *checkerapi.StatusError
	if err := chk.Post(ctx, bad); !errors.As(err, &se) || se.Status != 400 {
		t.Fatalf("mismatched checker id: %v, want 400", err)
	}
	st, err := r.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: aws.String(hcID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.HealthCheckObservations) != 1 || st.HealthCheckObservations[0].Region != "a" || aws.ToString(st.HealthCheckObservations[0].IPAddress) != "127.0.0.11" {
		t.Fatalf("observations = %+v", st.HealthCheckObservations)
	}
	ranges, err := r.GetCheckerIpRanges(ctx, &r53.GetCheckerIpRangesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ranges.CheckerIpRanges, "127.0.0.11/32") {
		t.Fatalf("checker ranges = %v", ranges.CheckerIpRanges)
	}
}

// TestNoLiveCheckerNote: without a live checker in a check's regions,
// GetHealthCheckStatus returns no observation and says why (VedetteNote and
// X-Vedette-Note); once a checker of one region calls, the note goes.
func TestNoLiveCheckerNote(t *testing.T) {
	_, r, chk := startRemoteNode(t)
	ctx := context.Background()
	out, err := r.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("n1"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeTcp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(9), Regions: []types.HealthCheckRegion{"us-east-1", "eu-west-1", "sa-east-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	note := func() string {
		st, err := r.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: out.HealthCheck.Id})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.HealthCheckObservations) != 0 {
			t.Fatalf("observations %+v: none may be invented", st.HealthCheckObservations)
		}
		raw, ok := awsmiddleware.GetRawResponse(st.ResultMetadata).(*smithyhttp.Response)
		if !ok {
			t.Fatal("no raw response")
		}
		return raw.Header.Get(route53.NoteHeader)
	}
	if n := note(); !strings.Contains(n, "No live health checker in this check's regions (us-east-1, eu-west-1, sa-east-1)") {
		t.Fatalf("note = %q", n)
	}
	if _, _, err := chk.Assignments(ctx, "b", 0, 0); err != nil { // a region the check does not use
		t.Fatal(err)
	}
	if n := note(); n == "" {
		t.Fatal("a checker of another region removed the note")
	}
	if _, _, err := chk.Assignments(ctx, "eu-west-1", 0, 0); err != nil {
		t.Fatal(err)
	}
	if n := note(); n != "" {
		t.Fatalf("note with a live eu-west-1 checker: %q", n)
	}
}
