package route53

import (
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// Error is an API error as Route 53 renders it: a code, an HTTP status and a
// message, sent as an ErrorResponse document.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus returns the HTTP status of the error.
func (e *Error) HTTPStatus() int { return e.Status }

// ErrorCode returns the AWS error code.
func (e *Error) ErrorCode() string { return e.Code }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalidInput(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "InvalidInput", format, args...)
}

func noSuchZone(id string) *Error {
	return errorf(http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: %s", id)
}

type xmlErrorResponse struct {
	XMLName   xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ErrorResponse"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// codedError is implemented by errors that carry an AWS code and HTTP
// status (ours, and the authentication errors of the sigv4 package).
type codedError interface {
	error
	ErrorCode() string
	HTTPStatus() int
}

// writeError renders err. Errors that carry no AWS code become a 500
// InternalFailure and are logged; their text is not shown to the client.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ce codedError
	if !errors.As(err, &ce) {
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ce = errorf(http.StatusInternalServerError, "InternalFailure", "We encountered an internal error. Please try again.")
	}
	kind := "Sender"
	if ce.HTTPStatus() >= 500 {
		kind = "Receiver"
	}
	body := xmlErrorResponse{Type: kind, Code: ce.ErrorCode(), Message: messageOf(ce), RequestID: requestID(r)}
	a.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "code", ce.ErrorCode(), slog.Int("status", ce.HTTPStatus()))
	writeXML(w, ce.HTTPStatus(), body)
}

func messageOf(ce codedError) string {
	var e *Error
	if errors.As(ce, &e) {
		return e.Message
	}
	if m, ok := ce.(interface{ ErrorMessage() string }); ok {
		return m.ErrorMessage()
	}
	return ce.Error()
}
