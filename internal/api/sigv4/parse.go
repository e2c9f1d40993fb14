package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	scopeTerminator = "aws4_request"
	longTimeFormat  = "20060102T150405Z"
	shortTimeFormat = "20060102"
	unsignedPayload = "UNSIGNED-PAYLOAD"

	// maxPresignExpires is the longest validity AWS allows for a presigned
	// URL: one week, in seconds.
	maxPresignExpires = 604800

	headerAuthorization = "Authorization"
	headerAmzDate       = "X-Amz-Date"
	headerContentSHA256 = "X-Amz-Content-Sha256"

	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
	queryContentSHA256 = "X-Amz-Content-Sha256"
)

// scope is the parsed Credential value:
// <access key id>/<yyyymmdd>/<region>/<service>/aws4_request.
type scope struct {
	accessKeyID string
	date        string
	region      string
	service     string
	terminator  string
}

// claim is what a request says about its own signature, before any of it
// is checked against a key or the clock.
type claim struct {
	presigned     bool
	scope         scope
	signedHeaders []string // lower case, in the order the client listed them
	signature     string
	amzDate       string
	signedAt      time.Time
	expires       time.Duration // presigned only
}

// signs reports whether the client listed header name (lower case) in
// SignedHeaders.
func (c *claim) signs(name string) bool {
	for _, h := range c.signedHeaders {
		if h == name {
			return true
		}
	}
	return false
}

// parseRequest finds the request's signature, in the Authorization header
// or in the query, and parses it without consulting keys or clock.
func parseRequest(r *http.Request) (*claim, *Error) {
	auths := r.Header.Values(headerAuthorization)
	query := r.URL.Query()
	presigned := query.Has(queryAlgorithm) || query.Has(queryCredential) || query.Has(querySignature)
	switch {
	case len(auths) == 0 && !presigned:
		return nil, authError(CodeMissingAuthenticationToken, "%s", msgMissingToken)
	case len(auths) > 0 && presigned:
		return nil, authError(CodeIncompleteSignature, "Only one auth mechanism allowed; only the X-Amz-Algorithm "+
			"query parameter, Signature query string parameter or the Authorization header should be specified")
	case len(auths) > 1:
		return nil, authError(CodeIncompleteSignature, "Only one Authorization header is allowed.")
	case presigned:
		return parseQuery(query)
	default:
		return parseHeader(auths[0], r.Header.Values(headerAmzDate))
	}
}

// authHeader holds the parameters of an AWS4-HMAC-SHA256 Authorization header.
type authHeader struct {
	credential    string
	signedHeaders string
	signature     string
}

// parseAuthorization splits an Authorization header value of the form
// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
// Parameters may be separated by "," with or without spaces; unknown
// parameters are ignored.
func parseAuthorization(v string) (authHeader, *Error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if alg != algorithm {
		return authHeader{}, authError(CodeIncompleteSignature,
			"Unsupported Authorization Type '%s': only %s is accepted.", clip(alg), algorithm)
	}
	var a authHeader
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return authHeader{}, authError(CodeIncompleteSignature,
				"Invalid key=value pair (missing equal-sign) in Authorization header: '%s'.", clip(part))
		}
		if seen[key] {
			return authHeader{}, authError(CodeIncompleteSignature,
				"Authorization header has a duplicate '%s' parameter.", clip(key))
		}
		seen[key] = true
		switch key {
		case "Credential":
			a.credential = val
		case "SignedHeaders":
			a.signedHeaders = val
		case "Signature":
			a.signature = val
		}
	}
	return a, nil
}

func parseHeader(auth string, dates []string) (*claim, *Error) {
	a, err := parseAuthorization(auth)
	if err != nil {
		return nil, err
	}
	var missing []string
	if a.credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if a.signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if a.signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(dates) == 0 {
		missing = append(missing, "Authorization header requires existence of a 'X-Amz-Date' header.")
	}
	if len(missing) > 0 {
		return nil, authError(CodeIncompleteSignature, "%s Authorization=%s",
			strings.Join(missing, " "), clip(auth))
	}
	c := &claim{signature: a.signature, amzDate: dates[0]}
	return c, c.parseCommon(a.credential, a.signedHeaders)
}

func parseQuery(q url.Values) (*claim, *Error) {
	for _, k := range []string{queryAlgorithm, queryCredential, querySignature, queryDate, querySignedHeaders, queryExpires} {
		if len(q[k]) != 1 || q[k][0] == "" {
			return nil, authError(CodeIncompleteSignature, "%s", msgQueryParamsRequired)
		}
	}
	if alg := q.Get(queryAlgorithm); alg != algorithm {
		return nil, authError(CodeIncompleteSignature,
			"X-Amz-Algorithm only supports '%s', not '%s'.", algorithm, clip(alg))
	}
	secs, err := strconv.ParseInt(q.Get(queryExpires), 10, 64)
	switch {
	case err != nil:
		return nil, authError(CodeIncompleteSignature, "X-Amz-Expires should be a number.")
	case secs < 0:
		return nil, authError(CodeIncompleteSignature, "X-Amz-Expires must be non-negative.")
	case secs > maxPresignExpires:
		return nil, authError(CodeIncompleteSignature,
			"X-Amz-Expires must be less than a week (in seconds) that is %d.", maxPresignExpires)
	}
	c := &claim{
		presigned: true,
		signature: q.Get(querySignature),
		amzDate:   q.Get(queryDate),
		expires:   time.Duration(secs) * time.Second,
	}
	return c, c.parseCommon(q.Get(queryCredential), q.Get(querySignedHeaders))
}

// parseCommon parses what the header and query forms share: the
// credential scope, the signed header list and the signing time.
func (c *claim) parseCommon(credential, signedHeaders string) *Error {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 {
		return authError(CodeIncompleteSignature, "Credential should have 5 slash-separated parts "+
			"(<access key id>/<date>/<region>/<service>/aws4_request), not %d: '%s'.", len(parts), clip(credential))
	}
	c.scope = scope{parts[0], parts[1], parts[2], parts[3], parts[4]}
	if c.scope.region == "" {
		return authError(CodeIncompleteSignature, "Credential should be scoped to a valid region, not ''.")
	}
	if c.scope.service == "" {
		return authError(CodeIncompleteSignature, "Credential should be scoped to a valid service, not ''.")
	}
	for _, h := range strings.Split(signedHeaders, ";") {
		if h == "" || h != strings.ToLower(h) || strings.ContainsAny(h, " \t:") {
			return authError(CodeIncompleteSignature,
				"SignedHeaders must be a ';'-separated list of lower-case header names, not '%s'.", clip(signedHeaders))
		}
		c.signedHeaders = append(c.signedHeaders, h)
	}
	t, err := time.Parse(longTimeFormat, c.amzDate)
	if err != nil || t.Format(longTimeFormat) != c.amzDate {
		return authError(CodeIncompleteSignature,
			"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not '%s'.", clip(c.amzDate))
	}
	c.signedAt = t
	return nil
}
