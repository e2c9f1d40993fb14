package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

type zoneRow struct {
	ID, Name, Comment string
	Records           int64
}

func zoneRowOf(z types.HostedZone) zoneRow {
	r := zoneRow{ID: strings.TrimPrefix(deref(z.Id), "/hostedzone/"), Name: deref(z.Name), Records: aws.ToInt64(z.ResourceRecordSetCount)}
	if z.Config != nil {
		r.Comment = deref(z.Config.Comment)
	}
	return r
}

func (s *server) listZones(w http.ResponseWriter, r *http.Request, sess *session) {
	c := s.client(sess)
	var rows []zoneRow
	var marker *string
	for {
		res, err := c.ListHostedZones(r.Context(), &route53.ListHostedZonesInput{Marker: marker})
		if err != nil {
			s.apiFailure(w, r, sess, err)
			return
		}
		for _, z := range res.HostedZones {
			rows = append(rows, zoneRowOf(z))
		}
		if !res.IsTruncated || res.NextMarker == nil {
			break
		}
		marker = res.NextMarker
	}
	s.render(w, r, sess, http.StatusOK, "zones", "Hosted zones", rows)
}

type zoneForm struct{ Name, Comment, CallerReference string }

type zoneFormData struct {
	Form   zoneForm
	Errors formErrors
}

var zoneWords = fieldWords{"Comment": "Comment", "name": "Name", "Name": "Name", "domain": "Name", "HostedZone": "Name", "zone": "Name"}

func (s *server) newZoneForm(w http.ResponseWriter, r *http.Request, sess *session) {
	s.render(w, r, sess, http.StatusOK, "zone_form", "Create hosted zone", zoneFormData{Form: zoneForm{CallerReference: "console-" + randomToken()[:22]}})
}

func (s *server) createZone(w http.ResponseWriter, r *http.Request, sess *session) {
	f := zoneForm{Name: strings.TrimSpace(r.PostForm.Get("Name")), Comment: r.PostForm.Get("Comment"), CallerReference: r.PostForm.Get("CallerReference")}
	if f.CallerReference == "" {
		f.CallerReference = "console-" + randomToken()[:22]
	}
	in := &route53.CreateHostedZoneInput{Name: aws.String(f.Name), CallerReference: aws.String(f.CallerReference)}
	if f.Comment != "" {
		in.HostedZoneConfig = &types.HostedZoneConfig{Comment: aws.String(f.Comment)}
	}
	var fe formErrors
	if f.Name == "" {
		fe.set("Name", "Enter the domain name of the zone, e.g. example.com.")
	}
	var res *route53.CreateHostedZoneOutput
	var err error
	if !fe.Any() {
		res, err = s.client(sess).CreateHostedZone(r.Context(), in)
		if err != nil {
			fe = attribute(err, zoneWords, nil)
		}
	}
	if fe.Any() {
		s.render(w, r, sess, http.StatusBadRequest, "zone_form", "Create hosted zone", zoneFormData{Form: f, Errors: fe})
		return
	}
	id := zoneRowOf(*res.HostedZone).ID
	s.redirectWith(w, r, sess, "/console/zones/"+url.PathEscape(id), "Hosted zone "+deref(res.HostedZone.Name)+" created.")
}

// loadZone fetches a zone for one of its pages; false when a page has
// already been written.
func (s *server) loadZone(w http.ResponseWriter, r *http.Request, sess *session) (*route53.Client, zoneRow, bool) {
	c := s.client(sess)
	res, err := c.GetHostedZone(r.Context(), &route53.GetHostedZoneInput{Id: aws.String(r.PathValue("id"))})
	if err != nil {
		s.apiFailure(w, r, sess, err)
		return nil, zoneRow{}, false
	}
	return c, zoneRowOf(*res.HostedZone), true
}

type zoneDeleteData struct {
	Zone  zoneRow
	Error string
}

func (s *server) deleteZoneForm(w http.ResponseWriter, r *http.Request, sess *session) {
	_, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	s.render(w, r, sess, http.StatusOK, "zone_delete", "Delete hosted zone "+z.Name, zoneDeleteData{Zone: z})
}

func (s *server) deleteZone(w http.ResponseWriter, r *http.Request, sess *session) {
	c, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	if _, err := c.DeleteHostedZone(r.Context(), &route53.DeleteHostedZoneInput{Id: aws.String(z.ID)}); err != nil {
		code, msg := apiMessage(err)
		s.render(w, r, sess, http.StatusBadRequest, "zone_delete", "Delete hosted zone "+z.Name, zoneDeleteData{Zone: z, Error: msg + " (" + code + ")"})
		return
	}
	s.redirectWith(w, r, sess, "/console/zones", "Hosted zone "+z.Name+" deleted.")
}

// recRow is one record set in the zone's list.
type recRow struct {
	Name, Type, SetIdentifier, Policy, Detail, TTL, HealthCheckId string
	Values                                                        []string
	EditURL, DeleteURL                                            string
}

type recordsData struct {
	Zone    zoneRow
	Records []recRow
}

func allRecords(ctx context.Context, c *route53.Client, zoneID string) ([]types.ResourceRecordSet, error) {
	var out []types.ResourceRecordSet
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)}
	for {
		res, err := c.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, res.ResourceRecordSets...)
		if !res.IsTruncated {
			return out, nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = res.NextRecordName, res.NextRecordType, res.NextRecordIdentifier
	}
}

// recordKey is the query string naming one record set.
func recordKey(zoneID string, rr types.ResourceRecordSet) string {
	q := url.Values{"name": {deref(rr.Name)}, "type": {string(rr.Type)}}
	if rr.SetIdentifier != nil {
		q.Set("set", *rr.SetIdentifier)
	}
	return q.Encode()
}

func (s *server) listRecords(w http.ResponseWriter, r *http.Request, sess *session) {
	c, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	sets, err := allRecords(r.Context(), c, z.ID)
	if err != nil {
		s.apiFailure(w, r, sess, err)
		return
	}
	d := recordsData{Zone: z}
	base := "/console/zones/" + url.PathEscape(z.ID) + "/records/"
	for _, rr := range sets {
		f := formFromRecord(rr, z.Name)
		row := recRow{Name: deref(rr.Name), Type: string(rr.Type), SetIdentifier: deref(rr.SetIdentifier), Policy: policyLabel(f.Policy),
			Detail: f.detail(), TTL: derefInt64(rr.TTL), HealthCheckId: deref(rr.HealthCheckId)}
		for _, v := range rr.ResourceRecords {
			row.Values = append(row.Values, deref(v.Value))
		}
		if rr.AliasTarget != nil {
			row.Values = []string{"alias to " + deref(rr.AliasTarget.DNSName)}
		}
		key := recordKey(z.ID, rr)
		row.EditURL, row.DeleteURL = base+"edit?"+key, base+"delete?"+key
		d.Records = append(d.Records, row)
	}
	s.render(w, r, sess, http.StatusOK, "records", "Records of "+z.Name, d)
}

type testForm struct {
	RecordName, RecordType, ResolverIP, EDNS0ClientSubnetIP, EDNS0ClientSubnetMask string
}

type testData struct {
	Zone   zoneRow
	Form   testForm
	Types  []string
	Errors formErrors
	Answer *route53.TestDNSAnswerOutput
}

var testWords = fieldWords{"RecordName": "RecordName", "record name": "RecordName", "RecordType": "RecordType", "type": "RecordType",
	"ResolverIP": "ResolverIP", "resolver": "ResolverIP", "EDNS0ClientSubnetIP": "EDNS0ClientSubnetIP", "EDNS0ClientSubnetMask": "EDNS0ClientSubnetMask",
	"subnet": "EDNS0ClientSubnetIP", "mask": "EDNS0ClientSubnetMask", "recordname": "RecordName", "recordtype": "RecordType",
	"edns0clientsubnetmask": "EDNS0ClientSubnetMask"}

// testRecord shows the test form and, when a name is given, what
// TestDNSAnswer returns. It only reads, so it is a GET.
func (s *server) testRecord(w http.ResponseWriter, r *http.Request, sess *session) {
	c, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := testForm{RecordName: strings.TrimSpace(q.Get("RecordName")), RecordType: q.Get("RecordType"), ResolverIP: strings.TrimSpace(q.Get("ResolverIP")),
		EDNS0ClientSubnetIP: strings.TrimSpace(q.Get("EDNS0ClientSubnetIP")), EDNS0ClientSubnetMask: strings.TrimSpace(q.Get("EDNS0ClientSubnetMask"))}
	if f.RecordType == "" {
		f.RecordType = "A"
	}
	d := testData{Zone: z, Form: f, Types: recordTypes}
	code := http.StatusOK
	if f.RecordName != "" {
		res, err := c.TestDNSAnswer(r.Context(), &route53.TestDNSAnswerInput{HostedZoneId: aws.String(z.ID), RecordName: aws.String(f.RecordName),
			RecordType: types.RRType(f.RecordType), ResolverIP: optString(f.ResolverIP), EDNS0ClientSubnetIP: optString(f.EDNS0ClientSubnetIP),
			EDNS0ClientSubnetMask: optString(f.EDNS0ClientSubnetMask)})
		if err != nil {
			d.Errors = attribute(err, testWords, map[string]string{"RecordName": f.RecordName, "RecordType": f.RecordType,
				"ResolverIP": f.ResolverIP, "EDNS0ClientSubnetIP": f.EDNS0ClientSubnetIP, "EDNS0ClientSubnetMask": f.EDNS0ClientSubnetMask})
			code = http.StatusBadRequest
		} else {
			d.Answer = res
		}
	} else if q.Has("RecordName") {
		d.Errors.set("RecordName", "Enter the record name to test.")
		code = http.StatusBadRequest
	}
	s.render(w, r, sess, code, "record_test", "Test record in "+z.Name, d)
}
