package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
	"go.uber.org/goleak"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/config"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testConfig(t *testing.T) config.Serve {
	return config.Serve{
		DataDir: filepath.Join(t.TempDir(), "data"), DNSListen: "127.0.0.1:0", HTTPListen: "127.0.0.1:0",
		NameServers: []string{"ns1.test."}, DNSSockets: 2, LogLevel: "info", LogFormat: "text",
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startNode starts a node on fresh loopback ports (configure may adjust
// its configuration first) and returns it with an
// aws-sdk-go-v2 Route 53 client signed with its generated root key.
func startNode(t *testing.T, configure ...func(*config.Serve)) (*App, *r53.Client) {
	t.Helper()
	a, c, _, _ := startNodeKey(t, configure...)
	return a, c
}

// startNodeKey is startNode that also returns the root key.
func startNodeKey(t *testing.T, configure ...func(*config.Serve)) (_ *App, _ *r53.Client, id, secret string) {
	t.Helper()
	cfg := testConfig(t)
	for _, f := range configure {
		f(&cfg)
	}
	a, err := Start(cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if id, secret, err = sigv4.ReadCredentialsFile(filepath.Join(cfg.DataDir, CredentialsFile)); err != nil {
		t.Fatal(err)
	}
	return a, r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + a.HTTPAddr()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}), id, secret
}

// TestSDKChangesReachDNS drives the API with aws-sdk-go-v2 and checks every
// change with a DNS client, and that GetChange reports INSYNC.
func TestSDKChangesReachDNS(t *testing.T) {
	cfg := testConfig(t)
	a, err := Start(cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	id, secret, err := sigv4.ReadCredentialsFile(filepath.Join(cfg.DataDir, CredentialsFile))
	if err != nil {
		t.Fatalf("generated credentials: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(cfg.DataDir, CredentialsFile)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials mode %v", fi.Mode())
	}
	resp, err := http.Get("http://" + a.HTTPAddr() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()
	c := r53.New(r53.Options{Region: "ap-south-1", BaseEndpoint: aws.String("http://" + a.HTTPAddr()),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("sdk.test"), CallerReference: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		change types.Change
		qtype  uint16
		want   string // first answer's rdata, "" for no answer
	}{
		{rrChange(types.ChangeActionCreate, "www.sdk.test", types.RRTypeA, "192.0.2.1"), dns.TypeA, "192.0.2.1"},
		{rrChange(types.ChangeActionUpsert, "www.sdk.test", types.RRTypeA, "192.0.2.2"), dns.TypeA, "192.0.2.2"},
		{rrChange(types.ChangeActionDelete, "www.sdk.test", types.RRTypeA, "192.0.2.2"), dns.TypeA, ""},
		{rrChange(types.ChangeActionCreate, "www.sdk.test", types.RRTypeAaaa, "2001:db8::7"), dns.TypeAAAA, "2001:db8::7"},
	}
	for _, st := range steps {
		out, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
			ChangeBatch: &types.ChangeBatch{Changes: []types.Change{st.change}}})
		if err != nil {
			t.Fatal(err)
		}
		waitInsync(t, c, out.ChangeInfo.Id)
		// INSYNC means DNS already serves it: no polling needed here.
		m := new(dns.Msg).SetQuestion("www.sdk.test.", st.qtype)
		r, err := dns.Exchange(m, a.DNSAddr())
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(r.Answer) > 0 {
			got = rdata(r.Answer[0])
		}
		if got != st.want || !r.Authoritative {
			t.Fatalf("%s: answer %q (aa=%v), want %q", st.change.Action, got, r.Authoritative, st.want)
		}
	}
}

func rrChange(action types.ChangeAction, name string, typ types.RRType, value string) types.Change {
	return types.Change{Action: action, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String(name), Type: typ,
		TTL: aws.Int64(60), ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}}
}

func rdata(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.A:
		return v.A.String()
	case *dns.AAAA:
		return v.AAAA.String()
	}
	return rr.String()
}

func waitInsync(t *testing.T, c *r53.Client, id *string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.GetChange(context.Background(), &r53.GetChangeInput{Id: id})
		if err != nil {
			t.Fatal(err)
		}
		if out.ChangeInfo.Status == types.ChangeStatusInsync {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("change %s still %s", aws.ToString(id), out.ChangeInfo.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEnvironmentCredentials(t *testing.T) {
	cfg := testConfig(t)
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey = "AKIDENV", "env-secret"
	a, err := Start(cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := os.Stat(filepath.Join(cfg.DataDir, CredentialsFile)); !os.IsNotExist(err) {
		t.Fatalf("credentials file written although keys came from the environment: %v", err)
	}
	c := r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + a.HTTPAddr()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDENV", "env-secret", "")})
	if _, err := c.GetHostedZoneCount(context.Background(), &r53.GetHostedZoneCountInput{}); err != nil {
		t.Fatal(err)
	}
}
