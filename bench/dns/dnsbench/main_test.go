package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

const dnsperfOutput = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 41381 -d queries.txt -l 10 -Q 20000
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         200000
  Queries completed:    199990 (99.99%)
  Queries lost:         10 (0.01%)

  Response codes:       NOERROR 186180 (93.10%), NXDOMAIN 13810 (6.91%)
  Average packet size:  request 39, response 62
  Run time (s):         10.000101
  Queries per second:   19999.798002

  Average Latency (s):  0.000294 (min 0.000015, max 0.004825)
  Latency StdDev (s):   0.000759
`

func TestParseDNSPerf(t *testing.T) {
	var r result
	if err := parseDNSPerf(dnsperfOutput, &r); err != nil {
		t.Fatal(err)
	}
	want := result{Seconds: 10.000101, Sent: 200000, Completed: 199990, Lost: 10, QPS: 19999.798002,
		LatencyS: 0.000294, RCodes: "NOERROR=186180,NXDOMAIN=13810"}
	if r != want {
		t.Errorf("got %+v\nwant %+v", r, want)
	}
	if err := parseDNSPerf("Error: input file contains no data\n", &r); err == nil {
		t.Error("no statistics: want an error")
	}
}

func TestResultTSVRoundTrip(t *testing.T) {
	r := result{Server: "vedette", Mode: "20k", Round: 2, Seconds: 10.5, Sent: 3, Completed: 2, Lost: 1,
		QPS: 19999.5, ServerCPUus: 123456, ClientCPUus: 654321, OtherCPUus: 7, LatencyS: 0.000123, RCodes: "NOERROR=2"}
	got, err := parseResultTSV(r.tsv())
	if err != nil {
		t.Fatal(err)
	}
	if got != r {
		t.Errorf("got %+v\nwant %+v", got, r)
	}
	if n := strings.Count(resultHeader, "\t"); n != strings.Count(r.tsv(), "\t") {
		t.Errorf("header has %d tabs, a line %d", n, strings.Count(r.tsv(), "\t"))
	}
}

func TestParseProcStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := "4242 (nsd: server (1)) S 4240 4240 4240 0 -1 4194560 100 0 0 0 1234 567 3 4 20 0 1 0 100 0 0\n"
	st, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if st != (procStat{pid: 4242, ppid: 4240, utime: 1234, stime: 567}) {
		t.Errorf("got %+v", st)
	}
}

func TestTreeCPUTicksSelf(t *testing.T) {
	ticks, procs, err := treeCPUTicks(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if procs < 1 || ticks < 0 {
		t.Errorf("ticks %d, procs %d", ticks, procs)
	}
	if _, err := machineBusyTicks(); err != nil {
		t.Fatal(err)
	}
}

func TestChangeBatchesWithinLimits(t *testing.T) {
	spec := zoneSpec{Origin: "bench.example.", Hosts: 2500, AAAA: 700, TXT: 300}
	rs := spec.records()
	batches := changeBatches(rs, spec.Origin)
	var sets int
	for i, b := range batches {
		values, chars := 0, 0
		for _, c := range b.Changes {
			n, l := len(c.ResourceRecordSet.ResourceRecords), 0
			for _, v := range c.ResourceRecordSet.ResourceRecords {
				l += len(v.Value)
			}
			if c.Action == "UPSERT" {
				n, l = 2*n, 2*l
				if c.ResourceRecordSet.Name != spec.Origin {
					t.Errorf("UPSERT of %s: only the apex SOA and NS are upserted", c.ResourceRecordSet.Name)
				}
			}
			values, chars = values+n, chars+l
		}
		if values > maxBatchValues || chars > maxBatchChars {
			t.Errorf("batch %d: %d values, %d characters", i+1, values, chars)
		}
		sets += len(b.Changes)
	}
	if sets != len(rs) {
		t.Errorf("batches hold %d record sets, the zone %d", sets, len(rs))
	}
	if first := batches[0].Changes[0].ResourceRecordSet; first.Type != "SOA" {
		t.Errorf("first change is %s %s, want the SOA", first.Name, first.Type)
	}
}

func TestZoneFileMatchesRecords(t *testing.T) {
	spec := zoneSpec{Origin: "bench.example.", Hosts: 10, AAAA: 3, TXT: 2}
	rs := spec.records()
	var buf bytes.Buffer
	if err := writeZoneFile(&buf, spec.Origin, rs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	values := 0
	for _, r := range rs {
		values += len(r.Values)
	}
	if got := len(lines) - 2; got != values { // $ORIGIN and $TTL
		t.Errorf("zone file has %d records, want %d", got, values)
	}
	for _, want := range []string{
		"host-9.bench.example.\t300\tIN\tA\t10.0.0.9",
		"host-2.bench.example.\t300\tIN\tAAAA\t2001:db8::3",
		"*.wild.bench.example.\t60\tIN\tA\t192.0.2.200",
		"www.bench.example.\t300\tIN\tCNAME\thost-1.bench.example.",
	} {
		if !strings.Contains(buf.String(), want+"\n") {
			t.Errorf("zone file lacks %q", want)
		}
	}
}

func TestQueriesDeterministicAndMixed(t *testing.T) {
	spec := zoneSpec{Origin: "bench.example.", Hosts: 1000, AAAA: 200, TXT: 100}
	a, b := spec.queries(20000, 1), spec.queries(20000, 1)
	kinds := map[string]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("query %d differs between runs with the same seed", i)
		}
		k := a[i].Type
		switch {
		case strings.HasPrefix(a[i].Name, "nohost-"):
			k = "nxdomain"
		case strings.Contains(a[i].Name, ".wild."):
			k = "wildcard"
		}
		kinds[k]++
	}
	// Within a few points of the intended mix.
	for k, pct := range map[string]int{"A": 100 - pctAAAA - pctTXT - pctMX - pctWildcard - pctNXDOMAIN - pctNODATA, "AAAA": pctAAAA,
		"TXT": pctTXT, "nxdomain": pctNXDOMAIN, "wildcard": pctWildcard} {
		got := 100 * kinds[k] / len(a)
		if got < pct-2 || got > pct+2 {
			t.Errorf("%s: %d%%, want about %d%% (mix %v)", k, got, pct, kinds)
		}
	}
}

func TestSummaryAndRatios(t *testing.T) {
	rs := []result{
		{Server: "vedette", Mode: "20k", Round: 1, Seconds: 10, Completed: 200000, ServerCPUus: 3_000_000, QPS: 20000},
		{Server: "vedette", Mode: "20k", Round: 2, Seconds: 10, Completed: 200000, ServerCPUus: 4_000_000, QPS: 20000},
		{Server: "vedette", Mode: "20k", Round: 3, Seconds: 10, Completed: 200000, ServerCPUus: 9_000_000, QPS: 20000},
		{Server: "knot", Mode: "20k", Round: 1, Seconds: 10, Completed: 200000, ServerCPUus: 2_000_000, QPS: 20000},
		{Server: "vedette", Mode: "uncapped", Round: 1, Seconds: 10, Completed: 1_000_000, ServerCPUus: 8_000_000, QPS: 100000},
		{Server: "knot", Mode: "uncapped", Round: 1, Seconds: 10, Completed: 1_250_000, ServerCPUus: 8_000_000, QPS: 125000},
	}
	ss := summarize(rs)
	if len(ss) != 4 || ss[0].server != "vedette" || ss[0].rounds != 3 || ss[0].srvUS != 20 {
		t.Fatalf("summary %+v", ss)
	}
	got := strings.Join(ratios(ss), "\n")
	for _, want := range []string{"Vedette/Knot at 20k: CPU µs/query 2.00× (20.00 vs 10.00) — target ≤ 1.5×: FAIL", "Vedette/Knot uncapped: qps 0.80×"} {
		if !strings.Contains(got, want) {
			t.Errorf("ratios lack %q:\n%s", want, got)
		}
	}
}
