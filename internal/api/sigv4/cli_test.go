package sigv4_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
)

// awsCLIs returns the AWS CLI binaries to test: "aws" on PATH, which must
// exist (CI installs it), and Debian's v2 at /usr/bin/aws when present.
func awsCLIs(t *testing.T) []string {
	t.Helper()
	onPath, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the AWS CLI must be on PATH for this test: %v", err)
	}
	clis := []string{onPath}
	const v2 = "/usr/bin/aws"
	if st, err := os.Stat(v2); err == nil {
		if pst, err := os.Stat(onPath); err != nil || !os.SameFile(st, pst) {
			clis = append(clis, v2)
		}
	}
	return clis
}

// cliEnv is the environment for one CLI run: the test's own, minus anything
// AWS- or proxy-related, plus vars.
func cliEnv(vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasSuffix(strings.ToUpper(k), "_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
		"NO_PROXY=127.0.0.1,localhost",
	)
	return append(env, vars...)
}

func TestAWSCLI(t *testing.T) {
	genID, genSecret, err := sigv4.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigv4.NewVerifier(sigv4.Config{Keys: sigv4.StaticKeys{testKeyID: testSecret, genID: genSecret}})
	if err != nil {
		t.Fatal(err)
	}
	srv := startRoute53(t, v)

	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	generated := filepath.Join(dir, "credentials")
	if err := sigv4.WriteCredentialsFile(generated, genID, genSecret); err != nil {
		t.Fatal(err)
	}
	keys := func(id, secret, region string) []string {
		return []string{"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_DEFAULT_REGION=" + region,
			"AWS_CONFIG_FILE=" + empty, "AWS_SHARED_CREDENTIALS_FILE=" + empty}
	}
	getCount := []string{"route53", "get-hosted-zone-count"}
	tests := []struct {
		name     string
		env      []string
		args     []string
		wantOut  string // in stdout on success
		wantCode string // in stderr on failure; "" means success
	}{
		{"get-hosted-zone-count", keys(testKeyID, testSecret, "us-east-1"), getCount, `"HostedZoneCount": 0`, ""},
		{"other region", keys(testKeyID, testSecret, "eu-west-1"), getCount, `"HostedZoneCount": 0`, ""},
		{"change-resource-record-sets", keys(testKeyID, testSecret, "us-east-1"), []string{"route53",
			"change-resource-record-sets", "--hosted-zone-id", "Z123", "--change-batch",
			`{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"www.example.com.","Type":"A","TTL":60,` +
				`"ResourceRecords":[{"Value":"192.0.2.1"}]}}]}`}, `"Id": "/change/C1"`, ""},
		{"list-resource-record-sets wildcard", keys(testKeyID, testSecret, "us-east-1"), []string{"route53",
			"list-resource-record-sets", "--hosted-zone-id", "Z123", "--start-record-name", "*.example.com",
			"--start-record-type", "A"}, `"ResourceRecordSets": []`, ""},
		{"credentials file from WriteCredentialsFile", []string{"AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=" + empty, "AWS_SHARED_CREDENTIALS_FILE=" + generated}, getCount, `"HostedZoneCount": 0`, ""},
		{"wrong secret", keys(testKeyID, "not-the-secret", "us-east-1"), getCount, "", "SignatureDoesNotMatch"},
		{"unknown key", keys("AKIDUNKNOWN", testSecret, "us-east-1"), getCount, "", "InvalidClientTokenId"},
	}
	for _, cli := range awsCLIs(t) {
		t.Run(strings.ReplaceAll(strings.TrimPrefix(cli, "/"), "/", "_"), func(t *testing.T) {
			t.Parallel()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
					defer cancel()
					args := append([]string{"--endpoint-url", srv.URL, "--output", "json"}, tt.args...)
					cmd := exec.CommandContext(ctx, cli, args...)
					cmd.Env = cliEnv(tt.env...)
					var stdout, stderr bytes.Buffer
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					err := cmd.Run()
					if tt.wantCode == "" {
						if err != nil || !strings.Contains(stdout.String(), tt.wantOut) {
							t.Fatalf("%s %v: %v\nstdout: %s\nstderr: %s", cli, tt.args, err, &stdout, &stderr)
						}
						return
					}
					if err == nil || !strings.Contains(stderr.String(), tt.wantCode) {
						t.Fatalf("%s %v: err = %v, want failure mentioning %s\nstdout: %s\nstderr: %s",
							cli, tt.args, err, tt.wantCode, &stdout, &stderr)
					}
				})
			}
		})
	}
}
