// Command trials runs the end-to-end failover trials of the failover
// benchmark (bench/failover/run.sh starts everything it talks to).
//
// It owns the primary endpoint process. Each trial: wait until every DNS
// server under test answers the primary address (and Vedette's primary check
// reports Success), wait a random delay so the kill falls at a random phase
// of the health checkers' schedules, SIGKILL the primary endpoint, and poll
// every server until it answers the secondary address; the time from just
// before the kill to the receipt of the first such answer is the trial's
// failover time. Then the endpoint is started again and the time until each
// server answers the primary again is recorded too (recovery).
//
// The servers are polled concurrently after the same kill, so Vedette and
// gdnsd see exactly the same outage. The poller is either a Go miekg/dns
// client on one UDP socket (-poller go, one query every -poll) or dig
// (-poller dig, `dig +short` started every -poll, or as soon as the previous
// one exits when that takes longer).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/miekg/dns"
)

type options struct {
	trials      int
	endpointBin string
	primary     string // ip:port of the primary endpoint
	secondaryIP string
	name        string
	vedetteDNS  string
	vedetteAPI  string
	hcPrimary   string
	gdnsdDNS    string
	poller      string
	poll        time.Duration
	jitter      time.Duration
	limit       time.Duration
	bound       time.Duration
	gdnsdBound  time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.trials, "trials", 20, "number of trials")
	flag.StringVar(&o.endpointBin, "endpoint-bin", "", "the endpoint binary (bench/failover/endpoint)")
	flag.StringVar(&o.primary, "primary", "127.0.0.1:8080", "the primary endpoint's ip:port; its ip is the primary answer")
	flag.StringVar(&o.secondaryIP, "secondary-ip", "127.0.0.2", "the secondary answer")
	flag.StringVar(&o.name, "name", "app.fo.bench.", "the name queried (A)")
	flag.StringVar(&o.vedetteDNS, "vedette-dns", "", "Vedette's DNS address")
	flag.StringVar(&o.vedetteAPI, "vedette-api", "", "Vedette's API URL (credentials from VEDETTE_ROOT_*)")
	flag.StringVar(&o.hcPrimary, "hc-primary", "", "id of Vedette's health check of the primary")
	flag.StringVar(&o.gdnsdDNS, "gdnsd-dns", "", "gdnsd's DNS address (empty: Vedette only)")
	flag.StringVar(&o.poller, "poller", "go", "go (miekg/dns client) or dig")
	flag.DurationVar(&o.poll, "poll", 10*time.Millisecond, "poll period")
	flag.DurationVar(&o.jitter, "jitter", 2*time.Second, "random delay before each kill is uniform in [0, jitter)")
	flag.DurationVar(&o.limit, "limit", 15*time.Second, "give up on one failover or recovery after this long")
	flag.DurationVar(&o.bound, "bound", 1300*time.Millisecond, "Vedette's goal for the median: interval × threshold + 0.3 s")
	flag.DurationVar(&o.gdnsdBound, "gdnsd-bound", 0, "gdnsd's comparable figure: interval × down_thresh + 0.3 s (0: not shown)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trials:", err)
		os.Exit(1)
	}
}

// target is one DNS server under test.
type target struct {
	name     string
	addr     string
	poll     func(ctx context.Context) (string, time.Time, error)
	failover []time.Duration
	recovery []time.Duration
	missed   int // trials where the failover was not seen within the limit
}

func run(ctx context.Context, o options) error {
	if o.endpointBin == "" || o.vedetteDNS == "" || o.vedetteAPI == "" || o.hcPrimary == "" {
		return errors.New("-endpoint-bin, -vedette-dns, -vedette-api and -hc-primary are required")
	}
	primaryIP, _, err := net.SplitHostPort(o.primary)
	if err != nil {
		return err
	}
	targets := []*target{{name: "vedette", addr: o.vedetteDNS}}
	if o.gdnsdDNS != "" {
		targets = append(targets, &target{name: "gdnsd", addr: o.gdnsdDNS})
	}
	for _, t := range targets {
		switch o.poller {
		case "go":
			p, err := newGoPoller(t.addr, o.name)
			if err != nil {
				return err
			}
			defer p.close()
			t.poll = p.query
		case "dig":
			t.poll = digPoller(t.addr, o.name)
		default:
			return fmt.Errorf("unknown poller %q", o.poller)
		}
	}
	c := r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: aws.String(o.vedetteAPI),
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("VEDETTE_ROOT_ACCESS_KEY_ID"), os.Getenv("VEDETTE_ROOT_SECRET_ACCESS_KEY"), "")})
	ep := &endpoint{bin: o.endpointBin, addr: o.primary}
	defer ep.kill()
	if err := ep.start(ctx); err != nil {
		return err
	}
	fmt.Printf("%d trials, poller %s every %v, random delay before each kill in [0, %v)\n", o.trials, o.poller, o.poll, o.jitter)
	for i := 1; i <= o.trials; i++ {
		if err := ready(ctx, c, o, targets, primaryIP); err != nil {
			return fmt.Errorf("trial %d: %w", i, err)
		}
		if err := sleep(ctx, rand.N(o.jitter+1)); err != nil {
			return err
		}
		t0 := time.Now()
		if err := ep.kill(); err != nil {
			return err
		}
		fo := measure(ctx, targets, o.secondaryIP, t0, o)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := ep.start(ctx); err != nil {
			return err
		}
		t1 := time.Now()
		rec := measure(ctx, targets, primaryIP, t1, o)
		line := fmt.Sprintf("trial %2d:", i)
		for j, t := range targets {
			if fo[j] < 0 {
				t.missed++
				line += fmt.Sprintf("  %s failover not seen within %v", t.name, o.limit)
			} else {
				t.failover = append(t.failover, fo[j])
				line += fmt.Sprintf("  %s failover %6.3f s", t.name, fo[j].Seconds())
			}
			if rec[j] >= 0 {
				t.recovery = append(t.recovery, rec[j])
				line += fmt.Sprintf(" (recovery %5.3f s)", rec[j].Seconds())
			}
		}
		fmt.Println(line)
	}
	report(o, targets)
	return nil
}

// ready waits until every target answers the primary and Vedette's check of
// the primary reports Success.
func ready(ctx context.Context, c *r53.Client, o options, targets []*target, primaryIP string) error {
	deadline := time.Now().Add(2 * o.limit)
	for {
		ok := true
		for _, t := range targets {
			if a, _, err := t.poll(ctx); err != nil || a != primaryIP {
				ok = false
			}
		}
		if ok {
			st, err := c.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: aws.String(o.hcPrimary)})
			ok = err == nil && len(st.HealthCheckObservations) > 0 &&
				strings.HasPrefix(aws.ToString(st.HealthCheckObservations[0].StatusReport.Status), "Success")
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the servers do not all answer the primary %s (or its check is not Success) after %v", primaryIP, 2*o.limit)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

// measure polls every target concurrently until it answers want; the result
// is the time from t0 to the receipt of that answer, or -1 past the limit.
func measure(ctx context.Context, targets []*target, want string, t0 time.Time, o options) []time.Duration {
	out := make([]time.Duration, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = -1
			tick := time.NewTicker(o.poll)
			defer tick.Stop()
			for time.Since(t0) < o.limit {
				if a, at, err := t.poll(ctx); err == nil && a == want {
					out[i] = at.Sub(t0)
					return
				}
				select {
				case <-tick.C:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	wg.Wait()
	return out
}

func report(o options, targets []*target) {
	fmt.Printf("\n%-8s %6s %6s %8s %8s %8s %8s %8s   %s\n", "server", "trials", "missed", "min s", "median s", "p90 s", "max s", "mean s", "recovery median s")
	for _, t := range targets {
		fmt.Printf("%-8s %6d %6d %8.3f %8.3f %8.3f %8.3f %8.3f   %.3f\n", t.name, len(t.failover)+t.missed, t.missed,
			pct(t.failover, 0).Seconds(), median(t.failover).Seconds(), pct(t.failover, 90).Seconds(), pct(t.failover, 100).Seconds(),
			mean(t.failover).Seconds(), median(t.recovery).Seconds())
	}
	v := targets[0]
	m := median(v.failover)
	verdict := "yes"
	if m > o.bound || v.missed > 0 {
		verdict = "NO"
	}
	fmt.Printf("\nvedette median %.3f s; goal interval × threshold + 0.3 s = %.3f s; within: %s\n", m.Seconds(), o.bound.Seconds(), verdict)
	if len(targets) > 1 && o.gdnsdBound > 0 {
		fmt.Printf("gdnsd median %.3f s; the same formula with its settings, interval × down_thresh + 0.3 s = %.3f s\n", median(targets[1].failover).Seconds(), o.gdnsdBound.Seconds())
	}
}

// endpoint is the primary endpoint process.
type endpoint struct {
	bin  string
	addr string
	mu   sync.Mutex
	cmd  *exec.Cmd
}

func (e *endpoint) start(ctx context.Context) error {
	e.mu.Lock()
	cmd := exec.Command(e.bin, "-listen", e.addr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		e.mu.Unlock()
		return fmt.Errorf("start endpoint: %w", err)
	}
	e.cmd = cmd
	e.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", e.addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("endpoint on %s not listening after 5 s", e.addr)
		}
		if err := sleep(ctx, 2*time.Millisecond); err != nil {
			return err
		}
	}
}

// kill sends SIGKILL and reaps the process.
func (e *endpoint) kill() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cmd == nil {
		return nil
	}
	err := e.cmd.Process.Signal(syscall.SIGKILL)
	_ = e.cmd.Wait()
	e.cmd = nil
	return err
}

// goPoller queries over one connected UDP socket.
type goPoller struct {
	conn *dns.Conn
	name string
	id   uint16
	mu   sync.Mutex
}

func newGoPoller(addr, name string) (*goPoller, error) {
	conn, err := new(dns.Client).Dial(addr)
	if err != nil {
		return nil, err
	}
	return &goPoller{conn: conn, name: name}, nil
}

func (p *goPoller) close() { p.conn.Close() }

func (p *goPoller) query(context.Context) (string, time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.id++
	m := new(dns.Msg).SetQuestion(p.name, dns.TypeA)
	m.Id = p.id
	_ = p.conn.SetDeadline(time.Now().Add(250 * time.Millisecond))
	if err := p.conn.WriteMsg(m); err != nil {
		return "", time.Time{}, err
	}
	for {
		r, err := p.conn.ReadMsg()
		if err != nil {
			return "", time.Time{}, err
		}
		if r.Id != m.Id {
			continue // a late answer to an earlier query
		}
		at := time.Now()
		var ips []string
		for _, rr := range r.Answer {
			if a, ok := rr.(*dns.A); ok {
				ips = append(ips, a.A.String())
			}
		}
		return strings.Join(ips, ","), at, nil
	}
}

// digPoller runs `dig +short` once per query.
func digPoller(addr, name string) func(context.Context) (string, time.Time, error) {
	host, port, _ := net.SplitHostPort(addr)
	return func(ctx context.Context) (string, time.Time, error) {
		out, err := exec.CommandContext(ctx, "dig", "+short", "+tries=1", "+time=1", "-p", port, "@"+host, name, "A").Output()
		at := time.Now()
		if err != nil {
			return "", at, err
		}
		return strings.Join(strings.Fields(string(out)), ","), at, nil
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pct is the q-th percentile by nearest rank (0: min, 100: max).
func pct(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*q/100+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// median is the middle value, the mean of the two middle ones for an even count.
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mean(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return sum / time.Duration(len(d))
}
