package selfmetrics_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
)

func TestTrackRecordsStatus(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := selfmetrics.NewAPI(reg)
	serve := func(h func(w http.ResponseWriter), op string) {
		w, done := selfmetrics.Track(m, selfmetrics.APISNS, httptest.NewRecorder())
		h(w)
		done(op)
	}
	serve(func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent); w.WriteHeader(http.StatusOK) }, "Publish")
	serve(func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, "Publish")
	serve(func(http.ResponseWriter) {}, "Publish")
	serve(func(w http.ResponseWriter) { w.WriteHeader(http.StatusForbidden) }, selfmetrics.UnknownOperation)

	got := gather(t, reg)
	want := map[string]float64{
		`vedette_api_requests_total{api="sns",code="200",operation="Publish"}`: 2,
		`vedette_api_requests_total{api="sns",code="204",operation="Publish"}`: 1,
		`vedette_api_requests_total{api="sns",code="403",operation="Unknown"}`: 1,
		`vedette_api_request_duration_seconds{api="sns",operation="Publish"}`:  3,
		`vedette_api_request_duration_seconds{api="sns",operation="Unknown"}`:  1,
	}
	compare(t, got, want)
}

func TestNilObserversDoNothing(t *testing.T) {
	rec := httptest.NewRecorder()
	w, done := selfmetrics.Track(nil, selfmetrics.APIRoute53, rec)
	if w != rec {
		t.Fatal("Track with a nil observer wrapped the writer")
	}
	done("ListHostedZones")
	var api *selfmetrics.API
	var probes *selfmetrics.Probes
	var st *selfmetrics.Store
	api.Observe("route53", "X", 200, time.Second)
	probes.ObserveProbe("HTTP", true, time.Second)
	st.ObserveStore(selfmetrics.StoreGet, time.Second)
}

func TestProbesAndStore(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	p, s := selfmetrics.NewProbes(reg), selfmetrics.NewStore(reg)
	p.ObserveProbe("HTTPS", true, 30*time.Millisecond)
	p.ObserveProbe("HTTPS", false, 2*time.Second)
	s.ObserveStore(selfmetrics.StoreCommit, time.Millisecond)
	compare(t, gather(t, reg), map[string]float64{
		`vedette_probes_total{result="failure",type="HTTPS"}`:   1,
		`vedette_probes_total{result="success",type="HTTPS"}`:   1,
		`vedette_probe_duration_seconds{type="HTTPS"}`:          2,
		`vedette_store_operation_duration_seconds{op="commit"}`: 1,
	})
}

// gather returns every series of reg: a counter's value, a histogram's
// sample count. It checks each family has help text.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if len(mf.GetHelp()) < 20 {
			t.Errorf("%s: help %q", mf.GetName(), mf.GetHelp())
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			if h := m.GetHistogram(); h != nil {
				out[key] = float64(h.GetSampleCount())
			} else {
				out[key] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func compare(t *testing.T, got, want map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
