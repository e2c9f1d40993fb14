package cloudwatch

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
)

// Backend stores alarms and metric data. Errors of type *model.AlarmError carry CloudWatch's code
// (ResourceNotFound → 404, LimitExceeded, InvalidParameterValue, MissingParameter, InvalidParameterCombination → 400);
// any other error is InternalServiceError 500.
type Backend interface {
	PutMetricAlarm(ctx context.Context, a model.Alarm) error // a is already validated with a.Validate()
	Alarms(ctx context.Context) ([]AlarmRecord, error)       // every alarm, sorted by name
	DeleteAlarms(ctx context.Context, names []string) error
	SetAlarmState(ctx context.Context, name, value, reason, reasonData string) error
	AlarmHistory(ctx context.Context, name string, from, to time.Time) ([]model.AlarmHistoryItem, error) // name "" = all; newest first
	SetActionsEnabled(ctx context.Context, names []string, enabled bool) error
	PutMetricData(ctx context.Context, namespace string, data []Datum) error
	Statistics(ctx context.Context, m model.Metric, from, to time.Time, period time.Duration) ([]model.Datapoint, error) // periods aligned to the Unix epoch, oldest first, empty periods omitted
	ListMetrics(ctx context.Context, namespace, metricName string, dims []DimensionFilter) ([]model.Metric, error)
}

// AlarmRecord is a stored alarm with its state and ARN.
type AlarmRecord struct {
	Alarm model.Alarm
	State model.AlarmState
	Arn   string
}

// Datum is one validated PutMetricData datum, its values folded into a
// statistic set.
type Datum struct {
	MetricName string
	Dimensions []model.Dimension
	Timestamp  time.Time
	Stats      model.StatisticSet
	Unit       string
}

// DimensionFilter selects metrics having dimension Name, with Value when
// it is not nil (ListMetrics).
type DimensionFilter struct {
	Name  string
	Value *string
}

// Authenticator verifies a request's signature and returns the access key
// id. Errors carrying a status and code (route53.Error) are reported with
// them; others as 403 AccessDenied.
type Authenticator interface {
	Authenticate(r *http.Request) (accessKeyID string, err error)
}

// API serves the CloudWatch operations in the query, JSON 1.0 and RPC v2
// CBOR protocols. Mount it on POST / (through awsquery.Dispatch) and on
// POST /service/GraniteServiceVersion20100801/operation/.
type API struct {
	Backend   Backend
	Auth      Authenticator
	Region    string
	AccountID string
	Logger    *slog.Logger
	// Now returns the current time (PutMetricData's timestamp window,
	// default end times). Default: time.Now.
	Now func() time.Time
	// Metrics counts requests by operation and status. Default: none.
	Metrics selfmetrics.RequestObserver
}

func (a *API) log() *slog.Logger {
	if a.Logger == nil {
		return slog.Default()
	}
	return a.Logger
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// ServeHTTP authenticates the request, decodes it in its protocol, runs
// the operation and encodes the result in the same protocol.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := selfmetrics.UnknownOperation
	if a.Metrics != nil {
		var done func(string)
		w, done = selfmetrics.Track(a.Metrics, selfmetrics.APICloudWatch, w)
		defer func() { done(op) }()
	}
	p := detect(r)
	requestID := awsquery.NewRequestID()
	if r.Method != http.MethodPost {
		p.writeError(w, requestID, &apiError{Status: http.StatusMethodNotAllowed, Code: "InvalidAction", Message: "CloudWatch requests use POST."})
		return
	}
	if _, err := a.Auth.Authenticate(r); err != nil {
		ae, ok := toAPIError(err)
		if !ok {
			ae = &apiError{Status: http.StatusForbidden, Code: "AccessDenied", Message: err.Error()}
		}
		p.writeError(w, requestID, ae)
		return
	}
	opName, decode, err := p.parse(r)
	if _, known := operations[opName]; known {
		op = opName
	}
	if err == nil {
		var out any
		out, err = a.run(r.Context(), opName, decode)
		if err == nil {
			p.writeResult(w, opName, requestID, out)
			return
		}
	}
	ae, ok := toAPIError(err)
	if !ok {
		a.log().Error("cloudwatch request failed", "op", opName, "request_id", requestID, "err", err)
	}
	p.writeError(w, requestID, ae)
}

func (a *API) run(ctx context.Context, opName string, decode func(any) error) (any, error) {
	o, ok := operations[opName]
	if !ok {
		if opName == "" {
			return nil, errorf(codeMissingParameter, "The parameter Action is required.")
		}
		return nil, errorf(codeInvalidAction, "The action %s is not valid for this web service.", opName)
	}
	return o(a, ctx, decode)
}

type operation = awsquery.Operation[*API]

var operations map[string]operation

func init() {
	operations = map[string]operation{
		"PutMetricAlarm":          awsquery.Op((*API).putMetricAlarm),
		"DescribeAlarms":          awsquery.Op((*API).describeAlarms),
		"DescribeAlarmsForMetric": awsquery.Op((*API).describeAlarmsForMetric),
		"DeleteAlarms":            awsquery.Op((*API).deleteAlarms),
		"SetAlarmState":           awsquery.Op((*API).setAlarmState),
		"DescribeAlarmHistory":    awsquery.Op((*API).describeAlarmHistory),
		"EnableAlarmActions":      awsquery.Op((*API).enableAlarmActions),
		"DisableAlarmActions":     awsquery.Op((*API).disableAlarmActions),
		"PutMetricData":           awsquery.Op((*API).putMetricData),
		"GetMetricStatistics":     awsquery.Op((*API).getMetricStatistics),
		"GetMetricData":           awsquery.Op((*API).getMetricData),
		"ListMetrics":             awsquery.Op((*API).listMetrics),
	}
}
