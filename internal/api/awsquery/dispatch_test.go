package awsquery_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
)

// echo answers with its name and the body it could read.
func echo(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, name+":"+string(b))
	})
}

func TestDispatch(t *testing.T) {
	h := awsquery.Dispatch(echo("cw"), echo("sns"), echo("other"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, "Action=ListTopics&Version=2010-03-31")
	zw.Close()
	form := "application/x-www-form-urlencoded; charset=utf-8"
	tests := []struct {
		name, path, target, contentType, encoding, body, want string
	}{
		{"cloudwatch json", "/", "GraniteServiceVersion20100801.ListMetrics", "application/x-amz-json-1.0", "", "{}", "cw:{}"},
		{"cloudwatch cbor", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "", "application/cbor", "", "\xa0", "cw:\xa0"},
		{"cloudwatch query", "/", "", form, "", "Action=ListMetrics&Version=2010-08-01", "cw:Action=ListMetrics&Version=2010-08-01"},
		{"sns query", "/", "", form, "", "Version=2010-03-31&Action=ListTopics", "sns:Version=2010-03-31&Action=ListTopics"},
		{"sns gzip", "/", "", form, "gzip", gz.String(), "sns:" + gz.String()},
		{"arc json", "/", "ToggleCustomerAPI.GetRoutingControlState", "application/x-amz-json-1.0", "", "{}", "other:{}"},
		{"unknown version", "/", "", form, "", "Action=X&Version=2011-06-15", "other:Action=X&Version=2011-06-15"},
		{"no version", "/", "", form, "", "Action=X", "other:Action=X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			if tt.target != "" {
				r.Header.Set("X-Amz-Target", tt.target)
			}
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Body.String() != tt.want {
				t.Fatalf("got %q, want %q", rec.Body, tt.want)
			}
		})
	}

	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Version=2010-03-31&X="+strings.Repeat("a", awsquery.MaxBodyBytes)))
	r.Header.Set("Content-Type", form)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "<Code>RequestEntityTooLarge</Code>") {
		t.Fatalf("large body: %d %s", rec.Code, rec.Body)
	}
}
