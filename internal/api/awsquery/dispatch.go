package awsquery

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// API versions and routing markers Dispatch looks for.
const (
	CloudWatchVersion      = "2010-08-01"
	SNSVersion             = "2010-03-31"
	CloudWatchTargetPrefix = "GraniteServiceVersion20100801."
	CloudWatchRPCPrefix    = "/service/GraniteServiceVersion20100801/"
)

// MaxBodyBytes is the largest form body Dispatch buffers; a larger one is
// refused with 413.
const MaxBodyBytes = 2 << 20

// Dispatch routes API requests between services:
//
//   - X-Amz-Target GraniteServiceVersion20100801.* (AWS JSON 1.0) and paths
//     under /service/GraniteServiceVersion20100801/ (Smithy RPC v2 CBOR) go
//     to cloudwatch;
//   - a form-encoded POST whose Version is 2010-08-01 goes to cloudwatch,
//     2010-03-31 to sns;
//   - anything else goes to other.
//
// A form body is read (at most MaxBodyBytes, else 413) and r.Body is reset
// so the chosen handler can hash it for signature verification.
func Dispatch(cloudwatch, sns, other http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), CloudWatchTargetPrefix) ||
			strings.HasPrefix(r.URL.Path, CloudWatchRPCPrefix) {
			cloudwatch.ServeHTTP(w, r)
			return
		}
		version := r.URL.Query().Get("Version")
		if r.Method == http.MethodPost && isForm(r.Header.Get("Content-Type")) {
			body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
			r.Body.Close()
			if err != nil {
				WriteError(w, "", NewRequestID(), &Error{Status: http.StatusBadRequest, Code: "IncompleteBody", Message: "The request body could not be read."})
				return
			}
			if len(body) > MaxBodyBytes {
				WriteError(w, "", NewRequestID(), &Error{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge",
					Message: fmt.Sprintf("The request body exceeds the maximum of %d bytes.", MaxBodyBytes)})
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			plain, err := Decompress(r.Header.Get("Content-Encoding"), body)
			if err != nil {
				plain = nil
			}
			if form, err := url.ParseQuery(string(plain)); err == nil && form.Has("Version") {
				version = form.Get("Version")
			}
		}
		switch version {
		case CloudWatchVersion:
			cloudwatch.ServeHTTP(w, r)
		case SNSVersion:
			sns.ServeHTTP(w, r)
		default:
			other.ServeHTTP(w, r)
		}
	})
}

func isForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// ReadForm reads a query-protocol request's parameters: the form body
// (at most MaxBodyBytes) merged after the URL query. r.Body is reset so it
// can be read again.
func ReadForm(r *http.Request) (url.Values, error) {
	form := r.URL.Query()
	if r.Body == nil || r.Body == http.NoBody {
		return form, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "IncompleteBody", Message: "The request body could not be read."}
	}
	if len(body) > MaxBodyBytes {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge",
			Message: fmt.Sprintf("The request body exceeds the maximum of %d bytes.", MaxBodyBytes)}
	}
	body, err = Decompress(r.Header.Get("Content-Encoding"), body)
	if err != nil {
		return nil, err
	}
	bodyForm, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "MalformedQueryString", Message: "The request body is not a valid form."}
	}
	for k, v := range bodyForm {
		form[k] = append(form[k], v...)
	}
	return form, nil
}

// NewRequestID returns a random request id in UUID form.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Operation is one API operation of a service whose handlers are methods
// of S: decode fills the operation's input (from a form, JSON or CBOR).
type Operation[S any] func(s S, ctx context.Context, decode func(any) error) (any, error)

// Op adapts a typed handler to an Operation. A handler of an operation
// without output returns a nil *Out, and the Operation then returns nil.
func Op[S, In, Out any](h func(S, context.Context, *In) (*Out, error)) Operation[S] {
	return func(s S, ctx context.Context, decode func(any) error) (any, error) {
		in := new(In)
		if err := decode(in); err != nil {
			return nil, err
		}
		out, err := h(s, ctx, in)
		if err != nil || out == nil {
			return nil, err
		}
		return out, nil
	}
}
