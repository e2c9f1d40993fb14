package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

const (
	rootID     = "AKIDE2EROOT"
	rootSecret = "e2e-root-secret"
)

var rootEnv = []string{"VEDETTE_ROOT_ACCESS_KEY_ID=" + rootID, "VEDETTE_ROOT_SECRET_ACCESS_KEY=" + rootSecret}

func sdkClient(url string) *r53.Client {
	return r53.New(r53.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(rootID, rootSecret, ""),
	})
}

func simple(action types.ChangeAction, name string, typ types.RRType, value string) types.Change {
	return types.Change{Action: action, ResourceRecordSet: &types.ResourceRecordSet{
		Name: aws.String(name), Type: typ, TTL: aws.Int64(60),
		ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}},
	}}
}

// recordNames returns every record set name+type of a zone.
func recordNames(t *testing.T, c *r53.Client, zoneID *string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	p := r53.NewListResourceRecordSetsPaginator(c, &r53.ListResourceRecordSetsInput{HostedZoneId: zoneID})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.ResourceRecordSets {
			got[aws.ToString(r.Name)+" "+string(r.Type)] = true
		}
	}
	return got
}

// TestKill9LosesNoAcknowledgedBatch streams change batches from several
// clients, kills the server with SIGKILL mid-stream, restarts it on the same
// data and checks that every acknowledged batch is there and that no batch
// is half applied.
func TestKill9LosesNoAcknowledgedBatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServer(t, dir, rootEnv...)
	c := sdkClient(s.apiURL)
	ctx := context.Background()
	zone, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("crash.test"), CallerReference: aws.String("crash")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := zone.HostedZone.Id
	var (
		mu    sync.Mutex
		acked []int
		wg    sync.WaitGroup
	)
	const writers = 4
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += writers {
				_, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: &types.ChangeBatch{
					Changes: []types.Change{
						simple(types.ChangeActionCreate, fmt.Sprintf("a-%d.crash.test", i), types.RRTypeA, "192.0.2.1"),
						simple(types.ChangeActionCreate, fmt.Sprintf("b-%d.crash.test", i), types.RRTypeTxt, fmt.Sprintf(`"%d"`, i)),
					}}})
				if err != nil {
					return // the server died
				}
				mu.Lock()
				acked = append(acked, i)
				mu.Unlock()
			}
		}()
	}
	waitFor(t, 60*time.Second, "40 acknowledged batches", func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(acked) < 40 {
			return fmt.Errorf("%d acknowledged", len(acked))
		}
		return nil
	})
	s.kill(t)
	wg.Wait()
	mu.Lock()
	ackedAtKill := append([]int(nil), acked...)
	mu.Unlock()

	s2 := startServer(t, dir, rootEnv...)
	got := recordNames(t, sdkClient(s2.apiURL), zoneID)
	for _, i := range ackedAtKill {
		if !got[fmt.Sprintf("a-%d.crash.test. A", i)] || !got[fmt.Sprintf("b-%d.crash.test. TXT", i)] {
			t.Errorf("acknowledged batch %d lost after kill -9", i)
		}
	}
	for name := range got {
		if rest, ok := strings.CutPrefix(name, "a-"); ok {
			i := strings.TrimSuffix(rest, ".crash.test. A")
			if !got["b-"+i+".crash.test. TXT"] {
				t.Errorf("batch %s half applied: %s without its TXT", i, name)
			}
		}
		if rest, ok := strings.CutPrefix(name, "b-"); ok {
			i := strings.TrimSuffix(rest, ".crash.test. TXT")
			if !got["a-"+i+".crash.test. A"] {
				t.Errorf("batch %s half applied: %s without its A", i, name)
			}
		}
	}
	t.Logf("%d batches acknowledged before kill -9; %d record sets after restart", len(ackedAtKill), len(got))
	// DNS serves the recovered data.
	if i := ackedAtKill[len(ackedAtKill)-1]; dig(t, s2.dnsAddr, fmt.Sprintf("b-%d.crash.test", i), "TXT") != fmt.Sprintf(`"%d"`, i) {
		t.Errorf("DNS does not serve recovered batch %d", i)
	}
}

// TestRestartKeepsZones stops the server gracefully and starts it again.
func TestRestartKeepsZones(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServer(t, dir, rootEnv...)
	c := sdkClient(s.apiURL)
	ctx := context.Background()
	zone, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("keep.test"), CallerReference: aws.String("keep")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: zone.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{simple(types.ChangeActionCreate, "www.keep.test", types.RRTypeAaaa, "2001:db8::1")}}}); err != nil {
		t.Fatal(err)
	}
	s.stop(t)
	s2 := startServer(t, dir, rootEnv...)
	got := recordNames(t, sdkClient(s2.apiURL), zone.HostedZone.Id)
	if len(got) != 3 || !got["www.keep.test. AAAA"] {
		t.Fatalf("after restart: %v", got)
	}
	if a := dig(t, s2.dnsAddr, "www.keep.test", "AAAA"); a != "2001:db8::1" {
		t.Fatalf("dig after restart = %q", a)
	}
}
