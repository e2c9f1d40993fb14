package cloudwatch

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

func (a *API) putMetricAlarm(ctx context.Context, in *putMetricAlarmInput) (*noOutput, error) {
	switch {
	case len(in.Metrics) > 0 || in.ThresholdMetricId != "":
		return nil, errorf(codeInvalidParameterValue, "Metric math and anomaly detection alarms (Metrics, ThresholdMetricId) are not supported.")
	case in.ExtendedStatistic != "":
		return nil, errorf(codeInvalidParameterValue, "Extended statistics (percentiles) are not supported; use Statistic.")
	case in.EvaluateLowSampleCountPercentile != "":
		return nil, errorf(codeInvalidParameterValue, "EvaluateLowSampleCountPercentile applies only to percentiles, which are not supported.")
	case in.Threshold == nil && in.AlarmName != "":
		return nil, errorf(codeMissingParameter, "The parameter Threshold is required.")
	}
	if in.Unit != "" && !validUnit(in.Unit) {
		return nil, errorf(codeInvalidParameterValue, "Unit %q is not a CloudWatch standard unit.", in.Unit)
	}
	al := model.Alarm{
		AlarmName:               in.AlarmName,
		AlarmDescription:        in.AlarmDescription,
		ActionsEnabled:          in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions:               in.OKActions,
		AlarmActions:            in.AlarmActions,
		InsufficientDataActions: in.InsufficientDataActions,
		Namespace:               in.Namespace,
		MetricName:              in.MetricName,
		Dimensions:              in.Dimensions,
		Statistic:               in.Statistic,
		Unit:                    in.Unit,
		Period:                  in.Period,
		EvaluationPeriods:       in.EvaluationPeriods,
		DatapointsToAlarm:       in.DatapointsToAlarm,
		ComparisonOperator:      in.ComparisonOperator,
		TreatMissingData:        in.TreatMissingData,
		ConfigurationUpdated:    a.now().UTC(),
	}
	if in.Threshold != nil {
		al.Threshold = *in.Threshold
	}
	if len(in.Tags) > 0 {
		al.Tags = make(map[string]string, len(in.Tags))
		for _, t := range in.Tags {
			if t.Key == "" {
				return nil, errorf(codeInvalidParameterValue, "Tag keys must not be empty.")
			}
			al.Tags[t.Key] = t.Value
		}
	}
	model.SortDimensions(al.Dimensions)
	if err := al.Validate(); err != nil {
		return nil, err
	}
	return nil, a.Backend.PutMetricAlarm(ctx, al)
}

func (a *API) describeAlarms(ctx context.Context, in *describeAlarmsInput) (*describeAlarmsOutput, error) {
	limit, err := maxRecords(in.MaxRecords, 50)
	if err != nil {
		return nil, err
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return nil, errorf(codeInvalidParameterCombination, "AlarmNames and AlarmNamePrefix cannot be given together.")
	}
	if len(in.AlarmNames) > 100 {
		return nil, errorf(codeInvalidParameterValue, "The collection AlarmNames must not have more than 100 members.")
	}
	if in.StateValue != "" && !model.ValidAlarmState(in.StateValue) {
		return nil, errorf(codeInvalidParameterValue, "StateValue %q is not one of OK, ALARM, INSUFFICIENT_DATA.", in.StateValue)
	}
	metricAlarms := len(in.AlarmTypes) == 0
	for _, t := range in.AlarmTypes {
		switch t {
		case "MetricAlarm":
			metricAlarms = true
		case "CompositeAlarm":
		default:
			return nil, errorf(codeInvalidParameterValue, "AlarmTypes member %q is not MetricAlarm or CompositeAlarm.", t)
		}
	}
	after := ""
	if in.NextToken != "" {
		if after, err = decodeToken("alarms", in.NextToken); err != nil {
			return nil, err
		}
	}
	out := &describeAlarmsOutput{MetricAlarms: []metricAlarm{}}
	// Only metric alarms exist: composite-alarm relations select nothing.
	if !metricAlarms || in.ChildrenOfAlarmName != "" || in.ParentsOfAlarmName != "" {
		return out, nil
	}
	recs, err := a.Backend.Alarms(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		al := &r.Alarm
		switch {
		case in.NextToken != "" && al.AlarmName <= after,
			len(in.AlarmNames) > 0 && !slices.Contains(in.AlarmNames, al.AlarmName),
			!strings.HasPrefix(al.AlarmName, in.AlarmNamePrefix),
			in.StateValue != "" && r.State.Value != in.StateValue,
			in.ActionPrefix != "" && !hasActionPrefix(al, in.ActionPrefix):
			continue
		}
		if len(out.MetricAlarms) == limit {
			out.NextToken = encodeToken("alarms", out.MetricAlarms[limit-1].AlarmName)
			break
		}
		out.MetricAlarms = append(out.MetricAlarms, a.metricAlarm(r))
	}
	return out, nil
}

func hasActionPrefix(al *model.Alarm, prefix string) bool {
	for _, l := range [][]string{al.OKActions, al.AlarmActions, al.InsufficientDataActions} {
		for _, x := range l {
			if strings.HasPrefix(x, prefix) {
				return true
			}
		}
	}
	return false
}

func (a *API) metricAlarm(r AlarmRecord) metricAlarm {
	al := r.Alarm
	arn := r.Arn
	if arn == "" {
		arn = "arn:aws:cloudwatch:" + a.Region + ":" + a.AccountID + ":alarm:" + al.AlarmName
	}
	return metricAlarm{
		AlarmName:                          al.AlarmName,
		AlarmArn:                           arn,
		AlarmDescription:                   al.AlarmDescription,
		AlarmConfigurationUpdatedTimestamp: al.ConfigurationUpdated,
		ActionsEnabled:                     al.ActionsEnabled,
		OKActions:                          nonNil(al.OKActions),
		AlarmActions:                       nonNil(al.AlarmActions),
		InsufficientDataActions:            nonNil(al.InsufficientDataActions),
		StateValue:                         r.State.Value,
		StateReason:                        r.State.Reason,
		StateReasonData:                    r.State.ReasonData,
		StateUpdatedTimestamp:              r.State.Updated,
		StateTransitionedTimestamp:         r.State.Updated,
		MetricName:                         al.MetricName,
		Namespace:                          al.Namespace,
		Statistic:                          al.Statistic,
		Dimensions:                         nonNil(al.Dimensions),
		Period:                             al.Period,
		Unit:                               al.Unit,
		EvaluationPeriods:                  al.EvaluationPeriods,
		DatapointsToAlarm:                  al.DatapointsToAlarm,
		Threshold:                          al.Threshold,
		ComparisonOperator:                 al.ComparisonOperator,
		TreatMissingData:                   al.TreatMissingData,
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) describeAlarmsForMetric(ctx context.Context, in *describeAlarmsForMetricInput) (*describeAlarmsForMetricOutput, error) {
	if in.Namespace == "" {
		return nil, errorf(codeMissingParameter, "The parameter Namespace is required.")
	}
	if in.MetricName == "" {
		return nil, errorf(codeMissingParameter, "The parameter MetricName is required.")
	}
	out := &describeAlarmsForMetricOutput{MetricAlarms: []metricAlarm{}}
	if in.ExtendedStatistic != "" {
		return out, nil // no alarm uses extended statistics
	}
	recs, err := a.Backend.Alarms(ctx)
	if err != nil {
		return nil, err
	}
	want := model.Metric{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions}.Key()
	for _, r := range recs {
		al := &r.Alarm
		if al.Metric().Key() != want ||
			in.Statistic != "" && al.Statistic != in.Statistic ||
			in.Period != 0 && al.Period != in.Period ||
			in.Unit != "" && al.Unit != in.Unit {
			continue
		}
		out.MetricAlarms = append(out.MetricAlarms, a.metricAlarm(r))
	}
	return out, nil
}

func checkAlarmNames(names []string) error {
	if len(names) == 0 {
		return errorf(codeMissingParameter, "The parameter AlarmNames is required.")
	}
	if len(names) > 100 {
		return errorf(codeInvalidParameterValue, "The collection AlarmNames must not have more than 100 members.")
	}
	return nil
}

func (a *API) deleteAlarms(ctx context.Context, in *alarmNamesInput) (*noOutput, error) {
	if err := checkAlarmNames(in.AlarmNames); err != nil {
		return nil, err
	}
	return nil, a.Backend.DeleteAlarms(ctx, in.AlarmNames)
}

func (a *API) enableAlarmActions(ctx context.Context, in *alarmNamesInput) (*noOutput, error) {
	if err := checkAlarmNames(in.AlarmNames); err != nil {
		return nil, err
	}
	return nil, a.Backend.SetActionsEnabled(ctx, in.AlarmNames, true)
}

func (a *API) disableAlarmActions(ctx context.Context, in *alarmNamesInput) (*noOutput, error) {
	if err := checkAlarmNames(in.AlarmNames); err != nil {
		return nil, err
	}
	return nil, a.Backend.SetActionsEnabled(ctx, in.AlarmNames, false)
}

func (a *API) setAlarmState(ctx context.Context, in *setAlarmStateInput) (*noOutput, error) {
	switch {
	case in.AlarmName == "":
		return nil, errorf(codeMissingParameter, "The parameter AlarmName is required.")
	case in.StateValue == "":
		return nil, errorf(codeMissingParameter, "The parameter StateValue is required.")
	case !model.ValidAlarmState(in.StateValue):
		return nil, errorf(codeInvalidParameterValue, "StateValue %q is not one of OK, ALARM, INSUFFICIENT_DATA.", in.StateValue)
	case in.StateReason == "":
		return nil, errorf(codeMissingParameter, "The parameter StateReason is required.")
	case len(in.StateReason) > 1023:
		return nil, errorf(codeInvalidParameterValue, "The parameter StateReason must be at most 1023 characters long.")
	case len(in.StateReasonData) > 4000:
		return nil, errorf(codeInvalidParameterValue, "The parameter StateReasonData must be at most 4000 characters long.")
	case in.StateReasonData != "" && !json.Valid([]byte(in.StateReasonData)):
		return nil, errorf(codeInvalidFormat, "StateReasonData is not valid JSON.")
	}
	return nil, a.Backend.SetAlarmState(ctx, in.AlarmName, in.StateValue, in.StateReason, in.StateReasonData)
}

func (a *API) describeAlarmHistory(ctx context.Context, in *describeAlarmHistoryInput) (*describeAlarmHistoryOutput, error) {
	limit, err := maxRecords(in.MaxRecords, 100)
	if err != nil {
		return nil, err
	}
	switch in.HistoryItemType {
	case "", model.HistoryStateUpdate, model.HistoryConfigurationUpdate, model.HistoryAction:
	default:
		return nil, errorf(codeInvalidParameterValue, "HistoryItemType %q is not one of StateUpdate, ConfigurationUpdate, Action.", in.HistoryItemType)
	}
	ascending, err := scanBy(in.ScanBy)
	if err != nil {
		return nil, err
	}
	metricAlarms := len(in.AlarmTypes) == 0 || slices.Contains(in.AlarmTypes, "MetricAlarm")
	var from time.Time
	if in.StartDate != nil {
		from = *in.StartDate
	}
	// The first call fixes the end of the range, so items recorded while a
	// client pages do not shift the offsets.
	to := a.now().UTC()
	if in.EndDate != nil {
		to = *in.EndDate
	}
	offset := 0
	if in.NextToken != "" {
		nums, err := parseOffsetToken("history", in.NextToken, 2)
		if err != nil {
			return nil, err
		}
		offset, to = int(nums[0]), time.Unix(0, nums[1]).UTC()
	}
	if !from.IsZero() && to.Before(from) {
		return nil, errorf(codeInvalidParameterValue, "EndDate must not be before StartDate.")
	}
	out := &describeAlarmHistoryOutput{AlarmHistoryItems: []alarmHistoryItem{}}
	if !metricAlarms {
		return out, nil
	}
	items, err := a.Backend.AlarmHistory(ctx, in.AlarmName, from, to)
	if err != nil {
		return nil, err
	}
	if in.HistoryItemType != "" {
		items = slices.DeleteFunc(items, func(h model.AlarmHistoryItem) bool { return h.HistoryItemType != in.HistoryItemType })
	}
	if ascending {
		slices.Reverse(items)
	}
	if offset > len(items) {
		offset = len(items)
	}
	end := min(offset+limit, len(items))
	for _, h := range items[offset:end] {
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, alarmHistoryItem{
			AlarmName: h.AlarmName, AlarmType: "MetricAlarm", Timestamp: h.Timestamp,
			HistoryItemType: h.HistoryItemType, HistorySummary: h.HistorySummary, HistoryData: h.HistoryData,
		})
	}
	if end < len(items) {
		out.NextToken = offsetToken("history", int64(end), to.UnixNano())
	}
	return out, nil
}

// scanBy reports whether ScanBy asks for ascending order.
func scanBy(s string) (bool, error) {
	switch s {
	case "", "TimestampDescending":
		return false, nil
	case "TimestampAscending":
		return true, nil
	}
	return false, errorf(codeInvalidParameterValue, "ScanBy %q is not TimestampDescending or TimestampAscending.", s)
}
