package model

import "time"

// HealthCheckType is the Type of a health check.
type HealthCheckType string

// Health check types.
const (
	TypeHTTP             HealthCheckType = "HTTP"
	TypeHTTPS            HealthCheckType = "HTTPS"
	TypeHTTPStrMatch     HealthCheckType = "HTTP_STR_MATCH"
	TypeHTTPSStrMatch    HealthCheckType = "HTTPS_STR_MATCH"
	TypeTCP              HealthCheckType = "TCP"
	TypeCalculated       HealthCheckType = "CALCULATED"
	TypeCloudWatchMetric HealthCheckType = "CLOUDWATCH_METRIC"
	TypeRecoveryControl  HealthCheckType = "RECOVERY_CONTROL"
)

// IsEndpoint reports whether checks of this type probe an endpoint.
func (t HealthCheckType) IsEndpoint() bool {
	switch t {
	case TypeHTTP, TypeHTTPS, TypeHTTPStrMatch, TypeHTTPSStrMatch, TypeTCP:
		return true
	}
	return false
}

// IsHTTPS reports whether the type speaks TLS.
func (t HealthCheckType) IsHTTPS() bool { return t == TypeHTTPS || t == TypeHTTPSStrMatch }

// IsStrMatch reports whether the type searches the body.
func (t HealthCheckType) IsStrMatch() bool { return t == TypeHTTPStrMatch || t == TypeHTTPSStrMatch }

// AlarmIdentifier names the alarm a CLOUDWATCH_METRIC check follows.
type AlarmIdentifier struct {
	Region string `json:"region"`
	Name   string `json:"name"`
}

// HealthCheckConfig is a health check's configuration, with Route 53's
// defaults applied (Port, RequestInterval, FailureThreshold, EnableSNI) at
// creation. Pointer fields are optional: nil means "not set".
type HealthCheckConfig struct {
	IPAddress                    string           `json:"ipAddress,omitempty"`
	Port                         int              `json:"port,omitempty"`
	Type                         HealthCheckType  `json:"type"`
	ResourcePath                 string           `json:"resourcePath,omitempty"`
	FullyQualifiedDomainName     string           `json:"fqdn,omitempty"`
	SearchString                 string           `json:"searchString,omitempty"`
	RequestInterval              int              `json:"requestInterval,omitempty"`
	FailureThreshold             int              `json:"failureThreshold,omitempty"`
	MeasureLatency               bool             `json:"measureLatency,omitempty"`
	Inverted                     bool             `json:"inverted,omitempty"`
	Disabled                     bool             `json:"disabled,omitempty"`
	HealthThreshold              *int             `json:"healthThreshold,omitempty"`
	ChildHealthChecks            []string         `json:"childHealthChecks,omitempty"`
	EnableSNI                    *bool            `json:"enableSNI,omitempty"`
	Regions                      []string         `json:"regions,omitempty"`
	AlarmIdentifier              *AlarmIdentifier `json:"alarmIdentifier,omitempty"`
	InsufficientDataHealthStatus string           `json:"insufficientDataHealthStatus,omitempty"`
	RoutingControlArn            string           `json:"routingControlArn,omitempty"`
}

// HealthCheck is one health check as stored.
type HealthCheck struct {
	ID              string            `json:"id"`
	CallerReference string            `json:"callerReference"`
	Config          HealthCheckConfig `json:"config"`
	// Version is 1 at creation and grows by one on every update.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	// AlarmConfig is a copy of the followed alarm's settings
	// (CLOUDWATCH_METRIC), taken at creation and when an update re-sends the
	// AlarmIdentifier (Route 53's CloudWatchAlarmConfiguration).
	AlarmConfig *CloudWatchAlarmConfiguration `json:"alarmConfig,omitempty"`
}

// CloudWatchAlarmConfiguration is the read-only copy of an alarm's settings
// returned with a CLOUDWATCH_METRIC health check.
type CloudWatchAlarmConfiguration struct {
	EvaluationPeriods  int         `json:"evaluationPeriods"`
	Threshold          float64     `json:"threshold"`
	ComparisonOperator string      `json:"comparisonOperator"`
	Period             int         `json:"period"`
	MetricName         string      `json:"metricName"`
	Namespace          string      `json:"namespace"`
	Statistic          string      `json:"statistic"`
	Dimensions         []Dimension `json:"dimensions,omitempty"`
}

// AlarmConfiguration returns the copy of a's settings a health check keeps.
func AlarmConfiguration(a *Alarm) *CloudWatchAlarmConfiguration {
	return &CloudWatchAlarmConfiguration{EvaluationPeriods: a.EvaluationPeriods, Threshold: a.Threshold,
		ComparisonOperator: a.ComparisonOperator, Period: a.Period, MetricName: a.MetricName, Namespace: a.Namespace,
		Statistic: a.Statistic, Dimensions: a.Dimensions}
}

// Status is a health status.
type Status int

// Statuses. The zero value is Unknown.
const (
	StatusUnknown Status = iota
	StatusHealthy
	StatusUnhealthy
)

func (s Status) String() string {
	switch s {
	case StatusHealthy:
		return "Healthy"
	case StatusUnhealthy:
		return "Unhealthy"
	}
	return "Unknown"
}

// Tag is a resource tag. The "Name" tag is a resource's display name.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Timings are the phase durations of one probe; zero when a phase did not happen.
type Timings struct {
	Connect      time.Duration `json:"connect,omitempty"`
	TLSHandshake time.Duration `json:"tlsHandshake,omitempty"`
	FirstByte    time.Duration `json:"firstByte,omitempty"`
}

// Observation is one probe result of one checker for one health check.
type Observation struct {
	HealthCheckID string `json:"healthCheckId"`
	// CheckerID names the checker (unique across the fleet); Region is the
	// checker's region as shown in GetHealthCheckStatus.
	CheckerID string `json:"checkerId"`
	Region    string `json:"region"`
	// SourceIP is the address the probe left from.
	SourceIP string    `json:"sourceIp,omitempty"`
	Time     time.Time `json:"time"`
	Success  bool      `json:"success"`
	// Reason is Route 53-style text, e.g. "Success: HTTP Status Code 200, OK".
	Reason  string  `json:"reason"`
	Timings Timings `json:"timings"`
}
