// Package route53 owns Vedette's Route 53-compatible REST/XML API (version
// 2013-04-01): routing of paths, XML in and out, pagination markers and the
// rendering of errors with Route 53's codes and HTTP statuses.
package route53

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
)

// Authenticator verifies a request's credentials. It returns the access key id
// on success; an error implementing ErrorCode() and HTTPStatus() is rendered
// as such, any other error as a 403 AccessDenied.
type Authenticator interface {
	Authenticate(r *http.Request) (accessKeyID string, err error)
}

// Options configure the API. Every field's comment states its default.
type Options struct {
	// Catalog holds the configuration. Required.
	Catalog *catalog.Catalog
	// Auth authenticates every request. Required: the API is never open.
	Auth Authenticator
	// NameServers are put into the delegation set and apex NS of new zones
	// (canonical names). Required, at least one.
	NameServers []string
	// ServedRevision reports the store revision DNS currently serves; changes
	// at or below it are INSYNC. Default: everything is PENDING.
	ServedRevision func() int64
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives request logs. Default slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies. Default 4 MiB.
	MaxBodyBytes int64
	// NewID returns a new resource id starting with prefix ("Z" for zones,
	// "C" for changes). Default: prefix + 20 random upper-case base32 characters.
	NewID func(prefix string) string
	// NewRequestID returns a request id. Default: a random UUID.
	NewRequestID func() string
	// NewUUID returns a health-check id. Default: a random UUID.
	NewUUID func() string
	// Locations are the operator-defined geoproximity locations a record
	// set's LocalZoneGroup may name. Default: none.
	Locations map[string][2]float64
	// Resolver answers TestDNSAnswer like this node's DNS. Default: none
	// (TestDNSAnswer fails).
	Resolver Resolver
	// Status reports checker observations. Default: none (empty lists).
	Status StatusSource
	// Policy refuses health-check IP addresses probes may not reach. Default: none.
	Policy HealthCheckPolicy
	// CheckerIPRanges returns the source ranges of this deployment's
	// checkers, for GetCheckerIpRanges. Default: none.
	CheckerIPRanges func() []string
	// LiveRegions reports the checker regions with a live checker; all is
	// true when some checker probes every check whatever its Regions (the
	// embedded checker). GetHealthCheckStatus says so when none of a
	// check's regions is live. Default: none (nothing is said).
	LiveRegions func() (regions []string, all bool)
	// Alarm looks up a metric alarm by name, for CLOUDWATCH_METRIC health
	// checks. Default: none (such checks are refused).
	Alarm func(ctx context.Context, name string) (*model.Alarm, bool)
	// Metrics, when set, is told about every request: operation (the AWS
	// name, e.g. ListHostedZones), HTTP status and duration; requests that
	// fail authentication or match no operation count as
	// selfmetrics.UnknownOperation. Default: none.
	Metrics selfmetrics.RequestObserver
}

// API serves the Route 53 API.
type API struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// New returns the API with its routes.
func New(opts Options) *API {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ServedRevision == nil {
		opts.ServedRevision = func() int64 { return 0 }
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 4 << 20
	}
	if opts.NewID == nil {
		opts.NewID = newID
	}
	if opts.NewRequestID == nil {
		opts.NewRequestID = newRequestID
	}
	if opts.NewUUID == nil {
		opts.NewUUID = newUUID
	}
	a := &API{opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	a.routes()
	return a
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is a handler and the name of its operation.
type route struct {
	op string
	fn handlerFunc
}

const prefix = "/2013-04-01"

func (a *API) routes() {
	// Each route: its handler and its operation's name in the AWS API.
	h := map[string]route{
		"POST /hostedzone":                        {"CreateHostedZone", a.createHostedZone},
		"GET /hostedzone":                         {"ListHostedZones", a.listHostedZones},
		"GET /hostedzone/{id}":                    {"GetHostedZone", a.getHostedZone},
		"POST /hostedzone/{id}":                   {"UpdateHostedZoneComment", a.updateHostedZoneComment},
		"DELETE /hostedzone/{id}":                 {"DeleteHostedZone", a.deleteHostedZone},
		"GET /hostedzonesbyname":                  {"ListHostedZonesByName", a.listHostedZonesByName},
		"GET /hostedzonecount":                    {"GetHostedZoneCount", a.getHostedZoneCount},
		"POST /hostedzone/{id}/rrset/{$}":         {"ChangeResourceRecordSets", a.changeResourceRecordSets},
		"POST /hostedzone/{id}/rrset":             {"ChangeResourceRecordSets", a.changeResourceRecordSets},
		"GET /hostedzone/{id}/rrset":              {"ListResourceRecordSets", a.listResourceRecordSets},
		"GET /hostedzone/{id}/rrset/{$}":          {"ListResourceRecordSets", a.listResourceRecordSets},
		"GET /change/{id}":                        {"GetChange", a.getChange},
		"GET /hostedzonelimit/{id}/{type}":        {"GetHostedZoneLimit", a.getHostedZoneLimit},
		"GET /accountlimit/{type}":                {"GetAccountLimit", a.getAccountLimit},
		"POST /healthcheck":                       {"CreateHealthCheck", a.createHealthCheck},
		"GET /healthcheck":                        {"ListHealthChecks", a.listHealthChecks},
		"GET /healthcheck/{id}":                   {"GetHealthCheck", a.getHealthCheck},
		"POST /healthcheck/{id}":                  {"UpdateHealthCheck", a.updateHealthCheck},
		"DELETE /healthcheck/{id}":                {"DeleteHealthCheck", a.deleteHealthCheck},
		"GET /healthcheck/{id}/status":            {"GetHealthCheckStatus", a.getHealthCheckStatus},
		"GET /healthcheck/{id}/lastfailurereason": {"GetHealthCheckLastFailureReason", a.getHealthCheckLastFailureReason},
		"GET /healthcheckcount":                   {"GetHealthCheckCount", a.getHealthCheckCount},
		"GET /checkeripranges":                    {"GetCheckerIpRanges", a.getCheckerIPRanges},
		"GET /testdnsanswer":                      {"TestDNSAnswer", a.testDNSAnswer},
		"POST /cidrcollection":                    {"CreateCidrCollection", a.createCidrCollection},
		"GET /cidrcollection":                     {"ListCidrCollections", a.listCidrCollections},
		"POST /cidrcollection/{id}":               {"ChangeCidrCollection", a.changeCidrCollection},
		"GET /cidrcollection/{id}":                {"ListCidrLocations", a.listCidrLocations},
		"GET /cidrcollection/{id}/cidrblocks":     {"ListCidrBlocks", a.listCidrBlocks},
		"DELETE /cidrcollection/{id}":             {"DeleteCidrCollection", a.deleteCidrCollection},
		"GET /tags/{type}/{id}":                   {"ListTagsForResource", a.listTagsForResource},
		"POST /tags/{type}/{id}":                  {"ChangeTagsForResource", a.changeTagsForResource},
		"POST /tags/{type}":                       {"ListTagsForResources", a.listTagsForResources},
	}
	for pattern, rt := range h {
		method, path, _ := strings.Cut(pattern, " ")
		a.mux.Handle(method+" "+prefix+path, a.wrap(rt.op, rt.fn))
	}
	a.mux.Handle(prefix+"/", a.wrap(selfmetrics.UnknownOperation, func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "UnknownOperationException", "No operation matches %s %s", r.Method, r.URL.Path)
	}))
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

type ctxKey int

const requestIDKey ctxKey = 0

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// wrap adds the request id, authenticates, bounds the body, renders errors
// and reports the request to Options.Metrics as operation op (or
// selfmetrics.UnknownOperation when it fails authentication).
func (a *API) wrap(op string, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w, done := selfmetrics.Track(a.opts.Metrics, selfmetrics.APIRoute53, w)
		metricOp := op
		defer func() { done(metricOp) }()
		id := a.opts.NewRequestID()
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		w.Header().Set("x-amzn-RequestId", id)
		r.Body = http.MaxBytesReader(w, r.Body, a.opts.MaxBodyBytes)
		if _, err := a.opts.Auth.Authenticate(r); err != nil {
			var ce codedError
			if !errors.As(err, &ce) {
				err = errorf(http.StatusForbidden, "AccessDenied", "%s", err.Error())
			}
			metricOp = selfmetrics.UnknownOperation
			a.writeError(w, r, err)
			return
		}
		if err := fn(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// decode reads an XML request body into v.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body is larger than %d bytes", mbe.Limit)
		}
		return invalidInput("Could not read the request body")
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: %v", err)
	}
	return nil
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns a prefix followed by 20 random upper-case base32 characters.
func newID(prefix string) string {
	var b [13]byte
	_, _ = rand.Read(b[:])
	return prefix + idEncoding.EncodeToString(b[:])[:20]
}

// bareID strips a "/hostedzone/" or "/change/" style prefix from an id.
func bareID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}
