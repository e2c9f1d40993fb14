package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
)

// TestCloudWatchSDK drives the real monitor with aws-sdk-go-v2's CloudWatch
// client (Smithy RPC v2 CBOR): alarms are created, described, evaluated
// from pushed data and deleted; metric data goes in and comes out; and a
// CLOUDWATCH_METRIC check follows the alarm.
func TestCloudWatchSDK(t *testing.T) {
	a, r, id, secret := startNodeKey(t)
	ctx := context.Background()
	c := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + a.HTTPAddr()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	dims := []cwtypes.Dimension{{Name: aws.String("Host"), Value: aws.String("db1")}}
	if _, err := c.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("lag"), Namespace: aws.String("DB"), MetricName: aws.String("Lag"),
		Dimensions: dims, Statistic: cwtypes.StatisticMaximum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(30),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}); err != nil {
		t.Fatal(err)
	}
	hc, err := r.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("cw"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeCloudwatchMetric, AlarmIdentifier: &types.AlarmIdentifier{Region: "us-east-1", Name: aws.String("lag")},
		InsufficientDataHealthStatus: types.InsufficientDataHealthStatusUnhealthy}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := hc.HealthCheck.CloudWatchAlarmConfiguration; cfg == nil || aws.ToString(cfg.MetricName) != "Lag" || aws.ToFloat64(cfg.Threshold) != 30 ||
		len(cfg.Dimensions) != 1 || aws.ToString(cfg.Dimensions[0].Value) != "db1" {
		t.Fatalf("CloudWatchAlarmConfiguration = %+v", cfg)
	}
	hcID := aws.ToString(hc.HealthCheck.Id)
	status := func() string {
		rep, _ := a.health.Status(hcID)
		return rep.Status.String()
	}
	waitUntil(t, "INSUFFICIENT_DATA → Unhealthy", 5*time.Second, func() bool { return status() == "Unhealthy" })

	// A value for the last complete minute below the threshold: OK, healthy.
	now := time.Now().UTC()
	put := func(v float64, at time.Time) {
		t.Helper()
		if _, err := c.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("DB"), MetricData: []cwtypes.MetricDatum{{
			MetricName: aws.String("Lag"), Dimensions: dims, Value: aws.Float64(v), Timestamp: aws.Time(at), Unit: cwtypes.StandardUnitSeconds}}}); err != nil {
			t.Fatal(err)
		}
	}
	put(3, now.Add(-time.Minute))
	waitUntil(t, "OK → Healthy", 5*time.Second, func() bool { return status() == "Healthy" })
	put(90, now) // breaches in the running minute: ALARM at once
	waitUntil(t, "ALARM → Unhealthy", 5*time.Second, func() bool { return status() == "Unhealthy" })

	desc, err := c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"lag"}})
	if err != nil || len(desc.MetricAlarms) != 1 || desc.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("DescribeAlarms = %+v %v", desc, err)
	}
	forMetric, err := c.DescribeAlarmsForMetric(ctx, &cw.DescribeAlarmsForMetricInput{Namespace: aws.String("DB"), MetricName: aws.String("Lag"), Dimensions: dims})
	if err != nil || len(forMetric.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarmsForMetric = %+v %v", forMetric, err)
	}
	hist, err := c.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("lag"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
	if err != nil || len(hist.AlarmHistoryItems) < 2 {
		t.Fatalf("DescribeAlarmHistory = %+v %v", hist, err)
	}
	stats, err := c.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("DB"), MetricName: aws.String("Lag"), Dimensions: dims,
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum, cwtypes.StatisticSampleCount}})
	if err != nil || len(stats.Datapoints) != 2 {
		t.Fatalf("GetMetricStatistics = %+v %v", stats, err)
	}
	data, err := c.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m1"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("DB"), MetricName: aws.String("Lag"), Dimensions: dims}, Period: aws.Int32(600), Stat: aws.String("Maximum")}}}})
	if err != nil || len(data.MetricDataResults) != 1 || len(data.MetricDataResults[0].Values) == 0 || data.MetricDataResults[0].Values[0] != 90 {
		t.Fatalf("GetMetricData = %+v %v", data, err)
	}
	list, err := c.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("DB")})
	if err != nil || len(list.Metrics) != 1 || aws.ToString(list.Metrics[0].MetricName) != "Lag" {
		t.Fatalf("ListMetrics = %+v %v", list, err)
	}
	if _, err := c.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"lag"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("lag"), StateValue: cwtypes.StateValueOk, StateReason: aws.String("x")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFound" {
		t.Fatalf("SetAlarmState on a deleted alarm: %v", err)
	}
	// The deleted alarm's check sees INSUFFICIENT_DATA (Unhealthy here, as
	// under ALARM before: the reason tells them apart).
	if rep, _ := a.health.Status(hcID); rep.Status.String() != "Unhealthy" || !strings.Contains(rep.Reason, "INSUFFICIENT_DATA") {
		t.Fatalf("report after the alarm was deleted: %+v", rep)
	}
	// A CLOUDWATCH_METRIC check naming no alarm is refused.
	_, err = r.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("cw2"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeCloudwatchMetric, AlarmIdentifier: &types.AlarmIdentifier{Region: "us-east-1", Name: aws.String("nope")}}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidInput" {
		t.Fatalf("check on a missing alarm: %v", err)
	}
}
