package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vedette-dns/vedette/bench/probe/internal/cpustat"
)

// blackboxCmd drives blackbox_exporter the way Prometheus does: one
// "GET /probe?module=…&target=…" per probe, here at a fixed rate (open loop:
// request i is due at start + i/rate, whatever became of the earlier ones),
// from -concurrency workers over kept-alive connections. After -warmup it
// measures for -duration the exporter's CPU time (/proc/<pid>/stat, all
// threads) and the probes answered, and prints one RESULT line. A probe is
// ok when the answer holds "probe_success 1".
func blackboxCmd(args []string) error {
	fs := flag.NewFlagSet("blackbox", flag.ExitOnError)
	exporter := fs.String("exporter", "", "the exporter's listen address, loopback IP:port")
	module := fs.String("module", "http_2xx", "blackbox module")
	target := fs.String("target", "", "probe target: http://IP:port/ for http modules, IP:port for tcp ones; loopback only")
	proto := fs.String("proto", "http", "label of the RESULT line: http or tcp")
	label := fs.String("label", "", "label copied into the RESULT line")
	rate := fs.Int("rate", 1000, "probes per second")
	warmup := fs.Duration("warmup", 2*time.Second, "time before the measuring window")
	duration := fs.Duration("duration", 10*time.Second, "measuring window")
	concurrency := fs.Int("concurrency", 64, "requests in flight at most")
	pid := fs.Int("pid", 0, "the exporter's pid")
	targetPID := fs.Int("target-pid", 0, "the target server's pid")
	hz := fs.Int64("hz", 100, "clock ticks per second of /proc (getconf CLK_TCK)")
	_ = fs.Parse(args)
	cpustat.ClockTicks = *hz
	if *pid <= 0 || *rate < 1 || *concurrency < 1 || *duration <= 0 || *duration > time.Hour || *warmup < 0 {
		return errors.New("need -pid, -rate >= 1, -concurrency >= 1, 0 < -duration <= 1h, -warmup >= 0")
	}
	if _, err := cpustat.Loopback(*exporter); err != nil {
		return err
	}
	if err := loopbackTarget(*target); err != nil {
		return err
	}
	probeURL := "http://" + *exporter + "/probe?" + url.Values{"module": {*module}, "target": {*target}}.Encode()

	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        *concurrency,
			MaxIdleConnsPerHost: *concurrency,
			IdleConnTimeout:     time.Minute,
			// Identity: spares the exporter the gzip that Prometheus asks for.
			DisableCompression: true,
		},
	}
	defer client.CloseIdleConnections()

	var answered, ok, errs atomic.Uint64
	var lastErr atomic.Value
	jobs := make(chan struct{}, *concurrency)
	var wg sync.WaitGroup
	for range *concurrency {
		wg.Go(func() {
			buf := make([]byte, 0, 32<<10)
			for range jobs {
				good, err := probeOnce(client, probeURL, &buf)
				if err != nil {
					errs.Add(1)
					lastErr.Store(err.Error())
					continue
				}
				answered.Add(1)
				if good {
					ok.Add(1)
				}
			}
		})
	}

	// The measuring window, timed apart from the pacing loop.
	type mark struct {
		snap      cpustat.Snapshot
		probes, n uint64
		err       error
	}
	marks := make(chan mark, 2)
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for _, at := range []time.Duration{*warmup, *warmup + *duration} {
			select {
			case <-time.After(time.Until(start.Add(at))):
			case <-ctx.Done():
				return
			}
			s, err := cpustat.Take(*pid, *targetPID, -1)
			marks <- mark{snap: s, probes: answered.Load(), n: ok.Load(), err: err}
		}
	}()

	period := time.Second / time.Duration(*rate)
	end := start.Add(*warmup + *duration)
	late := 0 // requests that found every worker busy
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * period)
		if !due.Before(end) {
			break
		}
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		select {
		case jobs <- struct{}{}:
		default: // every worker busy: wait for one (the client's timeout bounds it)
			late++
			jobs <- struct{}{}
		}
	}
	m0, m1 := <-marks, <-marks
	close(jobs)
	wg.Wait()
	if err := errors.Join(m0.err, m1.err); err != nil {
		return err
	}
	w := cpustat.Since(m0.snap, m1.snap)
	probes := m1.probes - m0.probes
	if probes == 0 {
		e, _ := lastErr.Load().(string)
		return fmt.Errorf("no probe answered in the measuring window (last error: %s)", e)
	}
	failures := "none"
	if e, _ := lastErr.Load().(string); e != "" {
		failures = fmt.Sprintf("%d request errors, last: %s", errs.Load(), e)
	}
	fmt.Printf("RESULT tool=blackbox proto=%s label=%q module=%s concurrency=%d probes=%d ok=%d rate=%.1f cpu_us_per_probe=%.1f %s late_dispatch=%d failures=%q\n",
		*proto, *label, *module, *concurrency, probes, m1.n-m0.n, float64(probes)/w.Wall.Seconds(),
		float64(w.Prober.Total().Microseconds())/float64(probes), w.Fields(), late, failures)
	return nil
}

var probeSuccess = []byte("\nprobe_success 1\n")

// probeOnce asks the exporter for one probe and reports whether it succeeded.
func probeOnce(c *http.Client, u string, buf *[]byte) (bool, error) {
	resp, err := c.Get(u)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b := bytes.NewBuffer((*buf)[:0])
	_, err = io.Copy(b, io.LimitReader(resp.Body, 1<<20))
	*buf = b.Bytes()
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("exporter answered %s", resp.Status)
	}
	return bytes.Contains(*buf, probeSuccess), nil
}

// loopbackTarget accepts http://IP:port/… URLs and IP:port with a loopback IP.
func loopbackTarget(t string) error {
	if strings.Contains(t, "://") {
		return loopbackURL(t)
	}
	_, err := cpustat.Loopback(t)
	return err
}

// loopbackURL accepts http URLs whose host is a loopback IP literal.
func loopbackURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" {
		return fmt.Errorf("%q: only http URLs", s)
	}
	if _, err := cpustat.Loopback(u.Host); err != nil {
		return err
	}
	if h, _, _ := net.SplitHostPort(u.Host); h == "" {
		return fmt.Errorf("%q has no host", s)
	}
	return nil
}
