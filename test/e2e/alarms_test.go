package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/notify"
	"github.com/vedette-dns/vedette/internal/notify/smtptest"
)

// hook is a webhook target that verifies signatures and keeps the messages.
type hook struct {
	mu   sync.Mutex
	msgs []map[string]any
	bad  []string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := notify.VerifySignature(hookSecret, r.Header.Get("X-Vedette-Signature"), body, time.Now(), 5*time.Minute); err != nil {
		h.bad = append(h.bad, err.Error())
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		h.bad = append(h.bad, err.Error())
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	h.msgs = append(h.msgs, m)
}

// states returns NewStateValue of each alarm message received, in order.
func (h *hook) states() ([]string, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.msgs {
		var alarm struct{ NewStateValue, AlarmName string }
		s, _ := m["Message"].(string)
		if json.Unmarshal([]byte(s), &alarm) == nil && alarm.AlarmName == "web-down" {
			out = append(out, alarm.NewStateValue)
		}
	}
	return out, append([]string(nil), h.bad...)
}

const hookSecret = "e2e-hook-secret-0123456789"

// TestAlarmNotifications: with the AWS CLI, an alarm on a check's
// HealthCheckStatus < 1 for one minute notifies a webhook (signed) and an
// email address (through a real SMTP server with STARTTLS and AUTH) when
// the endpoint stops, and again with OK when it is back.
func TestAlarmNotifications(t *testing.T) {
	t.Parallel()
	bin := awsCLIs(t)["v2"]
	mail := smtptest.Start(t, "vedette", "mail-secret")
	caFile := filepath.Join(t.TempDir(), "smtp-ca.pem")
	if err := os.WriteFile(caFile, mail.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	h := &hook{}
	hookSrv := httptest.NewServer(h)
	defer hookSrv.Close()
	s := startServerArgs(t, filepath.Join(t.TempDir(), "data"), []string{"--smtp-server", mail.Addr, "--smtp-username", "vedette",
		"--smtp-from", "vedette@example.test", "--smtp-ca-file", caFile}, append(rootEnv, "VEDETTE_SMTP_PASSWORD=mail-secret")...)
	c := &cli{t: t, bin: bin, url: s.apiURL, env: []string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_PAGER="}}
	ep := startEndpoint(t, "127.0.0.1:0")
	host, port, _ := net.SplitHostPort(ep.addr)
	var created struct{ HealthCheck struct{ Id string } }
	c.run(&created, "create-health-check", "--caller-reference", "alarm-e2e", "--health-check-config",
		`{"Type":"HTTP","IPAddress":"`+host+`","Port":`+port+`,"RequestInterval":10,"FailureThreshold":1}`)
	id := created.HealthCheck.Id
	sns := c.as("sns")
	var topic struct{ TopicArn string }
	sns.run(&topic, "create-topic", "--name", "ops")
	sns.run(nil, "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "http", "--notification-endpoint", hookSrv.URL+"/hook",
		"--attributes", "SigningSecret="+hookSecret)
	sns.run(nil, "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "email", "--notification-endpoint", "oncall@example.test")
	cw := c.as("cloudwatch")
	cw.run(nil, "put-metric-alarm", "--alarm-name", "web-down", "--namespace", "AWS/Route53", "--metric-name", "HealthCheckStatus",
		"--dimensions", "Name=HealthCheckId,Value="+id, "--statistic", "Minimum", "--period", "60", "--evaluation-periods", "1",
		"--threshold", "1", "--comparison-operator", "LessThanThreshold", "--alarm-actions", topic.TopicArn, "--ok-actions", topic.TopicArn)
	waitObserved(t, c, "get-health-check-status", id, "Success:", 25*time.Second)

	ep.srv.Close()
	failedAt := time.Now()
	waitFor(t, 30*time.Second, "ALARM webhook and email", func() error {
		states, bad := h.states()
		if len(bad) > 0 {
			t.Fatalf("webhook refused deliveries: %v", bad)
		}
		if len(states) == 0 || states[len(states)-1] != "ALARM" {
			return fmt.Errorf("webhook states %v", states)
		}
		if !mailWith(mail.Messages(), `ALARM: "web-down"`) {
			return errors.New("no ALARM email yet")
		}
		return nil
	})
	t.Logf("ALARM delivered %v after the endpoint stopped", time.Since(failedAt).Round(time.Second))
	var described struct {
		MetricAlarms []struct{ AlarmName, StateValue string }
	}
	cw.run(&described, "describe-alarms", "--alarm-names", "web-down")
	if len(described.MetricAlarms) != 1 || described.MetricAlarms[0].StateValue != "ALARM" {
		t.Fatalf("describe-alarms = %+v", described)
	}

	startEndpoint(t, ep.addr)
	// OK needs one whole minute of healthy data: up to two minutes.
	waitFor(t, 150*time.Second, "OK webhook and email", func() error {
		states, _ := h.states()
		if len(states) == 0 || states[len(states)-1] != "OK" {
			return fmt.Errorf("webhook states %v", states)
		}
		// The alarm may have sent OK once before (INSUFFICIENT_DATA → OK):
		// the OK that counts comes after the ALARM email.
		msgs := mail.Messages()
		alarmAt := slices.IndexFunc(msgs, func(m smtptest.Message) bool { return strings.Contains(string(m.Data), `ALARM: "web-down"`) })
		if !mailWith(msgs[alarmAt+1:], `OK: "web-down"`) {
			return errors.New("no OK email after the ALARM email yet")
		}
		return nil
	})
	for _, m := range mail.Messages() {
		msg := string(m.Data)
		if !strings.Contains(msg, "From: <vedette@example.test>") || !strings.Contains(msg, "To: <oncall@example.test>") {
			t.Fatalf("email headers:\n%s", msg)
		}
	}
	var hist struct {
		AlarmHistoryItems []struct{ HistoryItemType, HistorySummary string }
	}
	cw.run(&hist, "describe-alarm-history", "--alarm-name", "web-down")
	var actions int
	for _, it := range hist.AlarmHistoryItems {
		if it.HistoryItemType == "Action" && strings.HasPrefix(it.HistorySummary, "Successfully executed action") {
			actions++
		}
	}
	if actions < 2 {
		t.Fatalf("alarm history = %+v", hist)
	}
}

func mailWith(msgs []smtptest.Message, s string) bool {
	for _, m := range msgs {
		if strings.Contains(string(m.Data), s) {
			return true
		}
	}
	return false
}

// TestAlarmFollowingCheckWithCLI: a CLOUDWATCH_METRIC check follows an
// alarm on a custom metric pushed with `aws cloudwatch put-metric-data`.
func TestAlarmFollowingCheckWithCLI(t *testing.T) {
	t.Parallel()
	bin := awsCLIs(t)["v2"]
	s := startServer(t, filepath.Join(t.TempDir(), "data"), rootEnv...)
	c := &cli{t: t, bin: bin, url: s.apiURL, env: []string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_PAGER="}}
	cw := c.as("cloudwatch")
	cw.run(nil, "put-metric-alarm", "--alarm-name", "queue-deep", "--namespace", "Shop", "--metric-name", "QueueDepth",
		"--dimensions", "Name=Queue,Value=orders", "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "1",
		"--threshold", "100", "--comparison-operator", "GreaterThanThreshold")
	var created struct {
		HealthCheck struct {
			Id                           string
			CloudWatchAlarmConfiguration struct{ MetricName string }
		}
	}
	c.run(&created, "create-health-check", "--caller-reference", "cw-e2e", "--health-check-config",
		`{"Type":"CLOUDWATCH_METRIC","AlarmIdentifier":{"Region":"us-east-1","Name":"queue-deep"},"InsufficientDataHealthStatus":"Healthy"}`)
	if created.HealthCheck.CloudWatchAlarmConfiguration.MetricName != "QueueDepth" {
		t.Fatalf("CloudWatchAlarmConfiguration = %+v", created.HealthCheck)
	}
	id := created.HealthCheck.Id
	statusMetric := func() (string, error) {
		resp, err := http.Get(s.apiURL + "/metrics")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "vedette_health_check_status{") && strings.Contains(line, `health_check_id="`+id+`"`) {
				return line[strings.LastIndexByte(line, ' ')+1:], nil
			}
		}
		return "", errors.New("no status yet")
	}
	// InsufficientDataHealthStatus Healthy while the alarm has no data.
	waitFor(t, 10*time.Second, "healthy on insufficient data", func() error {
		v, err := statusMetric()
		if err == nil && v != "1" {
			err = fmt.Errorf("status %s", v)
		}
		return err
	})
	cw.run(nil, "put-metric-data", "--namespace", "Shop", "--metric-name", "QueueDepth", "--dimensions", "Queue=orders", "--value", "500")
	waitFor(t, 10*time.Second, "unhealthy on a breaching value", func() error {
		v, err := statusMetric()
		if err == nil && v != "0" {
			err = fmt.Errorf("status %s", v)
		}
		return err
	})
	var stats struct{ Datapoints []struct{ Maximum float64 } }
	now := time.Now().UTC()
	cw.run(&stats, "get-metric-statistics", "--namespace", "Shop", "--metric-name", "QueueDepth", "--dimensions", "Name=Queue,Value=orders",
		"--statistics", "Maximum", "--period", "60", "--start-time", now.Add(-10*time.Minute).Format(time.RFC3339), "--end-time", now.Add(time.Minute).Format(time.RFC3339))
	if len(stats.Datapoints) != 1 || stats.Datapoints[0].Maximum != 500 {
		t.Fatalf("get-metric-statistics = %+v", stats)
	}
}

// TestCloudWatchCLIs: both AWS CLIs (the pip v1 CLI speaks JSON 1.0 to
// CloudWatch, Debian's v2 the query protocol) create, describe and delete
// alarms and put and get metric data against a real server.
func TestCloudWatchCLIs(t *testing.T) {
	for name, bin := range awsCLIs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, filepath.Join(t.TempDir(), "data"), rootEnv...)
			cw := (&cli{t: t, bin: bin, url: s.apiURL, env: []string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret,
				"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_PAGER="}}).as("cloudwatch")
			cw.run(nil, "put-metric-alarm", "--alarm-name", "cpu-"+name, "--namespace", "Host", "--metric-name", "CPU",
				"--statistic", "Average", "--period", "60", "--evaluation-periods", "2", "--datapoints-to-alarm", "1",
				"--threshold", "80", "--comparison-operator", "GreaterThanOrEqualToThreshold", "--treat-missing-data", "notBreaching")
			var described struct {
				MetricAlarms []struct {
					AlarmName, StateValue, TreatMissingData string
					DatapointsToAlarm                       int
				}
			}
			cw.run(&described, "describe-alarms", "--alarm-name-prefix", "cpu-")
			if len(described.MetricAlarms) != 1 || described.MetricAlarms[0].DatapointsToAlarm != 1 || described.MetricAlarms[0].TreatMissingData != "notBreaching" {
				t.Fatalf("describe-alarms = %+v", described)
			}
			now := time.Now().UTC()
			cw.run(nil, "put-metric-data", "--namespace", "Host", "--metric-name", "CPU", "--value", "95", "--timestamp", now.Add(-time.Minute).Format(time.RFC3339))
			cw.run(nil, "put-metric-data", "--namespace", "Host", "--metric-name", "CPU", "--value", "85", "--timestamp", now.Add(-time.Minute).Format(time.RFC3339))
			var stats struct {
				Datapoints []struct{ Average, SampleCount float64 }
			}
			cw.run(&stats, "get-metric-statistics", "--namespace", "Host", "--metric-name", "CPU", "--statistics", "Average", "SampleCount",
				"--period", "60", "--start-time", now.Add(-5*time.Minute).Format(time.RFC3339), "--end-time", now.Add(time.Minute).Format(time.RFC3339))
			if len(stats.Datapoints) != 1 || stats.Datapoints[0].Average != 90 || stats.Datapoints[0].SampleCount != 2 {
				t.Fatalf("get-metric-statistics = %+v", stats)
			}
			waitFor(t, 10*time.Second, "ALARM from pushed data", func() error {
				cw.run(&described, "describe-alarms", "--alarm-names", "cpu-"+name)
				if len(described.MetricAlarms) != 1 || described.MetricAlarms[0].StateValue != "ALARM" {
					return fmt.Errorf("alarms %+v", described.MetricAlarms)
				}
				return nil
			})
			cw.run(nil, "delete-alarms", "--alarm-names", "cpu-"+name)
			cw.run(&described, "describe-alarms")
			if len(described.MetricAlarms) != 0 {
				t.Fatalf("after delete-alarms: %+v", described)
			}
			if err := cw.try(nil, "set-alarm-state", "--alarm-name", "cpu-"+name, "--state-value", "OK", "--state-reason", "x"); err == nil || !strings.Contains(err.Error(), "ResourceNotFound") {
				t.Fatalf("set-alarm-state on a deleted alarm: %v", err)
			}
		})
	}
}
