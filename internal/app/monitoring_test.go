package app

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/monitor"
)

// scrape fetches /metrics and returns the families by name.
func scrape(t *testing.T, a *App) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + a.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// gauge returns the value of the family's series whose labels include want.
func gauge(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRoute53Metrics: /metrics shows the six Route 53 metrics with the
// right values, labelled by id and Name tag, across a status flip.
func TestRoute53Metrics(t *testing.T) {
	a, c := startNode(t)
	ctx := context.Background()
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer up.Close()
	host, portStr, _ := net.SplitHostPort(up.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("m1"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeHttps, IPAddress: aws.String(host), Port: aws.Int32(int32(port)), RequestInterval: aws.Int32(1),
		FailureThreshold: aws.Int32(1), MeasureLatency: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.HealthCheck.Id
	if _, err := c.ChangeTagsForResource(ctx, &r53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(id),
		AddTags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("web <1>")}}}); err != nil {
		t.Fatal(err)
	}
	calc, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("m2"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeCalculated, HealthThreshold: aws.Int32(1), ChildHealthChecks: []string{id}}})
	if err != nil {
		t.Fatal(err)
	}
	calcID := *calc.HealthCheck.Id
	me := map[string]string{"health_check_id": id, "name": "web <1>"}
	var fams map[string]*dto.MetricFamily
	waitUntil(t, "healthy metrics with latency", 15*time.Second, func() bool {
		fams = scrape(t, a)
		v, ok := gauge(fams, "vedette_health_check_status", me)
		_, tls := gauge(fams, "vedette_health_check_ssl_handshake_time_seconds", me)
		return ok && v == 1 && tls
	})
	if v, _ := gauge(fams, "vedette_health_check_percentage_healthy", me); v != 100 {
		t.Fatalf("percentage healthy = %v", v)
	}
	if v, ok := gauge(fams, "vedette_child_health_check_healthy_count", map[string]string{"health_check_id": calcID}); !ok || v != 1 {
		t.Fatalf("child healthy count = %v %v", v, ok)
	}
	for _, name := range []string{"vedette_health_check_connection_time_seconds", "vedette_health_check_ssl_handshake_time_seconds", "vedette_health_check_time_to_first_byte_seconds"} {
		v, ok := gauge(fams, name, map[string]string{"health_check_id": id, "region": "local"})
		if !ok || v <= 0 || v > 2 {
			t.Fatalf("%s = %v %v", name, v, ok)
		}
	}
	up.Close() // the endpoint goes away
	waitUntil(t, "unhealthy metrics", 15*time.Second, func() bool {
		fams = scrape(t, a)
		v, ok := gauge(fams, "vedette_health_check_status", me)
		return ok && v == 0
	})
	if v, _ := gauge(fams, "vedette_health_check_percentage_healthy", me); v != 0 {
		t.Fatalf("percentage healthy after the flip = %v", v)
	}
	waitUntil(t, "calculated parent unhealthy", 5*time.Second, func() bool {
		v, ok := gauge(scrape(t, a), "vedette_child_health_check_healthy_count", map[string]string{"health_check_id": calcID})
		return ok && v == 0
	})
	// Vedette's own metrics are there too, counting what this test did.
	fams = scrape(t, a)
	for name, labels := range map[string]map[string]string{
		"vedette_probes_total":       {"type": "HTTPS", "result": "failure"},
		"vedette_api_requests_total": {"api": "route53", "operation": "CreateHealthCheck", "code": "201"},
	} {
		if v, ok := counter(fams, name, labels); !ok || v < 1 {
			t.Errorf("%s%v = %v %v", name, labels, v, ok)
		}
	}
	for _, name := range []string{"vedette_dns_queries_total", "vedette_store_operation_duration_seconds", "go_goroutines"} {
		if fams[name] == nil {
			t.Errorf("%s missing from /metrics", name)
		}
	}
}

// counter returns the value of the counter series whose labels include want.
func counter(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				found = found || (l.GetName() == k && l.GetValue() == v)
			}
			if !found {
				continue next
			}
		}
		return m.GetCounter().GetValue(), true
	}
	return 0, false
}

// TestHistorySurvivesRestart: a check's status changes and per-minute
// healthy share are in the history after a restart.
func TestHistorySurvivesRestart(t *testing.T) {
	cfg := testConfig(t)
	a, c, keyID, secret := startNodeKey(t, func(c *config.Serve) { *c = cfg })
	ctx := context.Background()
	var healthy atomic.Bool
	healthy.Store(true)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(503)
		}
	}))
	defer up.Close()
	host, portStr, _ := net.SplitHostPort(up.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("h1"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host), Port: aws.Int32(int32(port)), RequestInterval: aws.Int32(1), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.HealthCheck.Id
	status := func(a *App) string {
		r, ok := a.health.Status(id)
		if !ok {
			return ""
		}
		return r.Status.String()
	}
	waitUntil(t, "a successful probe", 10*time.Second, func() bool {
		obs := a.health.Observations(id)
		return status(a) == "Healthy" && len(obs) == 1 && obs[0].Success
	})
	healthy.Store(false)
	waitUntil(t, "unhealthy", 10*time.Second, func() bool { return status(a) == "Unhealthy" })
	a.Close()

	b, err := Start(cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	changes, _, err := b.monitor.StatusChanges(ctx, id, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, ch := range changes {
		seq = append(seq, ch.To)
	}
	if got := strings.Join(seq, ","); !strings.HasPrefix(got, "Healthy,Unhealthy") {
		t.Fatalf("status changes after restart = %s", got)
	}
	share, err := b.monitor.Series(ctx, monitor.HealthMetric(monitor.MetricPercentageHealthy, id, ""), from, to, time.Minute)
	if err != nil || len(share) == 0 {
		t.Fatalf("healthy share after restart = %+v %v", share, err)
	}
	var sawHealthy, sawUnhealthy bool
	for _, p := range share {
		sawHealthy = sawHealthy || p.Stats.Maximum == 100
		sawUnhealthy = sawUnhealthy || p.Stats.Minimum == 0
	}
	if !sawHealthy || !sawUnhealthy {
		t.Fatalf("healthy share does not show the flip: %+v", share)
	}
	// The same history through the CloudWatch API, namespace AWS/Route53.
	cwc := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + b.HTTPAddr()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})
	dims := []cwtypes.Dimension{{Name: aws.String("HealthCheckId"), Value: aws.String(id)}}
	stats, err := cwc.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("AWS/Route53"), MetricName: aws.String("HealthCheckStatus"),
		Dimensions: dims, StartTime: aws.Time(from), EndTime: aws.Time(to), Period: aws.Int32(3600), Statistics: []cwtypes.Statistic{cwtypes.StatisticMinimum, cwtypes.StatisticMaximum}})
	if err != nil || len(stats.Datapoints) == 0 {
		t.Fatalf("GetMetricStatistics AWS/Route53 = %+v %v", stats, err)
	}
	var minSeen, maxSeen = 1.0, 0.0
	for _, d := range stats.Datapoints {
		minSeen, maxSeen = min(minSeen, aws.ToFloat64(d.Minimum)), max(maxSeen, aws.ToFloat64(d.Maximum))
	}
	if minSeen != 0 || maxSeen != 1 {
		t.Fatalf("HealthCheckStatus through CloudWatch: min %v max %v, want 0 and 1", minSeen, maxSeen)
	}
	list, err := cwc.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("AWS/Route53"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("HealthCheckId"), Value: aws.String(id)}}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range list.Metrics {
		names[aws.ToString(m.MetricName)] = true
	}
	if !names["HealthCheckStatus"] || !names["HealthCheckPercentageHealthy"] {
		t.Fatalf("ListMetrics AWS/Route53 = %v", names)
	}
}
