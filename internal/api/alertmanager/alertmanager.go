// Package alertmanager owns the receiver for Prometheus Alertmanager's
// webhook notifications (POST /vedette/alertmanager/v1/alerts): it
// authenticates the sender with HTTP basic auth (an access key id and its
// secret, which Alertmanager's http_config.basic_auth sends), decodes the
// notification (version 4), and hands the alerts to the monitor, which sets
// the state of the alarm each alert names.
package alertmanager

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/vedette-dns/vedette/internal/monitor"
)

// Path is where the receiver listens.
const Path = "/vedette/alertmanager/v1/alerts"

// Handler receives Alertmanager webhook notifications.
type Handler struct {
	// Secret returns the secret of an access key allowed to send alerts.
	Secret func(accessKeyID string) (string, bool)
	// Apply sets alarm states from alerts.
	Apply  func(ctx context.Context, alerts []monitor.AlertmanagerAlert) []monitor.AlertmanagerResult
	Logger *slog.Logger
}

// notification is Alertmanager's webhook body (version 4).
type notification struct {
	Version  string                      `json:"version"`
	GroupKey string                      `json:"groupKey"`
	Status   string                      `json:"status"`
	Receiver string                      `json:"receiver"`
	Alerts   []monitor.AlertmanagerAlert `json:"alerts"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		reply(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
		return
	}
	id, secret, ok := r.BasicAuth()
	want, known := "", false
	if ok {
		want, known = h.Secret(id)
	}
	if !ok || !known || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="vedette"`)
		reply(w, http.StatusUnauthorized, map[string]string{"error": "basic auth with an access key id and secret is required"})
		return
	}
	var n notification
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20))
	if err := dec.Decode(&n); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": "decode notification: " + err.Error()})
		return
	}
	if n.Version != "" && n.Version != "4" {
		reply(w, http.StatusBadRequest, map[string]string{"error": "unsupported notification version " + n.Version + " (want 4)"})
		return
	}
	results := h.Apply(r.Context(), n.Alerts)
	for _, res := range results {
		if res.Error != "" && h.Logger != nil {
			h.Logger.Warn("alertmanager alert ignored", "alarm", res.Alarm, "status", res.Status, "err", res.Error)
		}
	}
	reply(w, http.StatusOK, map[string]any{"results": results})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
