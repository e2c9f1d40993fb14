package console

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/vedette-dns/vedette/internal/model"
)

var recordTypes = slices.Sorted(maps.Keys(model.SupportedTypes))

// policies are the routing policies, by form value.
var policies = []struct{ Value, Label string }{
	{"simple", "Simple"}, {"weighted", "Weighted"}, {"latency", "Latency"}, {"failover", "Failover"},
	{"geolocation", "Geolocation"}, {"geoproximity", "Geoproximity"}, {"multivalue", "Multivalue answer"}, {"ipbased", "IP-based"},
}

func policyLabel(v string) string {
	for _, p := range policies {
		if p.Value == v {
			return p.Label
		}
	}
	return v
}

var recordRegions = model.RecordSetRegionNames()

// recForm is the record form's input, kept as typed. Input names are the
// API's element names.
type recForm struct {
	Name, Type, TTL, Values, Policy                      string
	SetIdentifier, Weight, Region, Failover              string
	ContinentCode, CountryCode, SubdivisionCode          string
	AWSRegion, LocalZoneGroup, Latitude, Longitude, Bias string
	CollectionId, LocationName                           string
	Alias, EvaluateTargetHealth                          bool
	AliasHostedZoneId, DNSName, HealthCheckId            string
	OrigName, OrigType, OrigSet                          string
}

var recWords = fieldWords{
	"TTL": "TTL", "Weight": "Weight", "weight": "Weight", "SetIdentifier": "SetIdentifier", "Region": "Region", "Failover": "Failover",
	"GeoLocation": "ContinentCode", "ContinentCode": "ContinentCode", "continent": "ContinentCode", "CountryCode": "CountryCode", "country": "CountryCode",
	"SubdivisionCode": "SubdivisionCode", "subdivision": "SubdivisionCode", "GeoProximityLocation": "AWSRegion", "AWSRegion": "AWSRegion",
	"LocalZoneGroup": "LocalZoneGroup", "Latitude": "Latitude", "Longitude": "Longitude", "Coordinates": "Latitude", "Bias": "Bias",
	"CidrRoutingConfig": "CollectionId", "CollectionId": "CollectionId", "CIDR collection": "CollectionId", "LocationName": "LocationName",
	"AliasTarget": "DNSName", "alias": "DNSName", "Alias": "DNSName", "DNSName": "DNSName", "EvaluateTargetHealth": "EvaluateTargetHealth",
	"HealthCheckId": "HealthCheckId", "health check": "HealthCheckId", "MultiValueAnswer": "Policy", "ResourceRecord": "Values",
	"RRSet": "Name", "resource record set": "Name", "name": "Name", "Type": "Type", "type": "Type", "value": "Values", "Value": "Values",
	"RData": "Values", "routing policy": "Policy",
}

func readRecForm(r *http.Request) recForm {
	f := r.PostForm
	g := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return recForm{
		Name: g("Name"), Type: g("Type"), TTL: g("TTL"), Values: f.Get("Values"), Policy: g("Policy"),
		SetIdentifier: g("SetIdentifier"), Weight: g("Weight"), Region: g("Region"), Failover: g("Failover"),
		ContinentCode: g("ContinentCode"), CountryCode: g("CountryCode"), SubdivisionCode: g("SubdivisionCode"),
		AWSRegion: g("AWSRegion"), LocalZoneGroup: g("LocalZoneGroup"), Latitude: g("Latitude"), Longitude: g("Longitude"), Bias: g("Bias"),
		CollectionId: g("CollectionId"), LocationName: g("LocationName"), Alias: f.Get("Alias") != "", EvaluateTargetHealth: f.Get("EvaluateTargetHealth") != "",
		AliasHostedZoneId: g("AliasHostedZoneId"), DNSName: g("DNSName"), HealthCheckId: g("HealthCheckId"),
		OrigName: f.Get("OrigName"), OrigType: f.Get("OrigType"), OrigSet: f.Get("OrigSet"),
	}
}

// fullName makes a name typed in the form absolute in the zone: empty is
// the apex, a name already ending in the zone is kept, others get the zone
// appended.
func fullName(name, zone string) string {
	zone = strings.TrimSuffix(zone, ".")
	n := strings.TrimSuffix(name, ".")
	switch {
	case n == "" || n == "@":
		return zone + "."
	case strings.EqualFold(n, zone) || strings.HasSuffix(strings.ToLower(n), "."+strings.ToLower(zone)):
		return n + "."
	}
	return n + "." + zone + "."
}

// values maps the text inputs to what was typed, to find the field an
// error message quotes.
func (f recForm) values() map[string]string {
	return map[string]string{"Name": f.Name, "SetIdentifier": f.SetIdentifier, "Region": f.Region, "ContinentCode": f.ContinentCode,
		"CountryCode": f.CountryCode, "SubdivisionCode": f.SubdivisionCode, "AWSRegion": f.AWSRegion, "LocalZoneGroup": f.LocalZoneGroup,
		"Latitude": f.Latitude, "Longitude": f.Longitude, "CollectionId": f.CollectionId, "LocationName": f.LocationName, "DNSName": f.DNSName,
		"HealthCheckId": f.HealthCheckId}
}

// recordSet turns the form into a record set of the zone.
func (f recForm) recordSet(zoneID, zoneName string, fe *formErrors) types.ResourceRecordSet {
	rr := types.ResourceRecordSet{Name: aws.String(fullName(f.Name, zoneName)), Type: types.RRType(f.Type),
		SetIdentifier: optString(f.SetIdentifier), HealthCheckId: optString(f.HealthCheckId)}
	if f.Alias {
		z := f.AliasHostedZoneId
		if z == "" {
			z = zoneID
		}
		rr.AliasTarget = &types.AliasTarget{HostedZoneId: aws.String(z), DNSName: aws.String(fullName(f.DNSName, zoneName)), EvaluateTargetHealth: f.EvaluateTargetHealth}
	} else {
		n, set, _ := intField(fe, "TTL", f.TTL)
		rr.TTL = ptr64(n, set)
		for _, line := range strings.Split(f.Values, "\n") {
			if v := strings.TrimSpace(line); v != "" {
				rr.ResourceRecords = append(rr.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
			}
		}
	}
	switch f.Policy {
	case "weighted":
		n, set, _ := intField(fe, "Weight", f.Weight)
		rr.Weight = ptr64(n, set)
		if !set && fe.Field("Weight") == "" {
			fe.set("Weight", "A weighted record needs a Weight from 0 to 255.")
		}
	case "latency":
		rr.Region = types.ResourceRecordSetRegion(f.Region)
	case "failover":
		rr.Failover = types.ResourceRecordSetFailover(f.Failover)
	case "geolocation":
		rr.GeoLocation = &types.GeoLocation{ContinentCode: optString(f.ContinentCode), CountryCode: optString(f.CountryCode), SubdivisionCode: optString(f.SubdivisionCode)}
	case "geoproximity":
		g := &types.GeoProximityLocation{AWSRegion: optString(f.AWSRegion), LocalZoneGroup: optString(f.LocalZoneGroup)}
		if f.Latitude != "" || f.Longitude != "" {
			g.Coordinates = &types.Coordinates{Latitude: aws.String(f.Latitude), Longitude: aws.String(f.Longitude)}
		}
		n, set, _ := intField(fe, "Bias", f.Bias)
		g.Bias = ptr32(n, set)
		rr.GeoProximityLocation = g
	case "multivalue":
		rr.MultiValueAnswer = aws.Bool(true)
	case "ipbased":
		rr.CidrRoutingConfig = &types.CidrRoutingConfig{CollectionId: aws.String(f.CollectionId), LocationName: aws.String(f.LocationName)}
	}
	return rr
}

// formFromRecord fills the form with a stored record set.
func formFromRecord(rr types.ResourceRecordSet, zoneName string) recForm {
	f := recForm{Name: deref(rr.Name), Type: string(rr.Type), TTL: derefInt64(rr.TTL), SetIdentifier: deref(rr.SetIdentifier),
		HealthCheckId: deref(rr.HealthCheckId), Policy: "simple", OrigName: deref(rr.Name), OrigType: string(rr.Type), OrigSet: deref(rr.SetIdentifier)}
	var vals []string
	for _, v := range rr.ResourceRecords {
		vals = append(vals, deref(v.Value))
	}
	f.Values = strings.Join(vals, "\n")
	if a := rr.AliasTarget; a != nil {
		f.Alias, f.AliasHostedZoneId, f.DNSName, f.EvaluateTargetHealth = true, deref(a.HostedZoneId), deref(a.DNSName), a.EvaluateTargetHealth
	}
	switch {
	case rr.Weight != nil:
		f.Policy, f.Weight = "weighted", derefInt64(rr.Weight)
	case rr.Region != "":
		f.Policy, f.Region = "latency", string(rr.Region)
	case rr.Failover != "":
		f.Policy, f.Failover = "failover", string(rr.Failover)
	case rr.GeoLocation != nil:
		g := rr.GeoLocation
		f.Policy, f.ContinentCode, f.CountryCode, f.SubdivisionCode = "geolocation", deref(g.ContinentCode), deref(g.CountryCode), deref(g.SubdivisionCode)
	case rr.GeoProximityLocation != nil:
		g := rr.GeoProximityLocation
		f.Policy, f.AWSRegion, f.LocalZoneGroup, f.Bias = "geoproximity", deref(g.AWSRegion), deref(g.LocalZoneGroup), derefInt(g.Bias)
		if g.Coordinates != nil {
			f.Latitude, f.Longitude = deref(g.Coordinates.Latitude), deref(g.Coordinates.Longitude)
		}
	case aws.ToBool(rr.MultiValueAnswer):
		f.Policy = "multivalue"
	case rr.CidrRoutingConfig != nil:
		f.Policy, f.CollectionId, f.LocationName = "ipbased", deref(rr.CidrRoutingConfig.CollectionId), deref(rr.CidrRoutingConfig.LocationName)
	}
	return f
}

// detail is the routing policy's setting in a few words.
func (f recForm) detail() string {
	switch f.Policy {
	case "weighted":
		return "weight " + f.Weight
	case "latency":
		return f.Region
	case "failover":
		return f.Failover
	case "geolocation":
		return strings.Trim(strings.Join([]string{f.ContinentCode, f.CountryCode, f.SubdivisionCode}, " "), " ")
	case "geoproximity":
		if f.AWSRegion != "" {
			return f.AWSRegion + " bias " + f.Bias
		}
		return fmt.Sprintf("%s,%s bias %s", f.Latitude, f.Longitude, f.Bias)
	case "ipbased":
		return f.CollectionId + " / " + f.LocationName
	}
	return ""
}

type recFormData struct {
	Zone     zoneRow
	Form     recForm
	Errors   formErrors
	Edit     bool
	Types    []string
	Policies []struct{ Value, Label string }
	Regions  []string
	Checks   []hcOption
	Action   string
}

func (s *server) recFormData(r *http.Request, sess *session, z zoneRow, f recForm, fe formErrors, edit bool) recFormData {
	d := recFormData{Zone: z, Form: f, Errors: fe, Edit: edit, Types: recordTypes, Policies: policies, Regions: recordRegions}
	d.Action = "/console/zones/" + url.PathEscape(z.ID) + "/records/new"
	if edit {
		d.Action = "/console/zones/" + url.PathEscape(z.ID) + "/records/edit"
	}
	d.Checks = s.formData(r, sess, "", hcForm{}, formErrors{}).Checks
	return d
}

func (s *server) newRecordForm(w http.ResponseWriter, r *http.Request, sess *session) {
	_, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	f := recForm{Type: "A", TTL: "300", Policy: "simple", EvaluateTargetHealth: true}
	s.render(w, r, sess, http.StatusOK, "record_form", "Create record in "+z.Name, s.recFormData(r, sess, z, f, formErrors{}, false))
}

func (s *server) createRecord(w http.ResponseWriter, r *http.Request, sess *session) {
	s.saveRecord(w, r, sess, false)
}

func (s *server) updateRecord(w http.ResponseWriter, r *http.Request, sess *session) {
	s.saveRecord(w, r, sess, true)
}

// saveRecord creates a record set, or replaces the one named by the
// form's Orig* fields: UPSERT when its key is unchanged, else DELETE and
// CREATE in one batch.
func (s *server) saveRecord(w http.ResponseWriter, r *http.Request, sess *session, edit bool) {
	c, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	f := readRecForm(r)
	title := "Create record in " + z.Name
	if edit {
		title = "Edit record in " + z.Name
	}
	var fe formErrors
	rr := f.recordSet(z.ID, z.Name, &fe)
	var changes []types.Change
	if !fe.Any() && edit {
		old, err := s.findRecord(r, c, z.ID, f.OrigName, f.OrigType, f.OrigSet)
		switch {
		case err != nil:
			_, msg := apiMessage(err)
			fe.General = msg
		case strings.EqualFold(deref(old.Name), deref(rr.Name)) && old.Type == rr.Type && deref(old.SetIdentifier) == deref(rr.SetIdentifier):
			changes = []types.Change{{Action: types.ChangeActionUpsert, ResourceRecordSet: &rr}}
		default:
			changes = []types.Change{{Action: types.ChangeActionDelete, ResourceRecordSet: old}, {Action: types.ChangeActionCreate, ResourceRecordSet: &rr}}
		}
	} else if !fe.Any() {
		changes = []types.Change{{Action: types.ChangeActionCreate, ResourceRecordSet: &rr}}
	}
	if !fe.Any() {
		_, err := c.ChangeResourceRecordSets(r.Context(), &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.ID),
			ChangeBatch: &types.ChangeBatch{Changes: changes, Comment: aws.String("console")}})
		if err != nil {
			fe = attribute(err, recWords, f.values())
		}
	}
	if fe.Any() {
		s.render(w, r, sess, http.StatusBadRequest, "record_form", title, s.recFormData(r, sess, z, f, fe, edit))
		return
	}
	s.redirectWith(w, r, sess, "/console/zones/"+url.PathEscape(z.ID), "Record "+deref(rr.Name)+" "+f.Type+" saved.")
}

// findRecord returns the record set with this name, type and identifier.
func (s *server) findRecord(r *http.Request, c *route53.Client, zoneID, name, typ, set string) (*types.ResourceRecordSet, error) {
	sets, err := allRecords(r.Context(), c, zoneID)
	if err != nil {
		return nil, err
	}
	for i, rr := range sets {
		if strings.EqualFold(deref(rr.Name), name) && string(rr.Type) == typ && deref(rr.SetIdentifier) == set {
			return &sets[i], nil
		}
	}
	return nil, fmt.Errorf("the record set %s %s %s no longer exists", name, typ, set)
}

func (s *server) editRecordForm(w http.ResponseWriter, r *http.Request, sess *session) {
	c, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	q := r.URL.Query()
	rr, err := s.findRecord(r, c, z.ID, q.Get("name"), q.Get("type"), q.Get("set"))
	if err != nil {
		s.errorPage(w, r, sess, http.StatusNotFound, "No such record", err.Error())
		return
	}
	s.render(w, r, sess, http.StatusOK, "record_form", "Edit record in "+z.Name, s.recFormData(r, sess, z, formFromRecord(*rr, z.Name), formErrors{}, true))
}

type recDeleteData struct {
	Zone   zoneRow
	Record recRow
	Error  string
}

func (s *server) deleteRecordForm(w http.ResponseWriter, r *http.Request, sess *session) {
	c, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	q := r.URL.Query()
	rr, err := s.findRecord(r, c, z.ID, q.Get("name"), q.Get("type"), q.Get("set"))
	if err != nil {
		s.errorPage(w, r, sess, http.StatusNotFound, "No such record", err.Error())
		return
	}
	s.render(w, r, sess, http.StatusOK, "record_delete", "Delete record", recDeleteData{Zone: z, Record: recRow{Name: deref(rr.Name), Type: string(rr.Type), SetIdentifier: deref(rr.SetIdentifier)}})
}

func (s *server) deleteRecord(w http.ResponseWriter, r *http.Request, sess *session) {
	c, z, ok := s.loadZone(w, r, sess)
	if !ok {
		return
	}
	f := r.PostForm
	row := recRow{Name: f.Get("name"), Type: f.Get("type"), SetIdentifier: f.Get("set")}
	rr, err := s.findRecord(r, c, z.ID, row.Name, row.Type, row.SetIdentifier)
	if err == nil {
		_, err = c.ChangeResourceRecordSets(r.Context(), &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.ID),
			ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionDelete, ResourceRecordSet: rr}}}})
	}
	if err != nil {
		code, msg := apiMessage(err)
		if code != "" {
			msg += " (" + code + ")"
		}
		s.render(w, r, sess, http.StatusBadRequest, "record_delete", "Delete record", recDeleteData{Zone: z, Record: row, Error: msg})
		return
	}
	s.redirectWith(w, r, sess, "/console/zones/"+url.PathEscape(z.ID), "Record "+row.Name+" "+row.Type+" deleted.")
}
