package console

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/smithy-go"
)

// client returns a Route 53 client for the node's own API, signed with the
// session's key.
func (s *server) client(sess *session) *route53.Client {
	return route53.New(route53.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.opts.APIEndpoint()),
		RetryMaxAttempts: 1,
		Credentials:      credentials.NewStaticCredentialsProvider(sess.keyID, sess.secret, ""),
	})
}

// apiMessage returns the Route 53 error code and message of err.
func apiMessage(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", err.Error()
}

// formErrors are the problems of a submitted form: per field (by input
// name) and for the form as a whole.
type formErrors struct {
	Fields  map[string]string
	General string
}

func (f *formErrors) set(field, msg string) {
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	if old, ok := f.Fields[field]; ok {
		msg = old + " " + msg
	}
	f.Fields[field] = msg
}

// Any reports whether there is a problem.
func (f formErrors) Any() bool { return len(f.Fields) > 0 || f.General != "" }

// Field returns the message for one input.
func (f formErrors) Field(name string) string { return f.Fields[name] }

// fieldWords maps words that Route 53 messages use to the input they name.
// Input names are the API's element names, so they map to themselves.
type fieldWords map[string]string

// attribute puts an API error beside the field its message names (the
// earliest and longest word wins) or, failing that, whose submitted value
// it quotes ('value'), and keeps the whole message as the form's summary.
func attribute(err error, words fieldWords, values map[string]string) formErrors {
	code, msg := apiMessage(err)
	fe := formErrors{General: msg}
	if code != "" {
		fe.General = msg + " (" + code + ")"
	}
	keys := make([]string, 0, len(words))
	for k := range words {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best, bestAt := "", -1
	for _, k := range keys {
		i := strings.Index(msg, k)
		if i < 0 {
			continue
		}
		if bestAt < 0 || i < bestAt || (i == bestAt && len(k) > len(best)) {
			best, bestAt = k, i
		}
	}
	if bestAt >= 0 {
		fe.set(words[best], msg)
		return fe
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if v := values[k]; v != "" && strings.Contains(msg, "'"+v+"'") {
			fe.set(k, msg)
			return fe
		}
	}
	return fe
}

// intField parses an optional whole number input; ok is false (and a field
// error recorded) when it is not one.
func intField(fe *formErrors, name, v string) (n int64, set, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		fe.set(name, name+" must be a whole number.")
		return 0, false, false
	}
	return n, true, true
}

func ptr32(n int64, set bool) *int32 {
	if !set {
		return nil
	}
	v := int32(n)
	return &v
}

func ptr64(n int64, set bool) *int64 {
	if !set {
		return nil
	}
	return &n
}

// optString returns nil for a blank input, else the trimmed text.
func optString(v string) *string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	return &v
}
