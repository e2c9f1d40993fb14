// Package arc owns Vedette's Route 53 Application Recovery Controller
// cluster API subset (AWS JSON 1.0, target prefix ToggleCustomerAPI): the
// on/off routing controls that RECOVERY_CONTROL health checks follow, set
// with `aws route53-recovery-cluster update-routing-control-state`.
package arc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
)

// TargetPrefix is the X-Amz-Target prefix of the API.
const TargetPrefix = "ToggleCustomerAPI."

// Switches stores routing-control states.
type Switches interface {
	SetSwitch(ctx context.Context, arn string, on bool) error
	Switch(ctx context.Context, arn string) (bool, error)
	HealthChecks(ctx context.Context) ([]model.HealthCheck, error)
}

// Authenticator verifies a request; errors carrying ErrorCode() and
// HTTPStatus() are rendered with that code.
type Authenticator interface {
	Authenticate(r *http.Request) (string, error)
}

// API serves the routing-control operations.
type API struct {
	Switches Switches
	Auth     Authenticator
	Logger   *slog.Logger
	// Metrics, when set, is told about every request: operation (e.g.
	// UpdateRoutingControlState), HTTP status and duration; requests that
	// fail authentication or name no known operation count as
	// selfmetrics.UnknownOperation. Default: none.
	Metrics selfmetrics.RequestObserver
}

// operations are the operations the API serves, by X-Amz-Target suffix.
var operations = map[string]bool{
	"GetRoutingControlState":     true,
	"UpdateRoutingControlState":  true,
	"UpdateRoutingControlStates": true,
	"ListRoutingControls":        true,
}

type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

// ServeHTTP handles POST / with X-Amz-Target ToggleCustomerAPI.<Operation>.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w, done := selfmetrics.Track(a.Metrics, selfmetrics.APIARC, w)
	metricOp := selfmetrics.UnknownOperation
	defer func() { done(metricOp) }()
	if _, err := a.Auth.Authenticate(r); err != nil {
		var ce interface {
			ErrorCode() string
			HTTPStatus() int
		}
		if errors.As(err, &ce) {
			writeError(w, &apiError{ce.HTTPStatus(), ce.ErrorCode(), err.Error()})
			return
		}
		writeError(w, &apiError{http.StatusForbidden, "AccessDeniedException", err.Error()})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, &apiError{http.StatusBadRequest, "ValidationException", "could not read the request body"})
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if operations[op] {
		metricOp = op
	}
	out, err := a.dispatch(r.Context(), op, body)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			a.log().Error("routing control request failed", "op", op, "err", err)
			ae = &apiError{http.StatusInternalServerError, "InternalServerException", "internal error"}
		}
		writeError(w, ae)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func (a *API) log() *slog.Logger {
	if a.Logger == nil {
		return slog.Default()
	}
	return a.Logger
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.msg})
}

func validation(msg string) error {
	return &apiError{http.StatusBadRequest, "ValidationException", msg}
}

type control struct {
	RoutingControlArn   string `json:"RoutingControlArn"`
	RoutingControlState string `json:"RoutingControlState"`
	RoutingControlName  string `json:"RoutingControlName,omitempty"`
}

func (a *API) dispatch(ctx context.Context, op string, body []byte) (any, error) {
	switch op {
	case "GetRoutingControlState":
		var in control
		if err := json.Unmarshal(body, &in); err != nil || in.RoutingControlArn == "" {
			return nil, validation("RoutingControlArn is required")
		}
		return a.get(ctx, in.RoutingControlArn)
	case "UpdateRoutingControlState":
		var in control
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, validation("malformed request body")
		}
		return struct{}{}, a.update(ctx, []control{in})
	case "UpdateRoutingControlStates":
		var in struct{ UpdateRoutingControlStateEntries []control }
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, validation("malformed request body")
		}
		return struct{}{}, a.update(ctx, in.UpdateRoutingControlStateEntries)
	case "ListRoutingControls":
		return a.list(ctx)
	default:
		return nil, &apiError{http.StatusBadRequest, "UnknownOperationException", "unknown operation " + op}
	}
}

// known returns the routing controls that RECOVERY_CONTROL checks name.
func (a *API) known(ctx context.Context) (map[string]bool, error) {
	checks, err := a.Switches.HealthChecks(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, hc := range checks {
		if hc.Config.Type == model.TypeRecoveryControl {
			out[hc.Config.RoutingControlArn] = true
		}
	}
	return out, nil
}

func (a *API) get(ctx context.Context, arn string) (any, error) {
	known, err := a.known(ctx)
	if err != nil {
		return nil, err
	}
	if !known[arn] {
		return nil, &apiError{http.StatusNotFound, "ResourceNotFoundException", "no RECOVERY_CONTROL health check uses routing control " + arn}
	}
	on, err := a.Switches.Switch(ctx, arn)
	if err != nil {
		return nil, err
	}
	return control{RoutingControlArn: arn, RoutingControlState: state(on), RoutingControlName: name(arn)}, nil
}

func (a *API) update(ctx context.Context, entries []control) error {
	if len(entries) == 0 {
		return validation("at least one routing control is required")
	}
	known, err := a.known(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.RoutingControlState != "On" && e.RoutingControlState != "Off" {
			return validation("RoutingControlState must be On or Off")
		}
		if !known[e.RoutingControlArn] {
			return &apiError{http.StatusNotFound, "ResourceNotFoundException", "no RECOVERY_CONTROL health check uses routing control " + e.RoutingControlArn}
		}
	}
	for _, e := range entries {
		if err := a.Switches.SetSwitch(ctx, e.RoutingControlArn, e.RoutingControlState == "On"); err != nil {
			return err
		}
	}
	return nil
}

func (a *API) list(ctx context.Context) (any, error) {
	known, err := a.known(ctx)
	if err != nil {
		return nil, err
	}
	out := struct{ RoutingControls []map[string]string }{RoutingControls: []map[string]string{}}
	for arn := range known {
		on, err := a.Switches.Switch(ctx, arn)
		if err != nil {
			return nil, err
		}
		out.RoutingControls = append(out.RoutingControls, map[string]string{
			"RoutingControlArn": arn, "RoutingControlName": name(arn), "RoutingControlState": state(on)})
	}
	return out, nil
}

func state(on bool) string {
	if on {
		return "On"
	}
	return "Off"
}

// name is the last path element of an ARN (…:controlpanel/x/routingcontrol/NAME).
func name(arn string) string { return arn[strings.LastIndexAny(arn, "/:")+1:] }
