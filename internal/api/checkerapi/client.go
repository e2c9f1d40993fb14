package checkerapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client speaks the checker protocol to a server.
type Client struct {
	// BaseURL is the server's API address, e.g. https://vedette.example:8053
	// (a path prefix, as behind a reverse proxy, is kept).
	BaseURL string
	// AccessKeyID and SecretAccessKey sign every request.
	AccessKeyID, SecretAccessKey string
	// SigningRegion is the region of the credential scope. Default "us-east-1".
	SigningRegion string
	// HTTP is the HTTP client. Default http.DefaultClient.
	HTTP *http.Client
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Status int
	Body   Error
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("checker API: HTTP %d %s: %s", e.Status, e.Body.Code, e.Body.Message)
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, header http.Header, body []byte) (*http.Response, error) {
	u := strings.TrimSuffix(c.BaseURL, "/") + Prefix + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	region := c.SigningRegion
	if region == "" {
		region = "us-east-1"
	}
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), Service, region, time.Now()); err != nil {
		return nil, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

func decode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		e := &StatusError{Status: resp.StatusCode}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		if json.Unmarshal(b, &e.Body) != nil {
			e.Body.Message = strings.TrimSpace(string(b))
		}
		return e
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// Assignments fetches the checks for region. With etag set (the Revision of
// the last answer) the server waits up to wait for a change; ok=false then
// means nothing changed.
func (c *Client) Assignments(ctx context.Context, region string, etag int64, wait time.Duration) (a Assignments, ok bool, err error) {
	q := url.Values{"region": {region}}
	h := http.Header{}
	if etag > 0 {
		h.Set("If-None-Match", `"`+strconv.FormatInt(etag, 10)+`"`)
		if s := int(wait / time.Second); s > 0 {
			q.Set("wait", strconv.Itoa(s))
		}
	}
	resp, err := c.do(ctx, http.MethodGet, "assignments", q, h, nil)
	if err != nil {
		return a, false, err
	}
	if resp.StatusCode == http.StatusNotModified {
		resp.Body.Close()
		return a, false, nil
	}
	err = decode(resp, &a)
	return a, err == nil, err
}

// Post sends a batch of observations.
func (c *Client) Post(ctx context.Context, b Batch) error {
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, http.MethodPost, "observations", nil, nil, body)
	if err != nil {
		return err
	}
	var out struct{}
	return decode(resp, &out)
}

// CreateKey creates a checker key for region (root credentials only).
func (c *Client) CreateKey(ctx context.Context, region string) (KeyResponse, error) {
	var k KeyResponse
	resp, err := c.do(ctx, http.MethodPost, "keys", url.Values{"region": {region}}, nil, []byte{})
	if err != nil {
		return k, err
	}
	return k, decode(resp, &k)
}
