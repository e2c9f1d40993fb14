package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/bench/probe/internal/cpustat"
)

// reportCmd reads the RESULT lines of a run from -in and prints the table:
// per prober and protocol the medians over the rounds, and the ratios
// vedette/blackbox of the CPU per probe.
func reportCmd(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	in := fs.String("in", "", "file with RESULT lines")
	goal := fs.Float64("goal", 1.0/3, "the goal for the ratio vedette/blackbox")
	_ = fs.Parse(args)
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	type key struct{ tool, proto string }
	runs := map[key][]map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "RESULT ")
		if !ok {
			continue
		}
		r, err := parseFields(line)
		if err != nil {
			return fmt.Errorf("%q: %w", line, err)
		}
		k := key{r["tool"], r["proto"]}
		runs[k] = append(runs[k], r)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(runs) == 0 {
		return errors.New("no RESULT lines")
	}

	names := map[string]string{"vedette": "Vedette checker", "blackbox": "blackbox_exporter"}
	fmt.Printf("%-18s %-5s %6s %9s %8s %24s %13s %16s %10s\n",
		"prober", "probe", "rounds", "probes/s", "ok", "CPU µs/probe (min–max)", "user+sys µs", "target µs/probe", "other CPU")
	med := map[key]float64{}
	for _, proto := range []string{"http", "tcp"} {
		for _, tool := range []string{"vedette", "blackbox"} {
			rs := runs[key{tool, proto}]
			if len(rs) == 0 {
				continue
			}
			cpu := column(rs, "cpu_us_per_probe")
			var probes, ok float64
			var targ, user, sys []float64
			for _, r := range rs {
				p, o := num(r, "probes"), num(r, "ok")
				probes += p
				ok += o
				targ = append(targ, 1e6*num(r, "target_cpu_s")/max(p, 1))
				user = append(user, 1e6*num(r, "prober_user_s")/max(p, 1))
				sys = append(sys, 1e6*num(r, "prober_sys_s")/max(p, 1))
			}
			med[key{tool, proto}] = median(cpu)
			fmt.Printf("%-18s %-5s %6d %9.0f %7.2f%% %8.0f (%5.0f–%5.0f) %6.0f+%-6.0f %16.0f %9.0f%%\n",
				names[tool], strings.ToUpper(proto), len(rs), median(column(rs, "rate")), 100*ok/max(probes, 1),
				med[key{tool, proto}], slices.Min(cpu), slices.Max(cpu), median(user), median(sys), median(targ), median(column(rs, "other_pct")))
		}
	}
	fmt.Println()
	for _, proto := range []string{"http", "tcp"} {
		v, b := med[key{"vedette", proto}], med[key{"blackbox", proto}]
		if v == 0 || b == 0 {
			continue
		}
		// Paired ratios: vedette and blackbox of the same round.
		var paired []float64
		vr, br := runs[key{"vedette", proto}], runs[key{"blackbox", proto}]
		for i := range min(len(vr), len(br)) {
			if bb := num(br[i], "cpu_us_per_probe"); bb > 0 {
				paired = append(paired, num(vr[i], "cpu_us_per_probe")/bb)
			}
		}
		verdict := "met"
		if v/b > *goal {
			verdict = "MISSED"
		}
		fmt.Printf("ratio vedette/blackbox, CPU per probe, %-4s: %.3f (1/%.1f; per round %.3f–%.3f); goal <= %.3f: %s\n",
			strings.ToUpper(proto), v/b, b/v, slices.Min(paired), slices.Max(paired), *goal, verdict)
	}
	return nil
}

// parseFields splits `k=v k2="quoted v" …` into a map.
func parseFields(s string) (map[string]string, error) {
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("no '=' in %q", s)
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, err
			}
			v, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			v, rest, _ = strings.Cut(rest, " ")
		}
		out[k] = v
		s = rest
	}
	return out, nil
}

func num(r map[string]string, k string) float64 {
	f, _ := strconv.ParseFloat(r[k], 64)
	return f
}

func column(rs []map[string]string, k string) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = num(r, k)
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// loadCmd prints how busy the machine's processes kept its CPUs over
// -window, in percent of one CPU, and the load average. With -below it
// repeats until the machine is below that, for at most -max-wait.
func loadCmd(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	window := fs.Duration("window", time.Second, "sampling window")
	below := fs.Float64("below", 0, "wait until the machine is busy less than this percent of one CPU (0: do not wait)")
	maxWait := fs.Duration("max-wait", time.Minute, "wait at most this long")
	hz := fs.Int64("hz", 100, "clock ticks per second of /proc (getconf CLK_TCK)")
	_ = fs.Parse(args)
	cpustat.ClockTicks = *hz
	start := time.Now()
	for {
		m0, err := cpustat.ReadMachine()
		if err != nil {
			return err
		}
		time.Sleep(*window)
		m1, err := cpustat.ReadMachine()
		if err != nil {
			return err
		}
		busy := 100 * m1.Sub(m0).Task.Seconds() / window.Seconds()
		if *below <= 0 || busy < *below || time.Since(start) >= *maxWait {
			la, _ := os.ReadFile("/proc/loadavg")
			fs := strings.Fields(string(la))
			fmt.Printf("busy=%.0f%% loadavg=%s waited=%.0fs\n", busy, strings.Join(fs[:min(3, len(fs))], ","), time.Since(start).Seconds())
			return nil
		}
	}
}
