package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"

	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// target is a local web server that can be stopped and started on one port.
type target struct {
	addr string
	srv  *http.Server
}

func startTarget(t *testing.T, addr string) *target {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &target{addr: ln.Addr().String(), srv: srv}
}

func (tg *target) stop() { tg.srv.Close() }

// TestHealthCheckFollowsEndpoint: an HTTP check with interval 1 and
// threshold 1 shows Success, then Failure once the server stops, then
// Success again, each within 3 s, through aws-sdk-go-v2.
func TestHealthCheckFollowsEndpoint(t *testing.T) {
	a, c := startNode(t)
	ctx := context.Background()
	tg := startTarget(t, "127.0.0.1:0")
	host, port, _ := net.SplitHostPort(tg.addr)
	out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("fast"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host), Port: aws.Int32(int32(atoi(port))),
		RequestInterval: aws.Int32(1), FailureThreshold: aws.Int32(1), ResourcePath: aws.String("/health")}})
	if err != nil {
		t.Fatal(err)
	}
	hcID := out.HealthCheck.Id
	waitStatus := func(prefix string) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for {
			st, err := c.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: hcID})
			if err != nil {
				t.Fatal(err)
			}
			if len(st.HealthCheckObservations) == 1 && strings.HasPrefix(aws.ToString(st.HealthCheckObservations[0].StatusReport.Status), prefix) {
				o := st.HealthCheckObservations[0]
				if string(o.Region) != "local" || aws.ToString(o.IPAddress) != "127.0.0.1" || o.StatusReport.CheckedTime == nil {
					t.Fatalf("observation %+v %+v", o, o.StatusReport)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q status within 3 s: %+v", prefix, st.HealthCheckObservations)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitStatus("Success: HTTP Status Code 200, OK")
	tg.stop()
	waitStatus("Failure:")
	lf, err := c.GetHealthCheckLastFailureReason(ctx, &r53.GetHealthCheckLastFailureReasonInput{HealthCheckId: hcID})
	if err != nil || len(lf.HealthCheckObservations) != 1 || !strings.Contains(aws.ToString(lf.HealthCheckObservations[0].StatusReport.Status), "Connection refused") {
		t.Fatalf("last failure: %v %+v", err, lf)
	}
	startTarget(t, tg.addr)
	waitStatus("Success:")
	if st, ok := a.health.Status(aws.ToString(hcID)); !ok || st.Status.String() != "Healthy" {
		t.Fatalf("engine status %+v", st)
	}
	ranges, err := c.GetCheckerIpRanges(ctx, &r53.GetCheckerIpRangesInput{})
	if err != nil || len(ranges.CheckerIpRanges) != 1 || ranges.CheckerIpRanges[0] != "127.0.0.1/32" {
		t.Fatalf("checker ranges: %v %v", err, ranges)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestMetadataAddressRefused: the probe-target policy refuses a metadata
// address at create time.
func TestMetadataAddressRefused(t *testing.T) {
	_, c := startNode(t)
	_, err := c.CreateHealthCheck(context.Background(), &r53.CreateHealthCheckInput{CallerReference: aws.String("md"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeHttp, IPAddress: aws.String("169.254.169.254")}})
	if err == nil || !strings.Contains(err.Error(), "InvalidInput") || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("metadata address: %v", err)
	}
}

// TestRoutingControlSwitchFollowedWithinASecond flips a routing control
// through the ARC API and watches the RECOVERY_CONTROL check follow.
func TestRoutingControlSwitchFollowedWithinASecond(t *testing.T) {
	a, c := startNode(t)
	creds, _ := c.Options().Credentials.Retrieve(context.Background())
	arn := "arn:aws:route53-recovery-control::1:controlpanel/p/routingcontrol/db"
	out, err := c.CreateHealthCheck(context.Background(), &r53.CreateHealthCheckInput{CallerReference: aws.String("rc"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeRecoveryControl, RoutingControlArn: aws.String(arn)}})
	if err != nil {
		t.Fatal(err)
	}
	hcID := aws.ToString(out.HealthCheck.Id)
	for _, state := range []string{"Off", "On", "Off"} {
		body := `{"RoutingControlArn":"` + arn + `","RoutingControlState":"` + state + `"}`
		req, _ := http.NewRequest("POST", "http://"+a.HTTPAddr()+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "ToggleCustomerAPI.UpdateRoutingControlState")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "route53-recovery-cluster", "us-west-2", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("update %s: %v %v", state, err, resp)
		}
		resp.Body.Close()
		want := map[string]string{"On": "Healthy", "Off": "Unhealthy"}[state]
		deadline := time.Now().Add(time.Second)
		for {
			st, _ := a.health.Status(hcID)
			if st.Status.String() == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("switch %s: status %v after 1 s", state, st.Status)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
