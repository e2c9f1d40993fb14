// Command dnsbench is the helper of bench/dns/run.sh: it generates the
// benchmark zone (a zone file for Knot and NSD, Route 53 change batches for
// Vedette, a dnsperf query file), runs dnsperf while measuring the CPU time of
// the server's process tree, and prints the comparison table.
//
//	dnsbench gen -dir DIR [-origin bench.example.] [-hosts 1000] [-queries 100000]
//	dnsbench freeport [-n 1]
//	dnsbench cpu -pid PID
//	dnsbench quiet [-max 15] [-timeout 1m]
//	dnsbench run -pid PID -server NAME -mode MODE -round N -results FILE -log FILE -- dnsperf ARGS…
//	dnsbench report -results FILE
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dnsbench gen|freeport|cpu|quiet|run|report [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "gen":
		err = cmdGen(args)
	case "freeport":
		err = cmdFreePort(args)
	case "cpu":
		err = cmdCPU(args)
	case "quiet":
		err = cmdQuiet(args)
	case "run":
		err = cmdRun(args)
	case "report":
		err = cmdReport(args, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "dnsbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func cmdGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	dir := fs.String("dir", "", "output directory")
	origin := fs.String("origin", "bench.example.", "zone name")
	hosts := fs.Int("hosts", 1000, "number of host-N A records")
	aaaa := fs.Int("aaaa", 200, "number of host-N AAAA records")
	txt := fs.Int("txt", 100, "number of host-N TXT records")
	nq := fs.Int("queries", 100000, "number of lines in the dnsperf query file")
	seed := fs.Uint64("seed", 1, "query mix seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *hosts < 2 {
		return errors.New("need -dir and -hosts >= 2")
	}
	o := strings.ToLower(*origin)
	if !strings.HasSuffix(o, ".") {
		o += "."
	}
	spec := zoneSpec{Origin: o, Hosts: *hosts, AAAA: *aaaa, TXT: *txt}
	rs := spec.records()

	if err := writeFile(filepath.Join(*dir, strings.TrimSuffix(o, ".")+".zone"), func(w io.Writer) error {
		return writeZoneFile(w, o, rs)
	}); err != nil {
		return err
	}
	batches := changeBatches(rs, o)
	for i, b := range batches {
		data, err := marshalBatch(b)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dir, fmt.Sprintf("batch-%03d.json", i+1)), data, 0o644); err != nil {
			return err
		}
	}
	// The record set the loader polls for: the last one of the last batch.
	lb := batches[len(batches)-1].Changes
	last := lb[len(lb)-1].ResourceRecordSet
	if err := os.WriteFile(filepath.Join(*dir, "last.txt"),
		fmt.Appendf(nil, "%s %s %s\n", last.Name, last.Type, last.ResourceRecords[0].Value), 0o644); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(*dir, "queries.txt"), func(w io.Writer) error {
		return writeQueries(w, spec.queries(*nq, *seed))
	}); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(*dir, "check.txt"), func(w io.Writer) error {
		return writeQueries(w, spec.checkQueries())
	}); err != nil {
		return err
	}
	values := 0
	for _, r := range rs {
		values += len(r.Values)
	}
	fmt.Printf("zone %s: %d record sets, %d records, %d change batches, %d queries\n", o, len(rs), values, len(batches), *nq)
	return nil
}

func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cmdFreePort prints n loopback ports that are free for both UDP and TCP.
func cmdFreePort(args []string) error {
	fs := flag.NewFlagSet("freeport", flag.ContinueOnError)
	n := fs.Int("n", 1, "how many ports")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	var ports []string
	for len(ports) < *n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		held = append(held, l)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // the UDP port is taken: try another
		}
		held = append(held, u)
		ports = append(ports, strconv.Itoa(port))
	}
	fmt.Println(strings.Join(ports, " "))
	return nil
}

// exitNoisy is the exit status of "run -max-other" for a run disturbed by
// other processes.
const exitNoisy = 3

// cmdQuiet waits until the machine is quiet: until, over one second, all
// processes together used less than -max percent of one CPU, or -timeout
// passed (then it says so and succeeds anyway).
func cmdQuiet(args []string) error {
	fs := flag.NewFlagSet("quiet", flag.ContinueOnError)
	maxBusy := fs.Float64("max", 15, "percent of one CPU")
	timeout := fs.Duration("timeout", time.Minute, "give up waiting after this long")
	hz := fs.Int("hz", 100, "clock ticks per second (getconf CLK_TCK)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	deadline := time.Now().Add(*timeout)
	for {
		b0, err := machineBusyTicks()
		if err != nil {
			return err
		}
		time.Sleep(time.Second)
		b1, err := machineBusyTicks()
		if err != nil {
			return err
		}
		busy := float64(b1-b0) * 100 / float64(*hz)
		if busy < *maxBusy {
			return nil
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "dnsbench quiet: other processes still use %.0f%% CPU after %s; going on\n", busy, *timeout)
			return nil
		}
	}
}

func cmdCPU(args []string) error {
	fs := flag.NewFlagSet("cpu", flag.ContinueOnError)
	pid := fs.Int("pid", 0, "root process")
	hz := fs.Int("hz", 100, "clock ticks per second (getconf CLK_TCK)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ticks, n, err := treeCPUTicks(*pid)
	if err != nil {
		return err
	}
	fmt.Printf("%d µs in %d processes\n", ticks*1_000_000/int64(*hz), n)
	return nil
}

// procStat is what we read from /proc/PID/stat.
type procStat struct {
	pid, ppid    int
	utime, stime int64 // clock ticks, all threads of the process
}

func readProcStat(path string) (procStat, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(string(data))
}

// parseProcStat parses /proc/PID/stat; the command name (field 2) may hold
// spaces and parentheses, so fields are counted after its last ')'.
func parseProcStat(s string) (procStat, error) {
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return procStat{}, fmt.Errorf("malformed stat %q", s)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	if err != nil {
		return procStat{}, err
	}
	f := strings.Fields(s[closing+1:])
	// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
	if len(f) < 13 {
		return procStat{}, fmt.Errorf("short stat %q", s)
	}
	st := procStat{pid: pid}
	if st.ppid, err = strconv.Atoi(f[1]); err != nil {
		return procStat{}, err
	}
	if st.utime, err = strconv.ParseInt(f[11], 10, 64); err != nil {
		return procStat{}, err
	}
	if st.stime, err = strconv.ParseInt(f[12], 10, 64); err != nil {
		return procStat{}, err
	}
	return st, nil
}

// treeCPUTicks sums utime+stime of root and all its descendants (NSD runs
// one process per server; Knot and Vedette are one multi-threaded process).
func treeCPUTicks(root int) (ticks int64, procs int, err error) {
	rootStat, err := readProcStat(fmt.Sprintf("/proc/%d/stat", root))
	if err != nil {
		return 0, 0, fmt.Errorf("server process %d: %w", root, err)
	}
	paths, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, 0, err
	}
	children := map[int][]procStat{}
	for _, p := range paths {
		st, err := readProcStat(p)
		if err != nil {
			continue // exited meanwhile
		}
		children[st.ppid] = append(children[st.ppid], st)
	}
	stack := []procStat{rootStat}
	for len(stack) > 0 {
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ticks += st.utime + st.stime
		procs++
		stack = append(stack, children[st.pid]...)
	}
	return ticks, procs, nil
}

// machineBusyTicks is the busy time of all CPUs from the "cpu" line of
// /proc/stat: everything but idle and iowait (guest time is part of user).
func machineBusyTicks() (int64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	var busy int64
	for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, nil
}

// result is one dnsperf run against one server.
type result struct {
	Server, Mode string
	Round        int
	Seconds      float64 // dnsperf's run time
	Sent         int64
	Completed    int64
	Lost         int64
	QPS          float64
	ServerCPUus  int64 // server process tree, utime+stime
	ClientCPUus  int64 // dnsperf, user+system
	OtherCPUus   int64 // everything else on the machine (busy time from /proc/stat minus the above)
	LatencyS     float64
	RCodes       string
}

const resultHeader = "server\tmode\tround\tseconds\tsent\tcompleted\tlost\tqps\tserver_cpu_us\tclient_cpu_us\tother_cpu_us\tavg_latency_s\trcodes"

func (r result) tsv() string {
	return fmt.Sprintf("%s\t%s\t%d\t%.3f\t%d\t%d\t%d\t%.1f\t%d\t%d\t%d\t%.6f\t%s",
		r.Server, r.Mode, r.Round, r.Seconds, r.Sent, r.Completed, r.Lost, r.QPS,
		r.ServerCPUus, r.ClientCPUus, r.OtherCPUus, r.LatencyS, r.RCodes)
}

func parseResultTSV(line string) (result, error) {
	f := strings.Split(line, "\t")
	if len(f) != 13 {
		return result{}, fmt.Errorf("want 13 fields, got %d in %q", len(f), line)
	}
	var r result
	var errs []error
	num := func(s string) int64 {
		v, err := strconv.ParseInt(s, 10, 64)
		errs = append(errs, err)
		return v
	}
	flt := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		errs = append(errs, err)
		return v
	}
	r.Server, r.Mode, r.Round = f[0], f[1], int(num(f[2]))
	r.Seconds, r.Sent, r.Completed, r.Lost, r.QPS = flt(f[3]), num(f[4]), num(f[5]), num(f[6]), flt(f[7])
	r.ServerCPUus, r.ClientCPUus, r.OtherCPUus = num(f[8]), num(f[9]), num(f[10])
	r.LatencyS, r.RCodes = flt(f[11]), f[12]
	return r, errors.Join(errs...)
}

// parseDNSPerf fills r from dnsperf's "Statistics:" block.
func parseDNSPerf(out string, r *result) error {
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		key, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		first := val
		if i := strings.IndexByte(val, ' '); i >= 0 {
			first = val[:i]
		}
		var err error
		switch key {
		case "Queries sent":
			r.Sent, err = strconv.ParseInt(first, 10, 64)
		case "Queries completed":
			r.Completed, err = strconv.ParseInt(first, 10, 64)
		case "Queries lost":
			r.Lost, err = strconv.ParseInt(first, 10, 64)
		case "Run time (s)":
			r.Seconds, err = strconv.ParseFloat(first, 64)
		case "Queries per second":
			r.QPS, err = strconv.ParseFloat(first, 64)
		case "Average Latency (s)":
			r.LatencyS, err = strconv.ParseFloat(first, 64)
		case "Response codes":
			// "NOERROR 279000 (93.00%), NXDOMAIN 21000 (7.00%)" -> "NOERROR=279000,NXDOMAIN=21000"
			var parts []string
			for _, c := range strings.Split(val, ",") {
				if w := strings.Fields(c); len(w) >= 2 {
					parts = append(parts, w[0]+"="+w[1])
				}
			}
			r.RCodes = strings.Join(parts, ",")
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		seen[key] = true
	}
	for _, k := range []string{"Queries sent", "Queries completed", "Queries lost", "Run time (s)", "Queries per second"} {
		if !seen[k] {
			return fmt.Errorf("dnsperf output lacks %q", k)
		}
	}
	if r.RCodes == "" {
		r.RCodes = "-"
	}
	return nil
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	pid := fs.Int("pid", 0, "server process (its descendants are counted too)")
	hz := fs.Int("hz", 100, "clock ticks per second (getconf CLK_TCK)")
	server := fs.String("server", "", "server name for the table")
	mode := fs.String("mode", "", "mode name for the table")
	round := fs.Int("round", 1, "round number")
	results := fs.String("results", "", "append the result line to this TSV file (default: stdout only)")
	logPath := fs.String("log", "", "write dnsperf's output here")
	timeout := fs.Duration("timeout", 5*time.Minute, "kill dnsperf after this long")
	quiet := fs.Bool("quiet", false, "print nothing on success (warm-up runs)")
	maxOther := fs.Float64("max-other", 0, "if > 0: when other processes used more than this many percent of a CPU during the run, record nothing and exit with status 3")
	if err := fs.Parse(args); err != nil {
		return err
	}
	argv := fs.Args()
	if *pid <= 0 || *server == "" || *mode == "" || len(argv) == 0 {
		return errors.New("need -pid, -server, -mode and a dnsperf command after --")
	}
	before, _, err := treeCPUTicks(*pid)
	if err != nil {
		return err
	}
	busyBefore, err := machineBusyTicks()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	runErr := cmd.Run()
	after, _, err := treeCPUTicks(*pid)
	if err != nil {
		return fmt.Errorf("after dnsperf: %w (did the server die?)", err)
	}
	busyAfter, err := machineBusyTicks()
	if err != nil {
		return err
	}
	if *logPath != "" {
		if err := os.WriteFile(*logPath, []byte(out.String()), 0o644); err != nil {
			return err
		}
	}
	if runErr != nil {
		return fmt.Errorf("%s after %s: %v\n%s", argv[0], time.Since(start).Round(time.Millisecond), runErr, out.String())
	}
	r := result{Server: *server, Mode: *mode, Round: *round}
	if err := parseDNSPerf(out.String(), &r); err != nil {
		return fmt.Errorf("%w\n%s", err, out.String())
	}
	r.ServerCPUus = (after - before) * 1_000_000 / int64(*hz)
	if ps := cmd.ProcessState; ps != nil {
		r.ClientCPUus = (ps.UserTime() + ps.SystemTime()).Microseconds()
	}
	r.OtherCPUus = max(0, (busyAfter-busyBefore)*1_000_000/int64(*hz)-r.ServerCPUus-r.ClientCPUus)
	if *quiet {
		return nil
	}
	if other := float64(r.OtherCPUus) / 1e4 / r.Seconds; *maxOther > 0 && other > *maxOther {
		fmt.Printf("  %-8s %-9s round %d: discarded, other processes used %.0f%% CPU (limit %.0f%%)\n",
			r.Server, r.Mode, r.Round, other, *maxOther)
		os.Exit(exitNoisy)
	}
	line := r.tsv()
	if *results != "" {
		f, err := os.OpenFile(*results, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if st, _ := f.Stat(); st != nil && st.Size() == 0 {
			fmt.Fprintln(f, resultHeader)
		}
		if _, err := fmt.Fprintln(f, line); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Printf("  %-8s %-9s round %d: %8.0f qps, server %6.2f µs/query, dnsperf %6.2f µs/query, other CPU %3.0f%%, lost %d/%d, %s\n",
		r.Server, r.Mode, r.Round, r.QPS, perQuery(r.ServerCPUus, r.Completed), perQuery(r.ClientCPUus, r.Completed),
		float64(r.OtherCPUus)/1e4/r.Seconds, r.Lost, r.Sent, r.RCodes)
	return nil
}

func perQuery(us, n int64) float64 {
	if n == 0 {
		return 0
	}
	return float64(us) / float64(n)
}

// summary is the median over rounds of one (server, mode).
type summary struct {
	server, mode      string
	rounds            int
	qps, srvUS, cliUS float64
	srvPct, cliPct    float64 // CPU use in percent of one core
	otherPct          float64
	lostPct           float64
	rcodes            string
	sentSum, lostSum  int64
}

func summarize(rs []result) []summary {
	type key struct{ server, mode string }
	var order []key
	groups := map[key][]result{}
	for _, r := range rs {
		k := key{r.Server, r.Mode}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out []summary
	for _, k := range order {
		g := groups[k]
		s := summary{server: k.server, mode: k.mode, rounds: len(g), rcodes: g[len(g)-1].RCodes}
		var qps, srv, cli, srvPct, cliPct, otherPct []float64
		for _, r := range g {
			qps = append(qps, r.QPS)
			srv = append(srv, perQuery(r.ServerCPUus, r.Completed))
			cli = append(cli, perQuery(r.ClientCPUus, r.Completed))
			if r.Seconds > 0 {
				srvPct = append(srvPct, float64(r.ServerCPUus)/1e4/r.Seconds)
				cliPct = append(cliPct, float64(r.ClientCPUus)/1e4/r.Seconds)
				otherPct = append(otherPct, float64(r.OtherCPUus)/1e4/r.Seconds)
			}
			s.sentSum += r.Sent
			s.lostSum += r.Lost
		}
		s.qps, s.srvUS, s.cliUS = median(qps), median(srv), median(cli)
		s.srvPct, s.cliPct, s.otherPct = median(srvPct), median(cliPct), median(otherPct)
		if s.sentSum > 0 {
			s.lostPct = 100 * float64(s.lostSum) / float64(s.sentSum)
		}
		out = append(out, s)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func cmdReport(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	results := fs.String("results", "", "TSV written by dnsbench run")
	markdown := fs.Bool("markdown", false, "print a Markdown table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*results)
	if err != nil {
		return err
	}
	var rs []result
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i == 0 && line == resultHeader || line == "" {
			continue
		}
		r, err := parseResultTSV(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return errors.New("no results")
	}
	return printReport(w, summarize(rs), *markdown)
}

func printReport(w io.Writer, ss []summary, markdown bool) error {
	header := []string{"server", "mode", "qps", "server CPU µs/query", "server CPU %", "dnsperf CPU µs/query", "dnsperf CPU %", "other CPU %", "lost %", "rounds", "response codes (last round)"}
	var rows [][]string
	for _, s := range ss {
		rows = append(rows, []string{
			s.server, s.mode, fmt.Sprintf("%.0f", s.qps), fmt.Sprintf("%.2f", s.srvUS), fmt.Sprintf("%.0f", s.srvPct),
			fmt.Sprintf("%.2f", s.cliUS), fmt.Sprintf("%.0f", s.cliPct), fmt.Sprintf("%.0f", s.otherPct), fmt.Sprintf("%.3f", s.lostPct),
			strconv.Itoa(s.rounds), s.rcodes,
		})
	}
	if markdown {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
		for _, r := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if markdown {
		fmt.Fprintln(w)
	}
	for _, line := range ratios(ss) {
		if markdown {
			fmt.Fprintf(w, "- %s\n", line)
		} else {
			fmt.Fprintln(w, line)
		}
	}
	return nil
}

// acceptKnotRatio is the acceptance bound of the benchmark: Vedette's server
// CPU per query at the fixed rate at most this many times Knot's.
const acceptKnotRatio = 1.5

// ratios compares vedette with every other server: CPU per query in the
// fixed-rate mode(s) and qps in the uncapped mode.
func ratios(ss []summary) []string {
	find := func(server, mode string) *summary {
		for i := range ss {
			if ss[i].server == server && ss[i].mode == mode {
				return &ss[i]
			}
		}
		return nil
	}
	var lines []string
	for _, other := range ss {
		if other.server == "vedette" {
			continue
		}
		v := find("vedette", other.mode)
		if v == nil || other.srvUS == 0 || other.qps == 0 {
			continue
		}
		if other.mode == "uncapped" {
			lines = append(lines, fmt.Sprintf("Vedette/%s uncapped: qps %.2f× (%.0f vs %.0f), CPU µs/query %.2f× (%.2f vs %.2f)",
				title(other.server), v.qps/other.qps, v.qps, other.qps, v.srvUS/other.srvUS, v.srvUS, other.srvUS))
		} else {
			line := fmt.Sprintf("Vedette/%s at %s: CPU µs/query %.2f× (%.2f vs %.2f)",
				title(other.server), other.mode, v.srvUS/other.srvUS, v.srvUS, other.srvUS)
			if other.server == "knot" {
				verdict := "PASS"
				if v.srvUS > acceptKnotRatio*other.srvUS {
					verdict = "FAIL"
				}
				line += fmt.Sprintf(" — target ≤ %.1f×: %s", acceptKnotRatio, verdict)
			}
			lines = append(lines, line)
		}
	}
	return lines
}

func title(s string) string {
	switch s {
	case "nsd":
		return "NSD"
	case "knot":
		return "Knot"
	}
	return s
}
