package cloudwatch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/fxamacker/cbor/v2"
)

// signedPost sends a SigV4-signed POST built by hand.
func signedPost(t *testing.T, h *harness, secret, path string, header map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "monitoring", testRegion, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

var (
	queryHeader = map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
	jsonHeader  = func(op string) map[string]string {
		return map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "GraniteServiceVersion20100801." + op}
	}
	cborHeader = map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}
	cborPath   = "/service/GraniteServiceVersion20100801/operation/"
)

func cborBody(t *testing.T, v any) []byte {
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cborError(t *testing.T, body []byte) map[string]string {
	var m map[string]string
	if err := cbor.Unmarshal(body, &m); err != nil {
		t.Fatalf("error body is not a CBOR map: %v", err)
	}
	return m
}

func TestWrongSecretEveryProtocol(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name   string
		path   string
		header map[string]string
		body   []byte
		check  func(t *testing.T, resp *http.Response, body []byte)
	}{
		{"query", "/", queryHeader, []byte("Action=ListMetrics&Version=2010-08-01"), func(t *testing.T, resp *http.Response, body []byte) {
			if !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") || !strings.Contains(string(body), "<Type>Sender</Type>") {
				t.Errorf("body = %s", body)
			}
		}},
		{"json", "/", jsonHeader("ListMetrics"), []byte("{}"), func(t *testing.T, resp *http.Response, body []byte) {
			if resp.Header.Get("X-Amzn-Query-Error") != "SignatureDoesNotMatch;Sender" || !strings.Contains(string(body), `"__type":"SignatureDoesNotMatch"`) {
				t.Errorf("header %q body %s", resp.Header.Get("X-Amzn-Query-Error"), body)
			}
		}},
		{"cbor", cborPath + "ListMetrics", cborHeader, cborBody(t, map[string]any{}), func(t *testing.T, resp *http.Response, body []byte) {
			if m := cborError(t, body); m["__type"] != "SignatureDoesNotMatch" || resp.Header.Get("X-Amzn-Query-Error") != "SignatureDoesNotMatch;Sender" {
				t.Errorf("body %v", m)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := signedPost(t, h, "wrong-secret", c.path, c.header, c.body)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status = %d, body %s", resp.StatusCode, body)
			}
			c.check(t, resp, body)
			// The right secret works, so the 403 was about the secret.
			if resp, body := signedPost(t, h, testSecret, c.path, c.header, c.body); resp.StatusCode != http.StatusOK {
				t.Fatalf("right secret: status = %d, body %s", resp.StatusCode, body)
			}
		})
	}
	if got := h.backend.calls.Load(); got != 3 {
		t.Fatalf("backend calls = %d, want 3 (only the correctly signed requests)", got)
	}
}

func TestUnknownOperationEveryProtocol(t *testing.T) {
	h := newHarness(t)
	resp, body := signedPost(t, h, testSecret, "/", queryHeader, []byte("Action=PutDashboard&Version=2010-08-01"))
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>InvalidAction</Code>") {
		t.Errorf("query: %d %s", resp.StatusCode, body)
	}
	resp, body = signedPost(t, h, testSecret, "/", jsonHeader("PutDashboard"), []byte("{}"))
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Query-Error") != "InvalidAction;Sender" {
		t.Errorf("json: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = signedPost(t, h, testSecret, cborPath+"PutDashboard", cborHeader, cborBody(t, map[string]any{}))
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Query-Error") != "InvalidAction;Sender" ||
		cborError(t, body)["__type"] != "com.amazonaws.cloudwatch#UnknownOperationException" {
		t.Errorf("cbor: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// TestQueryWire checks the query protocol's XML by hand: lists as member
// elements, timestamps with milliseconds, escaping, errors.
func TestQueryWire(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"Action": {"PutMetricAlarm"}, "Version": {"2010-08-01"}, "AlarmName": {"q<1>"},
		"Namespace": {"App"}, "MetricName": {"M"}, "Statistic": {"Maximum"}, "Period": {"120"}, "EvaluationPeriods": {"1"},
		"Threshold": {"1.5"}, "ComparisonOperator": {"LessThanThreshold"},
		"Dimensions.member.1.Name": {"B"}, "Dimensions.member.1.Value": {"2"},
		"Dimensions.member.2.Name": {"A"}, "Dimensions.member.2.Value": {"1"},
		"OKActions.member.1": {"arn:ok"}, "ActionsEnabled": {"false"}}
	resp, body := signedPost(t, h, testSecret, "/", queryHeader, []byte(form.Encode()))
	if resp.StatusCode != 200 || !regexp.MustCompile(`^<\?xml[^>]*\?>\s*<PutMetricAlarmResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></PutMetricAlarmResponse>$`).Match(body) {
		t.Fatalf("PutMetricAlarm: %d %s", resp.StatusCode, body)
	}
	resp, body = signedPost(t, h, testSecret, "/", queryHeader, []byte("Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=q%3C1%3E"))
	s := string(body)
	for _, want := range []string{
		"<DescribeAlarmsResult><MetricAlarms><member><AlarmName>q&lt;1&gt;</AlarmName>",
		"<AlarmArn>arn:aws:cloudwatch:eu-west-3:123456789012:alarm:q&lt;1&gt;</AlarmArn>",
		"<OKActions><member>arn:ok</member></OKActions>", "<AlarmActions></AlarmActions>", "<ActionsEnabled>false</ActionsEnabled>",
		"<Dimensions><member><Name>A</Name><Value>1</Value></member><member><Name>B</Name><Value>2</Value></member></Dimensions>",
		"<Threshold>1.5</Threshold>", "<Period>120</Period>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("DescribeAlarms lacks %s:\n%s", want, s)
		}
	}
	if !regexp.MustCompile(`<StateUpdatedTimestamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z</StateUpdatedTimestamp>`).MatchString(s) {
		t.Errorf("timestamp format: %s", s)
	}
	resp, body = signedPost(t, h, testSecret, "/", queryHeader, []byte("Action=SetAlarmState&Version=2010-08-01&AlarmName=nope&StateValue=OK&StateReason=x"))
	if resp.StatusCode != 404 || !strings.Contains(string(body), "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type><Code>ResourceNotFound</Code>") {
		t.Errorf("SetAlarmState missing: %d %s", resp.StatusCode, body)
	}
	resp, body = signedPost(t, h, testSecret, "/", queryHeader, []byte("Action=DescribeAlarms&Version=2010-08-01&MaxRecords=abc"))
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>InvalidParameterValue</Code>") {
		t.Errorf("MaxRecords=abc: %d %s", resp.StatusCode, body)
	}
}

// TestJSONWire checks AWS JSON 1.0 by hand: epoch-second timestamps in and
// out, modelled __type and query error header.
func TestJSONWire(t *testing.T) {
	h := newHarness(t)
	now := time.Now().Unix()
	body := []byte(`{"Namespace":"App","MetricData":[{"MetricName":"M","Value":2.5,"Timestamp":` + jsonInt(now-30) + `}]}`)
	if resp, b := signedPost(t, h, testSecret, "/", jsonHeader("PutMetricData"), body); resp.StatusCode != 200 || string(b) != "{}" {
		t.Fatalf("PutMetricData: %d %s", resp.StatusCode, b)
	}
	body = []byte(`{"Namespace":"App","MetricName":"M","StartTime":` + jsonInt(now-3600) + `,"EndTime":` + jsonInt(now+60) + `,"Period":60,"Statistics":["Sum"]}`)
	resp, b := signedPost(t, h, testSecret, "/", jsonHeader("GetMetricStatistics"), body)
	var out struct {
		Datapoints []struct {
			Timestamp float64
			Sum       float64
		}
	}
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != 200 || len(out.Datapoints) != 1 || out.Datapoints[0].Sum != 2.5 ||
		int64(out.Datapoints[0].Timestamp)%60 != 0 || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("GetMetricStatistics: %d %s %v", resp.StatusCode, b, err)
	}
	resp, b = signedPost(t, h, testSecret, "/", jsonHeader("DeleteAlarms"), []byte(`{"AlarmNames":["ghost"]}`))
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-Query-Error") != "ResourceNotFound;Sender" ||
		!strings.Contains(string(b), `"__type":"com.amazonaws.cloudwatch#ResourceNotFound"`) {
		t.Fatalf("DeleteAlarms ghost: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	resp, b = signedPost(t, h, testSecret, "/", jsonHeader("ListMetrics"), []byte(`{"Namespace":`))
	if resp.StatusCode != 400 {
		t.Fatalf("malformed JSON: %d %s", resp.StatusCode, b)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
