package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	vroute53 "github.com/vedette-dns/vedette/internal/api/route53"
)

// tag is one resource tag.
type tag struct{ Key, Value string }

// hcRow is one health check as the list and the header of its page show it.
type hcRow struct {
	ID, Name, Type, Target string
	Status, Reason         string
	Since                  time.Time
	Tags                   []tag
}

// allHealthChecks pages through ListHealthChecks.
func allHealthChecks(ctx context.Context, c *route53.Client) ([]types.HealthCheck, error) {
	var out []types.HealthCheck
	var marker *string
	for {
		res, err := c.ListHealthChecks(ctx, &route53.ListHealthChecksInput{Marker: marker, MaxItems: aws.Int32(1000)})
		if err != nil {
			return nil, err
		}
		out = append(out, res.HealthChecks...)
		if !res.IsTruncated || res.NextMarker == nil {
			return out, nil
		}
		marker = res.NextMarker
	}
}

// healthCheckTags returns the tags of the given checks, 10 per request.
func healthCheckTags(ctx context.Context, c *route53.Client, ids []string) (map[string][]tag, error) {
	out := map[string][]tag{}
	for i := 0; i < len(ids); i += 10 {
		chunk := ids[i:min(i+10, len(ids))]
		res, err := c.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceIds: chunk})
		if err != nil {
			return nil, err
		}
		for _, set := range res.ResourceTagSets {
			out[deref(set.ResourceId)] = convTags(set.Tags)
		}
	}
	return out, nil
}

func convTags(in []types.Tag) []tag {
	out := make([]tag, 0, len(in))
	for _, t := range in {
		out = append(out, tag{deref(t.Key), deref(t.Value)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func tagValue(tags []tag, key string) string {
	for _, t := range tags {
		if t.Key == key {
			return t.Value
		}
	}
	return ""
}

// target describes what a check watches.
func target(cfg *types.HealthCheckConfig) string {
	if cfg == nil {
		return ""
	}
	switch cfg.Type {
	case types.HealthCheckTypeCalculated:
		return fmt.Sprintf("%s of %d child checks healthy", derefInt(cfg.HealthThreshold), len(cfg.ChildHealthChecks))
	case types.HealthCheckTypeRecoveryControl:
		return deref(cfg.RoutingControlArn)
	case types.HealthCheckTypeCloudwatchMetric:
		if cfg.AlarmIdentifier != nil {
			return "alarm " + deref(cfg.AlarmIdentifier.Name)
		}
		return ""
	}
	host := deref(cfg.IPAddress)
	if host == "" {
		host = deref(cfg.FullyQualifiedDomainName)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	scheme := "http"
	switch cfg.Type {
	case types.HealthCheckTypeHttps, types.HealthCheckTypeHttpsStrMatch:
		scheme = "https"
	case types.HealthCheckTypeTcp:
		return fmt.Sprintf("tcp://%s:%s", host, derefInt(cfg.Port))
	}
	return fmt.Sprintf("%s://%s:%s%s", scheme, host, derefInt(cfg.Port), deref(cfg.ResourcePath))
}

func (s *server) row(hc types.HealthCheck, tags []tag) hcRow {
	r := hcRow{ID: deref(hc.Id), Name: tagValue(tags, "Name"), Target: target(hc.HealthCheckConfig), Tags: tags}
	if hc.HealthCheckConfig != nil {
		r.Type = string(hc.HealthCheckConfig.Type)
	}
	st, since, reason, ok := s.opts.Monitor.Status(r.ID)
	if !ok {
		st = "Unknown"
	}
	r.Status, r.Since, r.Reason = st, since, reason
	return r
}

type hcListData struct {
	Rows           []hcRow
	Total          int
	Q, Status, Tag string
	TagError       string
	Now            time.Time
	Statuses       []string
}

func (s *server) listHealthChecks(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	c := s.client(sess)
	checks, err := allHealthChecks(ctx, c)
	if err != nil {
		s.apiFailure(w, r, sess, err)
		return
	}
	ids := make([]string, len(checks))
	for i, hc := range checks {
		ids[i] = deref(hc.Id)
	}
	tags, err := healthCheckTags(ctx, c, ids)
	if err != nil {
		s.apiFailure(w, r, sess, err)
		return
	}
	q := r.URL.Query()
	d := hcListData{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Tag: strings.TrimSpace(q.Get("tag")),
		Now: s.opts.Now(), Total: len(checks), Statuses: []string{"Healthy", "Unhealthy", "Unknown"}}
	tagKey, tagVal, hasVal := strings.Cut(d.Tag, "=")
	for _, hc := range checks {
		row := s.row(hc, tags[deref(hc.Id)])
		if d.Status != "" && row.Status != d.Status {
			continue
		}
		if d.Q != "" && !matchText(row, d.Q) {
			continue
		}
		if d.Tag != "" && !matchTag(row.Tags, strings.TrimSpace(tagKey), strings.TrimSpace(tagVal), hasVal) {
			continue
		}
		d.Rows = append(d.Rows, row)
	}
	sort.SliceStable(d.Rows, func(i, j int) bool {
		if d.Rows[i].Name != d.Rows[j].Name {
			return strings.ToLower(d.Rows[i].Name) < strings.ToLower(d.Rows[j].Name)
		}
		return d.Rows[i].ID < d.Rows[j].ID
	})
	s.render(w, r, sess, http.StatusOK, "healthchecks", "Health checks", d)
}

func matchText(r hcRow, q string) bool {
	q = strings.ToLower(q)
	for _, f := range []string{r.Name, r.ID, r.Type, r.Target, r.Reason} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

func matchTag(tags []tag, key, val string, hasVal bool) bool {
	for _, t := range tags {
		if t.Key == key && (!hasVal || t.Value == val) {
			return true
		}
	}
	return false
}

// statusJSON answers the list's auto-refresh: {"id": {"status", "since",
// "ago", "reason"}} for the ids asked.
func (s *server) statusJSON(w http.ResponseWriter, r *http.Request, _ *session) {
	type st struct {
		Status string `json:"status"`
		Since  string `json:"since"`
		Ago    string `json:"ago"`
		Reason string `json:"reason"`
	}
	out := map[string]st{}
	now := s.opts.Now()
	ids := r.URL.Query()["id"]
	if len(ids) > 1000 {
		ids = ids[:1000]
	}
	for _, id := range ids {
		status, since, reason, ok := s.opts.Monitor.Status(id)
		if !ok {
			status = "Unknown"
		}
		out[id] = st{status, fmtTime(since), ago(now, since), reason}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// HCPage is the common part of a health check's tabbed pages.
type HCPage struct {
	hcRow
	Tab    string
	HC     types.HealthCheck
	Config types.HealthCheckConfig
	Now    time.Time
}

// loadCheck fetches a check and its tags for one of its pages; false when
// a page has already been written.
func (s *server) loadCheck(w http.ResponseWriter, r *http.Request, sess *session, tab string) (*route53.Client, HCPage, bool) {
	c := s.client(sess)
	id := r.PathValue("id")
	res, err := c.GetHealthCheck(r.Context(), &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	if err != nil {
		s.apiFailure(w, r, sess, err)
		return nil, HCPage{}, false
	}
	tags, err := c.ListTagsForResource(r.Context(), &route53.ListTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(id)})
	if err != nil {
		s.apiFailure(w, r, sess, err)
		return nil, HCPage{}, false
	}
	var tl []tag
	if tags.ResourceTagSet != nil {
		tl = convTags(tags.ResourceTagSet.Tags)
	}
	p := HCPage{hcRow: s.row(*res.HealthCheck, tl), Tab: tab, HC: *res.HealthCheck, Now: s.opts.Now()}
	if res.HealthCheck.HealthCheckConfig != nil {
		p.Config = *res.HealthCheck.HealthCheckConfig
	}
	return c, p, true
}

// apiFailure shows an API error that is not a form's (e.g. no such check).
func (s *server) apiFailure(w http.ResponseWriter, r *http.Request, sess *session, err error) {
	code, msg := apiMessage(err)
	status := http.StatusBadGateway
	if strings.HasPrefix(code, "NoSuch") {
		status = http.StatusNotFound
	}
	if code == "" {
		s.log.Warn("console: API request failed", "path", r.URL.Path, "err", err)
		msg = "The console could not reach the Route 53 API of this node: " + msg
	} else if code != "" {
		msg = msg + " (" + code + ")"
	}
	s.errorPage(w, r, sess, status, "Request failed", msg)
}

type childRow struct {
	ID, Name, Status string
	Since            time.Time
}

type infoData struct {
	HCPage
	Children []childRow
}

func (s *server) healthCheckInfo(w http.ResponseWriter, r *http.Request, sess *session) {
	c, p, ok := s.loadCheck(w, r, sess, "info")
	if !ok {
		return
	}
	d := infoData{HCPage: p}
	if len(p.Config.ChildHealthChecks) > 0 {
		tags, err := healthCheckTags(r.Context(), c, p.Config.ChildHealthChecks)
		if err != nil {
			tags = map[string][]tag{} // a deleted child has no tags
		}
		for _, id := range p.Config.ChildHealthChecks {
			st, since, _, ok := s.opts.Monitor.Status(id)
			if !ok {
				st = "Unknown"
			}
			d.Children = append(d.Children, childRow{ID: id, Name: tagValue(tags[id], "Name"), Status: st, Since: since})
		}
	}
	s.render(w, r, sess, http.StatusOK, "hc_info", p.title(), d)
}

func (p HCPage) title() string {
	if p.Name != "" {
		return "Health check " + p.Name
	}
	return "Health check " + p.ID
}

type checkerRow struct {
	Region, IP, Status string
	Checked            time.Time
}

type checkersData struct {
	HCPage
	Checkers, Failures []checkerRow
	Error              string
	// Note is the API's X-Vedette-Note: which of the check's regions have
	// no live checker.
	Note string
}

func observations(in []types.HealthCheckObservation) []checkerRow {
	out := make([]checkerRow, 0, len(in))
	for _, o := range in {
		row := checkerRow{Region: string(o.Region), IP: deref(o.IPAddress)}
		if o.StatusReport != nil {
			row.Status = deref(o.StatusReport.Status)
			if o.StatusReport.CheckedTime != nil {
				row.Checked = *o.StatusReport.CheckedTime
			}
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region+out[i].IP < out[j].Region+out[j].IP })
	return out
}

func (s *server) healthCheckCheckers(w http.ResponseWriter, r *http.Request, sess *session) {
	c, p, ok := s.loadCheck(w, r, sess, "checkers")
	if !ok {
		return
	}
	d := checkersData{HCPage: p}
	st, err := c.GetHealthCheckStatus(r.Context(), &route53.GetHealthCheckStatusInput{HealthCheckId: aws.String(p.ID)})
	if err != nil {
		_, d.Error = apiMessage(err)
	} else {
		d.Checkers = observations(st.HealthCheckObservations)
		if raw, ok := awsmiddleware.GetRawResponse(st.ResultMetadata).(*smithyhttp.Response); ok {
			d.Note = raw.Header.Get(vroute53.NoteHeader)
		}
		lf, err := c.GetHealthCheckLastFailureReason(r.Context(), &route53.GetHealthCheckLastFailureReasonInput{HealthCheckId: aws.String(p.ID)})
		if err == nil {
			d.Failures = observations(lf.HealthCheckObservations)
		}
	}
	s.render(w, r, sess, http.StatusOK, "hc_checkers", p.title()+": health checkers", d)
}

type alarmsData struct {
	HCPage
	Alarms []AlarmSummary
	Error  string
}

func (s *server) healthCheckAlarms(w http.ResponseWriter, r *http.Request, sess *session) {
	_, p, ok := s.loadCheck(w, r, sess, "alarms")
	if !ok {
		return
	}
	d := alarmsData{HCPage: p}
	alarms, err := s.opts.Monitor.Alarms(r.Context(), p.ID)
	if err != nil {
		d.Error = err.Error()
	}
	d.Alarms = alarms
	s.render(w, r, sess, http.StatusOK, "hc_alarms", p.title()+": alarms", d)
}

type tagsData struct {
	HCPage
	Rows   []tag
	Errors formErrors
}

func (s *server) healthCheckTags(w http.ResponseWriter, r *http.Request, sess *session) {
	_, p, ok := s.loadCheck(w, r, sess, "tags")
	if !ok {
		return
	}
	s.render(w, r, sess, http.StatusOK, "hc_tags", p.title()+": tags", tagsData{HCPage: p, Rows: withBlankRows(p.Tags)})
}

func withBlankRows(tags []tag) []tag {
	out := append([]tag(nil), tags...)
	return append(out, tag{}, tag{}, tag{})
}

// changeHealthCheckTags applies the tag form: rows key_N/value_N (a row
// with remove_N checked, or an emptied key, is removed).
func (s *server) changeHealthCheckTags(w http.ResponseWriter, r *http.Request, sess *session) {
	c, p, ok := s.loadCheck(w, r, sess, "tags")
	if !ok {
		return
	}
	f := r.PostForm
	var rows []tag
	var add []types.Tag
	keep := map[string]bool{}
	for i := 0; i < 60; i++ {
		n := fmt.Sprint(i)
		if _, ok := f["key_"+n]; !ok {
			continue
		}
		k, v := strings.TrimSpace(f.Get("key_"+n)), f.Get("value_"+n)
		rows = append(rows, tag{k, v})
		if k == "" || f.Get("remove_"+n) != "" {
			continue
		}
		keep[k] = true
		add = append(add, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	var remove []string
	for _, t := range p.Tags {
		if !keep[t.Key] {
			remove = append(remove, t.Key)
		}
	}
	in := &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(p.ID), RemoveTagKeys: remove}
	if len(add) > 0 {
		in.AddTags = add
	}
	if len(add) > 0 || len(remove) > 0 {
		if _, err := c.ChangeTagsForResource(r.Context(), in); err != nil {
			fe := attribute(err, fieldWords{"Key": "tags", "Value": "tags", "tag": "tags"}, nil)
			s.render(w, r, sess, http.StatusBadRequest, "hc_tags", p.title()+": tags", tagsData{HCPage: p, Rows: rows, Errors: fe})
			return
		}
	}
	s.redirectWith(w, r, sess, "/console/healthchecks/"+url.PathEscape(p.ID)+"/tags", "Tags saved.")
}

type deleteData struct {
	HCPage
	Error string
}

func (s *server) deleteHealthCheckForm(w http.ResponseWriter, r *http.Request, sess *session) {
	_, p, ok := s.loadCheck(w, r, sess, "")
	if !ok {
		return
	}
	s.render(w, r, sess, http.StatusOK, "hc_delete", "Delete "+p.title(), deleteData{HCPage: p})
}

func (s *server) deleteHealthCheck(w http.ResponseWriter, r *http.Request, sess *session) {
	c, p, ok := s.loadCheck(w, r, sess, "")
	if !ok {
		return
	}
	if _, err := c.DeleteHealthCheck(r.Context(), &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(p.ID)}); err != nil {
		code, msg := apiMessage(err)
		s.render(w, r, sess, http.StatusBadRequest, "hc_delete", "Delete "+p.title(), deleteData{HCPage: p, Error: msg + " (" + code + ")"})
		return
	}
	s.redirectWith(w, r, sess, "/console/healthchecks", "Health check "+p.ID+" deleted.")
}
