package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vedette-dns/vedette/internal/api/alertmanager"
	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/api/cloudwatch"
	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/api/sns"
	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor"
	"github.com/vedette-dns/vedette/internal/monitor/history"
	"github.com/vedette-dns/vedette/internal/notify"
)

// HistoryFile is the name of the metrics and events database in the data
// directory.
const HistoryFile = "history.db"

// Region and account of the ARNs of alarms and topics.
const (
	arnRegion  = "us-east-1"
	arnAccount = "000000000000"
)

// healthSource walks the health feed (set later than the monitor is made).
type healthSource struct{ a *App }

func (h healthSource) Each(fn func(hc model.HealthCheck, r health.Report)) {
	if h.a.health != nil {
		h.a.health.Each(fn)
	}
}

func (h healthSource) Lookup(id string) (model.HealthCheck, health.Report, bool) {
	if h.a.health == nil {
		return model.HealthCheck{}, health.Report{}, false
	}
	return h.a.health.Lookup(id)
}

// openMonitoring opens the history, the notifier and the monitor, and
// loads the alarms, before the health feed starts (it reads alarm states).
func (a *App) openMonitoring(ctx context.Context, cfg *config.Serve) error {
	var err error
	if a.history, err = history.Open(filepath.Join(cfg.DataDir, HistoryFile), history.Options{Retention: cfg.HistoryRetention, Logger: a.log}); err != nil {
		return fmt.Errorf("open history: %w", err)
	}
	smtp := notify.SMTPConfig{Addr: cfg.SMTPServer, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, From: cfg.SMTPFrom, StartTLS: cfg.SMTPStartTLS}
	if cfg.SMTPCAFile != "" {
		pem, err := os.ReadFile(cfg.SMTPCAFile)
		if err != nil {
			return fmt.Errorf("--smtp-ca-file: %w", err)
		}
		pool, _ := x509.SystemCertPool()
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--smtp-ca-file %s: no PEM certificates", cfg.SMTPCAFile)
		}
		host, _, _ := strings.Cut(cfg.SMTPServer, ":")
		smtp.TLSConfig = &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
	}
	if a.notify, err = notify.New(notify.Options{Store: a.store, Clock: clock.Real(), Region: arnRegion, AccountID: arnAccount,
		SMTP: smtp, Logger: a.log, OnDelivery: a.recordDelivery}); err != nil {
		return fmt.Errorf("notifier: %w", err)
	}
	if a.monitor, err = monitor.New(monitor.Options{Store: a.store, History: a.history, Health: healthSource{a},
		Notifier: a.notify, Region: arnRegion, AccountID: arnAccount, Logger: a.log,
		OnEvaluated: func(name, state string) {
			if a.health != nil {
				a.health.SetAlarm(name, state)
			}
		}}); err != nil {
		return err
	}
	return a.monitor.Load(ctx)
}

// runMonitoring starts the history pruner, the notifier and the monitor.
func (a *App) runMonitoring(ctx context.Context) {
	a.goRun(ctx, "history", a.history.Run)
	a.goRun(ctx, "notifier", a.notify.Run)
	a.goRun(ctx, "monitor", a.monitor.Run)
}

// recordDelivery keeps each notification delivery attempt in the history.
func (a *App) recordDelivery(d notify.Delivery) {
	b, err := json.Marshal(d)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.history.AddEvents(ctx, []history.Event{{Stream: "delivery/" + d.TopicArn, Time: d.Time, Data: b}}); err != nil {
		a.log.Warn("record notification delivery", "err", err)
	}
}

// healthCheckNames returns the Name tag of every health check that has one
// (labels of the Route 53 metrics; nil on a read error, logged).
func (a *App) healthCheckNames() map[string]string {
	names, err := catalog.New(a.store).HealthCheckNames(context.Background())
	if err != nil {
		a.log.Warn("read health-check names for /metrics", "err", err)
	}
	return names
}

// monitoringAPIs builds the CloudWatch, SNS and Alertmanager endpoints.
func (a *App) monitoringAPIs(h *handlers, keys *checkerapi.Keys, isRoot func(string) bool) error {
	verifier := func(service string) (route53.Authenticator, error) {
		v, err := sigv4.NewVerifier(sigv4.Config{Keys: keys, Services: []string{service}})
		if err != nil {
			return nil, err
		}
		return route53.RootOnly(route53.SigV4(v), isRoot), nil
	}
	cwAuth, err := verifier("monitoring")
	if err != nil {
		return err
	}
	snsAuth, err := verifier("sns")
	if err != nil {
		return err
	}
	cw := &cloudwatch.API{Backend: cloudwatchBackend{a}, Auth: cwAuth, Region: arnRegion, AccountID: arnAccount, Logger: a.log, Metrics: a.apiMetrics}
	h.cloudwatch, h.cwBinary = cw, cw
	h.sns = &sns.API{Backend: a.notify, Auth: snsAuth, Region: arnRegion, AccountID: arnAccount, Logger: a.log, Metrics: a.apiMetrics}
	h.alertmanager = &alertmanager.Handler{
		Secret: func(id string) (string, bool) {
			if !isRoot(id) {
				return "", false
			}
			return keys.SecretFor(id)
		},
		Apply:  a.monitor.Alertmanager,
		Logger: a.log,
	}
	return nil
}

// metricsHandler serves /metrics: the Route 53 metrics of every health
// check, Vedette's own, and the Go runtime's.
func (a *App) metricsHandler() http.Handler {
	reg := a.registry
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		a.monitor.Collector(a.healthCheckNames),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)})
}
