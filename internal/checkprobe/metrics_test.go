package checkprobe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
	"github.com/vedette-dns/vedette/internal/probe"
)

func TestProbesAreCounted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	host, portText, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portText)
	reg := prometheus.NewPedanticRegistry()
	cp := New(probe.New(probe.Options{}), nil)
	cp.SetObserver(selfmetrics.NewProbes(reg))
	check := func(id, path string, typ model.HealthCheckType) model.HealthCheck {
		return model.HealthCheck{ID: id, Version: 1, Config: model.HealthCheckConfig{
			Type: typ, IPAddress: host, Port: port, ResourcePath: path}}
	}
	ctx := context.Background()
	for range 2 {
		if r := cp.Probe(ctx, check("ok", "/", model.TypeHTTP)); !r.Success {
			t.Fatalf("probe of a 200: %+v", r)
		}
	}
	if r := cp.Probe(ctx, check("fail", "/fail", model.TypeHTTP)); r.Success {
		t.Fatalf("probe of a 503 succeeded: %+v", r)
	}
	if r := cp.Probe(ctx, check("tcp", "", model.TypeTCP)); !r.Success {
		t.Fatalf("tcp probe: %+v", r)
	}
	cp.Probe(ctx, check("bad\n", "/", model.TypeHTTP)) // invalid target: not a probe

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total, durations := map[string]float64{}, map[string]uint64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			switch mf.GetName() {
			case "vedette_probes_total":
				total[l["type"]+"/"+l["result"]] = m.GetCounter().GetValue()
			case "vedette_probe_duration_seconds":
				durations[l["type"]] = m.GetHistogram().GetSampleCount()
				if m.GetHistogram().GetSampleSum() <= 0 {
					t.Errorf("%s: duration sum %v", l["type"], m.GetHistogram().GetSampleSum())
				}
			}
		}
	}
	want := map[string]float64{"HTTP/success": 2, "HTTP/failure": 1, "TCP/success": 1}
	if len(total) != len(want) {
		t.Errorf("probes %v, want %v", total, want)
	}
	for k, n := range want {
		if total[k] != n {
			t.Errorf("%s: %v probes, want %v", k, total[k], n)
		}
	}
	if durations["HTTP"] != 3 || durations["TCP"] != 1 || len(durations) != 2 {
		t.Errorf("durations observed %v, want HTTP 3, TCP 1", durations)
	}
}
