package cloudwatch_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The aws-sdk-go-v2 client speaks Smithy RPC v2 CBOR.

func putAlarm(t *testing.T, c *cw.Client, name string, threshold float64) {
	t.Helper()
	_, err := c.PutMetricAlarm(context.Background(), &cw.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		AlarmDescription:   aws.String("latency <&> too high"),
		Namespace:          aws.String("App"),
		MetricName:         aws.String("Latency"),
		Dimensions:         []types.Dimension{{Name: aws.String("Service"), Value: aws.String("web")}},
		Statistic:          types.StatisticAverage,
		Period:             aws.Int32(60),
		EvaluationPeriods:  aws.Int32(3),
		DatapointsToAlarm:  aws.Int32(2),
		Threshold:          aws.Float64(threshold),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
		AlarmActions:       []string{"arn:aws:sns:eu-west-3:123456789012:ops"},
		Unit:               types.StandardUnitMilliseconds,
	})
	if err != nil {
		t.Fatalf("PutMetricAlarm %s: %v", name, err)
	}
}

func TestSDKAlarms(t *testing.T) {
	h := newHarness(t)
	c := h.client(testSecret)
	ctx := context.Background()
	for i := range 5 {
		putAlarm(t, c, fmt.Sprintf("alarm-%d", i), float64(100+i))
	}

	// Pagination: 2 + 2 + 1.
	var names []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(2), NextToken: token, AlarmNamePrefix: aws.String("alarm-")})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
		if token = out.NextToken; token == nil {
			if pages != 2 {
				t.Errorf("pages = %d, want 3", pages+1)
			}
			break
		}
	}
	if fmt.Sprint(names) != "[alarm-0 alarm-1 alarm-2 alarm-3 alarm-4]" {
		t.Fatalf("names = %v", names)
	}

	out, err := c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"alarm-3"}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarms alarm-3: %v %+v", err, out)
	}
	a := out.MetricAlarms[0]
	if aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:eu-west-3:123456789012:alarm:alarm-3" ||
		aws.ToString(a.AlarmDescription) != "latency <&> too high" ||
		aws.ToFloat64(a.Threshold) != 103 || aws.ToInt32(a.Period) != 60 || aws.ToInt32(a.EvaluationPeriods) != 3 ||
		aws.ToInt32(a.DatapointsToAlarm) != 2 || a.StateValue != types.StateValueInsufficientData ||
		aws.ToString(a.StateReason) != "Unchecked: Initial alarm creation" || a.Statistic != types.StatisticAverage ||
		a.ComparisonOperator != types.ComparisonOperatorGreaterThanThreshold || aws.ToString(a.TreatMissingData) != "missing" ||
		!aws.ToBool(a.ActionsEnabled) || len(a.AlarmActions) != 1 || len(a.Dimensions) != 1 || a.Unit != types.StandardUnitMilliseconds ||
		time.Since(aws.ToTime(a.StateUpdatedTimestamp)) > time.Minute || time.Since(aws.ToTime(a.AlarmConfigurationUpdatedTimestamp)) > time.Minute {
		t.Fatalf("alarm = %+v", a)
	}

	if _, err := c.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("alarm-3"), StateValue: types.StateValueAlarm,
		StateReason: aws.String("testing"), StateReasonData: aws.String(`{"k":1}`)}); err != nil {
		t.Fatal(err)
	}
	out, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{StateValue: types.StateValueAlarm})
	if err != nil || len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].StateReasonData) != `{"k":1}` {
		t.Fatalf("DescribeAlarms ALARM: %v %+v", err, out)
	}
	out, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:eu-west-3:123456789012:nope")})
	if err != nil || len(out.MetricAlarms) != 0 {
		t.Fatalf("ActionPrefix: %v %+v", err, out)
	}

	if _, err := c.DisableAlarmActions(ctx, &cw.DisableAlarmActionsInput{AlarmNames: []string{"alarm-1"}}); err != nil {
		t.Fatal(err)
	}
	out, _ = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"alarm-1"}})
	if len(out.MetricAlarms) != 1 || aws.ToBool(out.MetricAlarms[0].ActionsEnabled) {
		t.Fatalf("after DisableAlarmActions: %+v", out.MetricAlarms)
	}
	if _, err := c.EnableAlarmActions(ctx, &cw.EnableAlarmActionsInput{AlarmNames: []string{"alarm-1"}}); err != nil {
		t.Fatal(err)
	}

	fm, err := c.DescribeAlarmsForMetric(ctx, &cw.DescribeAlarmsForMetricInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
		Dimensions: []types.Dimension{{Name: aws.String("Service"), Value: aws.String("web")}}, Statistic: types.StatisticAverage, Period: aws.Int32(60)})
	if err != nil || len(fm.MetricAlarms) != 5 {
		t.Fatalf("DescribeAlarmsForMetric: %v %d", err, len(fm.MetricAlarms))
	}
	fm, err = c.DescribeAlarmsForMetric(ctx, &cw.DescribeAlarmsForMetricInput{Namespace: aws.String("App"), MetricName: aws.String("Latency")})
	if err != nil || len(fm.MetricAlarms) != 0 {
		t.Fatalf("DescribeAlarmsForMetric without dimensions: %v %d", err, len(fm.MetricAlarms))
	}

	hist, err := c.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("alarm-3")})
	if err != nil || len(hist.AlarmHistoryItems) != 2 || hist.AlarmHistoryItems[0].HistoryItemType != types.HistoryItemTypeStateUpdate {
		t.Fatalf("DescribeAlarmHistory: %v %+v", err, hist)
	}
	hist, err = c.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{HistoryItemType: types.HistoryItemTypeConfigurationUpdate,
		MaxRecords: aws.Int32(3), ScanBy: types.ScanByTimestampAscending})
	if err != nil || len(hist.AlarmHistoryItems) != 3 || hist.NextToken == nil || aws.ToString(hist.AlarmHistoryItems[0].AlarmName) != "alarm-0" {
		t.Fatalf("DescribeAlarmHistory page 1: %v %+v", err, hist)
	}
	hist, err = c.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{HistoryItemType: types.HistoryItemTypeConfigurationUpdate,
		MaxRecords: aws.Int32(3), ScanBy: types.ScanByTimestampAscending, NextToken: hist.NextToken})
	if err != nil || len(hist.AlarmHistoryItems) != 2 || hist.NextToken != nil || aws.ToString(hist.AlarmHistoryItems[1].AlarmName) != "alarm-4" {
		t.Fatalf("DescribeAlarmHistory page 2: %v %+v", err, hist)
	}

	// Errors.
	if _, err := c.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: types.StateValueOk, StateReason: aws.String("x")}); apiCode(err) != "ResourceNotFound" {
		t.Fatalf("SetAlarmState missing: %v", err)
	}
	if _, err := c.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("alarm-1"), StateValue: types.StateValueOk,
		StateReason: aws.String("x"), StateReasonData: aws.String("{not json")}); apiCode(err) != "InvalidFormat" {
		t.Fatalf("SetAlarmState bad JSON: %v", err)
	}
	if _, err := c.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("bad"), Namespace: aws.String("App"), MetricName: aws.String("M"),
		Statistic: types.StatisticSum, Period: aws.Int32(30), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}); apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("PutMetricAlarm period 30: %v", err)
	}
	if _, err := c.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("bad"), Namespace: aws.String("App"), MetricName: aws.String("M"),
		Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}); apiCode(err) != "MissingParameter" {
		t.Fatalf("PutMetricAlarm without statistic: %v", err)
	}
	if _, err := c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{NextToken: aws.String("garbage!")}); apiCode(err) != "InvalidNextToken" {
		t.Fatalf("bad token: %v", err)
	}
	if _, err := c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(101)}); apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("MaxRecords 101: %v", err)
	}
	_, err = c.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"alarm-0", "ghost"}})
	var rnf *types.ResourceNotFound
	if apiCode(err) != "ResourceNotFound" || !errors.As(err, &rnf) {
		t.Fatalf("DeleteAlarms with a missing alarm: %v", err)
	}
	if _, err := c.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"alarm-1", "alarm-2"}}); err != nil {
		t.Fatal(err)
	}
	out, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{})
	if err != nil || len(out.MetricAlarms) != 2 {
		t.Fatalf("after delete: %v %+v", err, out)
	}
}

func TestSDKMetrics(t *testing.T) {
	h := newHarness(t)
	c := h.client(testSecret)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	dims := []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}}
	_, err := c.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Requests"), Dimensions: dims, Timestamp: aws.Time(base.Add(10 * time.Second)), Value: aws.Float64(4), Unit: types.StandardUnitCount},
		{MetricName: aws.String("Requests"), Dimensions: dims, Timestamp: aws.Time(base.Add(20 * time.Second)), Values: []float64{1, 10}, Counts: []float64{2, 1}, Unit: types.StandardUnitCount},
		{MetricName: aws.String("Requests"), Dimensions: dims, Timestamp: aws.Time(base.Add(70 * time.Second)),
			StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(6), Minimum: aws.Float64(1), Maximum: aws.Float64(5)}, Unit: types.StandardUnitCount},
		{MetricName: aws.String("Errors"), Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("b")}}, Value: aws.Float64(1)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !h.sawContentType("encoding:gzip") {
		t.Error("the SDK did not gzip PutMetricData: the compressed path is untested")
	}

	st, err := c.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Requests"), Dimensions: dims,
		StartTime: aws.Time(base), EndTime: aws.Time(base.Add(5 * time.Minute)), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount, types.StatisticMaximum, types.StatisticAverage, types.StatisticMinimum}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(st.Label) != "Requests" || len(st.Datapoints) != 2 {
		t.Fatalf("GetMetricStatistics = %+v", st)
	}
	dp := st.Datapoints[0]
	if !aws.ToTime(dp.Timestamp).Equal(base) || aws.ToFloat64(dp.Sum) != 16 || aws.ToFloat64(dp.SampleCount) != 4 ||
		aws.ToFloat64(dp.Maximum) != 10 || aws.ToFloat64(dp.Minimum) != 1 || aws.ToFloat64(dp.Average) != 4 || dp.Unit != types.StandardUnitCount {
		t.Fatalf("datapoint 0 = %+v", dp)
	}

	md, err := c.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(base), EndTime: aws.Time(base.Add(5 * time.Minute)),
		ScanBy: types.ScanByTimestampAscending,
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("req"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Requests"), Dimensions: dims},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(md.MetricDataResults) != 1 {
		t.Fatalf("GetMetricData = %+v", md)
	}
	r := md.MetricDataResults[0]
	if aws.ToString(r.Id) != "req" || aws.ToString(r.Label) != "Requests" || r.StatusCode != types.StatusCodeComplete ||
		fmt.Sprint(r.Values) != "[16 6]" || len(r.Timestamps) != 2 || !r.Timestamps[1].Equal(base.Add(time.Minute)) {
		t.Fatalf("result = %+v", r)
	}
	// Paginated by MaxDatapoints, newest first.
	md, err = c.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(base), EndTime: aws.Time(base.Add(5 * time.Minute)), MaxDatapoints: aws.Int32(1),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("req"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Requests"), Dimensions: dims},
			Period: aws.Int32(60), Stat: aws.String("Maximum")}}}})
	if err != nil || md.NextToken == nil || fmt.Sprint(md.MetricDataResults[0].Values) != "[5]" || md.MetricDataResults[0].StatusCode != types.StatusCodePartialData {
		t.Fatalf("GetMetricData page 1: %v %+v", err, md)
	}

	if _, err := c.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(base), EndTime: aws.Time(base.Add(time.Hour)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("e"), Expression: aws.String("SUM(METRICS())")}}}); apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("expression: %v", err)
	}
	if _, err := c.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Requests"),
		StartTime: aws.Time(base), EndTime: aws.Time(base.Add(time.Hour)), Period: aws.Int32(60), ExtendedStatistics: []string{"p99"}}); apiCode(err) != "InvalidParameterCombination" {
		t.Fatalf("extended statistics: %v", err)
	}

	lm, err := c.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("App")})
	if err != nil || len(lm.Metrics) != 2 {
		t.Fatalf("ListMetrics: %v %+v", err, lm)
	}
	lm, err = c.ListMetrics(ctx, &cw.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("Host"), Value: aws.String("b")}}})
	if err != nil || len(lm.Metrics) != 1 || aws.ToString(lm.Metrics[0].MetricName) != "Errors" {
		t.Fatalf("ListMetrics Host=b: %v %+v", err, lm)
	}

	tooMany := make([]types.MetricDatum, 1001)
	for i := range tooMany {
		tooMany[i] = types.MetricDatum{MetricName: aws.String("x"), Value: aws.Float64(1)}
	}
	bad := []struct {
		name string
		in   cw.PutMetricDataInput
		code string
	}{
		{"AWS namespace", cw.PutMetricDataInput{Namespace: aws.String("AWS/EC2"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1)}}}, "InvalidParameterValue"},
		{"NaN", cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(math.NaN())}}}, "InvalidParameterValue"},
		{"old", cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1), Timestamp: aws.Time(time.Now().Add(-15 * 24 * time.Hour))}}}, "InvalidParameterValue"},
		{"future", cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1), Timestamp: aws.Time(time.Now().Add(3 * time.Hour))}}}, "InvalidParameterValue"},
		{"value and values", cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1), Values: []float64{1}}}}, "InvalidParameterCombination"},
		{"too many", cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: tooMany}, "InvalidParameterValue"},
	}
	for _, tc := range bad {
		if _, err := c.PutMetricData(ctx, &tc.in); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}
