package sns

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/monitor/selfmetrics"
)

// Namespace is SNS's XML namespace.
const Namespace = "http://sns.amazonaws.com/doc/2010-03-31/"

// Backend stores topics and subscriptions and delivers messages. Errors of
// type *model.NotifyError carry SNS's code (NotFound → 404, InvalidParameter
// → 400, ...); any other error is InternalError 500.
type Backend interface {
	CreateTopic(ctx context.Context, name string, attrs, tags map[string]string) (model.Topic, error)
	DeleteTopic(ctx context.Context, arn string) error
	ListTopics(ctx context.Context) ([]model.Topic, error)
	GetTopic(ctx context.Context, arn string) (model.Topic, error)
	Subscribe(ctx context.Context, topicArn, protocol, endpoint string, attrs map[string]string) (model.Subscription, error)
	Unsubscribe(ctx context.Context, subscriptionArn string) error
	GetSubscription(ctx context.Context, subscriptionArn string) (model.Subscription, error)
	ListSubscriptions(ctx context.Context, topicArn string) ([]model.Subscription, error) // "" = all
	Publish(ctx context.Context, topicArn, subject, message string) (messageID string, err error)
}

// Authenticator verifies a request's signature and returns the access key
// id. Errors carrying a status and code (route53.Error) are reported with
// them; others as 403 AuthorizationError.
type Authenticator interface {
	Authenticate(r *http.Request) (accessKeyID string, err error)
}

// API serves the SNS operations in the query protocol (POST / with
// Version=2010-03-31, see awsquery.Dispatch).
type API struct {
	Backend   Backend
	Auth      Authenticator
	Region    string
	AccountID string
	Logger    *slog.Logger
	// Metrics counts requests by operation and status. Default: none.
	Metrics selfmetrics.RequestObserver
}

func (a *API) log() *slog.Logger {
	if a.Logger == nil {
		return slog.Default()
	}
	return a.Logger
}

// ServeHTTP authenticates the request, decodes its form, runs the action
// and writes the XML response.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := selfmetrics.UnknownOperation
	if a.Metrics != nil {
		var done func(string)
		w, done = selfmetrics.Track(a.Metrics, selfmetrics.APISNS, w)
		defer func() { done(op) }()
	}
	requestID := awsquery.NewRequestID()
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		awsquery.WriteError(w, Namespace, requestID, &awsquery.Error{Status: http.StatusMethodNotAllowed, Code: "InvalidAction", Message: "SNS requests use POST."})
		return
	}
	if _, err := a.Auth.Authenticate(r); err != nil {
		e, ok := toError(err)
		if !ok {
			e = &awsquery.Error{Status: http.StatusForbidden, Code: codeAuthorization, Message: err.Error()}
		}
		awsquery.WriteError(w, Namespace, requestID, e)
		return
	}
	form, err := awsquery.ReadForm(r)
	action := form.Get("Action")
	if _, known := operations[action]; known {
		op = action
	}
	var out any
	if err == nil {
		out, err = a.run(r.Context(), action, func(v any) error {
			err := awsquery.Decode(form, v)
			var de *awsquery.DecodeError
			if errors.As(err, &de) {
				return invalid("%s", de.Error())
			}
			return err
		})
	}
	if err != nil {
		e, ok := toError(err)
		if !ok {
			a.log().Error("sns request failed", "action", action, "request_id", requestID, "err", err)
		}
		awsquery.WriteError(w, Namespace, requestID, e)
		return
	}
	awsquery.WriteResponse(w, Namespace, action, requestID, out)
}

func (a *API) run(ctx context.Context, action string, decode func(any) error) (any, error) {
	o, ok := operations[action]
	if !ok {
		if action == "" {
			return nil, &awsquery.Error{Status: http.StatusBadRequest, Code: "MissingAction", Message: "The request must contain the parameter Action."}
		}
		return nil, &awsquery.Error{Status: http.StatusBadRequest, Code: "InvalidAction", Message: "The action " + action + " is not valid for this web service."}
	}
	return o(a, ctx, decode)
}

type operation = awsquery.Operation[*API]

var operations map[string]operation

func init() {
	operations = map[string]operation{
		"CreateTopic":               awsquery.Op((*API).createTopic),
		"DeleteTopic":               awsquery.Op((*API).deleteTopic),
		"ListTopics":                awsquery.Op((*API).listTopics),
		"GetTopicAttributes":        awsquery.Op((*API).getTopicAttributes),
		"Subscribe":                 awsquery.Op((*API).subscribe),
		"Unsubscribe":               awsquery.Op((*API).unsubscribe),
		"ListSubscriptions":         awsquery.Op((*API).listSubscriptions),
		"ListSubscriptionsByTopic":  awsquery.Op((*API).listSubscriptionsByTopic),
		"GetSubscriptionAttributes": awsquery.Op((*API).getSubscriptionAttributes),
		"Publish":                   awsquery.Op((*API).publish),
	}
}

// SNS error codes.
const (
	codeInvalidParameter = "InvalidParameter"
	codeNotFound         = "NotFound"
	codeAuthorization    = "AuthorizationError"
	codeInternal         = "InternalError"
)

var statusOf = map[string]int{
	codeInvalidParameter:        http.StatusBadRequest,
	"InvalidParameterValue":     http.StatusBadRequest,
	codeNotFound:                http.StatusNotFound,
	codeAuthorization:           http.StatusForbidden,
	"TopicLimitExceeded":        http.StatusForbidden,
	"SubscriptionLimitExceeded": http.StatusForbidden,
	"Throttled":                 http.StatusTooManyRequests,
	"InvalidSecurity":           http.StatusForbidden,
	codeInternal:                http.StatusInternalServerError,
}

func invalid(format string, args ...any) error {
	return &model.NotifyError{Code: codeInvalidParameter, Message: sprintf(format, args...)}
}

// toError classifies err; ok is false for unexpected errors, reported as
// InternalError.
func toError(err error) (*awsquery.Error, bool) {
	var qe *awsquery.Error
	if errors.As(err, &qe) {
		return qe, true
	}
	var ne *model.NotifyError
	if errors.As(err, &ne) {
		status, ok := statusOf[ne.Code]
		if !ok {
			status = http.StatusBadRequest
		}
		return &awsquery.Error{Status: status, Code: ne.Code, Message: ne.Message}, true
	}
	var re *route53.Error
	if errors.As(err, &re) {
		return &awsquery.Error{Status: re.Status, Code: re.Code, Message: re.Message}, true
	}
	return &awsquery.Error{Status: http.StatusInternalServerError, Code: codeInternal, Message: "An internal error occurred."}, false
}
