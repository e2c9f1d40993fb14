package cloudwatch

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// PutMetricData limits (CloudWatch's).
const (
	maxDatums      = 1000
	maxValues      = 150
	maxPastAge     = 14 * 24 * time.Hour
	maxFutureSkew  = 2 * time.Hour
	maxDatapoints  = 1440
	maxQueries     = 500
	metricsPerPage = 500
)

var standardUnits = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"}

func validUnit(u string) bool { return slices.Contains(standardUnits, u) }

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func (a *API) putMetricData(ctx context.Context, in *putMetricDataInput) (*noOutput, error) {
	if err := model.ValidateNamespace(in.Namespace); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.Namespace, "AWS/") {
		return nil, errorf(codeInvalidParameterValue, "The value AWS/ for parameter Namespace is invalid: namespaces starting with AWS/ are reserved.")
	}
	if len(in.EntityMetricData) > 0 {
		return nil, errorf(codeInvalidParameterValue, "EntityMetricData is not supported.")
	}
	if len(in.MetricData) == 0 {
		return nil, errorf(codeMissingParameter, "The parameter MetricData is required.")
	}
	if len(in.MetricData) > maxDatums {
		return nil, errorf(codeInvalidParameterValue, "The collection MetricData must not have more than %d members.", maxDatums)
	}
	now := a.now().UTC()
	data := make([]Datum, 0, len(in.MetricData))
	for i, md := range in.MetricData {
		d, err := datum(md, now)
		if err != nil {
			if ae, ok := err.(*apiError); ok {
				ae.Message = "MetricData.member." + itoa(i+1) + ": " + ae.Message
			}
			return nil, err
		}
		data = append(data, d)
	}
	return nil, a.Backend.PutMetricData(ctx, in.Namespace, data)
}

func datum(md metricDatum, now time.Time) (Datum, error) {
	if md.MetricName == "" {
		return Datum{}, errorf(codeMissingParameter, "The parameter MetricName is required.")
	}
	if len(md.MetricName) > 255 {
		return Datum{}, errorf(codeInvalidParameterValue, "The parameter MetricName must be at most 255 characters long.")
	}
	if err := model.ValidateDimensions(md.Dimensions); err != nil {
		return Datum{}, err
	}
	if md.Unit != "" && !validUnit(md.Unit) {
		return Datum{}, errorf(codeInvalidParameterValue, "Unit %q is not a CloudWatch standard unit.", md.Unit)
	}
	if md.StorageResolution != nil && *md.StorageResolution != 1 && *md.StorageResolution != 60 {
		return Datum{}, errorf(codeInvalidParameterValue, "StorageResolution must be 1 or 60.")
	}
	ts := now
	if md.Timestamp != nil {
		ts = md.Timestamp.UTC()
		if ts.Before(now.Add(-maxPastAge)) || ts.After(now.Add(maxFutureSkew)) {
			return Datum{}, errorf(codeInvalidParameterValue, "The timestamp %s is more than two weeks in the past or two hours in the future.", ts.Format(time.RFC3339))
		}
	}
	given := 0
	for _, b := range []bool{md.Value != nil, md.StatisticValues != nil, len(md.Values) > 0} {
		if b {
			given++
		}
	}
	if given != 1 {
		return Datum{}, errorf(codeInvalidParameterCombination, "Exactly one of Value, StatisticValues and Values must be given.")
	}
	var stats model.StatisticSet
	switch {
	case md.Value != nil:
		if !finite(*md.Value) {
			return Datum{}, errorf(codeInvalidParameterValue, "The parameter Value must be a finite number.")
		}
		stats = model.Single(*md.Value)
	case md.StatisticValues != nil:
		s := *md.StatisticValues
		if !finite(s.SampleCount) || !finite(s.Sum) || !finite(s.Minimum) || !finite(s.Maximum) {
			return Datum{}, errorf(codeInvalidParameterValue, "StatisticValues must be finite numbers.")
		}
		if s.SampleCount <= 0 || s.Minimum > s.Maximum {
			return Datum{}, errorf(codeInvalidParameterValue, "StatisticValues needs SampleCount > 0 and Minimum <= Maximum.")
		}
		stats = model.StatisticSet{SampleCount: s.SampleCount, Sum: s.Sum, Minimum: s.Minimum, Maximum: s.Maximum}
	default:
		if len(md.Values) > maxValues {
			return Datum{}, errorf(codeInvalidParameterValue, "The collection Values must not have more than %d members.", maxValues)
		}
		if len(md.Counts) > 0 && len(md.Counts) != len(md.Values) {
			return Datum{}, errorf(codeInvalidParameterCombination, "Values and Counts must have the same number of members.")
		}
		for j, v := range md.Values {
			c := 1.0
			if len(md.Counts) > 0 {
				c = md.Counts[j]
			}
			if !finite(v) || !finite(c) || c < 0 {
				return Datum{}, errorf(codeInvalidParameterValue, "Values must be finite numbers and Counts finite and not negative.")
			}
			if c == 0 {
				continue
			}
			stats = stats.Merge(model.StatisticSet{SampleCount: c, Sum: v * c, Minimum: v, Maximum: v})
		}
	}
	dims := slices.Clone(md.Dimensions)
	model.SortDimensions(dims)
	return Datum{MetricName: md.MetricName, Dimensions: dims, Timestamp: ts, Stats: stats, Unit: md.Unit}, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// checkPeriod validates a query period: Vedette keeps one-minute data.
func checkPeriod(p int, what string) error {
	if p <= 0 {
		return errorf(codeMissingParameter, "The parameter %s is required.", what)
	}
	if p%60 != 0 {
		return errorf(codeInvalidParameterValue, "The parameter %s must be a multiple of 60 (this server keeps one-minute data).", what)
	}
	return nil
}

func (a *API) getMetricStatistics(ctx context.Context, in *getMetricStatisticsInput) (*getMetricStatisticsOutput, error) {
	switch {
	case in.Namespace == "":
		return nil, errorf(codeMissingParameter, "The parameter Namespace is required.")
	case in.MetricName == "":
		return nil, errorf(codeMissingParameter, "The parameter MetricName is required.")
	case in.StartTime == nil:
		return nil, errorf(codeMissingParameter, "The parameter StartTime is required.")
	case in.EndTime == nil:
		return nil, errorf(codeMissingParameter, "The parameter EndTime is required.")
	case len(in.ExtendedStatistics) > 0:
		return nil, errorf(codeInvalidParameterCombination, "ExtendedStatistics (percentiles) are not supported.")
	case len(in.Statistics) == 0:
		return nil, errorf(codeInvalidParameterCombination, "Must specify either Statistics or ExtendedStatistics, but not both.")
	case len(in.Statistics) > 5:
		return nil, errorf(codeInvalidParameterValue, "The collection Statistics must not have more than 5 members.")
	}
	for _, s := range in.Statistics {
		if !slices.Contains(model.Statistics, s) {
			return nil, errorf(codeInvalidParameterValue, "Statistic %q is not one of SampleCount, Average, Sum, Minimum, Maximum.", s)
		}
	}
	if err := checkPeriod(in.Period, "Period"); err != nil {
		return nil, err
	}
	if in.Unit != "" && !validUnit(in.Unit) {
		return nil, errorf(codeInvalidParameterValue, "Unit %q is not a CloudWatch standard unit.", in.Unit)
	}
	from, to := in.StartTime.UTC(), in.EndTime.UTC()
	if !to.After(from) {
		return nil, errorf(codeInvalidParameterValue, "The parameter StartTime must be less than the parameter EndTime.")
	}
	period := time.Duration(in.Period) * time.Second
	if n := int64(to.Sub(from) / period); n > maxDatapoints {
		return nil, errorf(codeInvalidParameterCombination, "You have requested up to %d datapoints, which exceeds the limit of %d.", n, maxDatapoints)
	}
	if err := model.ValidateDimensions(in.Dimensions); err != nil {
		return nil, err
	}
	m := model.Metric{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: slices.Clone(in.Dimensions)}
	model.SortDimensions(m.Dimensions)
	points, err := a.Backend.Statistics(ctx, m, from, to, period)
	if err != nil {
		return nil, err
	}
	out := &getMetricStatisticsOutput{Label: in.MetricName, Datapoints: []datapoint{}}
	for _, p := range points {
		if in.Unit != "" && unitOf(p.Unit) != in.Unit {
			continue
		}
		dp := datapoint{Timestamp: p.Timestamp, Unit: unitOf(p.Unit)}
		for _, s := range in.Statistics {
			v, ok := p.Stats.Value(s)
			if !ok {
				continue
			}
			switch s {
			case model.StatSampleCount:
				dp.SampleCount = &v
			case model.StatAverage:
				dp.Average = &v
			case model.StatSum:
				dp.Sum = &v
			case model.StatMinimum:
				dp.Minimum = &v
			case model.StatMaximum:
				dp.Maximum = &v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

func unitOf(u string) string {
	if u == "" {
		return "None"
	}
	return u
}

var queryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]{0,254}$`)

func (a *API) getMetricData(ctx context.Context, in *getMetricDataInput) (*getMetricDataOutput, error) {
	switch {
	case len(in.MetricDataQueries) == 0:
		return nil, errorf(codeMissingParameter, "The parameter MetricDataQueries is required.")
	case len(in.MetricDataQueries) > maxQueries:
		return nil, errorf(codeInvalidParameterValue, "The collection MetricDataQueries must not have more than %d members.", maxQueries)
	case in.StartTime == nil:
		return nil, errorf(codeMissingParameter, "The parameter StartTime is required.")
	case in.EndTime == nil:
		return nil, errorf(codeMissingParameter, "The parameter EndTime is required.")
	}
	from, to := in.StartTime.UTC(), in.EndTime.UTC()
	if !to.After(from) {
		return nil, errorf(codeInvalidParameterValue, "The parameter StartTime must be less than the parameter EndTime.")
	}
	ascending, err := scanBy(in.ScanBy)
	if err != nil {
		return nil, err
	}
	limit := 100800
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints < 1 {
			return nil, errorf(codeInvalidParameterValue, "The parameter MaxDatapoints must be at least 1.")
		}
		limit = *in.MaxDatapoints
	}
	offset := 0
	if in.NextToken != "" {
		nums, err := parseOffsetToken("data", in.NextToken, 1)
		if err != nil {
			return nil, err
		}
		offset = int(nums[0])
	}
	seen := map[string]bool{}
	for i, q := range in.MetricDataQueries {
		where := "MetricDataQueries.member." + itoa(i+1)
		switch {
		case !queryID.MatchString(q.Id):
			return nil, errorf(codeInvalidParameterValue, "%s: Id must start with a lowercase letter and contain only letters, digits and underscores.", where)
		case seen[q.Id]:
			return nil, errorf(codeInvalidParameterValue, "%s: Id %s is used more than once.", where, q.Id)
		case q.Expression != "":
			return nil, errorf(codeInvalidParameterValue, "%s: metric math expressions are not supported; use MetricStat.", where)
		case q.AccountId != "":
			return nil, errorf(codeInvalidParameterValue, "%s: cross-account queries are not supported.", where)
		case q.MetricStat == nil || q.MetricStat.Metric == nil:
			return nil, errorf(codeMissingParameter, "%s: MetricStat is required.", where)
		case !slices.Contains(model.Statistics, q.MetricStat.Stat):
			return nil, errorf(codeInvalidParameterValue, "%s: Stat %q is not one of SampleCount, Average, Sum, Minimum, Maximum.", where, q.MetricStat.Stat)
		}
		seen[q.Id] = true
		if err := checkPeriod(q.MetricStat.Period, where+".MetricStat.Period"); err != nil {
			return nil, err
		}
		m := q.MetricStat.Metric
		if m.Namespace == "" || m.MetricName == "" {
			return nil, errorf(codeMissingParameter, "%s: MetricStat.Metric needs Namespace and MetricName.", where)
		}
		if err := model.ValidateDimensions(m.Dimensions); err != nil {
			return nil, err
		}
	}
	out := &getMetricDataOutput{MetricDataResults: []metricDataResult{}}
	pos := 0 // position in the concatenation of all results' points
	for _, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		ms := q.MetricStat
		m := model.Metric{Namespace: ms.Metric.Namespace, MetricName: ms.Metric.MetricName, Dimensions: slices.Clone(ms.Metric.Dimensions)}
		model.SortDimensions(m.Dimensions)
		points, err := a.Backend.Statistics(ctx, m, from, to, time.Duration(ms.Period)*time.Second)
		if err != nil {
			return nil, err
		}
		if !ascending {
			slices.Reverse(points)
		}
		label := q.Label
		if label == "" {
			label = m.MetricName
		}
		res := metricDataResult{Id: q.Id, Label: label, Timestamps: []time.Time{}, Values: []float64{}, StatusCode: "Complete"}
		for _, p := range points {
			if ms.Unit != "" && unitOf(p.Unit) != ms.Unit {
				continue
			}
			v, ok := p.Stats.Value(ms.Stat)
			if !ok {
				continue
			}
			if pos >= offset && pos < offset+limit {
				res.Timestamps = append(res.Timestamps, p.Timestamp)
				res.Values = append(res.Values, v)
			} else if pos >= offset+limit {
				res.StatusCode = "PartialData"
			}
			pos++
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
	}
	if pos > offset+limit {
		out.NextToken = offsetToken("data", int64(offset+limit))
	}
	return out, nil
}

func (a *API) listMetrics(ctx context.Context, in *listMetricsInput) (*listMetricsOutput, error) {
	if len(in.Dimensions) > 10 {
		return nil, errorf(codeInvalidParameterValue, "The collection Dimensions must not have more than 10 members.")
	}
	for _, f := range in.Dimensions {
		if f.Name == "" {
			return nil, errorf(codeInvalidParameterValue, "Dimension filter names must not be empty.")
		}
	}
	if in.RecentlyActive != "" && in.RecentlyActive != "PT3H" {
		return nil, errorf(codeInvalidParameterValue, "RecentlyActive must be PT3H.")
	}
	after := ""
	if in.NextToken != "" {
		var err error
		if after, err = decodeToken("metrics", in.NextToken); err != nil {
			return nil, err
		}
	}
	metrics, err := a.Backend.ListMetrics(ctx, in.Namespace, in.MetricName, in.Dimensions)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(metrics, func(x, y model.Metric) int { return strings.Compare(x.Key(), y.Key()) })
	out := &listMetricsOutput{Metrics: []model.Metric{}}
	for _, m := range metrics {
		if in.NextToken != "" && m.Key() <= after {
			continue
		}
		if len(out.Metrics) == metricsPerPage {
			out.NextToken = encodeToken("metrics", out.Metrics[metricsPerPage-1].Key())
			break
		}
		m.Dimensions = nonNil(m.Dimensions)
		out.Metrics = append(out.Metrics, m)
	}
	return out, nil
}
