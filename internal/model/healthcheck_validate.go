package model

import (
	"fmt"
	"net/netip"
	"strings"
)

// Health-check limits (reference §3.2, §10).
const (
	MaxHealthCheckChildren = 256
	MaxHealthThreshold     = 256
	maxHCStringLen         = 255
	// MinRequestInterval and MaxRequestInterval bound RequestInterval: Route 53
	// accepts 10 or 30; Vedette accepts every whole second from 1 to 30.
	MinRequestInterval = 1
	MaxRequestInterval = 30
	DefaultInterval    = 30
	DefaultThreshold   = 3
)

// InputError is an invalid health-check parameter, rendered as Route 53's
// InvalidInput ("Invalid parameter : …").
type InputError struct{ Msg string }

func (e *InputError) Error() string { return "Invalid parameter : " + e.Msg }

func inputErr(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}

// NormalizeHealthCheckConfig validates a configuration from CreateHealthCheck
// and fills Route 53's defaults (Port 80/443, RequestInterval 30,
// FailureThreshold 3, EnableSNI true for HTTPS types, a leading "/" on
// ResourcePath).
func NormalizeHealthCheckConfig(c *HealthCheckConfig) error {
	switch {
	case c.Type.IsEndpoint():
		return normalizeEndpoint(c)
	case c.Type == TypeCalculated:
		return checkCalculated(c)
	case c.Type == TypeRecoveryControl:
		return checkRecoveryControl(c)
	case c.Type == TypeCloudWatchMetric:
		return checkCloudWatchMetric(c)
	case c.Type == "":
		return inputErr("Type is required")
	default:
		return inputErr("Type %q is not one of HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL", c.Type)
	}
}

func normalizeEndpoint(c *HealthCheckConfig) error {
	if c.AlarmIdentifier != nil {
		return inputErr("Basic health checks must not have an metric region specified.")
	}
	if c.HealthThreshold != nil || len(c.ChildHealthChecks) > 0 || c.RoutingControlArn != "" {
		return inputErr("%s health checks must not have HealthThreshold, ChildHealthChecks or RoutingControlArn", c.Type)
	}
	if c.IPAddress == "" && c.FullyQualifiedDomainName == "" {
		return inputErr("A health check of type %s must have an IPAddress or a FullyQualifiedDomainName", c.Type)
	}
	if err := checkEndpointFields(c); err != nil {
		return err
	}
	if c.Port == 0 {
		switch {
		case c.Type == TypeTCP:
			return inputErr("Port is required for TCP health checks")
		case c.Type.IsHTTPS():
			c.Port = 443
		default:
			c.Port = 80
		}
	}
	if c.RequestInterval == 0 {
		c.RequestInterval = DefaultInterval
	}
	if c.RequestInterval < MinRequestInterval || c.RequestInterval > MaxRequestInterval {
		return inputErr("RequestInterval %d is outside %d..%d", c.RequestInterval, MinRequestInterval, MaxRequestInterval)
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = DefaultThreshold
	}
	if c.EnableSNI == nil {
		sni := c.Type.IsHTTPS()
		c.EnableSNI = &sni
	}
	return nil
}

// checkEndpointFields validates the fields that UpdateHealthCheck may change.
func checkEndpointFields(c *HealthCheckConfig) error {
	if c.IPAddress != "" {
		a, err := netip.ParseAddr(c.IPAddress)
		if err != nil || a.Zone() != "" {
			return inputErr("IP address '%s' is not a valid IPv4 or IPv6 address", c.IPAddress)
		}
		c.IPAddress = a.Unmap().String()
	}
	if c.Port < 0 || c.Port > 65535 {
		return inputErr("Port %d is outside 1..65535", c.Port)
	}
	if c.FailureThreshold < 0 || c.FailureThreshold > 10 {
		return inputErr("FailureThreshold %d is outside 1..10", c.FailureThreshold)
	}
	for what, v := range map[string]string{"ResourcePath": c.ResourcePath, "FullyQualifiedDomainName": c.FullyQualifiedDomainName, "SearchString": c.SearchString} {
		if len(v) > maxHCStringLen {
			return inputErr("%s is longer than %d characters", what, maxHCStringLen)
		}
	}
	if c.Type == TypeTCP && (c.ResourcePath != "" || c.SearchString != "") {
		return inputErr("TCP health checks must not have a ResourcePath or a SearchString")
	}
	if c.Type.IsStrMatch() && c.SearchString == "" {
		return inputErr("A health check of type %s must have a SearchString", c.Type)
	}
	if !c.Type.IsStrMatch() && c.SearchString != "" {
		return inputErr("SearchString is only allowed for HTTP_STR_MATCH and HTTPS_STR_MATCH health checks")
	}
	if c.ResourcePath != "" && !strings.HasPrefix(c.ResourcePath, "/") {
		c.ResourcePath = "/" + c.ResourcePath
	}
	return checkRegions(c.Regions)
}

func checkRegions(regions []string) error {
	if len(regions) == 0 {
		return nil
	}
	if len(regions) < 3 || len(regions) > 64 {
		return inputErr("Regions must list between 3 and 64 regions, got %d", len(regions))
	}
	seen := map[string]bool{}
	for _, r := range regions {
		if r == "" || len(r) > 64 || seen[r] {
			return inputErr("Regions contains an empty, overlong or repeated region '%s'", r)
		}
		seen[r] = true
	}
	return nil
}

func checkCalculated(c *HealthCheckConfig) error {
	if c.HealthThreshold == nil {
		return inputErr("Calculated health checks must have a health threshold specified.")
	}
	if err := checkNotEndpoint(c); err != nil {
		return err
	}
	if *c.HealthThreshold < 0 || *c.HealthThreshold > MaxHealthThreshold {
		return inputErr("HealthThreshold %d is outside 0..%d", *c.HealthThreshold, MaxHealthThreshold)
	}
	if len(c.ChildHealthChecks) > MaxHealthCheckChildren {
		return inputErr("A calculated health check may have at most %d child health checks", MaxHealthCheckChildren)
	}
	seen := map[string]bool{}
	for _, id := range c.ChildHealthChecks {
		if seen[id] {
			return inputErr("Child health check %s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

func checkNotEndpoint(c *HealthCheckConfig) error {
	if c.IPAddress != "" || c.Port != 0 || c.FullyQualifiedDomainName != "" || c.ResourcePath != "" ||
		c.SearchString != "" || c.RequestInterval != 0 || c.FailureThreshold != 0 || c.MeasureLatency ||
		len(c.Regions) > 0 || c.EnableSNI != nil {
		return inputErr("%s health checks must not have endpoint settings (IPAddress, Port, FullyQualifiedDomainName, ResourcePath, SearchString, RequestInterval, FailureThreshold, MeasureLatency, Regions, EnableSNI)", c.Type)
	}
	if c.AlarmIdentifier != nil {
		return inputErr("%s health checks must not have an AlarmIdentifier", c.Type)
	}
	return nil
}

func checkRecoveryControl(c *HealthCheckConfig) error {
	if c.RoutingControlArn == "" || len(c.RoutingControlArn) > 255 {
		return inputErr("RECOVERY_CONTROL health checks must have a RoutingControlArn of 1 to 255 characters")
	}
	if c.HealthThreshold != nil || len(c.ChildHealthChecks) > 0 {
		return inputErr("RECOVERY_CONTROL health checks must not have HealthThreshold or ChildHealthChecks")
	}
	return checkNotEndpoint(c)
}

// HealthCheckUpdate is an UpdateHealthCheck request: nil fields are unchanged.
type HealthCheckUpdate struct {
	IPAddress                *string
	Port                     *int
	ResourcePath             *string
	FullyQualifiedDomainName *string
	SearchString             *string
	FailureThreshold         *int
	Inverted                 *bool
	Disabled                 *bool
	HealthThreshold          *int
	ChildHealthChecks        *[]string
	EnableSNI                *bool
	Regions                  *[]string
	AlarmIdentifier          *AlarmIdentifier
	InsufficientData         *string
	ResetElements            []string
}

// ApplyUpdate returns cfg with u applied, or an InputError.
func ApplyUpdate(cfg HealthCheckConfig, u *HealthCheckUpdate) (HealthCheckConfig, error) {
	if err := checkResets(cfg, u); err != nil {
		return cfg, err
	}
	if u.IPAddress != nil && (cfg.IPAddress == "") != (*u.IPAddress == "") {
		return cfg, inputErr("IPAddress can be changed but not added to or removed from an existing health check")
	}
	endpointOnly := u.IPAddress != nil || u.Port != nil || u.ResourcePath != nil || u.FullyQualifiedDomainName != nil ||
		u.SearchString != nil || u.FailureThreshold != nil || u.EnableSNI != nil || u.Regions != nil
	if endpointOnly && !cfg.Type.IsEndpoint() {
		return cfg, inputErr("%s health checks have no endpoint settings to update", cfg.Type)
	}
	if (u.HealthThreshold != nil || u.ChildHealthChecks != nil) && cfg.Type != TypeCalculated {
		return cfg, inputErr("HealthThreshold and ChildHealthChecks apply only to CALCULATED health checks")
	}
	if (u.AlarmIdentifier != nil || u.InsufficientData != nil) && cfg.Type != TypeCloudWatchMetric {
		return cfg, inputErr("AlarmIdentifier and InsufficientDataHealthStatus apply only to CLOUDWATCH_METRIC health checks")
	}
	if u.AlarmIdentifier != nil {
		ai := *u.AlarmIdentifier
		cfg.AlarmIdentifier = &ai
	}
	setString(&cfg.InsufficientDataHealthStatus, u.InsufficientData)
	setString(&cfg.IPAddress, u.IPAddress)
	setString(&cfg.ResourcePath, u.ResourcePath)
	setString(&cfg.FullyQualifiedDomainName, u.FullyQualifiedDomainName)
	setString(&cfg.SearchString, u.SearchString)
	setInt(&cfg.Port, u.Port)
	setInt(&cfg.FailureThreshold, u.FailureThreshold)
	setBool(&cfg.Inverted, u.Inverted)
	setBool(&cfg.Disabled, u.Disabled)
	if u.HealthThreshold != nil {
		cfg.HealthThreshold = u.HealthThreshold
	}
	if u.ChildHealthChecks != nil {
		cfg.ChildHealthChecks = *u.ChildHealthChecks
	}
	if u.EnableSNI != nil {
		cfg.EnableSNI = u.EnableSNI
	}
	if u.Regions != nil {
		cfg.Regions = *u.Regions
	}
	applyResets(&cfg, u.ResetElements)
	if cfg.Type.IsEndpoint() {
		if cfg.IPAddress == "" && cfg.FullyQualifiedDomainName == "" {
			return cfg, inputErr("FullyQualifiedDomainName cannot be removed from a health check that has no IPAddress")
		}
		if cfg.FailureThreshold == 0 || cfg.Port == 0 {
			return cfg, inputErr("FailureThreshold and Port must be at least 1")
		}
		return cfg, checkEndpointFields(&cfg)
	}
	if cfg.Type == TypeCalculated {
		return cfg, checkCalculated(&cfg)
	}
	if cfg.Type == TypeCloudWatchMetric {
		return cfg, checkCloudWatchMetric(&cfg)
	}
	return cfg, nil
}

func checkResets(cfg HealthCheckConfig, u *HealthCheckUpdate) error {
	for _, r := range u.ResetElements {
		var set bool
		switch r {
		case "FullyQualifiedDomainName":
			set = u.FullyQualifiedDomainName != nil
		case "Regions":
			set = u.Regions != nil
		case "ResourcePath":
			set = u.ResourcePath != nil
		case "ChildHealthChecks":
			set = u.ChildHealthChecks != nil
		default:
			return inputErr("ResetElements: '%s' is not one of FullyQualifiedDomainName, Regions, ResourcePath, ChildHealthChecks", r)
		}
		if set {
			return inputErr("%s cannot be both set and reset in one request", r)
		}
	}
	return nil
}

func applyResets(cfg *HealthCheckConfig, resets []string) {
	for _, r := range resets {
		switch r {
		case "FullyQualifiedDomainName":
			cfg.FullyQualifiedDomainName = ""
		case "Regions":
			cfg.Regions = nil
		case "ResourcePath":
			cfg.ResourcePath = ""
		case "ChildHealthChecks":
			cfg.ChildHealthChecks = nil
		}
	}
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// checkCloudWatchMetric validates a CLOUDWATCH_METRIC configuration and
// defaults InsufficientDataHealthStatus to LastKnownStatus. The alarm's
// existence is checked by the API (it needs the alarms).
func checkCloudWatchMetric(c *HealthCheckConfig) error {
	ai := c.AlarmIdentifier
	if ai == nil {
		return inputErr("A health check of type CLOUDWATCH_METRIC must have an AlarmIdentifier")
	}
	if ai.Name == "" || len(ai.Name) > 256 {
		return inputErr("AlarmIdentifier Name must be 1 to 256 characters long")
	}
	if ai.Region == "" || len(ai.Region) > 64 {
		return inputErr("AlarmIdentifier Region must be 1 to 64 characters long")
	}
	if c.HealthThreshold != nil || len(c.ChildHealthChecks) > 0 || c.RoutingControlArn != "" {
		return inputErr("CLOUDWATCH_METRIC health checks must not have HealthThreshold, ChildHealthChecks or RoutingControlArn")
	}
	alarm := c.AlarmIdentifier
	c.AlarmIdentifier = nil
	err := checkNotEndpoint(c)
	c.AlarmIdentifier = alarm
	if err != nil {
		return err
	}
	return checkInsufficientData(c)
}

func checkInsufficientData(c *HealthCheckConfig) error {
	switch c.InsufficientDataHealthStatus {
	case "":
		c.InsufficientDataHealthStatus = "LastKnownStatus"
	case "Healthy", "Unhealthy", "LastKnownStatus":
	default:
		return inputErr("InsufficientDataHealthStatus %q is not one of Healthy, Unhealthy, LastKnownStatus", c.InsufficientDataHealthStatus)
	}
	return nil
}
