package arc_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vedette-dns/vedette/internal/api/arc"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
)

const controlARN = "arn:aws:route53-recovery-control::111122223333:controlpanel/cp/routingcontrol/primary"

type switches struct {
	mu sync.Mutex
	on map[string]bool
}

func (s *switches) SetSwitch(_ context.Context, arn string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on[arn] = on
	return nil
}

func (s *switches) Switch(_ context.Context, arn string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.on[arn], nil
}

func (s *switches) HealthChecks(context.Context) ([]model.HealthCheck, error) {
	return []model.HealthCheck{{ID: "hc1", Config: model.HealthCheckConfig{
		Type: model.TypeRecoveryControl, RoutingControlArn: controlARN}}}, nil
}

// keyAuth accepts requests whose Authorization header is "good".
type keyAuth struct{}

func (keyAuth) Authenticate(r *http.Request) (string, error) {
	if r.Header.Get("Authorization") != "good" {
		return "", errors.New("bad credentials")
	}
	return "AKID", nil
}

func TestMetricsCountRequests(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	srv := httptest.NewServer(&arc.API{
		Switches: &switches{on: map[string]bool{}},
		Auth:     keyAuth{},
		Metrics:  selfmetrics.NewAPI(reg),
	})
	t.Cleanup(srv.Close)
	call := func(auth, op, body string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("X-Amz-Target", arc.TargetPrefix+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		auth, op, body string
		code           int
	}{
		{"good", "UpdateRoutingControlState", `{"RoutingControlArn":"` + controlARN + `","RoutingControlState":"On"}`, 200},
		{"good", "GetRoutingControlState", `{"RoutingControlArn":"` + controlARN + `"}`, 200},
		{"good", "GetRoutingControlState", `{"RoutingControlArn":"arn:nope"}`, 404},
		{"good", "ListRoutingControls", `{}`, 200},
		{"good", "MadeUpOperation", `{}`, 400},
		{"bad", "ListRoutingControls", `{}`, 403},
	} {
		if code := call(c.auth, c.op, c.body); code != c.code {
			t.Fatalf("%s: status %d, want %d", c.op, code, c.code)
		}
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "vedette_api_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				key += l.GetName() + "=" + l.GetValue() + " "
			}
			got[key] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{
		"api=arc code=200 operation=UpdateRoutingControlState ": 1,
		"api=arc code=200 operation=GetRoutingControlState ":    1,
		"api=arc code=404 operation=GetRoutingControlState ":    1,
		"api=arc code=200 operation=ListRoutingControls ":       1,
		"api=arc code=400 operation=Unknown ":                   1,
		"api=arc code=403 operation=Unknown ":                   1,
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%q: %v, want %v (all %v)", k, got[k], n, got)
		}
	}
}
