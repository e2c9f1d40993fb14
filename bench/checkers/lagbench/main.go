// Command lagbench measures the observation lag of remote checkers: one
// `vedette serve --checker=false`, N TCP health checks with RequestInterval
// 30 s created through the Route 53 API, and three `vedette checker`
// processes (regions a, b, c; source addresses 127.0.0.11–13) whose --server
// is a reverse proxy inside lagbench. The proxy forwards every request
// unchanged (the SigV4 signature stays valid, the Host header is kept) and,
// for each POST of a batch of observations that the server answers with a
// 2xx, records for every observation in it: the time the server's answer
// arrived minus the observation's Time (when its probe finished). That is
// the lag from probe end to the server having applied the observation.
//
// The TCP targets reset each connection (SO_LINGER 0) once its client has
// closed it, so a thousand fresh connections per second leave no TIME_WAIT
// behind; they listen on a few 127.0.0.x addresses. The Route 53 API allows
// 200 health checks per server: lagbench creates the first 200 through it,
// then stops the server, copies an API-made check into its store with new
// ids and targets, and restarts it. Everything is on loopback; every
// process started is stopped on exit, also on SIGINT/SIGTERM, and the whole
// run is bounded by -warmup + -duration plus setup.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/vedette-dns/vedette/internal/app"
	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/store/bolt"
)

const (
	apiLimit   = 200 // the Route 53 API's limit of health checks per server
	rootID     = "AKIALAGBENCHROOT0001"
	rootSecret = "lagbench-root-secret-not-for-production"
	obsPath    = "/vedette/checker/v1/observations"
)

var (
	binary   = flag.String("vedette", "vedette", "the vedette binary")
	checks   = flag.Int("checks", 10000, "health checks to create")
	interval = flag.Int("interval", 30, "RequestInterval of the checks, seconds (10 or 30)")
	warmup   = flag.Duration("warmup", 40*time.Second, "unmeasured time after the checkers start")
	duration = flag.Duration("duration", 90*time.Second, "measured window")
	addrs    = flag.Int("addrs", 4, "target addresses 127.0.0.21… (one port each)")
	conc     = flag.Int("create-concurrency", 8, "CreateHealthCheck calls in flight")
	workDir  = flag.String("dir", "", "work directory (data dir and logs); required")
)

// observation is the part of model.Observation lagbench needs.
type batch struct {
	Region       string `json:"region"`
	Observations []struct {
		Time    time.Time `json:"time"`
		Success bool      `json:"success"`
	} `json:"observations"`
}

// recorder keeps the lags of the measured window.
type recorder struct {
	mu       sync.Mutex
	on       bool
	lags     []time.Duration
	perReg   map[string]int
	batches  int
	non2xx   int
	total    atomic.Int64 // observations forwarded with a 2xx, whole run
	negative int
	failed   int // observations with Success false
}

func (r *recorder) add(region string, ts []time.Time, fails int, now time.Time) {
	r.total.Add(int64(len(ts)))
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on {
		return
	}
	r.batches++
	r.failed += fails
	r.perReg[region] += len(ts)
	for _, t := range ts {
		d := now.Sub(t)
		if d < 0 {
			r.negative++
			d = 0
		}
		r.lags = append(r.lags, d)
	}
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// cpu returns utime+stime of a process.
func cpu(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("bad stat")
	}
	f := strings.Fields(s[i+2:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, errors.New("short stat")
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / 100, nil // USER_HZ is 100 on Linux
}

// rss returns VmRSS and VmHWM in KiB.
func rss(pid int) (cur, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = v
		case "VmHWM:":
			peak = v
		}
	}
	return cur, peak
}

func machineBusy() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	for i, x := range f[1:] {
		v, _ := strconv.ParseInt(x, 10, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// target accepts connections on ln until it is closed; it waits for the
// client to close its side (at most 5 s), then resets the connection
// (SO_LINGER 0), so that no side keeps it in TIME_WAIT. Resetting at once
// after accept would race the client's connect completion: the client could
// see ECONNRESET and count a failed probe.
func target(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go func() {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			var b [64]byte
			for {
				if _, err := c.Read(b[:]); err != nil {
					break
				}
			}
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			c.Close()
		}()
	}
}

func waitHTTP(ctx context.Context, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not up after %s", url, limit)
}

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	flag.Parse()
	if *workDir == "" {
		log.Fatal("-dir is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var procs []*exec.Cmd
	cleanup := func() {
		for _, p := range procs {
			if p.Process != nil {
				p.Process.Signal(syscall.SIGTERM)
			}
		}
		for _, p := range procs {
			done := make(chan struct{})
			go func() { p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				p.Process.Kill()
				<-done
			}
		}
	}
	err := run(ctx, &procs)
	cleanup()
	if err != nil {
		log.Fatal(err)
	}
}

func start(procs *[]*exec.Cmd, logName string, env []string, args ...string) (*exec.Cmd, error) {
	f, err := os.Create(filepath.Join(*workDir, logName))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(*binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	*procs = append(*procs, cmd)
	return cmd, nil
}

func run(ctx context.Context, procs *[]*exec.Cmd) error {
	// Targets.
	var targets []netip
	for i := range *addrs {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 21+i))
		if err != nil {
			return err
		}
		defer ln.Close()
		go target(ln)
		a := ln.Addr().(*net.TCPAddr)
		targets = append(targets, netip{a.IP.String(), a.Port})
	}

	// Server, first pass: the API creates the first min(checks, 200) checks
	// (200 is the API's limit per server, like Route 53's default quota).
	httpPort, dnsPort := freePort(), freePort()
	apiURL := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	dataDir := filepath.Join(*workDir, "data")
	startServer := func(logName string) (*exec.Cmd, error) {
		s, err := start(procs, logName, []string{"VEDETTE_ROOT_ACCESS_KEY_ID=" + rootID, "VEDETTE_ROOT_SECRET_ACCESS_KEY=" + rootSecret},
			"serve", "--checker=false", "--data-dir", dataDir,
			"--dns-listen", fmt.Sprintf("127.0.0.1:%d", dnsPort), "--http-listen", fmt.Sprintf("127.0.0.1:%d", httpPort))
		if err != nil {
			return nil, err
		}
		return s, waitHTTP(ctx, apiURL+"/", 30*time.Second)
	}
	server, err := startServer("server-setup.log")
	if err != nil {
		return err
	}
	c := r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: aws.String(apiURL), RetryMaxAttempts: 5,
		Credentials: credentials.NewStaticCredentialsProvider(rootID, rootSecret, "")})
	viaAPI := min(*checks, apiLimit)
	t0 := time.Now()
	var next atomic.Int64
	var firstErr error
	var emu sync.Mutex
	var wg sync.WaitGroup
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= viaAPI || ctx.Err() != nil {
					return
				}
				t := targets[i%len(targets)]
				_, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{
					CallerReference: aws.String(fmt.Sprintf("lag-%d", i)),
					HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp,
						IPAddress: aws.String(t.ip), Port: aws.Int32(int32(t.port)),
						RequestInterval: aws.Int32(int32(*interval)), FailureThreshold: aws.Int32(3)},
				})
				if err != nil {
					emu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("check %d: %w", i, err)
					}
					emu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	apiTook := time.Since(t0)
	log.Printf("created %d TCP checks through the API in %s", viaAPI, apiTook.Round(time.Millisecond))

	// The rest: stop the server, copy the API-made check (its normalized
	// config) into the store with new ids, references and targets, restart.
	t1 := time.Now()
	if *checks > viaAPI {
		server.Process.Signal(syscall.SIGTERM)
		if err := waitExit(server, 20*time.Second); err != nil {
			return err
		}
		n, err := seed(ctx, filepath.Join(dataDir, app.StoreFile), viaAPI, *checks, targets)
		if err != nil {
			return err
		}
		log.Printf("seeded %d more checks into the store in %s", n, time.Since(t1).Round(time.Millisecond))
		if server, err = startServer("server.log"); err != nil {
			return err
		}
	}
	seedTook := time.Since(t1)

	// Proxy.
	up, _ := url.Parse(apiURL)
	rec := &recorder{perReg: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(up) // Director keeps the incoming Host: SigV4 stays valid
	proxyLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	psrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != obsPath {
			rp.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w}
		rp.ServeHTTP(sw, r)
		now := time.Now()
		var b batch
		if err := json.Unmarshal(body, &b); err != nil {
			log.Printf("proxy: undecodable batch: %v", err)
			return
		}
		if sw.code/100 != 2 {
			rec.mu.Lock()
			rec.non2xx++
			rec.mu.Unlock()
			return
		}
		ts := make([]time.Time, len(b.Observations))
		fails := 0
		for i, o := range b.Observations {
			ts[i] = o.Time
			if !o.Success {
				fails++
			}
		}
		rec.add(b.Region, ts, fails, now)
	})}
	go psrv.Serve(proxyLn)
	defer psrv.Close()
	proxyURL := "http://" + proxyLn.Addr().String()

	// Checkers.
	regions := []string{"a", "b", "c"}
	var checkers []*exec.Cmd
	for i, reg := range regions {
		cmd, err := start(procs, "checker-"+reg+".log",
			[]string{"AWS_ACCESS_KEY_ID=" + rootID, "AWS_SECRET_ACCESS_KEY=" + rootSecret, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull},
			"checker", "--region", reg, "--server", proxyURL, "--source-ip", fmt.Sprintf("127.0.0.%d", 11+i))
		if err != nil {
			return err
		}
		checkers = append(checkers, cmd)
	}
	log.Printf("three checkers started; warm-up %s, then %s measured", *warmup, *duration)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(*warmup):
	}
	for _, p := range append([]*exec.Cmd{server}, checkers...) {
		if p.ProcessState != nil {
			return fmt.Errorf("%s exited during warm-up", p.Args[1])
		}
	}

	pids := []int{server.Process.Pid}
	for _, c := range checkers {
		pids = append(pids, c.Process.Pid)
	}
	cpu0 := make([]time.Duration, len(pids))
	for i, p := range pids {
		cpu0[i], _ = cpu(p)
	}
	self0, _ := cpu(os.Getpid())
	busy0, total0 := machineBusy()
	rec.mu.Lock()
	rec.on = true
	rec.mu.Unlock()
	w0 := time.Now()
	var maxRSS = make([]int64, len(pids))
	tick := time.NewTicker(time.Second)
	sampling := true
	for sampling {
		select {
		case <-ctx.Done():
			tick.Stop()
			return ctx.Err()
		case <-tick.C:
			for i, p := range pids {
				if r, _ := rss(p); r > maxRSS[i] {
					maxRSS[i] = r
				}
			}
			if time.Since(w0) >= *duration {
				sampling = false
			}
		}
	}
	tick.Stop()
	rec.mu.Lock()
	rec.on = false
	win := time.Since(w0)
	lags := slices.Clone(rec.lags)
	perReg := rec.perReg
	batches, non2xx, neg, failed := rec.batches, rec.non2xx, rec.negative, rec.failed
	rec.mu.Unlock()
	busy1, total1 := machineBusy()
	self1, _ := cpu(os.Getpid())
	cpu1 := make([]time.Duration, len(pids))
	for i, p := range pids {
		cpu1[i], _ = cpu(p)
	}
	slices.Sort(lags)

	// Checks that are healthy at the end, by a sample, to show the probes succeed.
	names := []string{"server", "checker a", "checker b", "checker c"}
	fmt.Printf("checks            %d TCP, RequestInterval %d s, FailureThreshold 3, targets %d (127.0.0.21–%d, reset after client close)\n",
		*checks, *interval, len(targets), 20+len(targets))
	fmt.Printf("expected          %.0f observations/s per checker\n", float64(*checks)/float64(*interval))
	fmt.Printf("create            %d via API in %s (%d concurrent CreateHealthCheck), %d seeded into the store + restart in %s\n",
		viaAPI, apiTook.Round(time.Millisecond), *conc, *checks-viaAPI, seedTook.Round(time.Millisecond))
	fmt.Printf("window            %s after %s warm-up\n", win.Round(time.Millisecond), *warmup)
	fmt.Printf("batches           %d accepted, %d non-2xx\n", batches, non2xx)
	for _, r := range regions {
		fmt.Printf("obs/s region %s    %.1f\n", r, float64(perReg[r])/win.Seconds())
	}
	fmt.Printf("observations      %d in window, %d of them failures\n", len(lags), failed)
	fmt.Printf("lag p50           %s\n", pct(lags, 0.50).Round(time.Microsecond))
	fmt.Printf("lag p90           %s\n", pct(lags, 0.90).Round(time.Microsecond))
	fmt.Printf("lag p99           %s\n", pct(lags, 0.99).Round(time.Microsecond))
	fmt.Printf("lag p99.9         %s\n", pct(lags, 0.999).Round(time.Microsecond))
	if len(lags) > 0 {
		fmt.Printf("lag max           %s\n", lags[len(lags)-1].Round(time.Microsecond))
	}
	if neg > 0 {
		fmt.Printf("negative lags     %d (counted as 0)\n", neg)
	}
	for i, n := range names {
		d := cpu1[i] - cpu0[i]
		cur, peak := rss(pids[i])
		fmt.Printf("%-17s CPU %5.1f %% of one core, RSS %d MiB (max sampled %d MiB, peak %d MiB)\n",
			n, 100*d.Seconds()/win.Seconds(), cur>>10, maxRSS[i]>>10, peak>>10)
	}
	fmt.Printf("%-17s CPU %5.1f %% of one core (proxy + targets)\n", "lagbench", 100*(self1-self0).Seconds()/win.Seconds())
	if total1 > total0 {
		fmt.Printf("machine           %.1f %% busy (all CPUs)\n", 100*float64(busy1-busy0)/float64(total1-total0))
	}
	verdict := "MET"
	if len(lags) == 0 || pct(lags, 0.99) >= time.Second {
		verdict = "NOT MET"
	}
	fmt.Printf("goal              lag p99 < 1 s: %s\n", verdict)

	// A sample of statuses: the probes must succeed for the run to count.
	hcs, err := c.ListHealthChecks(ctx, &r53.ListHealthChecksInput{MaxItems: aws.Int32(5)})
	if err == nil {
		ok, all, other := 0, 0, ""
		for _, h := range hcs.HealthChecks {
			st, err := c.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: h.Id})
			if err != nil {
				continue
			}
			for _, o := range st.HealthCheckObservations {
				all++
				if o.StatusReport != nil && o.StatusReport.Status != nil && strings.HasPrefix(*o.StatusReport.Status, "Success") {
					ok++
				} else if o.StatusReport != nil && o.StatusReport.Status != nil && other == "" {
					other = string(o.Region) + ": " + *o.StatusReport.Status
				}
			}
		}
		fmt.Printf("status sample     %d of %d observations of %d checks are Success\n", ok, all, len(hcs.HealthChecks))
		if other != "" {
			fmt.Printf("                  first other: %s\n", other)
		}
	}
	return nil
}

type netip struct {
	ip   string
	port int
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(c int) {
	if s.code == 0 {
		s.code = c
	}
	s.ResponseWriter.WriteHeader(c)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// waitExit waits for a started process to exit.
func waitExit(cmd *exec.Cmd, limit time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return nil
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("%s did not stop within %s", cmd.Args[1], limit)
	}
}

// seed adds checks from..to-1 to the store at path, each a copy of the
// first check there with a new id, caller reference and target.
func seed(ctx context.Context, path string, from, to int, targets []netip) (int, error) {
	st, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	cat := catalog.New(st)
	all, err := cat.HealthChecks(ctx)
	if err != nil {
		return 0, err
	}
	if len(all) == 0 {
		return 0, errors.New("no check to copy")
	}
	tmpl := all[0]
	n := 0
	for i := from; i < to; i++ {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		hc := tmpl
		hc.ID = newUUID()
		hc.CallerReference = fmt.Sprintf("lag-%d", i)
		t := targets[i%len(targets)]
		hc.Config.IPAddress, hc.Config.Port = t.ip, t.port
		hc.CreatedAt = time.Now().UTC()
		if _, created, err := cat.CreateHealthCheck(ctx, hc); err != nil {
			return n, err
		} else if created {
			n++
		}
	}
	return n, nil
}

func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
