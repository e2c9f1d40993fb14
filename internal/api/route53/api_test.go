package route53_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/store/bolt"
)

const (
	testKeyID  = "AKIDTESTKEY"
	testSecret = "test-secret-key"
)

type harness struct {
	url     string
	served  atomic.Int64
	catalog *catalog.Catalog
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "v.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	v, err := sigv4.NewVerifier(sigv4.Config{Keys: sigv4.StaticKeys{testKeyID: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{catalog: catalog.New(st)}
	api := route53.New(route53.Options{
		Catalog:        h.catalog,
		Auth:           route53.SigV4(v),
		NameServers:    []string{"ns1.vedette.test.", "ns2.vedette.test."},
		ServedRevision: h.served.Load,
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

func (h *harness) client(key, secret string) *r53.Client {
	return r53.New(r53.Options{
		Region:           "eu-west-3",
		BaseEndpoint:     aws.String(h.url),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func createZone(t *testing.T, c *r53.Client, name, ref string) *r53.CreateHostedZoneOutput {
	t.Helper()
	out, err := c.CreateHostedZone(context.Background(), &r53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(ref)})
	if err != nil {
		t.Fatalf("CreateHostedZone %s: %v", name, err)
	}
	return out
}

func change(action types.ChangeAction, name string, typ types.RRType, ttl int64, values ...string) types.Change {
	rs := &types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
	}
	return types.Change{Action: action, ResourceRecordSet: rs}
}

func TestHostedZoneLifecycle(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	out := createZone(t, c, "Example.COM", "ref-1")
	id := aws.ToString(out.HostedZone.Id)
	if !strings.HasPrefix(id, "/hostedzone/Z") || aws.ToString(out.HostedZone.Name) != "example.com." {
		t.Fatalf("zone = %s %s", id, aws.ToString(out.HostedZone.Name))
	}
	if got := out.DelegationSet.NameServers; len(got) != 2 || got[0] != "ns1.vedette.test." {
		t.Fatalf("delegation set = %v", got)
	}
	if aws.ToInt64(out.HostedZone.ResourceRecordSetCount) != 2 || out.ChangeInfo.Status != types.ChangeStatusPending {
		t.Fatalf("count=%d status=%s", aws.ToInt64(out.HostedZone.ResourceRecordSetCount), out.ChangeInfo.Status)
	}
	if _, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("other.com"), CallerReference: aws.String("ref-1")}); apiCode(err) != "HostedZoneAlreadyExists" {
		t.Fatalf("reused caller reference: %v", err)
	}
	got, err := c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String(id)})
	if err != nil || aws.ToString(got.HostedZone.Name) != "example.com." || len(got.DelegationSet.NameServers) != 2 {
		t.Fatalf("GetHostedZone: %v %+v", err, got)
	}
	upd, err := c.UpdateHostedZoneComment(ctx, &r53.UpdateHostedZoneCommentInput{Id: aws.String(id), Comment: aws.String("hello")})
	if err != nil || aws.ToString(upd.HostedZone.Config.Comment) != "hello" {
		t.Fatalf("UpdateHostedZoneComment: %v", err)
	}
	// Apex SOA and NS exist.
	recs, err := c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(id)})
	if err != nil || len(recs.ResourceRecordSets) != 2 || recs.ResourceRecordSets[0].Type != types.RRTypeNs || recs.ResourceRecordSets[1].Type != types.RRTypeSoa {
		t.Fatalf("apex records: %v %+v", err, recs)
	}
	// Not empty → HostedZoneNotEmpty; empty → deleted.
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(id), ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{change(types.ChangeActionCreate, "www.example.com", types.RRTypeA, 60, "192.0.2.1")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteHostedZone(ctx, &r53.DeleteHostedZoneInput{Id: aws.String(id)}); apiCode(err) != "HostedZoneNotEmpty" {
		t.Fatalf("delete non-empty zone: %v", err)
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(id), ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{change(types.ChangeActionDelete, "www.example.com", types.RRTypeA, 60, "192.0.2.1")}}}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteHostedZone(ctx, &r53.DeleteHostedZoneInput{Id: aws.String(id)})
	if err != nil || del.ChangeInfo == nil {
		t.Fatalf("DeleteHostedZone: %v", err)
	}
	if _, err := c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String(id)}); apiCode(err) != "NoSuchHostedZone" {
		t.Fatalf("deleted zone: %v", err)
	}
	cnt, err := c.GetHostedZoneCount(ctx, &r53.GetHostedZoneCountInput{})
	if err != nil || aws.ToInt64(cnt.HostedZoneCount) != 0 {
		t.Fatalf("count after delete: %v", err)
	}
}

func TestListHostedZonesPaging(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	names := []string{"b.example.", "a.example.", "www.a.example.", "z.org.", "a-b.example."}
	for i, n := range names {
		createZone(t, c, n, fmt.Sprintf("r%d", i))
	}
	var all []string
	p := r53.NewListHostedZonesPaginator(c, &r53.ListHostedZonesInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, z := range page.HostedZones {
			all = append(all, aws.ToString(z.Name))
		}
	}
	if len(all) != len(names) || pages != 3 {
		t.Fatalf("paged %d zones in %d pages: %v", len(all), pages, all)
	}
	cnt, err := c.GetHostedZoneCount(ctx, &r53.GetHostedZoneCountInput{})
	if err != nil || aws.ToInt64(cnt.HostedZoneCount) != 5 {
		t.Fatalf("count: %v %v", err, cnt)
	}
	// By name: labels reversed, so example. zones first ('-' sorts before '.').
	want := []string{"a-b.example.", "a.example.", "www.a.example.", "b.example.", "z.org."}
	var byName []string
	in := &r53.ListHostedZonesByNameInput{MaxItems: aws.Int32(2)}
	for {
		page, err := c.ListHostedZonesByName(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range page.HostedZones {
			byName = append(byName, aws.ToString(z.Name))
		}
		if !page.IsTruncated {
			break
		}
		in.DNSName, in.HostedZoneId = page.NextDNSName, page.NextHostedZoneId
	}
	if strings.Join(byName, " ") != strings.Join(want, " ") {
		t.Fatalf("by name = %v, want %v", byName, want)
	}
}

func TestChangeBatches(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	id := createZone(t, c, "example.com", "z").HostedZone.Id
	apply := func(changes ...types.Change) (*r53.ChangeResourceRecordSetsOutput, error) {
		return c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: id, ChangeBatch: &types.ChangeBatch{Changes: changes}})
	}
	out, err := apply(
		change(types.ChangeActionCreate, "www.example.com", types.RRTypeA, 60, "192.0.2.1", "192.0.2.2"),
		change(types.ChangeActionCreate, "www.example.com", types.RRTypeTxt, 60, `"v=1"`),
		change(types.ChangeActionUpsert, "mail.example.com.", types.RRTypeMx, 300, "10 mx.example.com."),
	)
	if err != nil {
		t.Fatal(err)
	}
	changeID := out.ChangeInfo.Id
	// GetChange: PENDING until DNS serves the revision, then INSYNC.
	gc, err := c.GetChange(ctx, &r53.GetChangeInput{Id: changeID})
	if err != nil || gc.ChangeInfo.Status != types.ChangeStatusPending {
		t.Fatalf("GetChange before served: %v %v", err, gc)
	}
	h.served.Store(1 << 40)
	gc, err = c.GetChange(ctx, &r53.GetChangeInput{Id: changeID})
	if err != nil || gc.ChangeInfo.Status != types.ChangeStatusInsync {
		t.Fatalf("GetChange after served: %v %v", err, gc)
	}
	if _, err := c.GetChange(ctx, &r53.GetChangeInput{Id: aws.String("CNOPE")}); apiCode(err) != "NoSuchChange" {
		t.Fatalf("unknown change: %v", err)
	}
	before := listAll(t, c, id, 100)
	// One invalid change: nothing applied, every problem named.
	_, err = apply(
		change(types.ChangeActionCreate, "new.example.com", types.RRTypeA, 60, "192.0.2.9"),
		change(types.ChangeActionCreate, "www.example.com", types.RRTypeA, 60, "192.0.2.1"),
		change(types.ChangeActionDelete, "gone.example.com", types.RRTypeA, 60, "192.0.2.1"),
	)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidChangeBatch" {
		t.Fatalf("invalid batch: %v", err)
	}
	for _, want := range []string{
		"Tried to create resource record set [name='www.example.com.', type='A'] but it already exists",
		"Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found",
	} {
		if !strings.Contains(ae.ErrorMessage(), want) {
			t.Errorf("message %q lacks %q", ae.ErrorMessage(), want)
		}
	}
	if after := listAll(t, c, id, 100); strings.Join(after, "|") != strings.Join(before, "|") {
		t.Fatalf("failed batch changed records:\n%v\n%v", before, after)
	}
	// UPSERT then DELETE.
	if _, err := apply(change(types.ChangeActionUpsert, "www.example.com", types.RRTypeA, 30, "192.0.2.3")); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(change(types.ChangeActionDelete, "www.example.com", types.RRTypeA, 30, "192.0.2.3")); err != nil {
		t.Fatal(err)
	}
	got := listAll(t, c, id, 100)
	want := []string{"example.com. NS", "example.com. SOA", "mail.example.com. MX", "www.example.com. TXT"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("records = %v, want %v", got, want)
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String("ZNOPE"), ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{change(types.ChangeActionCreate, "a.example.com", types.RRTypeA, 60, "192.0.2.1")}}}); apiCode(err) != "NoSuchHostedZone" {
		t.Fatalf("unknown zone: %v", err)
	}
}

// listAll pages through a zone's records with the given page size.
func listAll(t *testing.T, c *r53.Client, zoneID *string, pageSize int32) []string {
	t.Helper()
	var out []string
	in := &r53.ListResourceRecordSetsInput{HostedZoneId: zoneID, MaxItems: aws.Int32(pageSize)}
	for {
		page, err := c.ListResourceRecordSets(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.ResourceRecordSets) > int(pageSize) {
			t.Fatalf("page of %d > MaxItems %d", len(page.ResourceRecordSets), pageSize)
		}
		for _, r := range page.ResourceRecordSets {
			out = append(out, aws.ToString(r.Name)+" "+string(r.Type))
		}
		if !page.IsTruncated {
			return out
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
}

func TestListResourceRecordSetsOrderAndPaging(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	id := createZone(t, c, "example.com", "z").HostedZone.Id
	var changes []types.Change
	for _, n := range []string{"b", "a", "a-b", "x.a", "*", "c.b", "z"} {
		changes = append(changes, change(types.ChangeActionCreate, n+".example.com", types.RRTypeA, 60, "192.0.2.1"))
		changes = append(changes, change(types.ChangeActionCreate, n+".example.com", types.RRTypeTxt, 60, `"t"`))
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: id, ChangeBatch: &types.ChangeBatch{Changes: changes}}); err != nil {
		t.Fatal(err)
	}
	full := listAll(t, c, id, 300)
	for _, size := range []int32{1, 2, 3, 5} {
		if got := listAll(t, c, id, size); strings.Join(got, "|") != strings.Join(full, "|") {
			t.Fatalf("page size %d: %v\nwant %v", size, got, full)
		}
	}
	// Route 53 order: labels reversed, byte-wise ('-' < '.' < letters; '\' after digits), then type.
	keys := make([]string, len(full))
	for i, r := range full {
		name, typ, _ := strings.Cut(r, " ")
		l := strings.Split(strings.TrimSuffix(name, "."), ".")
		for a, b := 0, len(l)-1; a < b; a, b = a+1, b-1 {
			l[a], l[b] = l[b], l[a]
		}
		keys[i] = strings.Join(l, ".") + ". " + typ
	}
	if !sort.StringsAreSorted(keys) {
		t.Fatalf("not in Route 53 order: %v", full)
	}
	if full[2] != `\052.example.com. A` {
		t.Fatalf("wildcard should be listed as \\052 third, got %v", full)
	}
	// Starting points.
	page, err := c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: id, StartRecordName: aws.String("b.example.com"), StartRecordType: types.RRTypeTxt, MaxItems: aws.Int32(1)})
	if err != nil || aws.ToString(page.ResourceRecordSets[0].Name) != "b.example.com." || page.ResourceRecordSets[0].Type != types.RRTypeTxt ||
		aws.ToString(page.NextRecordName) != "c.b.example.com." || page.NextRecordType != types.RRTypeA {
		t.Fatalf("start at b TXT: %v %+v", err, page)
	}
	_, err = c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: id, StartRecordType: types.RRTypeA})
	if apiCode(err) != "InvalidInput" {
		t.Fatalf("type without name: %v", err)
	}
}

func TestAuthenticationFailuresChangeNothing(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	good := h.client(testKeyID, testSecret)
	createZone(t, good, "example.com", "z0")
	tests := []struct {
		name   string
		client *r53.Client
		code   string
	}{
		{name: "wrong secret", client: h.client(testKeyID, "wrong"), code: "SignatureDoesNotMatch"},
		{name: "unknown key", client: h.client("AKIDUNKNOWN", testSecret), code: "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("evil.com"), CallerReference: aws.String("evil-" + tt.name)})
			if apiCode(err) != tt.code {
				t.Fatalf("code = %q (%v), want %s", apiCode(err), err, tt.code)
			}
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
				t.Fatalf("status: %v", err)
			}
		})
	}
	// Stale and future signatures.
	for _, skew := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
		resp := signedAt(t, h.url, time.Now().Add(skew))
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("signature %v off: status %d", skew, resp.StatusCode)
		}
	}
	if resp := signedAt(t, h.url, time.Now()); resp.StatusCode != http.StatusCreated {
		t.Fatalf("fresh manual signature: status %d", resp.StatusCode)
	}
	// Unsigned requests.
	for _, req := range []struct{ method, path string }{{"GET", "/2013-04-01/hostedzone"}, {"POST", "/2013-04-01/hostedzone"}, {"DELETE", "/2013-04-01/hostedzone/Z1"}} {
		r, _ := http.NewRequest(req.method, h.url+req.path, strings.NewReader("<CreateHostedZoneRequest/>"))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("unsigned %s %s: %d", req.method, req.path, resp.StatusCode)
		}
	}
	cnt, err := good.GetHostedZoneCount(ctx, &r53.GetHostedZoneCountInput{})
	if err != nil || aws.ToInt64(cnt.HostedZoneCount) != 2 {
		t.Fatalf("zones after refused requests: %v %v", err, aws.ToInt64(cnt.HostedZoneCount))
	}
}

// signedAt sends a CreateHostedZone request signed with the SDK's signer at
// time t.
func signedAt(t *testing.T, url string, at time.Time) *http.Response {
	t.Helper()
	body := `<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>stale.com</Name><CallerReference>stale</CallerReference></CreateHostedZoneRequest>`
	req, _ := http.NewRequest("POST", url+"/2013-04-01/hostedzone", strings.NewReader(body))
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		req, hex.EncodeToString(sum[:]), "route53", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
