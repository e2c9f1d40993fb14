package dns

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// numRcodes is the number of rcodes counted by value (0..23, the IANA DNS
// RCODEs up to BADCOOKIE); a larger one is counted as "OTHER".
const numRcodes = 24

// rcodeNames are the rcode label values, by rcode. Rcode 16 is BADVERS here
// (the meaning it has in a reply to a query with EDNS(0), the only one this
// server sends), not BADSIG.
var rcodeNames = [numRcodes]string{
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	"RCODE12", "RCODE13", "RCODE14", "RCODE15",
	"BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE",
}

// alwaysReported are the rcodes whose series exist from the start (at 0):
// the ones this server answers with. Others appear once counted.
var alwaysReported = [numRcodes]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 16: true}

// queryCounts are one serving goroutine's (or, for TCP, all connections')
// query counters. Each UDP socket reader owns one, so the hot path adds to a
// cache line no other thread writes; the collector sums them at scrape time.
type queryCounts struct {
	rcode     [numRcodes]atomic.Uint64 // replies sent (or, on TCP, written), by rcode
	other     atomic.Uint64            // replies with an rcode >= numRcodes
	malformed atomic.Uint64            // queries that did not parse (also counted as FORMERR)
	dropped   atomic.Uint64            // queries given no reply
	_         [64]byte                 // keep the next worker's counters off this cache line
}

// count records the outcome of one query: resp is its reply (nil: dropped),
// rcode its full rcode and malformed whether it failed to parse.
func (c *queryCounts) count(resp []byte, rcode int, malformed bool) {
	if c == nil {
		return
	}
	switch {
	case resp == nil:
		c.dropped.Add(1)
		return
	case rcode >= 0 && rcode < numRcodes:
		c.rcode[rcode].Add(1)
	default:
		c.other.Add(1)
	}
	if malformed {
		c.malformed.Add(1)
	}
}

// addTo adds c's counts into sum.
func (c *queryCounts) addTo(sum *countSnapshot) {
	for i := range c.rcode {
		sum.rcode[i] += c.rcode[i].Load()
	}
	sum.other += c.other.Load()
	sum.malformed += c.malformed.Load()
	sum.dropped += c.dropped.Load()
}

// countSnapshot is a plain sum of queryCounts, read at scrape time.
type countSnapshot struct {
	rcode                     [numRcodes]uint64
	other, malformed, dropped uint64
}

// Metric names and help texts of the Collector.
var (
	queriesDesc = prometheus.NewDesc("vedette_dns_queries_total",
		"DNS queries answered by Vedette's DNS server, by transport (udp, tcp) and the "+
			"response code of the reply sent (NOERROR, NXDOMAIN, REFUSED, SERVFAIL, FORMERR, NOTIMP, "+
			"BADVERS, ...). Cached and uncached answers are both counted; queries given no reply are not.",
		[]string{"transport", "rcode"}, nil)
	malformedDesc = prometheus.NewDesc("vedette_dns_malformed_queries_total",
		"DNS queries that could not be parsed and were answered with a bare FORMERR header, by "+
			"transport. They are also counted in vedette_dns_queries_total{rcode=\"FORMERR\"}.",
		[]string{"transport"}, nil)
	droppedDesc = prometheus.NewDesc("vedette_dns_dropped_queries_total",
		"DNS packets given no reply, by transport: shorter than a DNS header, DNS responses rather "+
			"than queries, or a query whose handling failed unexpectedly (logged).",
		[]string{"transport"}, nil)
)

// Collector returns a prometheus.Collector of the server's query counters:
// vedette_dns_queries_total{transport,rcode},
// vedette_dns_malformed_queries_total{transport} and
// vedette_dns_dropped_queries_total{transport}. The counters are plain
// atomics kept by the serving goroutines (nothing is allocated per query);
// the collector reads them at scrape time. It may be registered before Start
// and keeps reporting the final counts after Close. Register it once.
func (s *Server) Collector() prometheus.Collector { return (*serverCollector)(s) }

type serverCollector Server

func (c *serverCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queriesDesc
	ch <- malformedDesc
	ch <- droppedDesc
}

func (c *serverCollector) Collect(ch chan<- prometheus.Metric) {
	s := (*Server)(c)
	var udp, tcp countSnapshot
	s.tcpCounts.addTo(&tcp)
	s.mu.Lock()
	for _, w := range s.udpCounts {
		w.addTo(&udp)
	}
	s.mu.Unlock()
	emitCounts(ch, "udp", &udp)
	emitCounts(ch, "tcp", &tcp)
}

func emitCounts(ch chan<- prometheus.Metric, transport string, sum *countSnapshot) {
	for i, n := range sum.rcode {
		if n > 0 || alwaysReported[i] {
			ch <- prometheus.MustNewConstMetric(queriesDesc, prometheus.CounterValue, float64(n), transport, rcodeNames[i])
		}
	}
	if sum.other > 0 {
		ch <- prometheus.MustNewConstMetric(queriesDesc, prometheus.CounterValue, float64(sum.other), transport, "OTHER")
	}
	ch <- prometheus.MustNewConstMetric(malformedDesc, prometheus.CounterValue, float64(sum.malformed), transport)
	ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.CounterValue, float64(sum.dropped), transport)
}

// RcodeName returns the label value vedette_dns_queries_total uses for
// rcode.
func RcodeName(rcode int) string {
	if rcode >= 0 && rcode < numRcodes {
		return rcodeNames[rcode]
	}
	return "OTHER"
}
