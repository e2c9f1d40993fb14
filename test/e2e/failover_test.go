package e2e

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFailoverWithAWSCLIAndDig is the seed's example with real processes:
// two local web servers; PRIMARY and SECONDARY failover A records, each with
// an HTTP health check, created with the AWS CLI; dig returns the primary;
// stopping the primary's server makes dig return the secondary within
// interval × threshold + 1 s; restarting it brings the primary back.
func TestFailoverWithAWSCLIAndDig(t *testing.T) {
	bin := awsCLIs(t)["v2"]
	s := startServer(t, filepath.Join(t.TempDir(), "data"), rootEnv...)
	c := &cli{t: t, bin: bin, url: s.apiURL, env: []string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_PAGER="}}
	primary := startEndpoint(t, "127.0.0.1:0")
	secondary := startEndpoint(t, "127.0.0.2:0")
	const interval, threshold = 10, 1 // the AWS CLI accepts 10 and 30 only
	check := func(ref string, ep *endpoint) string {
		host, port, _ := net.SplitHostPort(ep.addr)
		var out struct{ HealthCheck struct{ Id string } }
		c.run(&out, "create-health-check", "--caller-reference", ref, "--health-check-config",
			`{"Type":"HTTP","IPAddress":"`+host+`","Port":`+port+`,"RequestInterval":`+itoa(interval)+`,"FailureThreshold":`+itoa(threshold)+`}`)
		return out.HealthCheck.Id
	}
	hcPrimary, hcSecondary := check("primary", primary), check("secondary", secondary)
	var zone struct{ HostedZone struct{ Id string } }
	c.run(&zone, "create-hosted-zone", "--name", "example.com", "--caller-reference", "failover")
	record := func(id, role, ip, hc string) string {
		return `{"Action":"CREATE","ResourceRecordSet":{"Name":"app.example.com","Type":"A","SetIdentifier":"` + id +
			`","Failover":"` + role + `","TTL":1,"ResourceRecords":[{"Value":"` + ip + `"}],"HealthCheckId":"` + hc + `"}}`
	}
	c.run(nil, "change-resource-record-sets", "--hosted-zone-id", zone.HostedZone.Id, "--change-batch", batch(t,
		record("primary", "PRIMARY", "192.0.2.1", hcPrimary), record("secondary", "SECONDARY", "192.0.2.2", hcSecondary)))
	answer := func(want string) func() error {
		return func() error {
			if got := dig(t, s.dnsAddr, "app.example.com", "A"); got != want {
				return errString("dig app.example.com = " + got)
			}
			return nil
		}
	}
	waitFor(t, 10*time.Second, "primary answered", answer("192.0.2.1"))
	// Let both checks report at least once so the timing below measures failover only.
	waitObserved(t, c, "get-health-check-status", hcPrimary, "Success", 15*time.Second)
	primary.srv.Close()
	stopped := time.Now()
	waitFor(t, time.Duration(interval*threshold)*time.Second+time.Second, "secondary answered", answer("192.0.2.2"))
	t.Logf("failover seen by dig %v after the primary stopped", time.Since(stopped).Round(time.Millisecond))
	startEndpoint(t, primary.addr)
	waitFor(t, time.Duration(interval*threshold)*time.Second+time.Second, "primary answered again", answer("192.0.2.1"))
}
