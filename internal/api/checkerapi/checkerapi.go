// Package checkerapi serves the protocol between remote health checkers
// (`vedette checker`) and the server, under /vedette/checker/v1/ on the
// HTTP listener. Requests are signed with SigV4 for the service
// "vedette-checker" (any region) by the root key or a checker key; see the
// "Checker protocol" section of docs/architecture.md.
//
//   - GET  /vedette/checker/v1/assignments?region=R: the endpoint health
//     checks a checker of region R probes (Regions empty or including R; not
//     Disabled), with an ETag. With If-None-Match equal to the current ETag
//     the request waits up to `wait` seconds (default 0, at most 55) for a
//     change and answers 304 when there is none.
//   - POST /vedette/checker/v1/observations: a Batch of observations.
//   - POST /vedette/checker/v1/keys?region=R (root only): create a checker key.
package checkerapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
)

// Prefix is the path prefix of protocol version 1.
const Prefix = "/vedette/checker/v1/"

// Service is the SigV4 service name of the checker protocol.
const Service = "vedette-checker"

// MaxBatch is the most observations one POST may carry.
const MaxBatch = 5000

// Batch is the body of POST observations.
type Batch struct {
	// CheckerID names the checker process, unique across the fleet.
	CheckerID string `json:"checkerId"`
	// Region is the checker's region; a checker key's region must match.
	Region string `json:"region"`
	// SourceIP is the address the checker probes from (its --source-ip, or
	// empty); it fills the SourceIP of observations that carry none.
	SourceIP     string              `json:"sourceIp,omitempty"`
	Observations []model.Observation `json:"observations"`
}

// Assignments is the body of GET assignments.
type Assignments struct {
	Revision     int64               `json:"revision"`
	HealthChecks []model.HealthCheck `json:"healthChecks"`
}

// KeyResponse is the body answering POST keys.
type KeyResponse struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	Region          string `json:"region"`
}

// Server serves the checker protocol.
type Server struct {
	// Verifier checks signatures; its Services must include Service.
	Verifier *sigv4.Verifier
	// Keys tells root and checker keys apart.
	Keys *Keys
	// Checks is the set of health checks to hand out.
	Checks *Checks
	// Observe receives every accepted observation.
	Observe func(model.Observation)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger (default slog.Default()).
	Logger *slog.Logger

	mu      sync.Mutex
	sources map[netip.Addr]bool
	regions map[string]time.Time // region → when a checker of it last called
}

// LiveWithin is how recently a remote checker of a region must have fetched
// assignments or posted observations for the region to count as live: longer
// than the longest assignment long poll (55 s).
const LiveWithin = 90 * time.Second

// seen records that a checker of region called now.
func (s *Server) seen(region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.regions == nil {
		s.regions = map[string]time.Time{}
	}
	s.regions[region] = s.now()
}

// LiveRegions returns the regions whose remote checkers called within
// LiveWithin, sorted.
func (s *Server) LiveRegions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cutoff := s.now().Add(-LiveWithin)
	var out []string
	for r, t := range s.regions {
		if t.After(cutoff) {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// SourceRanges returns the source addresses remote checkers reported, as
// host prefixes (/32, /128), sorted.
func (s *Server) SourceRanges() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.sources))
	for a := range s.sources {
		out = append(out, netip.PrefixFrom(a, a.BitLen()).String())
	}
	sort.Strings(out)
	return out
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Error is the JSON error body.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, Error{Code: code, Message: fmt.Sprintf(format, args...)})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, err := s.Verifier.Verify(r)
	if err != nil {
		var e *sigv4.Error
		if errors.As(err, &e) {
			fail(w, e.HTTPStatus, e.Code, "%s", e.Message)
			return
		}
		fail(w, http.StatusForbidden, "AccessDenied", "%v", err)
		return
	}
	key, ok := s.Keys.Lookup(r.Context(), id.AccessKeyID)
	if !ok {
		fail(w, http.StatusForbidden, "AccessDenied", "unknown access key")
		return
	}
	switch r.URL.Path {
	case Prefix + "assignments":
		if r.Method != http.MethodGet {
			fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET")
			return
		}
		s.assignments(w, r, key)
	case Prefix + "observations":
		if r.Method != http.MethodPost {
			fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST")
			return
		}
		s.observations(w, r, key)
	case Prefix + "keys":
		if r.Method != http.MethodPost {
			fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST")
			return
		}
		s.createKey(w, r, key)
	default:
		fail(w, http.StatusNotFound, "NotFound", "no such operation %q", r.URL.Path)
	}
}

func (s *Server) assignments(w http.ResponseWriter, r *http.Request, key Key) {
	region := r.URL.Query().Get("region")
	if region == "" {
		fail(w, http.StatusBadRequest, "InvalidInput", "region is required")
		return
	}
	if key.Kind == KindChecker && region != key.Region {
		fail(w, http.StatusForbidden, "AccessDenied", "this key is for region %q", key.Region)
		return
	}
	s.seen(region)
	wait := 0
	if v := r.URL.Query().Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fail(w, http.StatusBadRequest, "InvalidInput", "wait must be a whole number of seconds")
			return
		}
		wait = min(n, 55)
	}
	rev, changed := s.Checks.Revision()
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag(rev) {
		if wait > 0 {
			t := time.NewTimer(time.Duration(wait) * time.Second)
			defer t.Stop()
			select {
			case <-changed:
			case <-t.C:
			case <-r.Context().Done():
				return
			}
			rev, _ = s.Checks.Revision()
		}
		if inm == etag(rev) {
			w.Header().Set("ETag", etag(rev))
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	checks, rev := s.Checks.For(region)
	w.Header().Set("ETag", etag(rev))
	writeJSON(w, http.StatusOK, Assignments{Revision: rev, HealthChecks: checks})
}

func etag(rev int64) string { return `"` + strconv.FormatInt(rev, 10) + `"` }

func (s *Server) observations(w http.ResponseWriter, r *http.Request, key Key) {
	var b Batch
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<20))
	if err := dec.Decode(&b); err != nil {
		fail(w, http.StatusBadRequest, "InvalidInput", "decode batch: %v", err)
		return
	}
	if b.CheckerID == "" || b.Region == "" {
		fail(w, http.StatusBadRequest, "InvalidInput", "checkerId and region are required")
		return
	}
	if key.Kind == KindChecker && b.Region != key.Region {
		fail(w, http.StatusForbidden, "AccessDenied", "this key is for region %q", key.Region)
		return
	}
	if len(b.Observations) > MaxBatch {
		fail(w, http.StatusBadRequest, "InvalidInput", "at most %d observations per batch", MaxBatch)
		return
	}
	var src netip.Addr
	if b.SourceIP != "" {
		a, err := netip.ParseAddr(b.SourceIP)
		if err != nil {
			fail(w, http.StatusBadRequest, "InvalidInput", "sourceIp: %v", err)
			return
		}
		src = a.Unmap()
	}
	for i, o := range b.Observations {
		if o.CheckerID != b.CheckerID || o.Region != b.Region {
			fail(w, http.StatusBadRequest, "InvalidInput", "observation %d: checkerId and region must be the batch's", i)
			return
		}
		if o.HealthCheckID == "" || o.Time.IsZero() {
			fail(w, http.StatusBadRequest, "InvalidInput", "observation %d: healthCheckId and time are required", i)
			return
		}
		if o.SourceIP != "" {
			if _, err := netip.ParseAddr(o.SourceIP); err != nil {
				fail(w, http.StatusBadRequest, "InvalidInput", "observation %d: sourceIp: %v", i, err)
				return
			}
		}
	}
	s.seen(b.Region)
	now := s.now()
	seen := map[netip.Addr]bool{}
	for _, o := range b.Observations {
		if o.SourceIP == "" && src.IsValid() {
			o.SourceIP = src.String()
		}
		if o.Time.After(now) { // a checker clock ahead of ours would keep it alive too long
			o.Time = now
		}
		if a, err := netip.ParseAddr(o.SourceIP); err == nil {
			seen[a.Unmap()] = true
		}
		s.Observe(o)
	}
	if src.IsValid() {
		seen[src] = true
	}
	if len(seen) > 0 {
		s.mu.Lock()
		if s.sources == nil {
			s.sources = map[netip.Addr]bool{}
		}
		for a := range seen {
			s.sources[a] = true
		}
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, struct {
		Accepted int `json:"accepted"`
	}{len(b.Observations)})
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request, key Key) {
	if key.Kind != KindRoot {
		fail(w, http.StatusForbidden, "AccessDenied", "only the root key creates checker keys")
		return
	}
	region := r.URL.Query().Get("region")
	if region == "" || len(region) > 64 {
		fail(w, http.StatusBadRequest, "InvalidInput", "region is required (at most 64 characters)")
		return
	}
	k, err := s.Keys.Create(r.Context(), region)
	if err != nil {
		s.log().Error("create checker key", "err", err)
		fail(w, http.StatusInternalServerError, "InternalError", "create key failed")
		return
	}
	writeJSON(w, http.StatusOK, KeyResponse{AccessKeyID: k.ID, SecretAccessKey: k.Secret, Region: k.Region})
}

// Checks holds the health checks handed out to remote checkers; it
// implements healthfeed.Scheduler so the health feed keeps it current.
type Checks struct {
	mu      sync.Mutex
	checks  map[string]model.HealthCheck
	rev     int64
	changed chan struct{}
}

// NewChecks returns an empty set.
func NewChecks() *Checks {
	return &Checks{checks: map[string]model.HealthCheck{}, changed: make(chan struct{}), rev: 1}
}

func (c *Checks) bump() {
	c.rev++
	close(c.changed)
	c.changed = make(chan struct{})
}

// Set replaces every check.
func (c *Checks) Set(checks []model.HealthCheck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks = make(map[string]model.HealthCheck, len(checks))
	for _, hc := range checks {
		c.checks[hc.ID] = hc
	}
	c.bump()
}

// Upsert adds or replaces one check.
func (c *Checks) Upsert(hc model.HealthCheck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks[hc.ID] = hc
	c.bump()
}

// Remove deletes one check.
func (c *Checks) Remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.checks, id)
	c.bump()
}

// Revision returns the current revision and a channel closed at the next change.
func (c *Checks) Revision() (int64, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rev, c.changed
}

// For returns, sorted by id, the checks a checker of region probes: endpoint
// types, not Disabled, Regions empty or including region.
func (c *Checks) For(region string) ([]model.HealthCheck, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []model.HealthCheck{}
	for _, hc := range c.checks {
		cfg := hc.Config
		if !cfg.Type.IsEndpoint() || cfg.Disabled {
			continue
		}
		if len(cfg.Regions) > 0 && !slices.Contains(cfg.Regions, region) {
			continue
		}
		out = append(out, hc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, c.rev
}

// Key kinds.
const (
	KindRoot    = "root"
	KindChecker = "checker"
)

// Key is an access key known to the server.
type Key struct {
	ID     string `json:"-"`
	Secret string `json:"secret"`
	Kind   string `json:"kind"`
	Region string `json:"region,omitempty"`
}

// KeysPrefix is the store prefix of checker keys: keys/<id> → Key as JSON.
const KeysPrefix = "keys/"

// Keys is the key store: the root key plus checker keys in the store. It is
// a sigv4.KeyStore over both kinds.
type Keys struct {
	Store              store.Store
	RootID, RootSecret string
}

var _ sigv4.KeyStore = (*Keys)(nil)

// Lookup returns the key with this id.
func (k *Keys) Lookup(ctx context.Context, id string) (Key, bool) {
	if id == k.RootID && k.RootSecret != "" {
		return Key{ID: id, Secret: k.RootSecret, Kind: KindRoot}, true
	}
	if k.Store == nil || id == "" {
		return Key{}, false
	}
	kv, ok, _, err := k.Store.Get(ctx, KeysPrefix+id)
	if err != nil || !ok {
		return Key{}, false
	}
	var key Key
	if json.Unmarshal(kv.Value, &key) != nil || key.Secret == "" || key.Kind != KindChecker {
		return Key{}, false
	}
	key.ID = id
	return key, true
}

// SecretFor implements sigv4.KeyStore.
func (k *Keys) SecretFor(id string) (string, bool) {
	key, ok := k.Lookup(context.Background(), id)
	return key.Secret, ok
}

// Create stores a new checker key for region.
func (k *Keys) Create(ctx context.Context, region string) (Key, error) {
	id, secret, err := sigv4.GenerateKeyPair()
	if err != nil {
		return Key{}, err
	}
	key := Key{ID: id, Secret: secret, Kind: KindChecker, Region: region}
	b, err := json.Marshal(key)
	if err != nil {
		return Key{}, err
	}
	if _, err := k.Store.Txn(ctx, store.Txn{Then: []store.Op{store.Put(KeysPrefix+id, b)}}); err != nil {
		return Key{}, err
	}
	return key, nil
}
