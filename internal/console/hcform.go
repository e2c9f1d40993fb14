package console

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// checkerRegions are the regions Route 53 clients may list in Regions.
var checkerRegions = []string{"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"}

var hcTypes = []string{"HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP", "CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL"}

// hcForm is the health check form's input, kept as typed so that it can be
// shown again beside its errors. Field names are the API's.
type hcForm struct {
	Name, Type, IPAddress, FullyQualifiedDomainName, Port, ResourcePath, SearchString string
	RequestInterval, FailureThreshold, HealthThreshold                                string
	AlarmRegion, AlarmName, InsufficientDataHealthStatus, RoutingControlArn           string
	Regions, ChildHealthChecks                                                        []string
	MeasureLatency, Inverted, Disabled, EnableSNI                                     bool
	CallerReference, Version                                                          string
}

// hcWords names the inputs that Route 53's health check messages mention.
var hcWords = fieldWords{
	"Type": "Type", "IPAddress": "IPAddress", "IP address": "IPAddress", "FullyQualifiedDomainName": "FullyQualifiedDomainName",
	"Port": "Port", "ResourcePath": "ResourcePath", "SearchString": "SearchString", "RequestInterval": "RequestInterval",
	"FailureThreshold": "FailureThreshold", "HealthThreshold": "HealthThreshold", "health threshold": "HealthThreshold",
	"ChildHealthChecks": "ChildHealthChecks", "Child health check": "ChildHealthChecks", "child health checks": "ChildHealthChecks",
	"Regions": "Regions", "metric region": "AlarmRegion", "AlarmIdentifier": "AlarmName", "Alarm": "AlarmName", "alarm": "AlarmName",
	"InsufficientDataHealthStatus": "InsufficientDataHealthStatus", "RoutingControlArn": "RoutingControlArn",
	"routing control": "RoutingControlArn", "endpoint settings": "Type", "EnableSNI": "EnableSNI", "MeasureLatency": "MeasureLatency",
	"HealthCheckVersion": "Version",
}

type hcOption struct{ ID, Label string }

type hcFormData struct {
	Form    hcForm
	Errors  formErrors
	Edit    bool
	ID      string
	Types   []string
	Regions []string
	Checks  []hcOption
	Cancel  string
}

func readHCForm(r *http.Request) hcForm {
	f := r.PostForm
	g := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return hcForm{
		Name: g("Name"), Type: g("Type"), IPAddress: g("IPAddress"), FullyQualifiedDomainName: g("FullyQualifiedDomainName"),
		Port: g("Port"), ResourcePath: g("ResourcePath"), SearchString: f.Get("SearchString"),
		RequestInterval: g("RequestInterval"), FailureThreshold: g("FailureThreshold"), HealthThreshold: g("HealthThreshold"),
		AlarmRegion: g("AlarmRegion"), AlarmName: g("AlarmName"), InsufficientDataHealthStatus: g("InsufficientDataHealthStatus"),
		RoutingControlArn: g("RoutingControlArn"), Regions: f["Regions"], ChildHealthChecks: f["ChildHealthChecks"],
		MeasureLatency: f.Get("MeasureLatency") != "", Inverted: f.Get("Inverted") != "", Disabled: f.Get("Disabled") != "",
		EnableSNI: f.Get("EnableSNI") != "", CallerReference: g("CallerReference"), Version: g("Version"),
	}
}

// values maps the text inputs to what was typed, to find the field an
// error message quotes.
func (h hcForm) values() map[string]string {
	return map[string]string{"IPAddress": h.IPAddress, "FullyQualifiedDomainName": h.FullyQualifiedDomainName, "ResourcePath": h.ResourcePath,
		"SearchString": h.SearchString, "AlarmName": h.AlarmName, "AlarmRegion": h.AlarmRegion, "RoutingControlArn": h.RoutingControlArn,
		"InsufficientDataHealthStatus": h.InsufficientDataHealthStatus, "Type": h.Type}
}

// config turns the form into the API's configuration; number inputs that
// are not numbers are recorded in fe.
func (h hcForm) config(fe *formErrors) types.HealthCheckConfig {
	c := types.HealthCheckConfig{
		Type: types.HealthCheckType(h.Type), IPAddress: optString(h.IPAddress), FullyQualifiedDomainName: optString(h.FullyQualifiedDomainName),
		ResourcePath: optString(h.ResourcePath), RoutingControlArn: optString(h.RoutingControlArn),
		ChildHealthChecks: h.ChildHealthChecks, InsufficientDataHealthStatus: types.InsufficientDataHealthStatus(h.InsufficientDataHealthStatus),
	}
	if h.SearchString != "" {
		c.SearchString = aws.String(h.SearchString)
	}
	for _, reg := range h.Regions {
		c.Regions = append(c.Regions, types.HealthCheckRegion(reg))
	}
	n, set, _ := intField(fe, "Port", h.Port)
	c.Port = ptr32(n, set)
	n, set, _ = intField(fe, "RequestInterval", h.RequestInterval)
	c.RequestInterval = ptr32(n, set)
	n, set, _ = intField(fe, "FailureThreshold", h.FailureThreshold)
	c.FailureThreshold = ptr32(n, set)
	n, set, _ = intField(fe, "HealthThreshold", h.HealthThreshold)
	c.HealthThreshold = ptr32(n, set)
	if h.AlarmName != "" || h.AlarmRegion != "" {
		c.AlarmIdentifier = &types.AlarmIdentifier{Name: aws.String(h.AlarmName), Region: types.CloudWatchRegion(h.AlarmRegion)}
	}
	if h.MeasureLatency {
		c.MeasureLatency = aws.Bool(true)
	}
	if h.Inverted {
		c.Inverted = aws.Bool(true)
	}
	if h.Disabled {
		c.Disabled = aws.Bool(true)
	}
	if c.Type == types.HealthCheckTypeHttps || c.Type == types.HealthCheckTypeHttpsStrMatch {
		c.EnableSNI = aws.Bool(h.EnableSNI)
	}
	return c
}

// formFromConfig fills the form with a stored check's settings.
func formFromConfig(hc types.HealthCheck, name string) hcForm {
	c := hc.HealthCheckConfig
	h := hcForm{
		Name: name, Type: string(c.Type), IPAddress: deref(c.IPAddress), FullyQualifiedDomainName: deref(c.FullyQualifiedDomainName),
		Port: derefInt(c.Port), ResourcePath: deref(c.ResourcePath), SearchString: deref(c.SearchString),
		RequestInterval: derefInt(c.RequestInterval), FailureThreshold: derefInt(c.FailureThreshold), HealthThreshold: derefInt(c.HealthThreshold),
		InsufficientDataHealthStatus: string(c.InsufficientDataHealthStatus), RoutingControlArn: deref(c.RoutingControlArn),
		ChildHealthChecks: c.ChildHealthChecks, MeasureLatency: aws.ToBool(c.MeasureLatency), Inverted: aws.ToBool(c.Inverted),
		Disabled: aws.ToBool(c.Disabled), EnableSNI: aws.ToBool(c.EnableSNI), Version: derefInt64(hc.HealthCheckVersion),
	}
	for _, reg := range c.Regions {
		h.Regions = append(h.Regions, string(reg))
	}
	if c.AlarmIdentifier != nil {
		h.AlarmName, h.AlarmRegion = deref(c.AlarmIdentifier.Name), string(c.AlarmIdentifier.Region)
	}
	return h
}

// formData builds the form page's data, with the checks that may be
// children (all but self).
func (s *server) formData(r *http.Request, sess *session, self string, f hcForm, fe formErrors) hcFormData {
	d := hcFormData{Form: f, Errors: fe, Types: hcTypes, Regions: checkerRegions, ID: self, Edit: self != "", Cancel: "/console/healthchecks"}
	if self != "" {
		d.Cancel = "/console/healthchecks/" + url.PathEscape(self)
	}
	c := s.client(sess)
	checks, err := allHealthChecks(r.Context(), c)
	if err != nil {
		return d
	}
	ids := make([]string, 0, len(checks))
	for _, hc := range checks {
		ids = append(ids, deref(hc.Id))
	}
	tags, _ := healthCheckTags(r.Context(), c, ids)
	for _, id := range ids {
		if id == self {
			continue
		}
		label := id
		if n := tagValue(tags[id], "Name"); n != "" {
			label = n + " (" + id + ")"
		}
		d.Checks = append(d.Checks, hcOption{id, label})
	}
	sort.Slice(d.Checks, func(i, j int) bool { return d.Checks[i].Label < d.Checks[j].Label })
	return d
}

func (s *server) newHealthCheckForm(w http.ResponseWriter, r *http.Request, sess *session) {
	f := hcForm{Type: "HTTP", RequestInterval: "30", FailureThreshold: "3", EnableSNI: true, CallerReference: "console-" + randomToken()[:22]}
	s.render(w, r, sess, http.StatusOK, "hc_form", "Create health check", s.formData(r, sess, "", f, formErrors{}))
}

func (s *server) createHealthCheck(w http.ResponseWriter, r *http.Request, sess *session) {
	f := readHCForm(r)
	if f.CallerReference == "" {
		f.CallerReference = "console-" + randomToken()[:22]
	}
	var fe formErrors
	cfg := f.config(&fe)
	if fe.Any() {
		s.render(w, r, sess, http.StatusBadRequest, "hc_form", "Create health check", s.formData(r, sess, "", f, fe))
		return
	}
	c := s.client(sess)
	res, err := c.CreateHealthCheck(r.Context(), &route53.CreateHealthCheckInput{CallerReference: aws.String(f.CallerReference), HealthCheckConfig: &cfg})
	if err != nil {
		s.render(w, r, sess, http.StatusBadRequest, "hc_form", "Create health check", s.formData(r, sess, "", f, attribute(err, hcWords, f.values())))
		return
	}
	id := deref(res.HealthCheck.Id)
	if f.Name != "" {
		_, err := c.ChangeTagsForResource(r.Context(), &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck,
			ResourceId: aws.String(id), AddTags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(f.Name)}}})
		if err != nil {
			_, msg := apiMessage(err)
			s.sessions.setFlash(sess, "error", "The health check was created, but its Name tag was not saved: "+msg)
			http.Redirect(w, r, "/console/healthchecks/"+url.PathEscape(id)+"/tags", http.StatusSeeOther)
			return
		}
	}
	s.redirectWith(w, r, sess, "/console/healthchecks/"+url.PathEscape(id), "Health check created.")
}

func (s *server) editHealthCheckForm(w http.ResponseWriter, r *http.Request, sess *session) {
	_, p, ok := s.loadCheck(w, r, sess, "")
	if !ok {
		return
	}
	s.render(w, r, sess, http.StatusOK, "hc_form", "Edit "+p.title(), s.formData(r, sess, p.ID, formFromConfig(p.HC, p.Name), formErrors{}))
}

func (s *server) updateHealthCheck(w http.ResponseWriter, r *http.Request, sess *session) {
	c, p, ok := s.loadCheck(w, r, sess, "")
	if !ok {
		return
	}
	f := readHCForm(r)
	f.Type, f.MeasureLatency, f.RequestInterval = string(p.Config.Type), aws.ToBool(p.Config.MeasureLatency), derefInt(p.Config.RequestInterval)
	var fe formErrors
	cfg := f.config(&fe)
	version, vset, _ := intField(&fe, "Version", f.Version)
	if fe.Any() {
		s.render(w, r, sess, http.StatusBadRequest, "hc_form", "Edit "+p.title(), s.formData(r, sess, p.ID, f, fe))
		return
	}
	in := &route53.UpdateHealthCheckInput{
		HealthCheckId: aws.String(p.ID), HealthCheckVersion: ptr64(version, vset),
		IPAddress: cfg.IPAddress, Port: cfg.Port, ResourcePath: cfg.ResourcePath, FullyQualifiedDomainName: cfg.FullyQualifiedDomainName,
		SearchString: cfg.SearchString, FailureThreshold: cfg.FailureThreshold, Inverted: aws.Bool(f.Inverted), Disabled: aws.Bool(f.Disabled),
		HealthThreshold: cfg.HealthThreshold, ChildHealthChecks: cfg.ChildHealthChecks, EnableSNI: cfg.EnableSNI, Regions: cfg.Regions,
		AlarmIdentifier: cfg.AlarmIdentifier, InsufficientDataHealthStatus: cfg.InsufficientDataHealthStatus,
	}
	old := p.Config
	if old.FullyQualifiedDomainName != nil && cfg.FullyQualifiedDomainName == nil {
		in.ResetElements = append(in.ResetElements, types.ResettableElementNameFullyQualifiedDomainName)
	}
	if old.ResourcePath != nil && cfg.ResourcePath == nil {
		in.ResetElements = append(in.ResetElements, types.ResettableElementNameResourcePath)
	}
	if len(old.Regions) > 0 && len(cfg.Regions) == 0 {
		in.ResetElements = append(in.ResetElements, types.ResettableElementNameRegions)
	}
	if len(old.ChildHealthChecks) > 0 && len(cfg.ChildHealthChecks) == 0 {
		in.ResetElements = append(in.ResetElements, types.ResettableElementNameChildHealthChecks)
	}
	if _, err := c.UpdateHealthCheck(r.Context(), in); err != nil {
		s.render(w, r, sess, http.StatusBadRequest, "hc_form", "Edit "+p.title(), s.formData(r, sess, p.ID, f, attribute(err, hcWords, f.values())))
		return
	}
	if f.Name != p.Name {
		in := &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(p.ID)}
		if f.Name == "" {
			in.RemoveTagKeys = []string{"Name"}
		} else {
			in.AddTags = []types.Tag{{Key: aws.String("Name"), Value: aws.String(f.Name)}}
		}
		if _, err := c.ChangeTagsForResource(r.Context(), in); err != nil {
			_, msg := apiMessage(err)
			s.sessions.setFlash(sess, "error", "The settings were saved, but the Name tag was not: "+msg)
			http.Redirect(w, r, "/console/healthchecks/"+url.PathEscape(p.ID), http.StatusSeeOther)
			return
		}
	}
	s.redirectWith(w, r, sess, "/console/healthchecks/"+url.PathEscape(p.ID), "Health check saved.")
}
