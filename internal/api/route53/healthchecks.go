package route53

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/model"
)

// Health-check limits.
const (
	// maxHealthChecks is Vedette's limit on health checks: Route 53's
	// default account quota is 200 (raisable); a self-hosted node is sized
	// for 100,000 (see docs/benchmarks.md).
	maxHealthChecks       = 100000
	maxHealthChecksPage   = 1000
	defaultHealthChecksPg = 100
	maxHCCallerReference  = 64
)

// StatusSource reports what checkers observed, for GetHealthCheckStatus and
// GetHealthCheckLastFailureReason.
type StatusSource interface {
	// Observations returns the latest observation of every reporting checker.
	Observations(healthCheckID string) []model.Observation
	// LastFailures returns, per checker, its latest failed observation.
	LastFailures(healthCheckID string) []model.Observation
}

// HealthCheckPolicy validates health-check configurations beyond Route 53's
// rules: the probe-target policy for IPAddress, and children for CALCULATED.
type HealthCheckPolicy interface {
	ValidateIP(addr netip.Addr) error
}

type xmlAlarmIdentifier struct {
	Region string `xml:"Region"`
	Name   string `xml:"Name"`
}

// xmlHealthCheckConfig is HealthCheckConfig in model order.
type xmlHealthCheckConfig struct {
	IPAddress                    string              `xml:"IPAddress,omitempty"`
	Port                         *int                `xml:"Port,omitempty"`
	Type                         string              `xml:"Type"`
	ResourcePath                 string              `xml:"ResourcePath,omitempty"`
	FullyQualifiedDomainName     string              `xml:"FullyQualifiedDomainName,omitempty"`
	SearchString                 string              `xml:"SearchString,omitempty"`
	RequestInterval              *int                `xml:"RequestInterval,omitempty"`
	FailureThreshold             *int                `xml:"FailureThreshold,omitempty"`
	MeasureLatency               *bool               `xml:"MeasureLatency,omitempty"`
	Inverted                     *bool               `xml:"Inverted,omitempty"`
	Disabled                     *bool               `xml:"Disabled,omitempty"`
	HealthThreshold              *int                `xml:"HealthThreshold,omitempty"`
	ChildHealthChecks            *[]string           `xml:"ChildHealthChecks>ChildHealthCheck,omitempty"`
	EnableSNI                    *bool               `xml:"EnableSNI,omitempty"`
	Regions                      *[]string           `xml:"Regions>Region,omitempty"`
	AlarmIdentifier              *xmlAlarmIdentifier `xml:"AlarmIdentifier,omitempty"`
	InsufficientDataHealthStatus string              `xml:"InsufficientDataHealthStatus,omitempty"`
	RoutingControlArn            string              `xml:"RoutingControlArn,omitempty"`
}

type xmlHealthCheck struct {
	ID                           string               `xml:"Id"`
	CallerReference              string               `xml:"CallerReference"`
	HealthCheckConfig            xmlHealthCheckConfig `xml:"HealthCheckConfig"`
	HealthCheckVersion           int64                `xml:"HealthCheckVersion"`
	CloudWatchAlarmConfiguration *xmlAlarmConfig      `xml:"CloudWatchAlarmConfiguration,omitempty"`
}

// xmlAlarmConfig is CloudWatchAlarmConfiguration in model order.
type xmlAlarmConfig struct {
	EvaluationPeriods  int             `xml:"EvaluationPeriods"`
	Threshold          float64         `xml:"Threshold"`
	ComparisonOperator string          `xml:"ComparisonOperator"`
	Period             int             `xml:"Period"`
	MetricName         string          `xml:"MetricName"`
	Namespace          string          `xml:"Namespace"`
	Statistic          string          `xml:"Statistic"`
	Dimensions         *[]xmlDimension `xml:"Dimensions>Dimension,omitempty"`
}

type xmlDimension struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

func configModel(x *xmlHealthCheckConfig) model.HealthCheckConfig {
	c := model.HealthCheckConfig{
		IPAddress: x.IPAddress, Port: deref(x.Port), Type: model.HealthCheckType(x.Type), ResourcePath: x.ResourcePath,
		FullyQualifiedDomainName: x.FullyQualifiedDomainName, SearchString: x.SearchString,
		RequestInterval: deref(x.RequestInterval), FailureThreshold: deref(x.FailureThreshold),
		MeasureLatency: deref(x.MeasureLatency), Inverted: deref(x.Inverted), Disabled: deref(x.Disabled),
		HealthThreshold: x.HealthThreshold, EnableSNI: x.EnableSNI, InsufficientDataHealthStatus: x.InsufficientDataHealthStatus,
		RoutingControlArn: x.RoutingControlArn,
	}
	if x.ChildHealthChecks != nil {
		c.ChildHealthChecks = *x.ChildHealthChecks
	}
	if x.Regions != nil {
		c.Regions = *x.Regions
	}
	if x.AlarmIdentifier != nil {
		c.AlarmIdentifier = &model.AlarmIdentifier{Region: x.AlarmIdentifier.Region, Name: x.AlarmIdentifier.Name}
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func configXML(c *model.HealthCheckConfig) xmlHealthCheckConfig {
	x := xmlHealthCheckConfig{
		IPAddress: c.IPAddress, Type: string(c.Type), ResourcePath: c.ResourcePath,
		FullyQualifiedDomainName: c.FullyQualifiedDomainName, SearchString: c.SearchString,
		Inverted: ptr(c.Inverted), Disabled: ptr(c.Disabled), HealthThreshold: c.HealthThreshold,
		EnableSNI: c.EnableSNI, InsufficientDataHealthStatus: c.InsufficientDataHealthStatus, RoutingControlArn: c.RoutingControlArn,
	}
	if c.Type.IsEndpoint() {
		x.Port, x.RequestInterval, x.FailureThreshold, x.MeasureLatency = ptr(c.Port), ptr(c.RequestInterval), ptr(c.FailureThreshold), ptr(c.MeasureLatency)
	}
	if c.Type == model.TypeCalculated {
		x.ChildHealthChecks = ptr(append([]string{}, c.ChildHealthChecks...))
	}
	if len(c.Regions) > 0 {
		x.Regions = ptr(c.Regions)
	}
	if c.AlarmIdentifier != nil {
		x.AlarmIdentifier = &xmlAlarmIdentifier{c.AlarmIdentifier.Region, c.AlarmIdentifier.Name}
	}
	return x
}

func healthCheckXML(hc *model.HealthCheck) xmlHealthCheck {
	x := xmlHealthCheck{ID: hc.ID, CallerReference: hc.CallerReference, HealthCheckConfig: configXML(&hc.Config), HealthCheckVersion: hc.Version}
	if c := hc.AlarmConfig; c != nil {
		x.CloudWatchAlarmConfiguration = &xmlAlarmConfig{EvaluationPeriods: c.EvaluationPeriods, Threshold: c.Threshold,
			ComparisonOperator: c.ComparisonOperator, Period: c.Period, MetricName: c.MetricName, Namespace: c.Namespace, Statistic: c.Statistic}
		if len(c.Dimensions) > 0 {
			dims := make([]xmlDimension, 0, len(c.Dimensions))
			for _, d := range c.Dimensions {
				dims = append(dims, xmlDimension(d))
			}
			x.CloudWatchAlarmConfiguration.Dimensions = &dims
		}
	}
	return x
}

// alarmConfig looks up the alarm a CLOUDWATCH_METRIC configuration names
// and returns the copy of its settings the check keeps.
func (a *API) alarmConfig(ctx context.Context, cfg *model.HealthCheckConfig) (*model.CloudWatchAlarmConfiguration, error) {
	ai := cfg.AlarmIdentifier
	if a.opts.Alarm == nil {
		return nil, invalidInput("Invalid parameter : CLOUDWATCH_METRIC health checks need this server's alarms, which are not configured")
	}
	alarm, ok := a.opts.Alarm(ctx, ai.Name)
	if !ok {
		return nil, invalidInput("Invalid parameter : The CloudWatch alarm %s (region %s) does not exist. Create it with PutMetricAlarm first.", ai.Name, ai.Region)
	}
	return model.AlarmConfiguration(alarm), nil
}

func noSuchHealthCheck(id string) *Error {
	return errorf(http.StatusNotFound, "NoSuchHealthCheck", "A health check with id %s does not exist.", id)
}

// hcError maps catalog and validation errors to Route 53 errors.
func hcError(id string, err error) error {
	var ie *model.InputError
	switch {
	case errors.As(err, &ie):
		return invalidInput("%s", ie.Error())
	case errors.Is(err, catalog.ErrNoSuchHealthCheck):
		return noSuchHealthCheck(id)
	case errors.Is(err, catalog.ErrVersionMismatch):
		return errorf(http.StatusConflict, "HealthCheckVersionMismatch", "The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check.")
	case errors.Is(err, catalog.ErrHealthCheckInUse):
		return errorf(http.StatusBadRequest, "HealthCheckInUse", "The health check %s is still referenced from one or more resource record sets; remove those references first.", id)
	case errors.Is(err, catalog.ErrHealthCheckExists):
		return errorf(http.StatusConflict, "HealthCheckAlreadyExists", "A health check with the specified CallerReference already exists with different settings, or was deleted.")
	}
	return err
}

type createHealthCheckRequest struct {
	CallerReference   string               `xml:"CallerReference"`
	HealthCheckConfig xmlHealthCheckConfig `xml:"HealthCheckConfig"`
}

type healthCheckResponse struct {
	XMLName     xml.Name
	HealthCheck xmlHealthCheck `xml:"HealthCheck"`
}

func hcResponse(op string, hc *model.HealthCheck) healthCheckResponse {
	return healthCheckResponse{XMLName: xml.Name{Space: Namespace, Local: op + "Response"}, HealthCheck: healthCheckXML(hc)}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (a *API) createHealthCheck(w http.ResponseWriter, r *http.Request) error {
	var req createHealthCheckRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.CallerReference == "" || len(req.CallerReference) > maxHCCallerReference {
		return invalidInput("Invalid parameter : CallerReference must be 1 to %d characters", maxHCCallerReference)
	}
	cfg := configModel(&req.HealthCheckConfig)
	if err := a.validateConfig(r.Context(), "", &cfg); err != nil {
		return err
	}
	all, err := a.opts.Catalog.HealthChecks(r.Context())
	if err != nil {
		return err
	}
	if len(all) >= maxHealthChecks {
		return errorf(http.StatusBadRequest, "TooManyHealthChecks", "This operation would exceed the limit of %d health checks.", maxHealthChecks)
	}
	hc := model.HealthCheck{ID: a.opts.NewUUID(), CallerReference: req.CallerReference, Config: cfg, Version: 1, CreatedAt: a.opts.Now().UTC()}
	if cfg.Type == model.TypeCloudWatchMetric {
		if hc.AlarmConfig, err = a.alarmConfig(r.Context(), &cfg); err != nil {
			return err
		}
	}
	hc, created, err := a.opts.Catalog.CreateHealthCheck(r.Context(), hc)
	if err != nil {
		return hcError(hc.ID, err)
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // idempotent retry: the existing check
	}
	w.Header().Set("Location", scheme(r)+"://"+r.Host+prefix+"/healthcheck/"+hc.ID)
	writeXML(w, status, hcResponse("CreateHealthCheck", &hc))
	return nil
}

// validateConfig applies Route 53's rules, the probe-target policy and the
// CALCULATED child rules to cfg (self is the check's own id on update).
func (a *API) validateConfig(ctx context.Context, self string, cfg *model.HealthCheckConfig) error {
	if err := model.NormalizeHealthCheckConfig(cfg); err != nil {
		return hcError("", err)
	}
	return a.checkPolicyAndChildren(ctx, self, cfg)
}

func (a *API) checkPolicyAndChildren(ctx context.Context, self string, cfg *model.HealthCheckConfig) error {
	if cfg.IPAddress != "" && a.opts.Policy != nil {
		addr, _ := netip.ParseAddr(cfg.IPAddress)
		if err := a.opts.Policy.ValidateIP(addr); err != nil {
			return invalidInput("Invalid parameter : IP address '%s' is forbidden: %v", cfg.IPAddress, err)
		}
	}
	for _, child := range cfg.ChildHealthChecks {
		if child == self {
			return invalidInput("Invalid parameter : a calculated health check cannot be its own child")
		}
		hc, _, err := a.opts.Catalog.HealthCheck(ctx, child)
		if errors.Is(err, catalog.ErrNoSuchHealthCheck) {
			return noSuchHealthCheck(child)
		}
		if err != nil {
			return err
		}
		if hc.Config.Type == model.TypeCalculated {
			return invalidInput("Invalid parameter : child health check %s is a calculated health check; calculated checks cannot be children", child)
		}
	}
	return nil
}

func (a *API) getHealthCheck(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	hc, _, err := a.opts.Catalog.HealthCheck(r.Context(), id)
	if err != nil {
		return hcError(id, err)
	}
	writeXML(w, http.StatusOK, hcResponse("GetHealthCheck", &hc))
	return nil
}

type listHealthChecksResponse struct {
	XMLName      xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHealthChecksResponse"`
	HealthChecks []xmlHealthCheck `xml:"HealthChecks>HealthCheck"`
	Marker       string           `xml:"Marker"`
	IsTruncated  bool             `xml:"IsTruncated"`
	NextMarker   string           `xml:"NextMarker,omitempty"`
	MaxItems     string           `xml:"MaxItems"`
}

func (a *API) listHealthChecks(w http.ResponseWriter, r *http.Request) error {
	n := defaultHealthChecksPg
	if s := r.URL.Query().Get("maxitems"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return invalidInput("Invalid parameter : maxitems must be a positive integer")
		}
		n = min(v, maxHealthChecksPage)
	}
	all, err := a.opts.Catalog.HealthChecks(r.Context())
	if err != nil {
		return err
	}
	marker := r.URL.Query().Get("marker")
	start := sort.Search(len(all), func(i int) bool { return all[i].ID >= marker })
	resp := listHealthChecksResponse{Marker: marker, MaxItems: strconv.Itoa(n), HealthChecks: []xmlHealthCheck{}}
	for i := start; i < len(all); i++ {
		if len(resp.HealthChecks) == n {
			resp.IsTruncated, resp.NextMarker = true, all[i].ID
			break
		}
		resp.HealthChecks = append(resp.HealthChecks, healthCheckXML(&all[i]))
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

type updateHealthCheckRequest struct {
	HealthCheckVersion       *int64    `xml:"HealthCheckVersion"`
	IPAddress                *string   `xml:"IPAddress"`
	Port                     *int      `xml:"Port"`
	ResourcePath             *string   `xml:"ResourcePath"`
	FullyQualifiedDomainName *string   `xml:"FullyQualifiedDomainName"`
	SearchString             *string   `xml:"SearchString"`
	FailureThreshold         *int      `xml:"FailureThreshold"`
	Inverted                 *bool     `xml:"Inverted"`
	Disabled                 *bool     `xml:"Disabled"`
	HealthThreshold          *int      `xml:"HealthThreshold"`
	ChildHealthChecks        *[]string `xml:"ChildHealthChecks>ChildHealthCheck"`
	EnableSNI                *bool     `xml:"EnableSNI"`
	Regions                  *[]string `xml:"Regions>Region"`
	AlarmIdentifier          *xmlAlarmIdentifier
	InsufficientData         *string  `xml:"InsufficientDataHealthStatus"`
	ResetElements            []string `xml:"ResetElements>ResettableElementName"`
}

func (a *API) updateHealthCheck(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var req updateHealthCheckRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var version int64
	if req.HealthCheckVersion != nil {
		if *req.HealthCheckVersion < 1 {
			return invalidInput("Invalid parameter : HealthCheckVersion must be at least 1")
		}
		version = *req.HealthCheckVersion
	}
	u := &model.HealthCheckUpdate{
		IPAddress: req.IPAddress, Port: req.Port, ResourcePath: req.ResourcePath, FullyQualifiedDomainName: req.FullyQualifiedDomainName,
		SearchString: req.SearchString, FailureThreshold: req.FailureThreshold, Inverted: req.Inverted, Disabled: req.Disabled,
		HealthThreshold: req.HealthThreshold, ChildHealthChecks: req.ChildHealthChecks, EnableSNI: req.EnableSNI, Regions: req.Regions,
		InsufficientData: req.InsufficientData, ResetElements: req.ResetElements,
	}
	if req.AlarmIdentifier != nil {
		u.AlarmIdentifier = &model.AlarmIdentifier{Region: req.AlarmIdentifier.Region, Name: req.AlarmIdentifier.Name}
	}
	hc, err := a.opts.Catalog.UpdateHealthCheck(r.Context(), id, version, func(hc *model.HealthCheck) error {
		cfg, err := model.ApplyUpdate(hc.Config, u)
		if err != nil {
			return err
		}
		if err := a.checkPolicyAndChildren(r.Context(), id, &cfg); err != nil {
			return err
		}
		if u.AlarmIdentifier != nil {
			// Re-sending the AlarmIdentifier re-reads the alarm's settings.
			if hc.AlarmConfig, err = a.alarmConfig(r.Context(), &cfg); err != nil {
				return err
			}
		}
		hc.Config = cfg
		return nil
	})
	if err != nil {
		return hcError(id, err)
	}
	writeXML(w, http.StatusOK, hcResponse("UpdateHealthCheck", &hc))
	return nil
}

func (a *API) deleteHealthCheck(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.opts.Catalog.DeleteHealthCheck(r.Context(), id); err != nil {
		return hcError(id, err)
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteHealthCheckResponse"`
	}{})
	return nil
}

func (a *API) getHealthCheckCount(w http.ResponseWriter, r *http.Request) error {
	all, err := a.opts.Catalog.HealthChecks(r.Context())
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHealthCheckCountResponse"`
		Count   int      `xml:"HealthCheckCount"`
	}{Count: len(all)})
	return nil
}

type xmlObservation struct {
	Region      string `xml:"Region,omitempty"`
	IPAddress   string `xml:"IPAddress,omitempty"`
	Status      string `xml:"StatusReport>Status"`
	CheckedTime string `xml:"StatusReport>CheckedTime"`
}

type observationsResponse struct {
	XMLName      xml.Name
	Observations []xmlObservation `xml:"HealthCheckObservations>HealthCheckObservation"`
	// Note is Vedette's: set when no live checker serves any of the check's
	// regions (clients skip elements they do not know).
	Note string `xml:"VedetteNote,omitempty"`
}

// NoteHeader carries the same note as VedetteNote, for clients that only
// show headers.
const NoteHeader = "X-Vedette-Note"

// checkerNote says which regions of a check have no live checker, or "".
func (a *API) checkerNote(cfg *model.HealthCheckConfig) string {
	if a.opts.LiveRegions == nil {
		return ""
	}
	live, all := a.opts.LiveRegions()
	if all {
		return ""
	}
	if len(cfg.Regions) == 0 {
		if len(live) == 0 {
			return "No live health checker: no checker has called this server in the last 90 seconds, so this check has no current observations."
		}
		return ""
	}
	for _, r := range cfg.Regions {
		if slices.Contains(live, r) {
			return ""
		}
	}
	return fmt.Sprintf("No live health checker in this check's regions (%s): observations from these regions are missing, not healthy.", strings.Join(cfg.Regions, ", "))
}

func (a *API) observations(w http.ResponseWriter, r *http.Request, op string, get func(string) []model.Observation) error {
	id := r.PathValue("id")
	hc, _, err := a.opts.Catalog.HealthCheck(r.Context(), id)
	if err != nil {
		return hcError(id, err)
	}
	if !hc.Config.Type.IsEndpoint() {
		return invalidInput("Invalid parameter : %s is only available for endpoint health checks; %s is a %s health check", op, id, hc.Config.Type)
	}
	resp := observationsResponse{XMLName: xml.Name{Space: Namespace, Local: op + "Response"}, Observations: []xmlObservation{}}
	if a.opts.Status != nil {
		for _, o := range get(id) {
			resp.Observations = append(resp.Observations, xmlObservation{Region: o.Region, IPAddress: o.SourceIP, Status: o.Reason, CheckedTime: timestamp(o.Time)})
		}
	}
	if resp.Note = a.checkerNote(&hc.Config); resp.Note != "" {
		w.Header().Set(NoteHeader, resp.Note)
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

func (a *API) getHealthCheckStatus(w http.ResponseWriter, r *http.Request) error {
	return a.observations(w, r, "GetHealthCheckStatus", func(id string) []model.Observation { return a.opts.Status.Observations(id) })
}

func (a *API) getHealthCheckLastFailureReason(w http.ResponseWriter, r *http.Request) error {
	return a.observations(w, r, "GetHealthCheckLastFailureReason", func(id string) []model.Observation { return a.opts.Status.LastFailures(id) })
}

func (a *API) getCheckerIPRanges(w http.ResponseWriter, r *http.Request) error {
	ranges := []string{}
	if a.opts.CheckerIPRanges != nil {
		ranges = append(ranges, a.opts.CheckerIPRanges()...)
	}
	sort.Strings(ranges)
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetCheckerIpRangesResponse"`
		Ranges  []string `xml:"CheckerIpRanges>member"`
	}{Ranges: ranges})
	return nil
}
