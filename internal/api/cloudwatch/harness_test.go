package cloudwatch_test

import (
	"errors"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
	"github.com/vedette-dns/vedette/internal/api/cloudwatch"
	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
)

const (
	testKeyID  = "AKIDCWTEST"
	testSecret = "cloudwatch-test-secret"
	testRegion = "eu-west-3"
	testAcct   = "123456789012"
)

type harness struct {
	url     string
	backend *memBackend

	mu           sync.Mutex
	contentTypes map[string]bool // Content-Type of every request served
}

func (h *harness) sawContentType(ct string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.contentTypes[ct]
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.Config{Keys: sigv4.StaticKeys{testKeyID: testSecret}, Services: []string{"monitoring"}})
	if err != nil {
		t.Fatal(err)
	}
	b := newMemBackend(time.Now)
	api := &cloudwatch.API{Backend: b, Auth: route53.SigV4(v), Region: testRegion, AccountID: testAcct}
	other := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request routed to other: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	h := &harness{backend: b, contentTypes: map[string]bool{}}
	dispatch := awsquery.Dispatch(api, other, other)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		h.mu.Lock()
		h.contentTypes[ct] = true
		if enc := r.Header.Get("Content-Encoding"); enc != "" {
			h.contentTypes["encoding:"+enc] = true
		}
		h.mu.Unlock()
		dispatch.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

func (h *harness) client(secret string) *cw.Client {
	return cw.New(cw.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(h.url),
		Credentials:      credentials.NewStaticCredentialsProvider(testKeyID, secret, ""),
		RetryMaxAttempts: 1,
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
