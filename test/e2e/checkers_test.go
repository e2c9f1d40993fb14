package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// refusingListener resets, at accept, connections from the refused sources.
type refusingListener struct {
	net.Listener
	mu      sync.Mutex
	refused map[string]bool
}

func (l *refusingListener) refuse(ips ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refused = map[string]bool{}
	for _, ip := range ips {
		l.refused[ip] = true
	}
}

func (l *refusingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := c.RemoteAddr().(*net.TCPAddr).IP.String()
		l.mu.Lock()
		refused := l.refused[ip]
		l.mu.Unlock()
		if !refused {
			return c, nil
		}
		_ = c.(*net.TCPConn).SetLinger(0) // RST
		c.Close()
	}
}

// startChecker runs `vedette checker` with a checker key for region.
func startChecker(t *testing.T, s *server, region, sourceIP string) *exec.Cmd {
	t.Helper()
	out, err := runCmd([]string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret},
		binary, "checker-key", "create", "--server", s.apiURL, "--region", region)
	if err != nil {
		t.Fatalf("checker-key create: %v\n%s", err, out)
	}
	env := strings.Fields(string(out))
	if len(env) != 2 || !strings.HasPrefix(env[0], "AWS_ACCESS_KEY_ID=") {
		t.Fatalf("checker-key create printed %q", out)
	}
	log := &bytes.Buffer{}
	cmd := exec.Command(binary, "checker", "--region", region, "--server", s.apiURL, "--source-ip", sourceIP)
	cmd.Env = append(os.Environ(), append(env, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("checker %s log:\n%s", region, log.String())
		}
	})
	return cmd
}

// TestRemoteCheckers is the acceptance of remote checkers with real
// processes: one server without its embedded checker, four `vedette checker`
// processes in regions a–d bound to 127.0.0.11–14, and an endpoint that
// resets connections from chosen sources. Two refused → healthy (2 of 4 is
// more than 18 %); four refused → unhealthy within interval × threshold +
// 2 s; killing one checker ages its observations out without a status change.
func TestRemoteCheckers(t *testing.T) {
	s := startServerArgs(t, filepath.Join(t.TempDir(), "data"), []string{"--checker=false"}, rootEnv...)
	c := sdkClient(s.apiURL)
	ctx := context.Background()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &refusingListener{Listener: ln}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })}
	go srv.Serve(rl)
	t.Cleanup(func() { srv.Close() })

	const interval, threshold = 1, 1
	port := ln.Addr().(*net.TCPAddr).Port
	hc, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("remote"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeHttp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(int32(port)), ResourcePath: aws.String("/"),
		RequestInterval: aws.Int32(interval), FailureThreshold: aws.Int32(threshold)}})
	if err != nil {
		t.Fatal(err)
	}
	hcID := hc.HealthCheck.Id
	zone, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("example.com"), CallerReference: aws.String("z")})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(id string, role types.ResourceRecordSetFailover, ip string, check *string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String("app.example.com"), Type: types.RRTypeA, SetIdentifier: aws.String(id), Failover: role, TTL: aws.Int64(1),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}, HealthCheckId: check}}
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: zone.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{rec("primary", types.ResourceRecordSetFailoverPrimary, "192.0.2.1", hcID), rec("secondary", types.ResourceRecordSetFailoverSecondary, "192.0.2.2", nil)}}}); err != nil {
		t.Fatal(err)
	}

	regions := []string{"a", "b", "c", "d"}
	ips := []string{"127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14"}
	var procs []*exec.Cmd
	for i := range regions {
		procs = append(procs, startChecker(t, s, regions[i], ips[i]))
	}

	// observed waits until GetHealthCheckStatus shows exactly the sources
	// in want (region → IP), each failing iff its IP is in failing.
	observed := func(want map[string]string, failing ...string) func() error {
		return func() error {
			st, err := c.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: hcID})
			if err != nil {
				return err
			}
			if len(st.HealthCheckObservations) != len(want) {
				return fmt.Errorf("%d observations, want %d", len(st.HealthCheckObservations), len(want))
			}
			for _, o := range st.HealthCheckObservations {
				ip := aws.ToString(o.IPAddress)
				if want[string(o.Region)] != ip {
					return fmt.Errorf("observation from region %q, IP %q", o.Region, ip)
				}
				status := aws.ToString(o.StatusReport.Status)
				if slices.Contains(failing, ip) != strings.HasPrefix(status, "Failure") {
					return fmt.Errorf("%s: %s", ip, status)
				}
			}
			return nil
		}
	}
	all := map[string]string{"a": ips[0], "b": ips[1], "c": ips[2], "d": ips[3]}
	answer := func(want string) func() error {
		return func() error {
			if got := dig(t, s.dnsAddr, "app.example.com", "A"); got != want {
				return errString("dig app.example.com = " + got)
			}
			return nil
		}
	}
	// steady checks that dig keeps answering want for d.
	steady := func(want string, d time.Duration) {
		t.Helper()
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if err := answer(want)(); err != nil {
				t.Fatal(err)
			}
		}
	}

	waitFor(t, 20*time.Second, "four successful observations", observed(all))
	waitFor(t, 5*time.Second, "primary answered", answer("192.0.2.1"))

	rl.refuse(ips[0], ips[1])
	waitFor(t, 5*time.Second, "two failing observations", observed(all, ips[0], ips[1]))
	steady("192.0.2.1", 2*time.Second) // 2 of 4 healthy > 18 %

	rl.refuse(ips...)
	refused := time.Now()
	waitFor(t, (interval*threshold+2)*time.Second, "secondary answered", answer("192.0.2.2"))
	t.Logf("unhealthy seen by dig %v after all four checkers were refused", time.Since(refused).Round(time.Millisecond))
	waitFor(t, 5*time.Second, "four failing observations", observed(all, ips...))

	rl.refuse(ips[0], ips[1])
	waitFor(t, 5*time.Second, "primary answered again", answer("192.0.2.1"))
	waitFor(t, 5*time.Second, "two failing observations again", observed(all, ips[0], ips[1]))

	// Kill checker d: its observation ages out after 3 intervals + the
	// grace, and its absence alone changes nothing (1 of 3 is > 18 %).
	killed := time.Now()
	_ = procs[3].Process.Kill()
	_ = procs[3].Wait()
	three := map[string]string{"a": ips[0], "b": ips[1], "c": ips[2]}
	for end := time.Now().Add(20 * time.Second); ; {
		if err := answer("192.0.2.1")(); err != nil {
			t.Fatalf("after killing checker d: %v", err)
		}
		if observed(three, ips[0], ips[1])() == nil {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("checker d never aged out: %v", observed(three, ips[0], ips[1])())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("checker d aged out %v after it was killed", time.Since(killed).Round(time.Millisecond))
	steady("192.0.2.1", time.Second)

	ranges, err := c.GetCheckerIpRanges(ctx, &r53.GetCheckerIpRangesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range ips {
		if !slices.Contains(ranges.CheckerIpRanges, ip+"/32") {
			t.Fatalf("GetCheckerIpRanges = %v, want %s/32", ranges.CheckerIpRanges, ip)
		}
	}
}
