package route53

import (
	"encoding/xml"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/routing"
	"github.com/vedette-dns/vedette/internal/zone"
)

// Resolver answers a question the way this node's DNS would.
type Resolver interface {
	Resolve(name string, qtype uint16, q routing.Query) zone.Result
}

type testDNSAnswerResponse struct {
	XMLName      xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ TestDNSAnswerResponse"`
	Nameserver   string   `xml:"Nameserver"`
	RecordName   string   `xml:"RecordName"`
	RecordType   string   `xml:"RecordType"`
	RecordData   []string `xml:"RecordData>RecordDataEntry"`
	ResponseCode string   `xml:"ResponseCode"`
	Protocol     string   `xml:"Protocol"`
}

// clientQuery builds the routing query from resolverip and the EDNS
// client-subnet parameters (default masks /24 and /64, reference §6.10).
func clientQuery(q map[string][]string) (routing.Query, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ipText, maskText := get("edns0clientsubnetip"), get("edns0clientsubnetmask")
	if ipText == "" {
		ipText = get("resolverip")
	}
	if ipText == "" {
		return routing.Query{}, nil
	}
	ip, err := netip.ParseAddr(ipText)
	if err != nil {
		return routing.Query{}, invalidInput("Invalid parameter : '%s' is not an IP address", ipText)
	}
	ip = ip.Unmap()
	bits := ip.BitLen()
	if get("edns0clientsubnetip") != "" {
		bits = 24
		if ip.Is6() {
			bits = 64
		}
	}
	if maskText != "" {
		n, err := strconv.Atoi(maskText)
		if err != nil || n < 0 || n > ip.BitLen() {
			return routing.Query{}, invalidInput("Invalid parameter : edns0clientsubnetmask must be 0..%d", ip.BitLen())
		}
		bits = n
	}
	p, _ := ip.Prefix(bits)
	return routing.Query{Client: p}, nil
}

func (a *API) testDNSAnswer(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	z, _, err := a.opts.Catalog.Zone(r.Context(), bareID(q.Get("hostedzoneid")))
	if err != nil {
		return noSuchZone(q.Get("hostedzoneid"))
	}
	name, err := model.ParseAPIName(q.Get("recordname"))
	if err != nil || !model.IsInZone(name, z.Name) {
		return invalidInput("Invalid parameter : recordname '%s' is not a name in zone %s", q.Get("recordname"), model.APIName(z.Name))
	}
	typ := strings.ToUpper(q.Get("recordtype"))
	qtype, ok := model.SupportedTypes[typ]
	if !ok {
		return invalidInput("Invalid parameter : recordtype '%s' is not supported", q.Get("recordtype"))
	}
	cq, err := clientQuery(q)
	if err != nil {
		return err
	}
	resp := testDNSAnswerResponse{Nameserver: model.APIName(z.NameServers[0]), RecordName: q.Get("recordname"), RecordType: typ, Protocol: "UDP", RecordData: []string{}}
	if a.opts.Resolver == nil {
		return errorf(http.StatusInternalServerError, "InternalFailure", "DNS is not running")
	}
	res := a.opts.Resolver.Resolve(name, qtype, cq)
	resp.ResponseCode = dns.RcodeToString[res.Rcode]
	for _, rr := range res.Answer {
		if rr.Header().Rrtype != qtype {
			continue // like dig's answer for the type asked: CNAMEs of a chain are left out
		}
		resp.RecordData = append(resp.RecordData, strings.TrimPrefix(rr.String(), rr.Header().String()))
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}
