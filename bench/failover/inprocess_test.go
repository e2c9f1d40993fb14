package failover

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/app"
	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/model"
)

// The failover pair served by the in-process node.
const (
	qname       = "app.fo.bench."
	primaryIP   = "192.0.2.1"
	secondaryIP = "192.0.2.2"
	region      = "local"
)

// BenchmarkStatusChangeToAnswer measures, on a whole node started in-process,
// the time from a health status change to the DNS answer change seen by a UDP
// client that queries in a tight loop. One operation is one status change of
// the primary's check (alternately to unhealthy and back to healthy), made by
// handing one observation to the node's health feed, as the checker does
// after a probe: the measured path is health engine → view → DNS server →
// answer cache → wire, plus the poller's own round trip. Probing is not
// measured here (run.sh measures it end to end).
//
// Run with a fixed count: go test -run '^$' -bench . -benchtime 400x ./bench/failover/
func BenchmarkStatusChangeToAnswer(b *testing.B) {
	n := startNode(b)
	p := startPoller(b, n.dnsAddr)
	if _, err := p.await(p.arm(primaryIP), 10*time.Second); err != nil {
		b.Fatalf("before the first change: %v", err)
	}
	host, _ := os.Hostname()
	checkerID := host + "/" + region // the embedded checker's id (internal/app)
	var down, up, observe []time.Duration
	b.ResetTimer()
	for i := range b.N {
		fail := i%2 == 0
		want := primaryIP
		if fail {
			want = secondaryIP
		}
		// The endpoint agrees with the injected result, so that a real probe
		// of the same check (interval 30 s) never contradicts it.
		n.primaryUp.Store(!fail)
		ch := p.arm(want)
		t0 := time.Now()
		n.app.HealthFeed().Observe(model.Observation{HealthCheckID: n.hcPrimary, CheckerID: checkerID, Region: region,
			SourceIP: "127.0.0.1", Time: t0, Success: !fail, Reason: "bench: injected"})
		observe = append(observe, time.Since(t0))
		at, err := p.await(ch, 5*time.Second)
		if err != nil {
			b.Fatalf("change %d (to %s): %v", i, want, err)
		}
		if fail {
			down = append(down, at.Sub(t0))
		} else {
			up = append(up, at.Sub(t0))
		}
	}
	b.StopTimer()
	if obs := n.app.HealthFeed().Observations(n.hcPrimary); len(obs) != 1 || obs[0].CheckerID != checkerID {
		b.Fatalf("the injected observations did not use the embedded checker's id %q: %+v", checkerID, obs)
	}
	all := append(slices.Clone(down), up...)
	b.ReportMetric(ms(pct(all, 50)), "p50-ms")
	b.ReportMetric(ms(pct(all, 99)), "p99-ms")
	b.ReportMetric(ms(pct(all, 100)), "max-ms")
	b.ReportMetric(0, "ns/op") // suppressed: the percentiles say more than the mean
	if b.N == 1 {
		return // the framework's first, probing run: keep the log to the real one
	}
	q, el := p.stats()
	b.Logf("status change → answer change over %d changes (%d to unhealthy, %d to healthy); poller: %d queries, mean round trip %.1f µs",
		len(all), len(down), len(up), q, float64(el.Microseconds())/float64(max(q, 1)))
	b.Logf("%-22s %9s %9s %9s %9s", "", "p50 ms", "p90 ms", "p99 ms", "max ms")
	for _, r := range []struct {
		name string
		d    []time.Duration
	}{{"all changes", all}, {"primary → secondary", down}, {"secondary → primary", up}, {"Observe() call only", observe}} {
		b.Logf("%-22s %9.3f %9.3f %9.3f %9.3f", r.name, ms(pct(r.d, 50)), ms(pct(r.d, 90)), ms(pct(r.d, 99)), ms(pct(r.d, 100)))
	}
}

// node is a whole Vedette node with a failover pair whose checks probe two
// in-process web servers.
type node struct {
	app       *app.App
	dnsAddr   string
	hcPrimary string
	primaryUp atomic.Bool
}

func startNode(b *testing.B) *node {
	b.Helper()
	dir := b.TempDir()
	logf, err := os.Create(filepath.Join(dir, "vedette.log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { logf.Close() })
	cfg := config.Serve{
		DataDir: filepath.Join(dir, "data"), DNSListen: "127.0.0.1:0", HTTPListen: "127.0.0.1:0",
		NameServers: []string{"ns1.fo.bench."}, CheckerRegion: region, CheckerConcurrency: 16,
		LogLevel: "info", LogFormat: "text",
		RootAccessKeyID: "AKIDFAILOVERBENCH", RootSecretAccessKey: "failover-bench-secret",
	}
	// Logging to a file, as `vedette serve 2>file` would: status changes are
	// logged on the measured path.
	a, err := app.Start(cfg, slog.New(slog.NewTextHandler(logf, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	n := &node{app: a, dnsAddr: a.DNSAddr()}
	n.primaryUp.Store(true)
	var secondaryUp atomic.Bool
	secondaryUp.Store(true)
	pPort := webServer(b, &n.primaryUp)
	sPort := webServer(b, &secondaryUp)

	c := r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + a.HTTPAddr()),
		Credentials: credentials.NewStaticCredentialsProvider(cfg.RootAccessKeyID, cfg.RootSecretAccessKey, "")})
	ctx := context.Background()
	check := func(ref string, port int) *string {
		out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String(ref), HealthCheckConfig: &types.HealthCheckConfig{
			Type: types.HealthCheckTypeHttp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(int32(port)), ResourcePath: aws.String("/health"),
			RequestInterval: aws.Int32(30), FailureThreshold: aws.Int32(1)}})
		if err != nil {
			b.Fatal(err)
		}
		return out.HealthCheck.Id
	}
	hcP, hcS := check("bench-primary", pPort), check("bench-secondary", sPort)
	n.hcPrimary = aws.ToString(hcP)
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("fo.bench"), CallerReference: aws.String("fo-bench")})
	if err != nil {
		b.Fatal(err)
	}
	rec := func(id string, role types.ResourceRecordSetFailover, ip string, hc *string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String(qname), Type: types.RRTypeA, SetIdentifier: aws.String(id), Failover: role, TTL: aws.Int64(1),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}, HealthCheckId: hc}}
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{rec("primary", types.ResourceRecordSetFailoverPrimary, primaryIP, hcP),
			rec("secondary", types.ResourceRecordSetFailoverSecondary, secondaryIP, hcS)}}}); err != nil {
		b.Fatal(err)
	}
	return n
}

// webServer serves 200 while up is true and 503 otherwise, on a free
// loopback port.
func webServer(b *testing.B, up *atomic.Bool) int {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write([]byte("ok\n"))
	})}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// poller queries qname over one connected UDP socket in a tight loop (the
// next query leaves as soon as the previous answer is read) and reports when
// the answer first equals an armed value.
type poller struct {
	mu      sync.Mutex
	want    string
	ch      chan time.Time
	done    chan struct{}
	stopped chan struct{}
	queries atomic.Int64
	start   time.Time
	end     atomic.Int64 // unix ns of the last answer
}

func startPoller(b *testing.B, addr string) *poller {
	b.Helper()
	conn, err := new(dns.Client).Dial(addr)
	if err != nil {
		b.Fatal(err)
	}
	p := &poller{done: make(chan struct{}), stopped: make(chan struct{}), start: time.Now()}
	go p.run(conn)
	b.Cleanup(func() {
		close(p.done)
		<-p.stopped
		conn.Close()
	})
	return p
}

func (p *poller) run(conn *dns.Conn) {
	defer close(p.stopped)
	m := new(dns.Msg).SetQuestion(qname, dns.TypeA)
	for id := uint16(1); ; id++ {
		select {
		case <-p.done:
			return
		default:
		}
		m.Id = id
		_ = conn.SetDeadline(time.Now().Add(time.Second))
		if err := conn.WriteMsg(m); err != nil {
			continue
		}
		r, err := conn.ReadMsg()
		for err == nil && r.Id != id { // a late answer to an earlier query
			r, err = conn.ReadMsg()
		}
		if err != nil {
			continue
		}
		at := time.Now()
		p.queries.Add(1)
		p.end.Store(at.UnixNano())
		got := ""
		for _, rr := range r.Answer {
			if a, ok := rr.(*dns.A); ok {
				got += a.A.String()
			}
		}
		p.mu.Lock()
		if p.ch != nil && got == p.want {
			p.ch <- at
			p.ch = nil
		}
		p.mu.Unlock()
	}
}

// arm returns a channel that receives the receipt time of the first answer
// equal to want.
func (p *poller) arm(want string) <-chan time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan time.Time, 1)
	p.want, p.ch = want, ch
	return ch
}

func (p *poller) await(ch <-chan time.Time, limit time.Duration) (time.Time, error) {
	select {
	case at := <-ch:
		return at, nil
	case <-time.After(limit):
		return time.Time{}, fmt.Errorf("answer %s not seen within %v", p.want, limit)
	}
}

func (p *poller) stats() (queries int64, elapsed time.Duration) {
	return p.queries.Load(), time.Unix(0, p.end.Load()).Sub(p.start)
}

// pct returns the q-th percentile (nearest rank) of d; q = 100 is the max.
func pct(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*q/100+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
