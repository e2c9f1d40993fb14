// Package console owns Vedette's web console: server-rendered pages under
// /console/ that sign a user in with an access key, show health checks with
// their status, checkers, alarms and SVG graphs, and edit health checks,
// hosted zones and records through the node's own Route 53 API.
//
// Every write goes through aws-sdk-go-v2's Route 53 client, signed with the
// signed-in user's key, against the node's HTTP listener, so forms get
// exactly the API's validation and messages. Status and history are read in
// process from a Monitor. Pages work without JavaScript; one small script
// refreshes statuses on the health check list.
package console

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Options configures the console.
type Options struct {
	// APIEndpoint returns the node's own API base URL, e.g.
	// "http://127.0.0.1:8053". It is called per request, so the listener
	// may start after New. Required.
	APIEndpoint func() string
	// Verify reports whether id/secret is a key allowed to use the console
	// (root keys only). Required.
	Verify func(accessKeyID, secret string) bool
	// Monitor supplies status and history, in process. Required.
	Monitor Monitor
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// Logger. Default slog.Default().
	Logger *slog.Logger
}

// Monitor is what the console reads in process.
type Monitor interface {
	// Status returns a health check's current status ("Healthy",
	// "Unhealthy" or "Unknown"), since when, and why; false when the check
	// is not known.
	Status(id string) (status string, since time.Time, reason string, ok bool)
	// Series returns per-period datapoints of one AWS/Route53 metric of a
	// check: "HealthCheckStatus" (1/0), "HealthCheckPercentageHealthy",
	// "ChildHealthCheckHealthyCount", "ConnectionTime", "SSLHandshakeTime",
	// "TimeToFirstByte" (ms); region "" means all regions.
	Series(ctx context.Context, healthCheckID, metricName, region string, from, to time.Time, period time.Duration) ([]model.Datapoint, error)
	// LatencyRegions returns the regions with latency data for the check in
	// [from, to).
	LatencyRegions(ctx context.Context, healthCheckID string, from, to time.Time) ([]string, error)
	// StatusChanges returns the check's status changes in [from, to),
	// oldest first.
	StatusChanges(ctx context.Context, healthCheckID string, from, to time.Time) ([]StatusChange, error)
	// Alarms returns the alarms whose metric has the dimension
	// HealthCheckId = the check.
	Alarms(ctx context.Context, healthCheckID string) ([]AlarmSummary, error)
}

// StatusChange is one change of a health check's status.
type StatusChange struct {
	Time     time.Time
	From, To string
	Reason   string
}

// AlarmSummary is what the Alarms tab shows of one alarm.
type AlarmSummary struct {
	Name, State, StateReason, MetricName, Comparison string
	Threshold                                        float64
	Updated                                          time.Time
}

// Prefix is the path the console is mounted at.
const Prefix = "/console/"

// server is the console's handler.
type server struct {
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux
	sessions *sessions
	pages    pages
}

// New returns the console's handler, to be mounted at Prefix.
func New(opts Options) (http.Handler, error) {
	if opts.APIEndpoint == nil || opts.Verify == nil || opts.Monitor == nil {
		return nil, errors.New("console: APIEndpoint, Verify and Monitor are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &server{opts: opts, log: opts.Logger, mux: http.NewServeMux(), pages: p, sessions: newSessions(opts.Now)}
	s.routes()
	return s, nil
}

func (s *server) routes() {
	open := map[string]http.HandlerFunc{
		"GET /console/static/{file}": s.static,
		"GET /console/signin":        s.signinForm,
		"POST /console/signin":       s.signin,
	}
	for p, h := range open {
		s.mux.Handle(p, h)
	}
	authed := map[string]handler{
		"GET /console/{$}":                          s.home,
		"POST /console/signout":                     s.signout,
		"GET /console/healthchecks":                 s.listHealthChecks,
		"GET /console/healthchecks/status":          s.statusJSON,
		"GET /console/healthchecks/new":             s.newHealthCheckForm,
		"POST /console/healthchecks/new":            s.createHealthCheck,
		"GET /console/healthchecks/{id}":            s.healthCheckInfo,
		"GET /console/healthchecks/{id}/monitoring": s.healthCheckMonitoring,
		"GET /console/healthchecks/{id}/checkers":   s.healthCheckCheckers,
		"GET /console/healthchecks/{id}/alarms":     s.healthCheckAlarms,
		"GET /console/healthchecks/{id}/tags":       s.healthCheckTags,
		"POST /console/healthchecks/{id}/tags":      s.changeHealthCheckTags,
		"GET /console/healthchecks/{id}/edit":       s.editHealthCheckForm,
		"POST /console/healthchecks/{id}/edit":      s.updateHealthCheck,
		"GET /console/healthchecks/{id}/delete":     s.deleteHealthCheckForm,
		"POST /console/healthchecks/{id}/delete":    s.deleteHealthCheck,
		"GET /console/zones":                        s.listZones,
		"GET /console/zones/new":                    s.newZoneForm,
		"POST /console/zones/new":                   s.createZone,
		"GET /console/zones/{id}":                   s.listRecords,
		"GET /console/zones/{id}/delete":            s.deleteZoneForm,
		"POST /console/zones/{id}/delete":           s.deleteZone,
		"GET /console/zones/{id}/records/new":       s.newRecordForm,
		"POST /console/zones/{id}/records/new":      s.createRecord,
		"GET /console/zones/{id}/records/edit":      s.editRecordForm,
		"POST /console/zones/{id}/records/edit":     s.updateRecord,
		"GET /console/zones/{id}/records/delete":    s.deleteRecordForm,
		"POST /console/zones/{id}/records/delete":   s.deleteRecord,
		"GET /console/zones/{id}/test":              s.testRecord,
	}
	for p, h := range authed {
		s.mux.Handle(p, s.authed(h))
	}
	s.mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, nil, http.StatusNotFound, "Page not found", "There is no console page at this address.")
	})
}

// ServeHTTP sets the security headers and serves the console.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

func (s *server) home(w http.ResponseWriter, r *http.Request, _ *session) {
	http.Redirect(w, r, "/console/healthchecks", http.StatusSeeOther)
}

func (s *server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := assets.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(b)
}
