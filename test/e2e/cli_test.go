package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsCLIs are the AWS CLIs the tests drive: v1 (pip, on PATH) and Debian's v2.
// A missing CLI fails the test: the README's test command installs them.
func awsCLIs(t *testing.T) map[string]string {
	t.Helper()
	clis := map[string]string{"v2": "/usr/bin/aws"}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, "aws")
		if p == "/usr/bin/aws" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			clis["path"] = p
			break
		}
	}
	for name, p := range clis {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("AWS CLI %s missing (%s): run ./scripts/test.sh, which installs it", name, p)
		}
	}
	return clis
}

type cli struct {
	t   *testing.T
	bin string
	url string
	env []string
	// service is the CLI's service command; default route53.
	service string
}

// as returns a copy of c that runs commands of another service.
func (c *cli) as(service string) *cli {
	d := *c
	d.service = service
	return &d
}

// run runs one route53 command and decodes its JSON output into out (if not nil).
func (c *cli) run(out any, args ...string) {
	c.t.Helper()
	if err := c.try(out, args...); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cli) try(out any, args ...string) error {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	service := c.service
	if service == "" {
		service = "route53"
	}
	all := append([]string{"--endpoint-url", c.url, "--output", "json", service}, args...)
	cmd := exec.CommandContext(ctx, c.bin, all...)
	cmd.Env = append(os.Environ(), c.env...)
	b, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return &cliError{args: args, err: err, stderr: stderr}
	}
	if out != nil && len(strings.TrimSpace(string(b))) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("aws %v: bad JSON %v: %s", args, err, b)
		}
	}
	return nil
}

type cliError struct {
	args   []string
	err    error
	stderr string
}

func (e *cliError) Error() string {
	return "aws " + strings.Join(e.args, " ") + ": " + e.err.Error() + "\n" + e.stderr
}

func batch(t *testing.T, changes ...string) string {
	t.Helper()
	return `{"Comment":"e2e","Changes":[` + strings.Join(changes, ",") + `]}`
}

func rr(action, name, typ string, ttl int, values ...string) string {
	var rrs []string
	for _, v := range values {
		b, _ := json.Marshal(v)
		rrs = append(rrs, `{"Value":`+string(b)+`}`)
	}
	return `{"Action":"` + action + `","ResourceRecordSet":{"Name":"` + name + `","Type":"` + typ + `","TTL":` +
		itoa(ttl) + `,"ResourceRecords":[` + strings.Join(rrs, ",") + `]}}`
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestAWSCLIAndDig follows the README: a server on its defaults with a
// generated credentials file, driven by each AWS CLI; dig sees every change.
func TestAWSCLIAndDig(t *testing.T) {
	if _, err := exec.LookPath("dig"); err != nil {
		t.Fatal("dig missing: run ./scripts/test.sh, which installs bind9-dnsutils")
	}
	for name, bin := range awsCLIs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := startServer(t, filepath.Join(dir, "data"))
			creds := filepath.Join(s.dataDir, "credentials")
			if fi, err := os.Stat(creds); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("credentials file: %v %v", err, fi)
			}
			c := &cli{t: t, bin: bin, url: s.apiURL, env: []string{
				"AWS_SHARED_CREDENTIALS_FILE=" + creds, "AWS_CONFIG_FILE=" + filepath.Join(dir, "none"),
				"AWS_DEFAULT_REGION=eu-central-1", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PAGER=",
			}}
			cliScenario(t, c, s)
		})
	}
}

func cliScenario(t *testing.T, c *cli, s *server) {
	var created struct {
		HostedZone    struct{ Id, Name string }
		DelegationSet struct{ NameServers []string }
	}
	c.run(&created, "create-hosted-zone", "--name", "example.com", "--caller-reference", "cli-1")
	zoneID := created.HostedZone.Id
	if created.HostedZone.Name != "example.com." || len(created.DelegationSet.NameServers) == 0 {
		t.Fatalf("created %+v", created)
	}
	var changed struct{ ChangeInfo struct{ Id, Status string } }
	c.run(&changed, "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch", batch(t,
		rr("CREATE", "www.example.com", "A", 60, "192.0.2.1", "192.0.2.2"),
		rr("CREATE", "mail.example.com", "MX", 300, "10 mx.example.com."),
		rr("CREATE", "txt.example.com", "TXT", 300, `"hello world"`),
		rr("CREATE", "alias.example.com", "CNAME", 300, "www.example.com"),
	))
	// GetChange becomes INSYNC once DNS serves it.
	waitFor(t, 30*time.Second, "INSYNC", func() error {
		var got struct{ ChangeInfo struct{ Status string } }
		c.run(&got, "get-change", "--id", changed.ChangeInfo.Id)
		if got.ChangeInfo.Status != "INSYNC" {
			return errString("status " + got.ChangeInfo.Status)
		}
		return nil
	})
	if got := dig(t, s.dnsAddr, "www.example.com", "A"); got != "192.0.2.1\n192.0.2.2" {
		t.Fatalf("dig www A = %q", got)
	}
	if got := dig(t, s.dnsAddr, "alias.example.com", "A"); got != "www.example.com.\n192.0.2.1\n192.0.2.2" {
		t.Fatalf("dig alias A (CNAME chased) = %q", got)
	}
	if got := dig(t, s.dnsAddr, "txt.example.com", "TXT"); got != `"hello world"` {
		t.Fatalf("dig TXT = %q", got)
	}
	// UPSERT and DELETE.
	c.run(nil, "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch", batch(t,
		rr("UPSERT", "www.example.com", "A", 60, "192.0.2.9"),
		rr("DELETE", "mail.example.com", "MX", 300, "10 mx.example.com."),
	))
	waitFor(t, 10*time.Second, "UPSERT visible in DNS", func() error {
		if got := dig(t, s.dnsAddr, "www.example.com", "A"); got != "192.0.2.9" {
			return errString("www A = " + got)
		}
		return nil
	})
	if got := dig(t, s.dnsAddr, "mail.example.com", "MX"); got != "" {
		t.Fatalf("deleted MX still answered: %q", got)
	}
	// An invalid batch changes nothing and names the problem.
	err := c.try(nil, "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch", batch(t,
		rr("CREATE", "new.example.com", "A", 60, "192.0.2.5"),
		rr("CREATE", "www.example.com", "A", 60, "192.0.2.5"),
	))
	if err == nil || !strings.Contains(err.Error(), "InvalidChangeBatch") || !strings.Contains(err.Error(), "but it already exists") {
		t.Fatalf("invalid batch: %v", err)
	}
	if got := dig(t, s.dnsAddr, "new.example.com", "A"); got != "" {
		t.Fatalf("failed batch was partly applied: %q", got)
	}
	// Page through records one at a time (the CLI follows NextRecordName/Type).
	var list struct{ ResourceRecordSets []struct{ Name, Type string } }
	c.run(&list, "list-resource-record-sets", "--hosted-zone-id", zoneID, "--page-size", "1")
	var names []string
	for _, r := range list.ResourceRecordSets {
		names = append(names, r.Name+" "+r.Type)
	}
	want := "example.com. NS|example.com. SOA|alias.example.com. CNAME|txt.example.com. TXT|www.example.com. A"
	if strings.Join(names, "|") != want {
		t.Fatalf("records = %v\nwant %s", names, want)
	}
	var zones struct{ HostedZones []struct{ Id string } }
	c.run(&zones, "list-hosted-zones")
	if len(zones.HostedZones) != 1 || zones.HostedZones[0].Id != zoneID {
		t.Fatalf("list-hosted-zones = %+v", zones)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
