package route53

import (
	"errors"
	"net/http"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
)

// SigV4 adapts a sigv4.Verifier to an Authenticator whose failures render
// as Route 53 errors with the verifier's code, message and status.
func SigV4(v *sigv4.Verifier) Authenticator { return sigv4Auth{v} }

type sigv4Auth struct{ v *sigv4.Verifier }

func (s sigv4Auth) Authenticate(r *http.Request) (string, error) {
	id, err := s.v.Verify(r)
	if err != nil {
		var e *sigv4.Error
		if errors.As(err, &e) {
			return "", &Error{Status: e.HTTPStatus, Code: e.Code, Message: e.Message}
		}
		return "", err
	}
	return id.AccessKeyID, nil
}

// RootOnly wraps an Authenticator so that only access keys for which allowed
// reports true reach the API: any other key (a checker key, which may fetch
// assignments and post observations and nothing else) gets 403
// AccessDenied for every operation.
func RootOnly(a Authenticator, allowed func(accessKeyID string) bool) Authenticator {
	return rootOnly{a, allowed}
}

type rootOnly struct {
	a       Authenticator
	allowed func(string) bool
}

func (o rootOnly) Authenticate(r *http.Request) (string, error) {
	id, err := o.a.Authenticate(r)
	if err != nil {
		return "", err
	}
	if !o.allowed(id) {
		return "", &Error{Status: http.StatusForbidden, Code: "AccessDenied",
			Message: "User: " + id + " is not authorized to perform this operation: the key is a checker key"}
	}
	return id, nil
}
