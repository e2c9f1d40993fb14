package monitor

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

// Prometheus names of Route 53's health-check metrics (docs/monitoring.md
// has the mapping). Latencies are in seconds, as Prometheus prefers;
// Route 53 reports milliseconds.
var (
	promStatus = prometheus.NewDesc("vedette_health_check_status",
		"Route 53 HealthCheckStatus: 1 when the health check is healthy, 0 when unhealthy (absent while its status is unknown).",
		[]string{"health_check_id", "name"}, nil)
	promPercentage = prometheus.NewDesc("vedette_health_check_percentage_healthy",
		"Route 53 HealthCheckPercentageHealthy: percentage of reporting checkers that see the endpoint healthy (endpoint checks that are enabled).",
		[]string{"health_check_id", "name"}, nil)
	promChildren = prometheus.NewDesc("vedette_child_health_check_healthy_count",
		"Route 53 ChildHealthCheckHealthyCount: number of healthy child health checks (CALCULATED checks).",
		[]string{"health_check_id", "name"}, nil)
	promConnect = prometheus.NewDesc("vedette_health_check_connection_time_seconds",
		"Route 53 ConnectionTime (in seconds, Route 53 reports milliseconds): time to establish the TCP connection in the latest successful probe from the region (checks with MeasureLatency).",
		[]string{"health_check_id", "name", "region"}, nil)
	promTLS = prometheus.NewDesc("vedette_health_check_ssl_handshake_time_seconds",
		"Route 53 SSLHandshakeTime (in seconds): time to complete the TLS handshake in the latest successful probe from the region (HTTPS checks with MeasureLatency).",
		[]string{"health_check_id", "name", "region"}, nil)
	promTTFB = prometheus.NewDesc("vedette_health_check_time_to_first_byte_seconds",
		"Route 53 TimeToFirstByte (in seconds): time until the first byte of the response in the latest successful probe from the region (HTTP(S) checks with MeasureLatency).",
		[]string{"health_check_id", "name", "region"}, nil)
)

// Collector returns a Prometheus collector of the six Route 53 metrics of
// every health check, read at scrape time. names returns the Name tag of
// each check (nil: no names).
func (m *Monitor) Collector(names func() map[string]string) prometheus.Collector {
	return &collector{m: m, names: names}
}

type collector struct {
	m     *Monitor
	names func() map[string]string
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{promStatus, promPercentage, promChildren, promConnect, promTLS, promTTFB} {
		ch <- d
	}
}

type scraped struct {
	hc model.HealthCheck
	r  health.Report
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	var names map[string]string
	if c.names != nil {
		names = c.names()
	}
	var all []scraped
	c.m.opts.Health.Each(func(hc model.HealthCheck, r health.Report) { all = append(all, scraped{hc, r}) })
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, s := range all {
		id, name, cfg := s.hc.ID, names[s.hc.ID], s.hc.Config
		if s.r.Status != model.StatusUnknown {
			gauge(promStatus, statusValue(s.r.Status), id, name)
		}
		switch {
		case cfg.Type.IsEndpoint() && !cfg.Disabled && s.r.Total > 0:
			gauge(promPercentage, 100*float64(s.r.Healthy)/float64(s.r.Total), id, name)
		case cfg.Type == model.TypeCalculated && s.r.Status != model.StatusUnknown:
			gauge(promChildren, float64(s.r.Healthy), id, name)
		}
		if !cfg.MeasureLatency {
			continue
		}
		for region, t := range c.m.LatestTimings(id) {
			if t.Connect > 0 {
				gauge(promConnect, t.Connect.Seconds(), id, name, region)
			}
			if cfg.Type.IsHTTPS() && t.TLSHandshake > 0 {
				gauge(promTLS, t.TLSHandshake.Seconds(), id, name, region)
			}
			if cfg.Type != model.TypeTCP && t.FirstByte > 0 {
				gauge(promTTFB, t.FirstByte.Seconds(), id, name, region)
			}
		}
	}
}
