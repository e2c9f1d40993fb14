package cloudwatch_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The AWS CLIs installed here speak different protocols (observed with
// --debug): pip's AWS CLI v1 (botocore 1.43) sends AWS JSON 1.0 with
// X-Amz-Target and x-amzn-query-mode: true; Debian's AWS CLI v2 (2.9) at
// /usr/bin/aws sends the query protocol. Both must be installed.

type cli struct {
	name, path  string
	contentType string // the protocol it is expected to speak
}

func awsCLIs(t *testing.T) []cli {
	t.Helper()
	v1, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the AWS CLI v1 must be on PATH for this test: %v", err)
	}
	const v2 = "/usr/bin/aws"
	if _, err := os.Stat(v2); err != nil {
		t.Fatalf("Debian's AWS CLI v2 must be installed at %s for this test: %v", v2, err)
	}
	return []cli{
		{"v1-json", v1, "application/x-amz-json-1.0"},
		{"v2-query", v2, "application/x-www-form-urlencoded"},
	}
}

// cliEnv is the test's environment minus anything AWS- or proxy-related,
// plus credentials.
func cliEnv(secret string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasSuffix(strings.ToUpper(k), "_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard",
		"NO_PROXY=127.0.0.1,localhost", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID="+testKeyID, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION="+testRegion)
}

func TestCLIs(t *testing.T) {
	base := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	iso := func(d time.Duration) string { return base.Add(d).Format(time.RFC3339) }
	steps := []struct {
		args     []string
		wantOut  []string // in stdout on success
		wantCode string   // in stderr on failure; "" means success
	}{
		{[]string{"put-metric-alarm", "--alarm-name", "cli-alarm", "--namespace", "App", "--metric-name", "Latency",
			"--statistic", "Average", "--period", "60", "--evaluation-periods", "2", "--threshold", "5.5",
			"--comparison-operator", "GreaterThanThreshold", "--dimensions", "Name=Service,Value=web",
			"--alarm-actions", "arn:aws:sns:eu-west-3:123456789012:ops", "--alarm-description", "a <b> & c"}, nil, ""},
		{[]string{"describe-alarms", "--alarm-names", "cli-alarm"}, []string{
			`"AlarmArn": "arn:aws:cloudwatch:eu-west-3:123456789012:alarm:cli-alarm"`, `"StateValue": "INSUFFICIENT_DATA"`,
			`"Threshold": 5.5`, `"AlarmDescription": "a <b> & c"`, `"arn:aws:sns:eu-west-3:123456789012:ops"`,
			`"StateUpdatedTimestamp": "` + time.Now().UTC().Format("2006-01-") + "||" + `"StateUpdatedTimestamp": 1`, `"Name": "Service"`}, ""},
		{[]string{"set-alarm-state", "--alarm-name", "cli-alarm", "--state-value", "ALARM", "--state-reason", "manual"}, nil, ""},
		{[]string{"describe-alarm-history", "--alarm-name", "cli-alarm", "--history-item-type", "StateUpdate"},
			[]string{`"HistoryItemType": "StateUpdate"`, `"HistorySummary": "Alarm updated from INSUFFICIENT_DATA to ALARM"`}, ""},
		{[]string{"describe-alarms-for-metric", "--namespace", "App", "--metric-name", "Latency", "--dimensions", "Name=Service,Value=web"},
			[]string{`"AlarmName": "cli-alarm"`, `"StateValue": "ALARM"`}, ""},
		{[]string{"disable-alarm-actions", "--alarm-names", "cli-alarm"}, nil, ""},
		{[]string{"describe-alarms", "--state-value", "ALARM"}, []string{`"ActionsEnabled": false`}, ""},
		{[]string{"put-metric-data", "--namespace", "App", "--metric-name", "Requests", "--value", "7", "--unit", "Count",
			"--dimensions", "Host=a", "--timestamp", iso(30 * time.Second)}, nil, ""},
		{[]string{"put-metric-data", "--namespace", "App", "--metric-name", "Requests", "--unit", "Count",
			"--dimensions", "Host=a", "--timestamp", iso(40 * time.Second), "--statistic-values", "SampleCount=2,Sum=3,Minimum=1,Maximum=2"}, nil, ""},
		{[]string{"get-metric-statistics", "--namespace", "App", "--metric-name", "Requests", "--dimensions", "Name=Host,Value=a",
			"--start-time", iso(0), "--end-time", iso(5 * time.Minute), "--period", "60", "--statistics", "Sum", "Maximum"},
			[]string{`"Sum": 10.0`, `"Maximum": 7.0`, `"Unit": "Count"`, `"Label": "Requests"`}, ""},
		{[]string{"get-metric-data", "--start-time", iso(0), "--end-time", iso(5 * time.Minute), "--metric-data-queries",
			`[{"Id":"q1","MetricStat":{"Metric":{"Namespace":"App","MetricName":"Requests","Dimensions":[{"Name":"Host","Value":"a"}]},"Period":60,"Stat":"SampleCount"}}]`},
			[]string{`"Id": "q1"`, `"StatusCode": "Complete"`, "3.0", `"` + base.Format("2006-01-02T15:04:05") + "||" + strconv.FormatInt(base.Unix(), 10) + ".0"}, ""},
		{[]string{"list-metrics", "--namespace", "App"}, []string{`"MetricName": "Requests"`, `"Value": "a"`}, ""},
		{[]string{"put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "x", "--value", "1"}, nil, "InvalidParameterValue"},
		{[]string{"get-metric-statistics", "--namespace", "App", "--metric-name", "Requests", "--start-time", iso(0),
			"--end-time", iso(time.Hour), "--period", "60", "--extended-statistics", "p99"}, nil, "InvalidParameterCombination"},
		{[]string{"delete-alarms", "--alarm-names", "cli-alarm", "ghost"}, nil, "ResourceNotFound"},
		{[]string{"describe-alarms"}, []string{`"MetricAlarms": []`}, ""},
	}
	for _, c := range awsCLIs(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			run := func(secret string, args ...string) (string, string, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, c.path, append([]string{"--endpoint-url", h.url, "--output", "json", "cloudwatch"}, args...)...)
				cmd.Env = cliEnv(secret)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				return stdout.String(), stderr.String(), err
			}
			for _, s := range steps {
				stdout, stderr, err := run(testSecret, s.args...)
				if s.wantCode != "" {
					if err == nil || !strings.Contains(stderr, "("+s.wantCode+")") {
						t.Fatalf("%v: err = %v, want failure with %s\nstdout: %s\nstderr: %s", s.args, err, s.wantCode, stdout, stderr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%v: %v\nstdout: %s\nstderr: %s", s.args, err, stdout, stderr)
				}
				for _, w := range s.wantOut {
					// Alternatives are separated by ||: CLI v1 prints
					// timestamps as sent (epoch seconds in JSON), v2 as ISO 8601.
					if !slices.ContainsFunc(strings.Split(w, "||"), func(w string) bool { return strings.Contains(stdout, w) }) {
						t.Fatalf("%v: stdout lacks %s\nstdout: %s", s.args, w, stdout)
					}
				}
			}
			calls := h.backend.calls.Load()
			if _, stderr, err := run("wrong-secret", "list-metrics"); err == nil || !strings.Contains(stderr, "SignatureDoesNotMatch") {
				t.Fatalf("wrong secret: err = %v\nstderr: %s", err, stderr)
			}
			if got := h.backend.calls.Load(); got != calls {
				t.Fatalf("the backend was called %d times for a badly signed request", got-calls)
			}
			if !h.sawContentType(c.contentType) {
				t.Fatalf("%s did not send %s requests (saw %v)", c.path, c.contentType, h.contentTypes)
			}
		})
	}
}
