// Package sigv4 authenticates API requests signed with AWS Signature Version 4
// and manages the access keys and credentials files they are signed with.
package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// KeyStore looks up the secret for an access key id.
//
// SecretFor returns the secret access key and true when accessKeyID is a
// known, enabled key; otherwise "" and false. A known key with an empty
// secret is treated as unknown. Implementations must be safe for concurrent
// use; the Verifier calls SecretFor once per request and keeps nothing, so a
// key removed or rotated in the store stops working on the next request.
type KeyStore interface {
	SecretFor(accessKeyID string) (secret string, ok bool)
}

// KeyStoreFunc adapts a function to a KeyStore.
type KeyStoreFunc func(accessKeyID string) (secret string, ok bool)

// SecretFor calls f.
func (f KeyStoreFunc) SecretFor(accessKeyID string) (string, bool) { return f(accessKeyID) }

// StaticKeys is an in-memory KeyStore mapping access key ids to secrets.
// It must not be modified while a Verifier uses it.
type StaticKeys map[string]string

// SecretFor returns the secret stored for accessKeyID.
func (k StaticKeys) SecretFor(accessKeyID string) (string, bool) {
	s, ok := k[accessKeyID]
	return s, ok && s != ""
}

// Config configures a Verifier.
type Config struct {
	// Keys looks up secret access keys. Required.
	Keys KeyStore

	// Services lists the service names accepted in the credential scope.
	// Default: []string{"route53"}. Add "monitoring" (CloudWatch) or "sns"
	// when those APIs are served.
	Services []string

	// Now returns the current time. Default: time.Now.
	Now func() time.Time

	// MaxSkew is how far X-Amz-Date may lie before or after Now, and how far
	// in the future a presigned URL may be dated. Default: 15 minutes.
	MaxSkew time.Duration

	// MaxBodyBytes is the largest body the Verifier reads to hash the
	// payload; a larger body fails with RequestEntityTooLarge unless the
	// payload is declared UNSIGNED-PAYLOAD. Default: 1 MiB.
	MaxBodyBytes int64
}

// Defaults for Config fields left zero.
const (
	DefaultMaxSkew      = 15 * time.Minute
	DefaultMaxBodyBytes = 1 << 20
)

// Verifier checks AWS Signature Version 4 signatures on incoming requests.
// It is immutable and safe for concurrent use.
type Verifier struct {
	keys     KeyStore
	services []string
	now      func() time.Time
	maxSkew  time.Duration
	maxBody  int64
}

// NewVerifier validates cfg, fills in defaults and returns a Verifier.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Keys == nil {
		return nil, errors.New("sigv4: Config.Keys is required")
	}
	if cfg.MaxSkew < 0 {
		return nil, fmt.Errorf("sigv4: Config.MaxSkew must not be negative, got %v", cfg.MaxSkew)
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("sigv4: Config.MaxBodyBytes must not be negative, got %d", cfg.MaxBodyBytes)
	}
	v := &Verifier{
		keys:     cfg.Keys,
		services: slices.Clone(cfg.Services),
		now:      cfg.Now,
		maxSkew:  cfg.MaxSkew,
		maxBody:  cfg.MaxBodyBytes,
	}
	if len(v.services) == 0 {
		v.services = []string{"route53"}
	}
	for _, s := range v.services {
		if s == "" || s != strings.ToLower(s) || strings.Contains(s, "/") {
			return nil, fmt.Errorf("sigv4: Config.Services: invalid service name %q", s)
		}
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxSkew == 0 {
		v.maxSkew = DefaultMaxSkew
	}
	if v.maxBody == 0 {
		v.maxBody = DefaultMaxBodyBytes
	}
	return v, nil
}

// Identity is who signed a request that verified.
type Identity struct {
	AccessKeyID string
	Region      string // from the credential scope; any region is accepted
	Service     string // from the credential scope; one of Config.Services
	SignedAt    time.Time
	Presigned   bool
}

// Verify authenticates r, signed either with an Authorization header or as a
// presigned URL, and returns the signer's identity.
//
// Every failure is returned as an *Error carrying the AWS error code, message
// and HTTP status to send. Unless the payload is declared UNSIGNED-PAYLOAD,
// Verify reads the body (at most Config.MaxBodyBytes) to hash it and puts an
// equivalent body back on r, so the handler can read it again.
//
// Checks run in this order, so the first failure decides the code: the
// signature's form (MissingAuthenticationToken, IncompleteSignature), the
// credential scope (SignatureDoesNotMatch), the clock (RequestExpired), the
// access key (InvalidClientTokenId), the body, then the signature itself
// (SignatureDoesNotMatch). An X-Amz-Security-Token is covered by the
// signature when signed but is not otherwise checked: Vedette issues no
// session tokens.
//
// r.Host must be the host the client connected to: a reverse proxy in front
// must preserve the Host header.
func (v *Verifier) Verify(r *http.Request) (Identity, error) {
	id, err := v.verify(r)
	if err != nil {
		return Identity{}, err
	}
	return id, nil
}

func (v *Verifier) verify(r *http.Request) (Identity, *Error) {
	c, err := parseRequest(r)
	if err != nil {
		return Identity{}, err
	}
	if err := v.checkScope(c); err != nil {
		return Identity{}, err
	}
	if err := v.checkTime(c); err != nil {
		return Identity{}, err
	}
	secret, ok := v.keys.SecretFor(c.scope.accessKeyID)
	if !ok || secret == "" || c.scope.accessKeyID == "" {
		return Identity{}, authError(CodeInvalidClientTokenID, "%s", msgInvalidToken)
	}
	hashes, err := v.payloadHashes(r, c)
	if err != nil {
		return Identity{}, err
	}
	if err := checkSignature(r, c, secret, hashes); err != nil {
		return Identity{}, err
	}
	return Identity{
		AccessKeyID: c.scope.accessKeyID,
		Region:      c.scope.region,
		Service:     c.scope.service,
		SignedAt:    c.signedAt,
		Presigned:   c.presigned,
	}, nil
}

// checkScope checks the credential scope against the request's own date
// and the accepted services.
func (v *Verifier) checkScope(c *claim) *Error {
	s := c.scope
	if day := c.signedAt.Format(shortTimeFormat); s.date != day {
		return authError(CodeSignatureDoesNotMatch, "Date in Credential scope does not match YYYYMMDD from "+
			"ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", clip(s.date), day, c.amzDate)
	}
	if !slices.Contains(v.services, s.service) {
		return authError(CodeSignatureDoesNotMatch, "Credential should be scoped to correct service: '%s'.",
			strings.Join(v.services, "' or '"))
	}
	if s.terminator != scopeTerminator {
		return authError(CodeSignatureDoesNotMatch,
			"Credential should be scoped with a valid terminator: '%s', not '%s'.", scopeTerminator, clip(s.terminator))
	}
	return nil
}

// checkTime rejects requests signed too long ago or too far in the future,
// and presigned URLs past their expiry.
func (v *Verifier) checkTime(c *claim) *Error {
	now := v.now().UTC()
	at := c.signedAt
	skew := fmt.Sprintf("%g min.", v.maxSkew.Minutes())
	if earliest := now.Add(-v.maxSkew); !c.presigned && at.Before(earliest) {
		return authError(CodeRequestExpired, "Signature expired: %s is now earlier than %s (%s - %s)",
			c.amzDate, earliest.Format(longTimeFormat), now.Format(longTimeFormat), skew)
	}
	if latest := now.Add(v.maxSkew); at.After(latest) {
		return authError(CodeRequestExpired, "Signature not yet current: %s is still later than %s (%s + %s)",
			c.amzDate, latest.Format(longTimeFormat), now.Format(longTimeFormat), skew)
	}
	if expiry := at.Add(c.expires); c.presigned && now.After(expiry) {
		return authError(CodeRequestExpired, "Request has expired. X-Amz-Date %s, X-Amz-Expires %d, "+
			"expired at %s, server time %s.", c.amzDate, int64(c.expires/time.Second),
			expiry.Format(longTimeFormat), now.Format(longTimeFormat))
	}
	return nil
}

// payloadHashes returns the payload hashes to try as the canonical request's
// last line. A signed X-Amz-Content-Sha256 header (or, for a presigned URL,
// query parameter) is used when present and checked against the body unless
// it is UNSIGNED-PAYLOAD; otherwise the SHA-256 of the body is used, and a
// presigned URL may also have been signed with UNSIGNED-PAYLOAD, as S3-style
// presigners do.
func (v *Verifier) payloadHashes(r *http.Request, c *claim) ([]string, *Error) {
	declared := ""
	if c.signs(strings.ToLower(headerContentSHA256)) {
		declared = r.Header.Get(headerContentSHA256)
	} else if c.presigned {
		declared = r.URL.Query().Get(queryContentSHA256)
	}
	if declared == unsignedPayload {
		return []string{unsignedPayload}, nil
	}
	if declared != "" && !isSHA256Hex(declared) {
		return nil, authError(CodeIncompleteSignature,
			"x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a lower-case hex SHA-256 digest, not '%s'.", clip(declared))
	}
	actual, err := v.hashBody(r)
	if err != nil {
		return nil, err
	}
	switch {
	case declared != "" && declared != actual:
		return nil, authError(CodeSignatureDoesNotMatch,
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	case declared == "" && c.presigned:
		return []string{actual, unsignedPayload}, nil
	}
	return []string{actual}, nil
}

// hashBody reads at most v.maxBody bytes of the body, replaces r.Body with
// an equivalent reader and returns the body's hex SHA-256.
func (v *Verifier) hashBody(r *http.Request) (string, *Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return hex.EncodeToString(sha256.New().Sum(nil)), nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, v.maxBody+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return "", &Error{Code: CodeIncompleteBody, HTTPStatus: http.StatusBadRequest, Err: err,
			Message: "The request body could not be read in full."}
	}
	if int64(len(body)) > v.maxBody {
		return "", &Error{Code: CodeRequestEntityTooLarge, HTTPStatus: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("The request body exceeds the maximum of %d bytes.", v.maxBody)}
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), nil
}

func isSHA256Hex(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for _, ch := range []byte(s) {
		if !('0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f') {
			return false
		}
	}
	return true
}

// checkSignature re-signs a copy of r with the AWS SDK's signer for each
// candidate payload hash and compares the result with the client's
// signature in constant time.
func checkSignature(r *http.Request, c *claim, secret string, payloadHashes []string) *Error {
	creds := aws.Credentials{AccessKeyID: c.scope.accessKeyID, SecretAccessKey: secret}
	for _, hash := range payloadHashes {
		want, err := sign(r, c, creds, hash)
		if err != nil {
			return &Error{Code: CodeSignatureDoesNotMatch, HTTPStatus: http.StatusForbidden, Err: err,
				Message: msgSignatureMismatch}
		}
		if hmac.Equal([]byte(want), []byte(c.signature)) {
			return nil
		}
	}
	return errSignatureMismatch()
}

// sign computes the signature the client should have sent.
//
// A new Signer is made for every call on purpose: the SDK signer caches
// derived signing keys by region, service, access key id and day without
// looking at the secret, so a shared Signer would keep accepting a rotated
// secret until midnight UTC.
func sign(r *http.Request, c *claim, creds aws.Credentials, payloadHash string) (string, error) {
	signer := v4.NewSigner(func(o *v4.SignerOptions) {
		// Keep X-Amz-* headers as headers when presigning, as the client
		// listed them; the signer would otherwise move them to the query.
		o.DisableHeaderHoisting = true
		// Never add an X-Amz-Security-Token of our own; a client's token is
		// copied like any other signed header or query parameter.
		o.DisableSessionToken = true
	})
	req := signingCopy(r, c)
	if c.presigned {
		signed, _, err := signer.PresignHTTP(r.Context(), creds, req, payloadHash,
			c.scope.service, c.scope.region, c.signedAt)
		if err != nil {
			return "", err
		}
		u, err := url.Parse(signed)
		if err != nil {
			return "", err
		}
		return u.Query().Get(querySignature), nil
	}
	if err := signer.SignHTTP(r.Context(), creds, req, payloadHash,
		c.scope.service, c.scope.region, c.signedAt); err != nil {
		return "", err
	}
	a, perr := parseAuthorization(req.Header.Get(headerAuthorization))
	if perr != nil {
		return "", perr
	}
	return a.signature, nil
}

// signingCopy builds the request the SDK signer should see: r's method,
// Host, escaped path and query (minus X-Amz-Signature when presigned), and
// only the headers the client listed in SignedHeaders.
//
// It works around the signer's habits:
//   - it always signs Host, from req.Host, and strips ":80"/":443" when the
//     URL scheme makes them default ports: the copy has no scheme, so Host is
//     signed exactly as received;
//   - it signs Content-Length only from req.ContentLength, and only when it
//     is positive (a client that signed "content-length:0" cannot verify);
//   - it always sets and signs X-Amz-Date (header form) from the signing
//     time, so that header is not copied;
//   - it skips Authorization, User-Agent, X-Amzn-Trace-Id, Expect and
//     Transfer-Encoding by exact, case-sensitive key; copied headers are
//     keyed in lower case, so a client that did sign one of them (other than
//     Transfer-Encoding, which net/http removes) still verifies.
func signingCopy(r *http.Request, c *claim) *http.Request {
	u := &url.URL{Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if c.presigned {
		q := r.URL.Query()
		q.Del(querySignature)
		u.RawQuery = q.Encode()
	}
	req := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: make(http.Header, len(c.signedHeaders))}
	for _, name := range c.signedHeaders {
		switch {
		case name == "host", name == "authorization":
			continue
		case name == "content-length":
			req.ContentLength = r.ContentLength
			continue
		case name == "x-amz-date" && !c.presigned:
			continue
		}
		if vals := r.Header.Values(name); len(vals) > 0 {
			req.Header[name] = vals
		}
	}
	return req
}
