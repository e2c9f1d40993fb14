package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// endpoint is a local web server that the test stops and starts on one port.
type endpoint struct {
	addr string
	srv  *http.Server
}

func startEndpoint(t *testing.T, addr string) *endpoint {
	t.Helper()
	var ln net.Listener
	waitFor(t, 5*time.Second, "listen on "+addr, func() (err error) {
		ln, err = net.Listen("tcp", addr)
		return err
	})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("healthy")) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &endpoint{addr: ln.Addr().String(), srv: srv}
}

// TestHealthCheckWithAWSCLI: an HTTP check (interval 10, threshold 1) on a
// local server shows Success from the embedded checker; stopping the server
// shows Failure in GetHealthCheckStatus and GetHealthCheckLastFailureReason
// within 15 s; restarting it brings Success back.
func TestHealthCheckWithAWSCLI(t *testing.T) {
	for name, bin := range awsCLIs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, filepath.Join(t.TempDir(), "data"), rootEnv...)
			c := &cli{t: t, bin: bin, url: s.apiURL, env: []string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret,
				"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_PAGER="}}
			ep := startEndpoint(t, "127.0.0.1:0")
			host, port, _ := net.SplitHostPort(ep.addr)
			var created struct{ HealthCheck struct{ Id string } }
			c.run(&created, "create-health-check", "--caller-reference", "e2e-"+name, "--health-check-config",
				`{"Type":"HTTP","IPAddress":"`+host+`","Port":`+port+`,"ResourcePath":"/","RequestInterval":10,"FailureThreshold":1}`)
			id := created.HealthCheck.Id
			c.run(nil, "change-tags-for-resource", "--resource-type", "healthcheck", "--resource-id", id, "--add-tags", "Key=Name,Value=web-1")
			waitObserved(t, c, "get-health-check-status", id, "Success: HTTP Status Code 200, OK", 25*time.Second)
			ep.srv.Close()
			waitObserved(t, c, "get-health-check-status", id, "Failure:", 15*time.Second)
			waitObserved(t, c, "get-health-check-last-failure-reason", id, "Failure: Connection refused", 2*time.Second)
			startEndpoint(t, ep.addr)
			waitObserved(t, c, "get-health-check-status", id, "Success:", 15*time.Second)
			var tags struct {
				ResourceTagSet struct{ Tags []struct{ Key, Value string } }
			}
			c.run(&tags, "list-tags-for-resource", "--resource-type", "healthcheck", "--resource-id", id)
			if len(tags.ResourceTagSet.Tags) != 1 || tags.ResourceTagSet.Tags[0].Value != "web-1" {
				t.Fatalf("tags = %+v", tags)
			}
			err := c.try(nil, "create-health-check", "--caller-reference", "e2e-"+name, "--health-check-config", `{"Type":"TCP","IPAddress":"127.0.0.1","Port":1}`)
			if err == nil || !strings.Contains(err.Error(), "HealthCheckAlreadyExists") {
				t.Fatalf("caller reference reuse: %v", err)
			}
		})
	}
}

// waitObserved polls a status command until its one observation starts with prefix.
func waitObserved(t *testing.T, c *cli, cmd, id, prefix string, limit time.Duration) {
	t.Helper()
	waitFor(t, limit, cmd+" "+prefix, func() error {
		var out struct {
			HealthCheckObservations []struct {
				Region, IPAddress string
				StatusReport      struct{ Status, CheckedTime string }
			}
		}
		c.run(&out, cmd, "--health-check-id", id)
		if len(out.HealthCheckObservations) != 1 {
			return errString("no observation yet")
		}
		o := out.HealthCheckObservations[0]
		if !strings.HasPrefix(o.StatusReport.Status, prefix) {
			return errString(o.StatusReport.Status)
		}
		if o.Region != "local" || o.IPAddress != "127.0.0.1" || o.StatusReport.CheckedTime == "" {
			t.Fatalf("observation %+v", o)
		}
		return nil
	})
}

// TestRoutingControlWithAWSCLI sets the switch of a RECOVERY_CONTROL check
// with `aws route53-recovery-cluster`.
func TestRoutingControlWithAWSCLI(t *testing.T) {
	bin := awsCLIs(t)["v2"]
	s := startServer(t, filepath.Join(t.TempDir(), "data"), rootEnv...)
	env := []string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret, "AWS_DEFAULT_REGION=us-west-2",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_PAGER="}
	c := &cli{t: t, bin: bin, url: s.apiURL, env: env}
	arn := "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/primary"
	c.run(nil, "create-health-check", "--caller-reference", "rc", "--health-check-config", `{"Type":"RECOVERY_CONTROL","RoutingControlArn":"`+arn+`"}`)
	arcCLI := func(out any, args ...string) {
		t.Helper()
		cmd := append([]string{"--endpoint-url", s.apiURL, "--output", "json", "route53-recovery-cluster"}, args...)
		b, err := runCmd(env, bin, cmd...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, b)
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
		}
	}
	var st struct{ RoutingControlState, RoutingControlName string }
	arcCLI(&st, "get-routing-control-state", "--routing-control-arn", arn)
	if st.RoutingControlState != "On" || st.RoutingControlName != "primary" {
		t.Fatalf("initial state %+v", st)
	}
	arcCLI(nil, "update-routing-control-state", "--routing-control-arn", arn, "--routing-control-state", "Off")
	arcCLI(&st, "get-routing-control-state", "--routing-control-arn", arn)
	if st.RoutingControlState != "Off" {
		t.Fatalf("state after update: %+v", st)
	}
	if b, err := runCmd(env, bin, "--endpoint-url", s.apiURL, "route53-recovery-cluster", "get-routing-control-state", "--routing-control-arn", "arn:unknown"); err == nil || !strings.Contains(string(b), "ResourceNotFoundException") {
		t.Fatalf("unknown control: %v %s", err, b)
	}
}
