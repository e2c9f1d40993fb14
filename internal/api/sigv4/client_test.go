package sigv4_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
)

const route53NS = "https://route53.amazonaws.com/doc/2013-04-01/"

// startRoute53 starts, on a loopback port, a server that authenticates every
// request with v and answers a few Route 53 operations with fixed documents.
// Failures are rendered as Route 53 renders errors. The server is ready when
// startRoute53 returns and is closed at the end of the test.
func startRoute53(t *testing.T, v *sigv4.Verifier) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2013-04-01/hostedzonecount", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<GetHostedZoneCountResponse xmlns="`+route53NS+`"><HostedZoneCount>0</HostedZoneCount></GetHostedZoneCountResponse>`)
	})
	mux.HandleFunc("GET /2013-04-01/hostedzone", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		writeXML(w, `<ListHostedZonesResponse xmlns="`+route53NS+`"><HostedZones></HostedZones><Marker>`+
			xmlEscape(q.Get("marker"))+`</Marker><IsTruncated>false</IsTruncated><MaxItems>`+
			xmlEscape(q.Get("maxitems"))+`</MaxItems></ListHostedZonesResponse>`)
	})
	mux.HandleFunc("GET /2013-04-01/hostedzone/{id}/rrset", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<ListResourceRecordSetsResponse xmlns="`+route53NS+`"><ResourceRecordSets></ResourceRecordSets>`+
			`<IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>`)
	})
	// aws-sdk-go-v2 posts to .../rrset, botocore to .../rrset/.
	changeRecords := func(w http.ResponseWriter, r *http.Request) {
		// The body must still be readable after Verify hashed it.
		body, err := io.ReadAll(r.Body)
		if err != nil || !strings.Contains(string(body), "<ChangeResourceRecordSetsRequest") {
			http.Error(w, fmt.Sprintf("body not restored: %q %v", body, err), http.StatusInternalServerError)
			return
		}
		writeXML(w, `<ChangeResourceRecordSetsResponse xmlns="`+route53NS+`"><ChangeInfo><Id>/change/C1</Id>`+
			`<Status>PENDING</Status><SubmittedAt>2024-05-01T12:00:00.000Z</SubmittedAt></ChangeInfo>`+
			`</ChangeResourceRecordSetsResponse>`)
	}
	mux.HandleFunc("POST /2013-04-01/hostedzone/{id}/rrset", changeRecords)
	mux.HandleFunc("POST /2013-04-01/hostedzone/{id}/rrset/{$}", changeRecords)
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		if _, err := v.Verify(r); err != nil {
			writeRoute53Error(w, err, fmt.Sprintf("test-request-%d", n))
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeXML(w http.ResponseWriter, doc string) {
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+doc)
}

// writeRoute53Error renders err the way Route 53 does. The real API package
// has its own renderer; this one exists so the tests see what clients see.
func writeRoute53Error(w http.ResponseWriter, err error, requestID string) {
	var e *sigv4.Error
	if !errors.As(err, &e) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.HTTPStatus)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<ErrorResponse xmlns="`+route53NS+`"><Error>`+
		`<Type>Sender</Type><Code>`+xmlEscape(e.Code)+`</Code><Message>`+xmlEscape(e.Message)+`</Message></Error>`+
		`<RequestId>`+xmlEscape(requestID)+`</RequestId></ErrorResponse>`)
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// newServerVerifier is a verifier on the real clock, for real clients.
func newServerVerifier(t *testing.T) *sigv4.Verifier {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.Config{Keys: sigv4.StaticKeys{testKeyID: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRoute53Client(t *testing.T) {
	srv := startRoute53(t, newServerVerifier(t))
	t.Cleanup(srv.Client().CloseIdleConnections)
	client := func(keyID, secret, region string) *route53.Client {
		return route53.New(route53.Options{
			BaseEndpoint: aws.String(srv.URL),
			Region:       region,
			Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
			Retryer:      aws.NopRetryer{},
			HTTPClient:   srv.Client(),
		})
	}
	getCount := func(ctx context.Context, c *route53.Client) error {
		_, err := c.GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
		return err
	}
	listZones := func(ctx context.Context, c *route53.Client) error {
		out, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{MaxItems: aws.Int32(1), Marker: aws.String("Z9")})
		if err == nil && aws.ToString(out.Marker) != "Z9" {
			err = fmt.Errorf("marker = %q, want Z9", aws.ToString(out.Marker))
		}
		return err
	}
	changeRecords := func(ctx context.Context, c *route53.Client) error {
		_, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
			HostedZoneId: aws.String("Z123"),
			ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{
				Action: types.ChangeActionUpsert,
				ResourceRecordSet: &types.ResourceRecordSet{
					Name: aws.String("www.example.com."), Type: types.RRTypeA, TTL: aws.Int64(60),
					ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.1")}},
				},
			}}},
		})
		return err
	}
	tests := []struct {
		name     string
		keyID    string
		secret   string
		region   string
		call     func(context.Context, *route53.Client) error
		wantCode string // "" means success
	}{
		{"GetHostedZoneCount", testKeyID, testSecret, "us-east-1", getCount, ""},
		{"ListHostedZones maxitems marker", testKeyID, testSecret, "eu-west-1", listZones, ""},
		{"ChangeResourceRecordSets body", testKeyID, testSecret, "ap-southeast-2", changeRecords, ""},
		{"wrong secret", testKeyID, "not-the-secret", "us-east-1", getCount, "SignatureDoesNotMatch"},
		{"wrong secret with body", testKeyID, "not-the-secret", "us-east-1", changeRecords, "SignatureDoesNotMatch"},
		{"unknown key", "AKIDUNKNOWN", testSecret, "us-east-1", getCount, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := tt.call(ctx, client(tt.keyID, tt.secret, tt.region))
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("call failed: %v", err)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an API error %s", err, tt.wantCode)
			}
			if apiErr.ErrorCode() != tt.wantCode {
				t.Errorf("code = %s (%s), want %s", apiErr.ErrorCode(), apiErr.ErrorMessage(), tt.wantCode)
			}
		})
	}
}
