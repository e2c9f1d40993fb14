package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var zoneIDRE = regexp.MustCompile(`^/console/zones/([A-Z0-9]+)$`)

func createZone(t *testing.T, u *user, name string) string {
	t.Helper()
	res, body := u.post("/console/zones/new", url.Values{"Name": {name}, "Comment": {"made <here>"}})
	m := zoneIDRE.FindStringSubmatch(mustRedirect(t, res, body, "/console/zones/"))
	if m == nil {
		t.Fatalf("zone redirect %q", res.Header.Get("Location"))
	}
	return m[1]
}

func TestZonesAndRecords(t *testing.T) {
	n := startNode(t)
	u := signedIn(t, n)
	_, host, port := endpoint(t)

	// Zone form errors.
	res, body := u.post("/console/zones/new", url.Values{"Name": {""}})
	if res.StatusCode != http.StatusBadRequest || fieldError(body, "Name") == "" {
		t.Fatalf("empty zone name: %d", res.StatusCode)
	}
	res, body = u.post("/console/zones/new", url.Values{"Name": {"bad..name"}, "Comment": {"kept"}})
	if res.StatusCode != http.StatusBadRequest || fieldError(body, "Name") == "" || !strings.Contains(body, `value="kept"`) {
		t.Fatalf("invalid zone name: %d %q", res.StatusCode, fieldError(body, "Name"))
	}

	zone := createZone(t, u, "example.test")
	_, body = u.get("/console/zones")
	if !strings.Contains(body, "example.test.") || !strings.Contains(body, "made &lt;here&gt;") {
		t.Fatalf("zone list:\n%s", body)
	}
	_, body = u.get("/console/zones/" + zone)
	if !strings.Contains(body, ">SOA<") || !strings.Contains(body, ">NS<") {
		t.Fatalf("records list lacks SOA/NS:\n%s", body)
	}

	// Record form: every routing field has a label.
	_, body = u.get("/console/zones/" + zone + "/records/new")
	for _, id := range []string{"Name", "Type", "TTL", "Values", "Alias", "DNSName", "AliasHostedZoneId", "EvaluateTargetHealth", "Policy", "SetIdentifier",
		"HealthCheckId", "Weight", "Region", "Failover", "ContinentCode", "CountryCode", "SubdivisionCode", "AWSRegion", "LocalZoneGroup", "Latitude",
		"Longitude", "Bias", "CollectionId", "LocationName"} {
		if !strings.Contains(body, `<label for="`+id+`"`) {
			t.Errorf("record form: no label for %s", id)
		}
	}
	// Errors beside fields, input kept.
	cases := []struct {
		form  url.Values
		field string
		msg   string
	}{
		{url.Values{"Name": {"w"}, "Type": {"A"}, "TTL": {"60"}, "Values": {"192.0.2.1"}, "Policy": {"weighted"}, "SetIdentifier": {"one"}}, "Weight", "Weight"},
		{url.Values{"Name": {"w"}, "Type": {"A"}, "TTL": {"sixty"}, "Values": {"192.0.2.1"}, "Policy": {"simple"}}, "TTL", "whole number"},
		{url.Values{"Name": {"w"}, "Type": {"A"}, "TTL": {"60"}, "Values": {"not-an-address"}, "Policy": {"simple"}}, "Values", "not-an-address"},
		{url.Values{"Name": {"w"}, "Type": {"A"}, "TTL": {"60"}, "Values": {"192.0.2.1"}, "Policy": {"failover"}, "Failover": {"PRIMARY"}}, "SetIdentifier", "SetIdentifier"},
	}
	for _, c := range cases {
		res, body := u.post("/console/zones/"+zone+"/records/new", c.form)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: status %d", c.form, res.StatusCode)
			continue
		}
		if got := fieldError(body, c.field); !strings.Contains(got, c.msg) {
			t.Errorf("%v: beside %s %q, want %q\nsummary: %s", c.form, c.field, got, c.msg, summary(body))
		}
		if !strings.Contains(body, c.form.Get("Values")) {
			t.Errorf("%v: values not kept", c.form)
		}
	}

	// A failover pair, the primary with a health check.
	hc := createCheck(t, u, url.Values{"Name": {"primary"}, "Type": {"HTTP"}, "IPAddress": {host}, "Port": {port}, "RequestInterval": {"1"}, "FailureThreshold": {"1"}})
	for _, f := range []url.Values{
		{"Name": {"www"}, "Type": {"A"}, "TTL": {"60"}, "Values": {"192.0.2.1"}, "Policy": {"failover"}, "SetIdentifier": {"primary"}, "Failover": {"PRIMARY"}, "HealthCheckId": {hc}},
		{"Name": {"www.example.test"}, "Type": {"A"}, "TTL": {"60"}, "Values": {"192.0.2.2"}, "Policy": {"failover"}, "SetIdentifier": {"secondary"}, "Failover": {"SECONDARY"}},
		{"Name": {"alias"}, "Type": {"A"}, "Alias": {"1"}, "DNSName": {"www"}, "EvaluateTargetHealth": {"1"}, "Policy": {"weighted"}, "SetIdentifier": {"<w>"}, "Weight": {"10"}},
	} {
		res, body := u.post("/console/zones/"+zone+"/records/new", f)
		mustRedirect(t, res, body, "/console/zones/"+zone)
	}
	_, body = u.get("/console/zones/" + zone)
	for _, want := range []string{"www.example.test.", "Failover (PRIMARY)", "Failover (SECONDARY)", `href="/console/healthchecks/` + hc + `"`, "alias to www.example.test.", "id &lt;w&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("records list lacks %q", want)
		}
	}
	// The primary is healthy: the test form answers it.
	waitFor(t, 10*time.Second, "the primary's check healthy", func() bool {
		_, js := u.get("/console/healthchecks/status?id=" + hc)
		return strings.Contains(js, `"Healthy"`)
	})
	_, body = u.get("/console/zones/" + zone + "/test?RecordName=www.example.test&RecordType=A")
	if !strings.Contains(body, `<span class="value">192.0.2.1</span>`) || !strings.Contains(body, "NOERROR") {
		t.Errorf("test record:\n%s", body)
	}
	// Test form errors.
	res, body = u.get("/console/zones/"+zone+"/test?RecordName=", http.StatusBadRequest)
	if fieldError(body, "RecordName") == "" {
		t.Error("empty test name: no error beside the field")
	}
	res, body = u.get("/console/zones/"+zone+"/test?RecordName=www.example.test&RecordType=A&ResolverIP=nope", http.StatusBadRequest)
	if !strings.Contains(body, "field-error") {
		t.Errorf("bad resolver: %s", summary(body))
	}
	_ = res

	// Edit the secondary: change its value (UPSERT), then its identifier
	// (DELETE + CREATE).
	q := url.Values{"name": {"www.example.test."}, "type": {"A"}, "set": {"secondary"}}.Encode()
	_, body = u.get("/console/zones/" + zone + "/records/edit?" + q)
	if !strings.Contains(body, "192.0.2.2</textarea>") || !strings.Contains(body, `<option selected>SECONDARY</option>`) {
		t.Fatalf("edit form not filled:\n%s", body)
	}
	edit := url.Values{"OrigName": {"www.example.test."}, "OrigType": {"A"}, "OrigSet": {"secondary"}, "Name": {"www.example.test."}, "Type": {"A"},
		"TTL": {"60"}, "Values": {"192.0.2.3"}, "Policy": {"failover"}, "SetIdentifier": {"secondary"}, "Failover": {"SECONDARY"}}
	res, body = u.post("/console/zones/"+zone+"/records/edit", edit)
	mustRedirect(t, res, body, "/console/zones/"+zone)
	edit.Set("SetIdentifier", "backup")
	res, body = u.post("/console/zones/"+zone+"/records/edit", edit)
	mustRedirect(t, res, body, "/console/zones/"+zone)
	_, body = u.get("/console/zones/" + zone)
	if !strings.Contains(body, "192.0.2.3") || !strings.Contains(body, "id backup") || strings.Contains(body, "id secondary") {
		t.Errorf("edits not applied:\n%s", body)
	}
	// An edit the API refuses keeps the input.
	edit.Set("OrigSet", "backup")
	edit.Set("TTL", "-1")
	res, body = u.post("/console/zones/"+zone+"/records/edit", edit)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="-1"`) {
		t.Errorf("bad edit: %d", res.StatusCode)
	}

	// The health check is in use: deleting it is refused with the reason.
	res, body = u.post("/console/healthchecks/"+hc+"/delete", nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "HealthCheckInUse") {
		t.Errorf("delete in-use check: %d", res.StatusCode)
	}
	// A zone with records cannot be deleted.
	u.get("/console/zones/" + zone + "/delete")
	res, body = u.post("/console/zones/"+zone+"/delete", nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "HostedZoneNotEmpty") {
		t.Errorf("delete non-empty zone: %d %s", res.StatusCode, summary(body))
	}
	// Delete the records, then the zone.
	for _, k := range []url.Values{
		{"name": {"alias.example.test."}, "type": {"A"}, "set": {"<w>"}},
		{"name": {"www.example.test."}, "type": {"A"}, "set": {"primary"}},
		{"name": {"www.example.test."}, "type": {"A"}, "set": {"backup"}},
	} {
		u.get("/console/zones/" + zone + "/records/delete?" + k.Encode())
		res, body := u.post("/console/zones/"+zone+"/records/delete", k)
		mustRedirect(t, res, body, "/console/zones/"+zone)
	}
	res, body = u.post("/console/zones/"+zone+"/delete", nil)
	mustRedirect(t, res, body, "/console/zones")
	u.get("/console/zones/"+zone, http.StatusNotFound)
}

var summaryRE = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)

func summary(body string) string { return summaryRE.FindString(body) }
