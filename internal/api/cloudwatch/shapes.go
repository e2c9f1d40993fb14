package cloudwatch

import (
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// Request and response structures, named as in CloudWatch's model; shared
// by all three protocols. model.Dimension and model.Metric have CloudWatch's
// member names and are used as they are.

type noOutput struct{}

type tag struct {
	Key   string
	Value string
}

type putMetricAlarmInput struct {
	AlarmName                        string
	AlarmDescription                 string
	ActionsEnabled                   *bool
	OKActions                        []string
	AlarmActions                     []string
	InsufficientDataActions          []string
	MetricName                       string
	Namespace                        string
	Statistic                        string
	ExtendedStatistic                string
	Dimensions                       []model.Dimension
	Period                           int
	Unit                             string
	EvaluationPeriods                int
	DatapointsToAlarm                int
	Threshold                        *float64
	ComparisonOperator               string
	TreatMissingData                 string
	EvaluateLowSampleCountPercentile string
	Metrics                          []metricDataQuery
	ThresholdMetricId                string
	Tags                             []tag
}

type describeAlarmsInput struct {
	AlarmNames          []string
	AlarmNamePrefix     string
	AlarmTypes          []string
	ChildrenOfAlarmName string
	ParentsOfAlarmName  string
	StateValue          string
	ActionPrefix        string
	MaxRecords          *int
	NextToken           string
}

type metricAlarm struct {
	AlarmName                          string
	AlarmArn                           string
	AlarmDescription                   string
	AlarmConfigurationUpdatedTimestamp time.Time
	ActionsEnabled                     bool
	OKActions                          []string
	AlarmActions                       []string
	InsufficientDataActions            []string
	StateValue                         string
	StateReason                        string
	StateReasonData                    string
	StateUpdatedTimestamp              time.Time
	StateTransitionedTimestamp         time.Time
	MetricName                         string
	Namespace                          string
	Statistic                          string
	Dimensions                         []model.Dimension
	Period                             int
	Unit                               string
	EvaluationPeriods                  int
	DatapointsToAlarm                  int `aws:",omitempty"`
	Threshold                          float64
	ComparisonOperator                 string
	TreatMissingData                   string
}

type describeAlarmsOutput struct {
	MetricAlarms    []metricAlarm
	CompositeAlarms []struct{}
	NextToken       string
}

type describeAlarmsForMetricInput struct {
	MetricName        string
	Namespace         string
	Statistic         string
	ExtendedStatistic string
	Dimensions        []model.Dimension
	Period            int
	Unit              string
}

type describeAlarmsForMetricOutput struct {
	MetricAlarms []metricAlarm
}

type alarmNamesInput struct {
	AlarmNames []string
}

type setAlarmStateInput struct {
	AlarmName       string
	StateValue      string
	StateReason     string
	StateReasonData string
}

type describeAlarmHistoryInput struct {
	AlarmName       string
	AlarmTypes      []string
	HistoryItemType string
	StartDate       *time.Time
	EndDate         *time.Time
	MaxRecords      *int
	NextToken       string
	ScanBy          string
}

type alarmHistoryItem struct {
	AlarmName       string
	AlarmType       string
	Timestamp       time.Time
	HistoryItemType string
	HistorySummary  string
	HistoryData     string
}

type describeAlarmHistoryOutput struct {
	AlarmHistoryItems []alarmHistoryItem
	NextToken         string
}

type statisticSet struct {
	SampleCount float64
	Sum         float64
	Minimum     float64
	Maximum     float64
}

type metricDatum struct {
	MetricName        string
	Dimensions        []model.Dimension
	Timestamp         *time.Time
	Value             *float64
	StatisticValues   *statisticSet
	Values            []float64
	Counts            []float64
	Unit              string
	StorageResolution *int
}

type putMetricDataInput struct {
	Namespace        string
	MetricData       []metricDatum
	EntityMetricData []struct{}
}

type getMetricStatisticsInput struct {
	Namespace          string
	MetricName         string
	Dimensions         []model.Dimension
	StartTime          *time.Time
	EndTime            *time.Time
	Period             int
	Statistics         []string
	ExtendedStatistics []string
	Unit               string
}

type datapoint struct {
	Timestamp   time.Time
	SampleCount *float64
	Average     *float64
	Sum         *float64
	Minimum     *float64
	Maximum     *float64
	Unit        string
}

type getMetricStatisticsOutput struct {
	Label      string
	Datapoints []datapoint
}

type metricStat struct {
	Metric *model.Metric
	Period int
	Stat   string
	Unit   string
}

type metricDataQuery struct {
	Id         string
	MetricStat *metricStat
	Expression string
	Label      string
	ReturnData *bool
	Period     int
	AccountId  string
}

type getMetricDataInput struct {
	MetricDataQueries []metricDataQuery
	StartTime         *time.Time
	EndTime           *time.Time
	NextToken         string
	ScanBy            string
	MaxDatapoints     *int
}

type metricDataResult struct {
	Id         string
	Label      string
	Timestamps []time.Time
	Values     []float64
	StatusCode string
}

type getMetricDataOutput struct {
	MetricDataResults []metricDataResult
	NextToken         string
}

type listMetricsInput struct {
	Namespace             string
	MetricName            string
	Dimensions            []DimensionFilter
	NextToken             string
	RecentlyActive        string
	IncludeLinkedAccounts bool
	OwningAccount         string
}

type listMetricsOutput struct {
	Metrics   []model.Metric
	NextToken string
}
