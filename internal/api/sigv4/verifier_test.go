package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
)

const (
	testKeyID  = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	route53URL = "https://route53.example.test"
	changeXML  = `<?xml version="1.0" encoding="UTF-8"?>` +
		`<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch>` +
		`<Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type>` +
		`<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords>` +
		`</ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`
)

// signedAt is when every request in the signer tables is signed.
var signedAt = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// clientRequest is a request as a client builds it, before signing.
type clientRequest struct {
	method string
	url    string // absolute, with path and query as the client escapes them
	body   string
	header map[string]string // set with canonical keys
	// rawHeader is set under the exact (lower-case) key, which makes the SDK
	// signer sign headers it otherwise ignores, such as User-Agent.
	rawHeader map[string]string
}

// signing says how the client signs.
type signing struct {
	none        bool // send unsigned
	presign     bool
	noHoist     bool // presign with X-Amz-* headers left as signed headers
	expires     int  // X-Amz-Expires for presign; 0 means 300
	keyID       string
	secret      string
	token       string
	region      string
	service     string
	payloadHash string // "" means the SHA-256 of the body
}

// signRequest signs cr with the SDK signer as a client would and returns the
// request as the server receives it: written to the wire and read back with
// http.ReadRequest.
func signRequest(t *testing.T, cr clientRequest, s signing) *http.Request {
	t.Helper()
	req, err := http.NewRequest(cr.method, cr.url, strings.NewReader(cr.body))
	if err != nil {
		t.Fatal(err)
	}
	if cr.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range cr.header {
		req.Header.Set(k, v)
	}
	for k, v := range cr.rawHeader {
		req.Header[k] = []string{v}
	}
	if !s.none {
		req = sdkSign(t, req, cr.body, s)
	}
	for k, v := range req.Header { // as the wire would carry them
		delete(req.Header, k)
		req.Header[textproto.CanonicalMIMEHeaderKey(k)] = v
	}
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	got, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sdkSign(t *testing.T, req *http.Request, body string, s signing) *http.Request {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: or(s.keyID, testKeyID), SecretAccessKey: or(s.secret, testSecret),
		SessionToken: s.token}
	hash := s.payloadHash
	if hash == "" {
		sum := sha256.Sum256([]byte(body))
		hash = hex.EncodeToString(sum[:])
	}
	region, service := or(s.region, "us-east-1"), or(s.service, "route53")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = s.noHoist })
	if !s.presign {
		if err := signer.SignHTTP(context.Background(), creds, req, hash, service, region, signedAt); err != nil {
			t.Fatal(err)
		}
		return req
	}
	q := req.URL.Query()
	expires := s.expires
	if expires == 0 {
		expires = 300
	}
	q.Set("X-Amz-Expires", strconv.Itoa(expires))
	req.URL.RawQuery = q.Encode()
	signedURL, signedHeader, err := signer.PresignHTTP(context.Background(), creds, req, hash, service, region, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(req.Method, signedURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		out.Body, out.ContentLength = http.NoBody, 0
	}
	for k, v := range signedHeader {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	return out
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func newVerifier(t *testing.T, now time.Time, edit func(*sigv4.Config)) *sigv4.Verifier {
	t.Helper()
	cfg := sigv4.Config{
		Keys: sigv4.StaticKeys{testKeyID: testSecret},
		Now:  func() time.Time { return now },
	}
	if edit != nil {
		edit(&cfg)
	}
	v, err := sigv4.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var (
	getCount = clientRequest{method: "GET", url: route53URL + "/2013-04-01/hostedzonecount"}
	listZone = clientRequest{method: "GET", url: route53URL + "/2013-04-01/hostedzone?maxitems=1&marker=Z9"}
	change   = clientRequest{method: "POST", url: route53URL + "/2013-04-01/hostedzone/Z123/rrset/", body: changeXML,
		header: map[string]string{"Content-Type": "text/xml"}}
)

func TestVerifyAcceptsSDKSignatures(t *testing.T) {
	tests := []struct {
		name string
		req  clientRequest
		sign signing
		now  time.Duration // verifier clock, relative to signedAt
		cfg  func(*sigv4.Config)
	}{
		{name: "GetHostedZoneCount us-east-1", req: getCount},
		{name: "ListHostedZones maxitems marker eu-west-1", req: listZone, sign: signing{region: "eu-west-1"}},
		{name: "ChangeResourceRecordSets XML body ap-southeast-2", req: change, sign: signing{region: "ap-southeast-2"}},
		{name: "any region name", req: getCount, sign: signing{region: "vedette-local-1"}},
		{name: "escaped query", req: clientRequest{method: "GET",
			url: route53URL + "/2013-04-01/hostedzone/Z123/rrset?name=%2A.example.com&type=A&identifier=a%20b%2Bc"}},
		{name: "repeated query keys", req: clientRequest{method: "GET",
			url: route53URL + "/2013-04-01/hostedzone?b=2&a=1&a=0"}},
		{name: "escaped path", req: clientRequest{method: "GET",
			url: route53URL + "/2013-04-01/tags/healthcheck/abc%3Adef%2Fghi"}},
		{name: "host with port", req: clientRequest{method: "GET", url: "http://127.0.0.1:8053/2013-04-01/hostedzonecount"}},
		{name: "explicit default port", req: clientRequest{method: "GET", url: "https://route53.example.test:443/2013-04-01/hostedzonecount"}},
		{name: "signed extra headers", req: clientRequest{method: "GET", url: route53URL + "/2013-04-01/hostedzonecount",
			header: map[string]string{"X-Custom": "a   b", "X-Amz-Meta-Owner": "ops", "Content-Type": "text/xml"}}},
		{name: "session token", req: getCount, sign: signing{token: "FQoGZXIvYXdzEXAMPLE"}},
		{name: "signed X-Amz-Content-Sha256", req: withHeader(change, "X-Amz-Content-Sha256", sha256Hex(changeXML))},
		{name: "UNSIGNED-PAYLOAD", req: withHeader(change, "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
			sign: signing{payloadHash: "UNSIGNED-PAYLOAD"}},
		{name: "UNSIGNED-PAYLOAD body over the limit", req: withHeader(change, "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
			sign: signing{payloadHash: "UNSIGNED-PAYLOAD"}, cfg: func(c *sigv4.Config) { c.MaxBodyBytes = 16 }},
		{name: "client signs User-Agent", req: clientRequest{method: "GET", url: route53URL + "/2013-04-01/hostedzonecount",
			rawHeader: map[string]string{"user-agent": "custom-client/1.0", "x-amzn-trace-id": "Root=1-abc"}}},
		{name: "clock 14 minutes ahead", req: getCount, now: 14 * time.Minute},
		{name: "clock 14 minutes behind", req: getCount, now: -14 * time.Minute},
		{name: "second accepted service", req: getCount, sign: signing{service: "monitoring"},
			cfg: func(c *sigv4.Config) { c.Services = []string{"route53", "monitoring"} }},

		{name: "presigned GET", req: getCount, sign: signing{presign: true}, now: time.Minute},
		{name: "presigned with query", req: listZone, sign: signing{presign: true, region: "eu-central-1"}},
		{name: "presigned with signed header", req: withHeader(getCount, "X-Custom", "v"), sign: signing{presign: true}},
		{name: "presigned with X-Amz header hoisted to the query", req: withHeader(getCount, "X-Amz-Custom-Flag", "on"),
			sign: signing{presign: true}},
		{name: "presigned with X-Amz header kept as header", req: withHeader(getCount, "X-Amz-Custom-Flag", "on"),
			sign: signing{presign: true, noHoist: true}},
		{name: "presigned with body", req: change, sign: signing{presign: true}},
		{name: "presigned UNSIGNED-PAYLOAD", req: change, sign: signing{presign: true, payloadHash: "UNSIGNED-PAYLOAD"}},
		{name: "presigned a week", req: getCount, sign: signing{presign: true, expires: 604800}, now: 604800 * time.Second},
		{name: "presigned session token", req: getCount, sign: signing{presign: true, token: "FQoGZXIvYXdzEXAMPLE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := signRequest(t, tt.req, tt.sign)
			for k := range tt.req.rawHeader {
				if auth := r.Header.Get("Authorization"); !strings.Contains(auth, k) {
					t.Fatalf("client did not sign %s: %s", k, auth)
				}
			}
			v := newVerifier(t, signedAt.Add(tt.now), tt.cfg)
			id, err := v.Verify(r)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := sigv4.Identity{AccessKeyID: testKeyID, Region: or(tt.sign.region, "us-east-1"),
				Service: or(tt.sign.service, "route53"), SignedAt: signedAt, Presigned: tt.sign.presign}
			if id != want {
				t.Errorf("identity = %+v, want %+v", id, want)
			}
			body, err := io.ReadAll(r.Body)
			if err != nil || string(body) != tt.req.body {
				t.Errorf("body after Verify = %q, %v; want %q", body, err, tt.req.body)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	tests := []struct {
		name       string
		req        clientRequest
		sign       signing
		tamper     func(*http.Request) // applied to the request as received
		now        time.Duration       // verifier clock, relative to signedAt
		cfg        func(*sigv4.Config)
		wantCode   string
		wantStatus int    // 0 means 403
		wantMsg    string // prefix of the message; "" skips the check
	}{
		{name: "unsigned", req: getCount, sign: signing{none: true},
			wantCode: "MissingAuthenticationToken", wantMsg: "Missing Authentication Token"},
		{name: "garbage Authorization", req: getCount, sign: signing{none: true},
			tamper:   setHeader("Authorization", "garbage"),
			wantCode: "IncompleteSignature"},
		{name: "Authorization with missing parts", req: getCount,
			tamper:   setHeader("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/route53/aws4_request"),
			wantCode: "IncompleteSignature",
			wantMsg:  "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{name: "Authorization without equal sign", req: getCount,
			tamper:   setHeader("Authorization", "AWS4-HMAC-SHA256 Credential"),
			wantCode: "IncompleteSignature"},
		{name: "SigV4a algorithm", req: getCount,
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1))
			},
			wantCode: "IncompleteSignature"},
		{name: "short credential", req: getCount,
			tamper:   editAuth("AKIDEXAMPLE/20240501/us-east-1/route53/aws4_request", "AKIDEXAMPLE/20240501/route53"),
			wantCode: "IncompleteSignature"},
		{name: "missing X-Amz-Date", req: getCount, tamper: delHeader("X-Amz-Date"),
			wantCode: "IncompleteSignature", wantMsg: "Authorization header requires existence of a 'X-Amz-Date' header."},
		{name: "malformed X-Amz-Date", req: getCount, tamper: setHeader("X-Amz-Date", "2024-05-01T12:00:00Z"),
			wantCode: "IncompleteSignature"},
		{name: "two Authorization headers", req: getCount,
			tamper:   func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			wantCode: "IncompleteSignature"},
		{name: "header and query auth", req: getCount,
			tamper:   func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" },
			wantCode: "IncompleteSignature"},
		{name: "X-Amz-Date 20 minutes old", req: getCount, now: 20 * time.Minute, wantCode: "RequestExpired",
			wantMsg: "Signature expired: 20240501T120000Z is now earlier than 20240501T120500Z (20240501T122000Z - 15 min.)"},
		{name: "X-Amz-Date 20 minutes ahead", req: getCount, now: -20 * time.Minute, wantCode: "RequestExpired",
			wantMsg: "Signature not yet current: 20240501T120000Z is still later than 20240501T115500Z (20240501T114000Z + 15 min.)"},
		{name: "unknown access key", req: getCount, sign: signing{keyID: "AKIDUNKNOWN"},
			wantCode: "InvalidClientTokenId", wantMsg: "The security token included in the request is invalid."},
		{name: "wrong secret", req: getCount, sign: signing{secret: "not-the-secret"}, wantCode: "SignatureDoesNotMatch",
			wantMsg: "The request signature we calculated does not match the signature you provided. Check your AWS " +
				"Secret Access Key and signing method. Consult the service documentation for details."},
		{name: "tampered body", req: change, tamper: setBody(strings.Replace(changeXML, "192.0.2.1", "192.0.2.9", 1)),
			wantCode: "SignatureDoesNotMatch"},
		{name: "tampered body with signed X-Amz-Content-Sha256",
			req:      withHeader(change, "X-Amz-Content-Sha256", sha256Hex(changeXML)),
			tamper:   setBody(strings.Replace(changeXML, "192.0.2.1", "192.0.2.9", 1)),
			wantCode: "SignatureDoesNotMatch", wantMsg: "The provided 'x-amz-content-sha256' header does not match"},
		{name: "streaming payload", req: withHeader(change, "X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
			sign: signing{payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}, wantCode: "IncompleteSignature"},
		{name: "tampered query", req: listZone, tamper: func(r *http.Request) { r.URL.RawQuery = "maxitems=2&marker=Z9" },
			wantCode: "SignatureDoesNotMatch"},
		{name: "added query parameter", req: listZone,
			tamper:   func(r *http.Request) { r.URL.RawQuery += "&hostedzonetype=PrivateHostedZone" },
			wantCode: "SignatureDoesNotMatch"},
		{name: "tampered path", req: change, tamper: func(r *http.Request) { r.URL.Path = "/2013-04-01/hostedzone/Z999/rrset/" },
			wantCode: "SignatureDoesNotMatch"},
		{name: "tampered method", req: listZone, tamper: func(r *http.Request) { r.Method = "DELETE" },
			wantCode: "SignatureDoesNotMatch"},
		{name: "tampered Host", req: getCount, tamper: func(r *http.Request) { r.Host = "evil.example.test" },
			wantCode: "SignatureDoesNotMatch"},
		{name: "tampered signed header", req: withHeader(getCount, "X-Custom", "a"), tamper: setHeader("X-Custom", "b"),
			wantCode: "SignatureDoesNotMatch"},
		{name: "signed header removed", req: withHeader(getCount, "X-Custom", "a"), tamper: delHeader("X-Custom"),
			wantCode: "SignatureDoesNotMatch"},
		{name: "header dropped from SignedHeaders", req: withHeader(getCount, "X-Custom", "a"),
			tamper: editAuth("SignedHeaders=host;x-amz-date;x-custom", "SignedHeaders=host;x-amz-date"), wantCode: "SignatureDoesNotMatch"},
		{name: "credential date differs from X-Amz-Date", req: getCount, tamper: editAuth("/20240501/", "/20240502/"),
			wantCode: "SignatureDoesNotMatch", wantMsg: "Date in Credential scope does not match"},
		{name: "credential region changed", req: getCount, tamper: editAuth("/us-east-1/", "/us-west-2/"),
			wantCode: "SignatureDoesNotMatch"},
		{name: "unaccepted service", req: getCount, sign: signing{service: "s3"},
			wantCode: "SignatureDoesNotMatch", wantMsg: "Credential should be scoped to correct service: 'route53'."},
		{name: "bad terminator", req: getCount, tamper: editAuth("/aws4_request", "/aws5_request"),
			wantCode: "SignatureDoesNotMatch", wantMsg: "Credential should be scoped with a valid terminator"},
		{name: "body over the limit", req: change, cfg: func(c *sigv4.Config) { c.MaxBodyBytes = 16 },
			wantCode: "RequestEntityTooLarge", wantStatus: http.StatusRequestEntityTooLarge},
		{name: "body shorter than Content-Length", req: change,
			tamper:   func(r *http.Request) { r.Body = io.NopCloser(io.MultiReader(strings.NewReader("<"), errReader{})) },
			wantCode: "IncompleteBody", wantStatus: http.StatusBadRequest},

		{name: "presigned past expiry", req: getCount, sign: signing{presign: true, expires: 300}, now: 301 * time.Second,
			wantCode: "RequestExpired", wantMsg: "Request has expired."},
		{name: "presigned dated 20 minutes ahead", req: getCount, sign: signing{presign: true}, now: -20 * time.Minute,
			wantCode: "RequestExpired"},
		{name: "presigned over a week", req: getCount, sign: signing{presign: true, expires: 604801},
			wantCode: "IncompleteSignature"},
		{name: "presigned without X-Amz-Expires", req: getCount, sign: signing{presign: true},
			tamper: delQuery("X-Amz-Expires"), wantCode: "IncompleteSignature"},
		{name: "presigned without signature", req: getCount, sign: signing{presign: true},
			tamper: delQuery("X-Amz-Signature"), wantCode: "IncompleteSignature"},
		{name: "presigned expiry extended", req: getCount, sign: signing{presign: true, expires: 300}, now: 301 * time.Second,
			tamper: setQuery("X-Amz-Expires", "600"), wantCode: "SignatureDoesNotMatch"},
		{name: "presigned tampered query", req: listZone, sign: signing{presign: true}, tamper: setQuery("marker", "Z1"),
			wantCode: "SignatureDoesNotMatch"},
		{name: "presigned wrong secret", req: getCount, sign: signing{presign: true, secret: "not-the-secret"},
			wantCode: "SignatureDoesNotMatch"},
		{name: "presigned tampered body", req: change, sign: signing{presign: true},
			tamper: setBody(strings.Replace(changeXML, "192.0.2.1", "192.0.2.9", 1)), wantCode: "SignatureDoesNotMatch"},
		{name: "presigned unaccepted service", req: getCount, sign: signing{presign: true, service: "sns"},
			wantCode: "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := signRequest(t, tt.req, tt.sign)
			if tt.tamper != nil {
				tt.tamper(r)
			}
			v := newVerifier(t, signedAt.Add(tt.now), tt.cfg)
			id, err := v.Verify(r)
			var authErr *sigv4.Error
			if !errors.As(err, &authErr) {
				t.Fatalf("Verify = %+v, %v; want *sigv4.Error %s", id, err, tt.wantCode)
			}
			if authErr.Code != tt.wantCode {
				t.Errorf("code = %s (%s), want %s", authErr.Code, authErr.Message, tt.wantCode)
			}
			if want := cmpOr(tt.wantStatus, http.StatusForbidden); authErr.HTTPStatus != want {
				t.Errorf("status = %d, want %d", authErr.HTTPStatus, want)
			}
			if !strings.HasPrefix(authErr.Message, tt.wantMsg) {
				t.Errorf("message = %q, want prefix %q", authErr.Message, tt.wantMsg)
			}
			if id != (sigv4.Identity{}) {
				t.Errorf("identity on failure = %+v, want zero", id)
			}
		})
	}
}

// TestVerifyKeyRotation guards against the SDK signer's derived-key cache,
// which ignores the secret: a rotated secret must take effect at once.
func TestVerifyKeyRotation(t *testing.T) {
	secret := testSecret
	v, err := sigv4.NewVerifier(sigv4.Config{
		Keys: sigv4.KeyStoreFunc(func(id string) (string, bool) { return secret, id == testKeyID }),
		Now:  func() time.Time { return signedAt },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(signRequest(t, getCount, signing{})); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	secret = "rotated-secret"
	if _, err := v.Verify(signRequest(t, getCount, signing{})); !hasCode(err, sigv4.CodeSignatureDoesNotMatch) {
		t.Errorf("old secret after rotation: err = %v, want SignatureDoesNotMatch", err)
	}
	if _, err := v.Verify(signRequest(t, getCount, signing{secret: "rotated-secret"})); err != nil {
		t.Errorf("new secret after rotation: %v", err)
	}
}

func TestNewVerifierValidates(t *testing.T) {
	keys := sigv4.StaticKeys{testKeyID: testSecret}
	tests := []struct {
		name string
		cfg  sigv4.Config
		want string
	}{
		{"no keys", sigv4.Config{}, "sigv4: Config.Keys is required"},
		{"negative skew", sigv4.Config{Keys: keys, MaxSkew: -time.Second},
			"sigv4: Config.MaxSkew must not be negative, got -1s"},
		{"negative body limit", sigv4.Config{Keys: keys, MaxBodyBytes: -1},
			"sigv4: Config.MaxBodyBytes must not be negative, got -1"},
		{"upper-case service", sigv4.Config{Keys: keys, Services: []string{"Route53"}},
			`sigv4: Config.Services: invalid service name "Route53"`},
		{"empty service", sigv4.Config{Keys: keys, Services: []string{"route53", ""}},
			`sigv4: Config.Services: invalid service name ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sigv4.NewVerifier(tt.cfg)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestStaticKeys(t *testing.T) {
	keys := sigv4.StaticKeys{"A": "s", "EMPTY": ""}
	for id, want := range map[string]bool{"A": true, "EMPTY": false, "B": false} {
		if _, ok := keys.SecretFor(id); ok != want {
			t.Errorf("SecretFor(%q) ok = %v, want %v", id, ok, want)
		}
	}
}

func hasCode(err error, code string) bool {
	var e *sigv4.Error
	return errors.As(err, &e) && e.Code == code
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func withHeader(cr clientRequest, k, v string) clientRequest {
	h := map[string]string{k: v}
	for hk, hv := range cr.header {
		h[hk] = hv
	}
	cr.header = h
	return cr
}

func setHeader(k, v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set(k, v) } }
func delHeader(k string) func(*http.Request)    { return func(r *http.Request) { r.Header.Del(k) } }

func editAuth(old, new string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

func setQuery(k, v string) func(*http.Request) {
	return func(r *http.Request) {
		q := r.URL.Query()
		q.Set(k, v)
		r.URL.RawQuery = q.Encode()
	}
}

func delQuery(k string) func(*http.Request) {
	return func(r *http.Request) {
		q := r.URL.Query()
		q.Del(k)
		r.URL.RawQuery = q.Encode()
	}
}

func setBody(s string) func(*http.Request) {
	return func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(s)) }
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
