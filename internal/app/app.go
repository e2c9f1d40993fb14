// Package app owns wiring and lifecycle: which parts of Vedette start in which
// order, and in which order they stop (see App.Close).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vedette-dns/vedette/internal/api/alertmanager"
	"github.com/vedette-dns/vedette/internal/api/arc"
	"github.com/vedette-dns/vedette/internal/api/awsquery"
	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/api/cloudwatch"
	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/checkprobe"
	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/dns"
	"github.com/vedette-dns/vedette/internal/geo"
	"github.com/vedette-dns/vedette/internal/healthfeed"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor"
	"github.com/vedette-dns/vedette/internal/monitor/history"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
	"github.com/vedette-dns/vedette/internal/notify"
	"github.com/vedette-dns/vedette/internal/probe"
	"github.com/vedette-dns/vedette/internal/store/bolt"
	"github.com/vedette-dns/vedette/internal/zone"
	"github.com/vedette-dns/vedette/internal/zonefeed"
)

// StoreFile is the name of the bbolt file in the data directory.
const StoreFile = "vedette.db"

// App is a running Vedette node.
type App struct {
	log      *slog.Logger
	store    *bolt.Store
	dns      *dns.Server
	http     *http.Server
	httpLn   net.Listener
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	ready    atomic.Bool
	feedErr  chan error
	closeErr error
	once     sync.Once
	ctx      context.Context
	policy   *probe.Policy
	prober   *checkprobe.Prober
	sources  sourceSet // where the embedded checker's probes left from
	health   *healthfeed.Feed
	checks   *checkerapi.Checks
	geoDB    *geo.MMDB
	history  *history.DB
	notify   *notify.Service
	monitor  *monitor.Monitor
	// registry is /metrics' registry: Vedette's own metrics (DNS, probes,
	// API, store) register on it as their parts start.
	registry   *prometheus.Registry
	apiMetrics *selfmetrics.API
	rootID     string
	rootSecret string
}

// Start opens the store, starts DNS, loads the zones into it, then starts the
// API. It returns once every part is serving.
func Start(cfg config.Serve, log *slog.Logger) (_ *App, err error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	a := &App{log: log, feedErr: make(chan error, 1)}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	id, secret, err := rootKey(&cfg, log)
	if err != nil {
		return nil, err
	}
	a.rootID, a.rootSecret = id, secret
	a.registry = prometheus.NewRegistry()
	a.apiMetrics = selfmetrics.NewAPI(a.registry)
	if a.store, err = bolt.Open(filepath.Join(cfg.DataDir, StoreFile), bolt.Options{Logger: log, Observer: selfmetrics.NewStore(a.registry)}); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := a.startDNS(&cfg); err != nil {
		return nil, err
	}
	if err := a.startFeed(&cfg); err != nil {
		return nil, err
	}
	if err := a.openMonitoring(a.ctx, &cfg); err != nil {
		return nil, err
	}
	if err := a.startHealth(a.ctx, &cfg); err != nil {
		return nil, err
	}
	a.runMonitoring(a.ctx)
	keys := &checkerapi.Keys{Store: a.store, RootID: id, RootSecret: secret}
	verifier, err := sigv4.NewVerifier(sigv4.Config{Keys: keys})
	if err != nil {
		return nil, err
	}
	checkerVerifier, err := sigv4.NewVerifier(sigv4.Config{Keys: keys, Services: []string{checkerapi.Service}})
	if err != nil {
		return nil, err
	}
	isRoot := func(key string) bool { return key == id }
	remote := &checkerapi.Server{Verifier: checkerVerifier, Keys: keys, Checks: a.checks, Observe: a.health.Observe, Logger: log}
	arcVerifier, err := sigv4.NewVerifier(sigv4.Config{Keys: keys, Services: []string{"route53-recovery-cluster"}})
	if err != nil {
		return nil, err
	}
	cat := catalog.New(a.store)
	api := route53.New(route53.Options{
		Metrics:        a.apiMetrics,
		Catalog:        cat,
		Auth:           route53.RootOnly(route53.SigV4(verifier), isRoot),
		NameServers:    cfg.NameServers,
		ServedRevision: func() int64 { return a.dns.Snapshot().Revision() },
		Logger:         log,
		Status:         a.health,
		Resolver:       a.dns,
		Locations:      cfg.Locations,
		Policy:         a.policy,
		Alarm: func(_ context.Context, name string) (*model.Alarm, bool) {
			r, ok := a.monitor.Alarm(name)
			return &r.Alarm, ok
		},
		LiveRegions: func() ([]string, bool) {
			return remote.LiveRegions(), !cfg.NoChecker
		},
		CheckerIPRanges: func() []string { return mergeRanges(a.sources.ranges(), remote.SourceRanges()) },
	})
	arcAPI := &arc.API{Switches: cat, Auth: route53.RootOnly(route53.SigV4(arcVerifier), isRoot), Logger: log, Metrics: a.apiMetrics}
	h := handlers{route53: api, arc: arcAPI, checker: remote, metrics: a.metricsHandler()}
	if err := a.monitoringAPIs(&h, keys, isRoot); err != nil {
		return nil, err
	}
	if err := a.startHTTP(cfg.HTTPListen, h); err != nil {
		return nil, err
	}
	a.ready.Store(true)
	log.Info("vedette serving", "dns", a.DNSAddr(), "api", "http://"+a.HTTPAddr())
	return a, nil
}

func (a *App) startDNS(cfg *config.Serve) error {
	placer, err := a.placer(cfg)
	if err != nil {
		return err
	}
	a.dns = &dns.Server{ListenAddr: cfg.DNSListen, UDPSockets: cfg.DNSSockets, Logger: a.log, Placer: placer}
	a.registry.MustRegister(a.dns.Collector())
	if err := a.dns.Start(); err != nil {
		return fmt.Errorf("start DNS on %s: %w", cfg.DNSListen, err)
	}
	return nil
}

// placer opens --geoip-db and takes the --latency-map loaded by
// config.Validate (loading it here when the configuration was built
// without Validate); nil when neither is set.
func (a *App) placer(cfg *config.Serve) (dns.Placer, error) {
	latency := cfg.LatencyMap
	if latency == nil && cfg.LatencyMapFile != "" {
		b, err := os.ReadFile(cfg.LatencyMapFile)
		if err == nil {
			latency, err = geo.ParseLatencyMap(b)
		}
		if err != nil {
			return nil, fmt.Errorf("--latency-map %q: %w", cfg.LatencyMapFile, err)
		}
	}
	p := &geo.Placer{Latency: latency}
	if cfg.GeoIPDB != "" {
		db, err := geo.OpenMMDB(cfg.GeoIPDB)
		if err != nil {
			return nil, fmt.Errorf("--geoip-db %q: %w", cfg.GeoIPDB, err)
		}
		a.geoDB, p.Locator = db, db
	}
	if p.Locator == nil && p.Latency == nil {
		return nil, nil
	}
	return p, nil
}

// startFeed runs the zone feed and waits until its first snapshot is served.
func (a *App) startFeed(cfg *config.Serve) error {
	ctx, cancel := context.WithCancel(context.Background())
	a.ctx, a.cancel = ctx, cancel
	first := make(chan struct{})
	var once sync.Once
	feed := zonefeed.New(a.store, zonefeed.PublisherFunc(func(s *zone.Snapshot) {
		a.dns.SetSnapshot(s)
		once.Do(func() { close(first) })
	}), a.log, cfg.Locations)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		err := feed.Run(ctx)
		if ctx.Err() == nil {
			a.log.Error("zone feed stopped", "err", err)
			a.ready.Store(false)
			select {
			case a.feedErr <- err:
			default:
			}
		}
	}()
	select {
	case <-first:
		return nil
	case err := <-a.feedErr:
		return fmt.Errorf("load zones: %w", err)
	case <-time.After(time.Minute):
		return errors.New("load zones: timed out")
	}
}

// handlers are the HTTP APIs served on the listener.
type handlers struct {
	route53, arc, checker, metrics          http.Handler
	cloudwatch, sns, alertmanager, cwBinary http.Handler
}

func (a *App) startHTTP(addr string, h handlers) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if !a.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/2013-04-01/", h.route53)
	mux.Handle(checkerapi.Prefix, h.checker)
	mux.Handle("/console/", a.console())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusFound)
	})
	mux.Handle("GET /metrics", h.metrics)
	mux.Handle(alertmanager.Path, h.alertmanager)
	mux.Handle("POST "+cloudwatch.RPCPathPrefix, h.cwBinary)
	// POST / carries the query-protocol APIs (CloudWatch, SNS) and the JSON
	// ones (CloudWatch, Route 53 ARC), told apart by X-Amz-Target or the
	// form's Version.
	mux.Handle("POST /{$}", awsquery.Dispatch(h.cloudwatch, h.sns, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), arc.TargetPrefix) {
			h.arc.ServeHTTP(w, r)
			return
		}
		http.Error(w, "unknown X-Amz-Target or query Version", http.StatusBadRequest)
	})))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen HTTP on %s: %w", addr, err)
	}
	a.httpLn = ln
	a.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("HTTP server stopped", "err", err)
		}
	}()
	return nil
}

// mergeRanges returns the union of sorted range lists, sorted.
func mergeRanges(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// HTTPAddr returns the API's listening address.
func (a *App) HTTPAddr() string { return a.httpLn.Addr().String() }

// DNSAddr returns the DNS listening address (UDP and TCP).
func (a *App) DNSAddr() string { return a.dns.Addr().String() }

// Failed delivers an error when a background part stops on its own.
func (a *App) Failed() <-chan error { return a.feedErr }

// Close stops the node, in this order: mark not ready; stop accepting API
// requests and wait up to 10 s for those in flight (each acknowledged write
// is already durable); stop the zone feed; stop DNS; close the store.
func (a *App) Close() error {
	a.once.Do(func() {
		a.ready.Store(false)
		var errs []error
		if a.http != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			errs = append(errs, a.http.Shutdown(ctx))
			cancel()
		}
		if a.cancel != nil {
			a.cancel()
		}
		if a.dns != nil {
			errs = append(errs, a.dns.Close())
		}
		a.wg.Wait() // the feeds, checker and monitor have stopped
		if a.store != nil {
			errs = append(errs, a.store.Close())
		}
		if a.history != nil {
			errs = append(errs, a.history.Close())
		}
		if a.geoDB != nil {
			errs = append(errs, a.geoDB.Close()) // after DNS has stopped reading it
		}
		a.closeErr = errors.Join(errs...)
	})
	return a.closeErr
}

// Run starts the node and serves until ctx ends or a part fails.
func Run(ctx context.Context, cfg config.Serve, log *slog.Logger) error {
	a, err := Start(cfg, log)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-a.Failed():
	}
	return errors.Join(err, a.Close())
}
