package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/vedette-dns/vedette/internal/model"
)

// timeRange is one choice of the Monitoring tab's range selector.
type timeRange struct {
	Name   string
	Span   time.Duration
	Period time.Duration
}

var ranges = []timeRange{
	{"1h", time.Hour, time.Minute},
	{"6h", 6 * time.Hour, 5 * time.Minute},
	{"24h", 24 * time.Hour, 15 * time.Minute},
	{"7d", 7 * 24 * time.Hour, time.Hour},
}

func findRange(name string) timeRange {
	for _, r := range ranges {
		if r.Name == name {
			return r
		}
	}
	return ranges[0]
}

type chartView struct {
	Heading string
	SVG     template.HTML
	Summary []string
	Error   string
}

type monitoringData struct {
	HCPage
	Range   string
	Ranges  []timeRange
	Charts  []chartView
	Changes []StatusChange
}

func (s *server) healthCheckMonitoring(w http.ResponseWriter, r *http.Request, sess *session) {
	_, p, ok := s.loadCheck(w, r, sess, "monitoring")
	if !ok {
		return
	}
	tr := findRange(r.URL.Query().Get("range"))
	to := s.opts.Now()
	from := to.Add(-tr.Span)
	d := monitoringData{HCPage: p, Range: tr.Name, Ranges: ranges}
	ctx := r.Context()
	status, changes := s.statusChart(ctx, p.ID, from, to, tr)
	d.Charts = append(d.Charts, status)
	d.Changes = changes
	typ := p.Config.Type
	switch {
	case typ == types.HealthCheckTypeCalculated:
		d.Charts = append(d.Charts, s.metricChart(ctx, p.ID, "ChildHealthCheckHealthyCount", "Healthy child health checks", "", []string{""}, from, to, tr))
	case model.HealthCheckType(typ).IsEndpoint():
		c := s.metricChart(ctx, p.ID, "HealthCheckPercentageHealthy", "Health checkers that report the endpoint healthy", "%", []string{""}, from, to, tr)
		d.Charts = append(d.Charts, c)
		if aws.ToBool(p.Config.MeasureLatency) {
			regions, err := s.opts.Monitor.LatencyRegions(ctx, p.ID, from, to)
			if err != nil {
				d.Charts = append(d.Charts, chartView{Heading: "Latency", Error: err.Error()})
				break
			}
			for _, m := range latencyMetrics(typ) {
				d.Charts = append(d.Charts, s.metricChart(ctx, p.ID, m.name, m.title+" by region", " ms", regions, from, to, tr))
			}
		}
	}
	s.render(w, r, sess, http.StatusOK, "hc_monitoring", p.title()+": monitoring", d)
}

type latencyMetric struct{ name, title string }

func latencyMetrics(t types.HealthCheckType) []latencyMetric {
	var out []latencyMetric
	if t != types.HealthCheckTypeHttps && t != types.HealthCheckTypeHttpsStrMatch {
		out = append(out, latencyMetric{"ConnectionTime", "TCP connection time"})
	} else {
		out = append(out, latencyMetric{"SSLHandshakeTime", "Time to complete the TLS handshake"})
	}
	if t != types.HealthCheckTypeTcp {
		out = append(out, latencyMetric{"TimeToFirstByte", "Time to first byte"})
	}
	return out
}

// points turns datapoints into chart points with one statistic.
func points(dps []model.Datapoint, stat string) []Point {
	out := make([]Point, 0, len(dps))
	for _, dp := range dps {
		if v, ok := dp.Stats.Value(stat); ok {
			out = append(out, Point{dp.Timestamp, v})
		}
	}
	return out
}

// statusChart draws HealthCheckStatus (the period's minimum) as a step line
// with every status change marked.
func (s *server) statusChart(ctx context.Context, id string, from, to time.Time, tr timeRange) (chartView, []StatusChange) {
	cv := chartView{Heading: "Health check status"}
	dps, err := s.opts.Monitor.Series(ctx, id, "HealthCheckStatus", "", from, to, tr.Period)
	if err != nil {
		cv.Error = err.Error()
		return cv, nil
	}
	changes, err := s.opts.Monitor.StatusChanges(ctx, id, from, to)
	if err != nil {
		cv.Error = err.Error()
	}
	ser := Series{Name: "Status (1 healthy, 0 unhealthy)", Points: points(dps, model.StatMinimum)}
	ch := Chart{ID: "chart-status", Title: "Health check status over the last " + tr.Name, From: from, To: to, Step: true,
		YMin: 0, YMax: 1, YLabels: map[float64]string{0: "Unhealthy", 1: "Healthy"}, Gap: 2 * tr.Period, Series: []Series{ser}}
	for _, c := range changes {
		label := fmt.Sprintf("%s: %s → %s", c.Time.UTC().Format("2006-01-02 15:04:05 UTC"), c.From, c.To)
		if c.From == "" {
			label = fmt.Sprintf("%s: became %s", c.Time.UTC().Format("2006-01-02 15:04:05 UTC"), c.To)
		}
		if c.Reason != "" {
			label += " (" + c.Reason + ")"
		}
		ch.Markers = append(ch.Markers, Marker{T: c.Time, Label: label})
	}
	unhealthy := 0
	for _, p := range ser.Points {
		if p.V < 1 {
			unhealthy++
		}
	}
	plural := "s"
	if len(changes) == 1 {
		plural = ""
	}
	ch.Desc = fmt.Sprintf("%d status change%s in the last %s; %d of %d periods had an unhealthy minimum.", len(changes), plural, tr.Name, unhealthy, len(ser.Points))
	cv.SVG = ch.SVG()
	cv.Summary = []string{ch.Desc}
	return cv, changes
}

// metricChart draws one metric, one series per region ("" = all regions).
func (s *server) metricChart(ctx context.Context, id, metric, title, unit string, regions []string, from, to time.Time, tr timeRange) chartView {
	cv := chartView{Heading: title}
	ch := Chart{ID: "chart-" + strings.ToLower(metric), Title: title + " over the last " + tr.Name, From: from, To: to, Unit: unit, Gap: 2 * tr.Period}
	if unit == "%" {
		ch.YMin, ch.YMax = 0, 100
	}
	for _, region := range regions {
		dps, err := s.opts.Monitor.Series(ctx, id, metric, region, from, to, tr.Period)
		if err != nil {
			cv.Error = err.Error()
			return cv
		}
		name := region
		if name == "" {
			name = "All regions"
		}
		ser := Series{Name: name, Points: points(dps, model.StatAverage)}
		ch.Series = append(ch.Series, ser)
		cv.Summary = append(cv.Summary, summarize(ser, unit))
	}
	ch.Desc = strings.Join(cv.Summary, " ")
	cv.SVG = ch.SVG()
	return cv
}
