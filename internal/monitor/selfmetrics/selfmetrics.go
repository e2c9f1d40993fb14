// Package selfmetrics holds Vedette's metrics about itself (as opposed to
// the Route 53 health-check metrics of internal/monitor): API requests,
// health-check probes and store operations. Each group is a small type
// whose constructor registers its metrics on the prometheus.Registerer it is
// given (never the global default registry), and whose methods the
// instrumented packages call through a one-method interface defined here,
// so that a nil observer turns the instrumentation off and those packages
// need not know about Prometheus.
//
// The DNS server's query counters are not here: internal/dns keeps them as
// atomics on its hot path and exposes them with (*dns.Server).Collector.
package selfmetrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// UnknownOperation is the operation label of API requests that were not
// authenticated or did not name an operation the API knows: label values
// never come from what an unauthenticated client sends.
const UnknownOperation = "Unknown"

// API label values of the APIs Vedette serves.
const (
	APIRoute53    = "route53"
	APIARC        = "arc"
	APICloudWatch = "cloudwatch"
	APISNS        = "sns"
)

// RequestObserver is told about every API request once it has been
// answered. api is one of the API* constants, operation the AWS name of the
// operation (ListHostedZones, UpdateRoutingControlState, ...) or
// UnknownOperation, code the HTTP status sent and d the time the request
// took. It must be safe for concurrent use. *API implements it.
type RequestObserver interface {
	Observe(api, operation string, code int, d time.Duration)
}

// API is the API request metrics; it implements RequestObserver.
type API struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewAPI returns API request metrics registered on reg. It panics if they
// are already registered there.
func NewAPI(reg prometheus.Registerer) *API {
	m := &API{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vedette_api_requests_total",
			Help: "API requests answered, by API (route53, arc, cloudwatch, sns), operation (the AWS operation name, " +
				"or Unknown for requests that failed authentication or named no known operation) and HTTP status code.",
		}, []string{"api", "operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vedette_api_request_duration_seconds",
			Help:    "Time from receiving an API request to finishing its response, by API and operation (as in vedette_api_requests_total).",
			Buckets: prometheus.DefBuckets,
		}, []string{"api", "operation"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Observe implements RequestObserver. A nil *API does nothing.
func (m *API) Observe(api, operation string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(api, operation, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(api, operation).Observe(d.Seconds())
}

// StatusWriter is an http.ResponseWriter that remembers the status code
// written through it, for a RequestObserver. Unwrap gives
// http.ResponseController the writer underneath.
type StatusWriter struct {
	http.ResponseWriter
	code int
}

// NewStatusWriter wraps w.
func NewStatusWriter(w http.ResponseWriter) *StatusWriter { return &StatusWriter{ResponseWriter: w} }

// WriteHeader records the first final (non-1xx) status and passes it on.
func (w *StatusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records status 200 if none was written yet and passes b on.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status returns the status code sent: 200 when the handler wrote nothing
// (net/http then sends 200).
func (w *StatusWriter) Status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// Track starts observing one request of api for obs: serve the request
// through the returned writer, then call done with the operation's name
// (UnknownOperation if it was not authenticated or not recognised). With a
// nil obs it returns w and a done that does nothing.
func Track(obs RequestObserver, api string, w http.ResponseWriter) (http.ResponseWriter, func(operation string)) {
	if obs == nil {
		return w, func(string) {}
	}
	start := time.Now()
	sw := NewStatusWriter(w)
	return sw, func(operation string) { obs.Observe(api, operation, sw.Status(), time.Since(start)) }
}

// ProbeObserver is told about every health-check probe that ran: the
// health check's type (HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP),
// whether it succeeded and how long it took. It must be safe for concurrent
// use. *Probes implements it.
type ProbeObserver interface {
	ObserveProbe(checkType string, success bool, d time.Duration)
}

// Probes is the health-check probe metrics; it implements ProbeObserver.
type Probes struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewProbes returns probe metrics registered on reg. It panics if they are
// already registered there.
func NewProbes(reg prometheus.Registerer) *Probes {
	m := &Probes{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vedette_probes_total",
			Help: "Health-check probes run by this node's checker, by health-check type (HTTP, HTTPS, HTTP_STR_MATCH, " +
				"HTTPS_STR_MATCH, TCP) and result (success, failure).",
		}, []string{"type", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vedette_probe_duration_seconds",
			Help: "Time a health-check probe took from start to result (connection, TLS, request and response, " +
				"or the timeout), successful or not, by health-check type.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 4, 8, 16},
		}, []string{"type"}),
	}
	reg.MustRegister(m.total, m.duration)
	return m
}

// ObserveProbe implements ProbeObserver. A nil *Probes does nothing.
func (m *Probes) ObserveProbe(checkType string, success bool, d time.Duration) {
	if m == nil {
		return
	}
	result := "failure"
	if success {
		result = "success"
	}
	m.total.WithLabelValues(checkType, result).Inc()
	m.duration.WithLabelValues(checkType).Observe(d.Seconds())
}

// Store operation label values.
const (
	StoreRange  = "range"  // a read of a key range (or a whole bucket)
	StoreGet    = "get"    // a read of one key
	StoreCommit = "commit" // a write transaction, to its durable commit
	StoreWatch  = "watch"  // delivery of a change to watchers, from its commit
)

// StoreObserver is told how long each store operation took; op is one of
// the Store* constants. It must be safe for concurrent use. *Store
// implements it.
type StoreObserver interface {
	ObserveStore(op string, d time.Duration)
}

// Store is the store latency metrics; it implements StoreObserver.
type Store struct {
	duration *prometheus.HistogramVec
}

// NewStore returns store metrics registered on reg. It panics if they are
// already registered there.
func NewStore(reg prometheus.Registerer) *Store {
	m := &Store{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vedette_store_operation_duration_seconds",
			Help: "Latency of operations on Vedette's bbolt store, by operation: range (read of a key range), get " +
				"(read of one key), commit (a write transaction up to its durable commit, fsync included), " +
				"watch (from a commit to its changes being handed to every watcher).",
			Buckets: prometheus.ExponentialBuckets(25e-6, 4, 10), // 25µs .. 6.5s
		}, []string{"op"}),
	}
	reg.MustRegister(m.duration)
	return m
}

// ObserveStore implements StoreObserver. A nil *Store does nothing.
func (m *Store) ObserveStore(op string, d time.Duration) {
	if m == nil {
		return
	}
	m.duration.WithLabelValues(op).Observe(d.Seconds())
}
