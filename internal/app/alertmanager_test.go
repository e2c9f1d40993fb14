package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/vedette-dns/vedette/internal/api/alertmanager"
	"github.com/vedette-dns/vedette/internal/model"
)

// TestAlertmanagerReceiver: Alertmanager's webhook (basic auth with the
// root key) sets an Alertmanager alarm, and a CLOUDWATCH_METRIC check that
// follows it changes with the alert.
func TestAlertmanagerReceiver(t *testing.T) {
	a, r, id, secret := startNodeKey(t)
	ctx := context.Background()
	alarm := model.Alarm{AlarmName: "db-down", Namespace: model.AlertmanagerNamespace, MetricName: "DBDown", Statistic: "Maximum",
		Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: model.CmpGreaterOrEqual}
	if err := alarm.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := a.monitor.PutAlarm(ctx, alarm); err != nil {
		t.Fatal(err)
	}
	hc, err := r.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("am"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeCloudwatchMetric, AlarmIdentifier: &types.AlarmIdentifier{Region: "us-east-1", Name: aws.String("db-down")},
		InsufficientDataHealthStatus: types.InsufficientDataHealthStatusHealthy}})
	if err != nil {
		t.Fatal(err)
	}
	hcID := aws.ToString(hc.HealthCheck.Id)
	status := func() string {
		rep, _ := a.health.Status(hcID)
		return rep.Status.String()
	}
	waitUntil(t, "healthy while the alarm has no data", 5*time.Second, func() bool { return status() == "Healthy" })

	post := func(user, pass, alertStatus string) (int, string) {
		t.Helper()
		body := `{"version":"4","status":"` + alertStatus + `","receiver":"vedette","alerts":[{"status":"` + alertStatus +
			`","labels":{"alertname":"db-down","instance":"db1"},"annotations":{"summary":"primary database down"},"fingerprint":"f1"}]}`
		req, _ := http.NewRequest(http.MethodPost, "http://"+a.HTTPAddr()+alertmanager.Path, strings.NewReader(body))
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Results []struct{ Alarm, State, Error string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		state := ""
		if len(out.Results) == 1 {
			state = out.Results[0].State + out.Results[0].Error
		}
		return resp.StatusCode, state
	}
	if code, _ := post(id, "wrong", "firing"); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", code)
	}
	if status() != "Healthy" {
		t.Fatal("a refused notification changed the check")
	}
	if code, state := post(id, secret, "firing"); code != 200 || state != "ALARM" {
		t.Fatalf("firing: %d %q", code, state)
	}
	waitUntil(t, "unhealthy while firing", 5*time.Second, func() bool { return status() == "Unhealthy" })
	if rec, _ := a.monitor.Alarm("db-down"); !strings.Contains(rec.State.Reason, "primary database down") {
		t.Fatalf("alarm reason %q", rec.State.Reason)
	}
	if code, state := post(id, secret, "resolved"); code != 200 || state != "OK" {
		t.Fatalf("resolved: %d %q", code, state)
	}
	waitUntil(t, "healthy once resolved", 5*time.Second, func() bool { return status() == "Healthy" })
}
