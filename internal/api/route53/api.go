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

const prefix = "/2013-04-01"

func (a *API) routes() {
	h := map[string]handlerFunc{
		"POST /hostedzone":                        a.createHostedZone,
		"GET /hostedzone":                         a.listHostedZones,
		"GET /hostedzone/{id}":                    a.getHostedZone,
		"POST /hostedzone/{id}":                   a.updateHostedZoneComment,
		"DELETE /hostedzone/{id}":                 a.deleteHostedZone,
		"GET /hostedzonesbyname":                  a.listHostedZonesByName,
		"GET /hostedzonecount":                    a.getHostedZoneCount,
		"POST /hostedzone/{id}/rrset/{$}":         a.changeResourceRecordSets,
		"POST /hostedzone/{id}/rrset":             a.changeResourceRecordSets,
		"GET /hostedzone/{id}/rrset":              a.listResourceRecordSets,
		"GET /hostedzone/{id}/rrset/{$}":          a.listResourceRecordSets,
		"GET /change/{id}":                        a.getChange,
		"GET /hostedzonelimit/{id}/{type}":        a.getHostedZoneLimit,
		"GET /accountlimit/{type}":                a.getAccountLimit,
		"POST /healthcheck":                       a.createHealthCheck,
		"GET /healthcheck":                        a.listHealthChecks,
		"GET /healthcheck/{id}":                   a.getHealthCheck,
		"POST /healthcheck/{id}":                  a.updateHealthCheck,
		"DELETE /healthcheck/{id}":                a.deleteHealthCheck,
		"GET /healthcheck/{id}/status":            a.getHealthCheckStatus,
		"GET /healthcheck/{id}/lastfailurereason": a.getHealthCheckLastFailureReason,
		"GET /healthcheckcount":                   a.getHealthCheckCount,
		"GET /checkeripranges":                    a.getCheckerIPRanges,
		"GET /testdnsanswer":                      a.testDNSAnswer,
		"POST /cidrcollection":                    a.createCidrCollection,
		"GET /cidrcollection":                     a.listCidrCollections,
		"POST /cidrcollection/{id}":               a.changeCidrCollection,
		"GET /cidrcollection/{id}":                a.listCidrLocations,
		"GET /cidrcollection/{id}/cidrblocks":     a.listCidrBlocks,
		"DELETE /cidrcollection/{id}":             a.deleteCidrCollection,
		"GET /tags/{type}/{id}":                   a.listTagsForResource,
		"POST /tags/{type}/{id}":                  a.changeTagsForResource,
		"POST /tags/{type}":                       a.listTagsForResources,
	}
	for pattern, fn := range h {
		method, path, _ := strings.Cut(pattern, " ")
		a.mux.Handle(method+" "+prefix+path, a.wrap(fn))
	}
	a.mux.Handle(prefix+"/", a.wrap(func(w http.ResponseWriter, r *http.Request) error {
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

// wrap adds the request id, authenticates, bounds the body and renders errors.
func (a *API) wrap(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := a.opts.NewRequestID()
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		w.Header().Set("x-amzn-RequestId", id)
		r.Body = http.MaxBytesReader(w, r.Body, a.opts.MaxBodyBytes)
		if _, err := a.opts.Auth.Authenticate(r); err != nil {
			var ce codedError
			if !errors.As(err, &ce) {
				err = errorf(http.StatusForbidden, "AccessDenied", "%s", err.Error())
			}
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
