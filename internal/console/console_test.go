package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/vedette-dns/vedette/internal/config"
)

func TestUnauthenticatedAccessRedirectsToSignIn(t *testing.T) {
	n := startNode(t)
	u := newUser(t, n)
	for _, path := range []string{"/console/", "/console/healthchecks?status=Healthy", "/console/healthchecks/abc/monitoring",
		"/console/zones", "/console/zones/Z1/test", "/console/healthchecks/new"} {
		res, body := u.get(path, http.StatusSeeOther)
		want := "/console/signin?next=" + url.QueryEscape(path)
		if loc := res.Header.Get("Location"); loc != want {
			t.Errorf("GET %s: Location %q, want %q\n%s", path, loc, want, body)
		}
	}
	// POSTs without a session are refused outright.
	res, _ := u.postRaw("/console/healthchecks/new", url.Values{"Type": {"HTTP"}}, n.base)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("POST without session: %d", res.StatusCode)
	}
	// / goes to the console.
	res, _ = u.get("/", http.StatusFound)
	if res.Header.Get("Location") != "/console/" {
		t.Errorf("GET /: %q", res.Header.Get("Location"))
	}
	// The sign-in page and the stylesheet are open.
	u.get("/console/signin")
	u.get("/console/static/console.css")
	u.get("/console/static/refresh.js")
}

func TestSignInAndOut(t *testing.T) {
	n := startNode(t)
	u := newUser(t, n)
	_, page := u.get("/console/signin?next=/console/zones")
	for _, want := range []string{`<label for="access_key_id">`, `<label for="secret_access_key">`, `name="next" value="/console/zones"`, `<main id="main"`, `class="skip"`} {
		if !strings.Contains(page, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		res, _ := u.get("/console/signin")
		if res.Header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
	}

	// A wrong secret: refused, the key id kept, no cookie.
	res, body := u.postRaw("/console/signin", url.Values{"access_key_id": {n.id}, "secret_access_key": {"wrong"}, "next": {"/console/zones"}}, n.base)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not correct") || !strings.Contains(body, `value="`+n.id+`"`) {
		t.Fatalf("wrong secret: %d\n%s", res.StatusCode, body)
	}
	if len(res.Cookies()) != 0 {
		t.Fatal("cookie set on a failed sign-in")
	}
	// A foreign origin cannot sign in (login CSRF).
	res, _ = u.postRaw("/console/signin", url.Values{"access_key_id": {n.id}, "secret_access_key": {n.secret}}, "http://evil.example")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign sign-in: %d", res.StatusCode)
	}
	// An absolute next is ignored.
	res, body = u.postRaw("/console/signin", url.Values{"access_key_id": {n.id}, "secret_access_key": {n.secret}, "next": {"//evil.example/x"}}, n.base)
	mustRedirect(t, res, body, "/console/")
	if loc := res.Header.Get("Location"); loc != "/console/" {
		t.Fatalf("next //evil: %q", loc)
	}
	// The good key with a relative next, over a TLS proxy.
	req, _ := http.NewRequest(http.MethodPost, n.base+"/console/signin", strings.NewReader(url.Values{"access_key_id": {n.id}, "secret_access_key": {n.secret}, "next": {"/console/zones"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", n.base)
	req.Header.Set("X-Forwarded-Proto", "https")
	res, body = u.do(req)
	mustRedirect(t, res, body, "/console/zones")
	var c *http.Cookie
	for _, k := range res.Cookies() {
		c = k
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console/" || !c.Secure || len(c.Value) < 40 {
		t.Fatalf("session cookie %+v", c)
	}
	// Without TLS the cookie is not Secure; this session is used below.
	res, body = u.postRaw("/console/signin", url.Values{"access_key_id": {n.id}, "secret_access_key": {n.secret}, "next": {"/console/zones"}}, n.base)
	mustRedirect(t, res, body, "/console/zones")
	if res.Cookies()[0].Secure {
		t.Fatal("Secure cookie over plain HTTP")
	}
	_, body = u.get("/console/zones")
	if !strings.Contains(body, n.id) || !strings.Contains(body, "Sign out") {
		t.Fatal("zones page does not show the signed-in key")
	}
	old := u.c.Jar.Cookies(mustURL(n.base + "/console/"))

	res, body = u.post("/console/signout", nil)
	mustRedirect(t, res, body, "/console/signin")
	u.get("/console/zones", http.StatusSeeOther)
	// The old session id is dead on the server too.
	u2 := newUser(t, n)
	u2.c.Jar.SetCookies(mustURL(n.base+"/console/"), old)
	u2.get("/console/zones", http.StatusSeeOther)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestCSRFRefused(t *testing.T) {
	n := startNode(t)
	u := signedIn(t, n)
	form := func() url.Values { return url.Values{"Name": {"csrf.example"}} }
	cases := []struct {
		name   string
		token  string
		origin string
	}{
		{"missing token", "", n.base},
		{"wrong token", strings.Repeat("A", 43), n.base},
		{"foreign origin", u.csrf, "http://evil.example"},
		{"no origin or referer", u.csrf, ""},
	}
	for _, c := range cases {
		f := form()
		f.Set("csrf", c.token)
		res, body := u.postRaw("/console/zones/new", f, c.origin)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Request refused") {
			t.Errorf("%s: %d", c.name, res.StatusCode)
		}
	}
	// A Referer from this host is accepted when Origin is absent.
	f := form()
	f.Set("csrf", u.csrf)
	req, _ := http.NewRequest(http.MethodPost, n.base+"/console/zones/new", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", n.base+"/console/zones/new")
	res, body := u.do(req)
	mustRedirect(t, res, body, "/console/zones/")
	// Nothing was created by the refused requests: one zone only.
	_, body = u.get("/console/zones")
	if c := strings.Count(body, `/delete">Delete`); c != 1 {
		t.Errorf("%d zones listed, want 1", c)
	}
}

// endpoint is an HTTP endpoint for health checks that can be stopped.
func endpoint(t *testing.T) (*httptest.Server, string, string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	t.Cleanup(srv.Close)
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return srv, host, port
}

var hcIDRE = regexp.MustCompile(`^/console/healthchecks/([0-9a-f-]+)$`)

func createCheck(t *testing.T, u *user, form url.Values) string {
	t.Helper()
	res, body := u.post("/console/healthchecks/new", form)
	loc := mustRedirect(t, res, body, "/console/healthchecks/")
	m := hcIDRE.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("redirect %q", loc)
	}
	return m[1]
}

func TestHealthCheckFormErrors(t *testing.T) {
	n := startNode(t)
	u := signedIn(t, n)
	_, body := u.get("/console/healthchecks/new")
	for _, id := range []string{"Type", "IPAddress", "FullyQualifiedDomainName", "Port", "ResourcePath", "SearchString", "RequestInterval",
		"FailureThreshold", "HealthThreshold", "AlarmName", "AlarmRegion", "InsufficientDataHealthStatus", "RoutingControlArn", "MeasureLatency", "Inverted", "Disabled", "EnableSNI"} {
		if !strings.Contains(body, `<label for="`+id+`"`) {
			t.Errorf("no label for %s", id)
		}
	}
	cases := []struct {
		form  url.Values
		field string
		msg   string
	}{
		{url.Values{"Type": {"HTTP"}, "IPAddress": {"127.0.0.1"}, "FailureThreshold": {"11"}}, "FailureThreshold", "FailureThreshold 11 is outside 1..10"},
		{url.Values{"Type": {"HTTP"}, "IPAddress": {"127.0.0.1"}, "RequestInterval": {"45"}}, "RequestInterval", "RequestInterval 45 is outside"},
		{url.Values{"Type": {"HTTP"}, "IPAddress": {"not-an-ip"}}, "IPAddress", "is not a valid IPv4 or IPv6 address"},
		{url.Values{"Type": {"HTTP"}}, "IPAddress", "must have an IPAddress or a FullyQualifiedDomainName"},
		{url.Values{"Type": {"TCP"}, "IPAddress": {"127.0.0.1"}}, "Port", "Port is required"},
		{url.Values{"Type": {"HTTP"}, "IPAddress": {"127.0.0.1"}, "Port": {"eighty"}}, "Port", "Port must be a whole number."},
		{url.Values{"Type": {"HTTP_STR_MATCH"}, "IPAddress": {"127.0.0.1"}}, "SearchString", "must have a SearchString"},
		{url.Values{"Type": {"CALCULATED"}}, "HealthThreshold", "health threshold"},
	}
	for _, c := range cases {
		c.form.Set("Name", "kept <name>")
		res, body := u.post("/console/healthchecks/new", c.form)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: status %d", c.form, res.StatusCode)
			continue
		}
		if got := fieldError(body, c.field); !strings.Contains(got, c.msg) {
			t.Errorf("%v: error beside %s = %q, want %q", c.form, c.field, got, c.msg)
		}
		if !strings.Contains(body, `value="kept &lt;name&gt;"`) {
			t.Errorf("%v: the typed name was not kept", c.form)
		}
		if !strings.Contains(body, `class="error-summary"`) {
			t.Errorf("%v: no error summary", c.form)
		}
	}
	_, body = u.get("/console/healthchecks")
	if !strings.Contains(body, "No health checks yet") {
		t.Error("a refused form created a check")
	}
}

func TestHealthCheckPages(t *testing.T) {
	n := startNode(t)
	u := signedIn(t, n)
	srv, host, port := endpoint(t)
	evil := `<script>alert(1)</script>`
	id := createCheck(t, u, url.Values{"Name": {evil}, "Type": {"HTTP"}, "IPAddress": {host}, "Port": {port}, "ResourcePath": {"/health"},
		"RequestInterval": {"1"}, "FailureThreshold": {"1"}, "MeasureLatency": {"1"}})
	_, body := u.get("/console/healthchecks/" + id)
	if strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("Name tag not escaped on the info page")
	}
	if !strings.Contains(body, "Health check created.") || !strings.Contains(body, "http://"+host+":"+port+"/health") {
		t.Errorf("info page:\n%s", body)
	}

	// The list: escaped name, becomes Healthy.
	waitFor(t, 15*time.Second, "healthy on the list", func() bool {
		_, body = u.get("/console/healthchecks")
		return strings.Contains(body, "st-ok")
	})
	if strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, `data-id="`+id+`"`) {
		t.Fatal("list: name not escaped or row missing")
	}
	// Filters: by status, by text, by tag.
	for q, want := range map[string]bool{"?status=Healthy": true, "?status=Unhealthy": false, "?q=ALERT": true, "?q=nothing-like-it": false,
		"?tag=Name": true, "?tag=Name%3Dother": false, "?tag=env": false} {
		_, body = u.get("/console/healthchecks" + q)
		if got := strings.Contains(body, `data-id="`+id+`"`); got != want {
			t.Errorf("filter %s: shown %v, want %v", q, got, want)
		}
	}
	// The auto-refresh endpoint.
	_, js := u.get("/console/healthchecks/status?id=" + id + "&id=nope")
	var st map[string]struct{ Status, Reason string }
	if err := json.Unmarshal([]byte(js), &st); err != nil || st[id].Status != "Healthy" || st["nope"].Status != "Unknown" {
		t.Errorf("status JSON %s (%v)", js, err)
	}

	// Tabs.
	_, body = u.get("/console/healthchecks/" + id + "/monitoring?range=6h")
	for _, want := range []string{"<svg", `aria-current="true">6h`, "Health check status", "Health checkers that report the endpoint healthy", "Time to first byte by region", "<desc"} {
		if !strings.Contains(body, want) {
			t.Errorf("monitoring lacks %q", want)
		}
	}
	waitFor(t, 10*time.Second, "a checker report", func() bool {
		_, body = u.get("/console/healthchecks/" + id + "/checkers")
		return strings.Contains(body, "Success: HTTP Status Code 200")
	})
	_, body = u.get("/console/healthchecks/" + id + "/alarms")
	if !strings.Contains(body, "No alarm watches this health check") {
		t.Errorf("alarms tab:\n%s", body)
	}
	// An alarm on the check's HealthCheckStatus (made with the CloudWatch
	// API) appears on the tab, escaped, with its state.
	cwc := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String(n.base), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(n.id, n.secret, "")})
	if _, err := cwc.PutMetricAlarm(context.Background(), &cw.PutMetricAlarmInput{AlarmName: aws.String("<i>web</i>-down"),
		Namespace: aws.String("AWS/Route53"), MetricName: aws.String("HealthCheckStatus"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("HealthCheckId"), Value: aws.String(id)}}, Statistic: cwtypes.StatisticMinimum,
		Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorLessThanThreshold}); err != nil {
		t.Fatal(err)
	}
	_, body = u.get("/console/healthchecks/" + id + "/alarms")
	stateShown := regexp.MustCompile(`<td data-label="State"><span class="status [^"]*"><span class="dot" aria-hidden="true"></span>(OK|ALARM|INSUFFICIENT_DATA)</span>`)
	if strings.Contains(body, "<i>web</i>") || !strings.Contains(body, "&lt;i&gt;web&lt;/i&gt;-down") ||
		!strings.Contains(body, "HealthCheckStatus LessThanThreshold 1") || !stateShown.MatchString(body) {
		t.Errorf("alarms tab with an alarm:\n%s", body)
	}

	// Tags: add one with markup, remove it again.
	_, body = u.get("/console/healthchecks/" + id + "/tags")
	if !strings.Contains(body, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`) {
		t.Fatal("tags tab: Name not shown escaped")
	}
	res, body := u.post("/console/healthchecks/"+id+"/tags", url.Values{"key_0": {"Name"}, "value_0": {"web"}, "key_1": {"env"}, "value_1": {"<b>prod</b>"}, "key_2": {""}, "value_2": {""}})
	mustRedirect(t, res, body, "/console/healthchecks/"+id+"/tags")
	_, body = u.get("/console/healthchecks/" + id + "/tags")
	if strings.Contains(body, "<b>prod</b>") || !strings.Contains(body, "&lt;b&gt;prod&lt;/b&gt;") {
		t.Fatal("tag value not escaped")
	}
	_, body = u.get("/console/healthchecks?tag=env%3D%3Cb%3Eprod%3C%2Fb%3E")
	if !strings.Contains(body, `data-id="`+id+`"`) {
		t.Error("tag key=value filter")
	}
	res, body = u.post("/console/healthchecks/"+id+"/tags", url.Values{"key_0": {"Name"}, "value_0": {"web"}, "key_1": {"env"}, "value_1": {"x"}, "remove_1": {"1"}})
	mustRedirect(t, res, body, "/console/healthchecks/")
	_, body = u.get("/console/healthchecks?tag=env")
	if strings.Contains(body, `data-id="`+id+`"`) {
		t.Error("removed tag still matches")
	}
	res, body = u.post("/console/healthchecks/"+id+"/tags", url.Values{"key_0": {strings.Repeat("k", 200)}, "value_0": {"v"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "field-error") {
		t.Errorf("overlong tag key: %d\n%s", res.StatusCode, body)
	}

	// Edit: the form is filled in; a bad value is refused beside its field;
	// a good one is saved.
	_, body = u.get("/console/healthchecks/" + id + "/edit")
	if !strings.Contains(body, `id="Port" name="Port" inputmode="numeric" value="`+port+`"`) || !strings.Contains(body, `name="Version" value="1"`) {
		t.Fatalf("edit form not filled:\n%s", body)
	}
	edit := url.Values{"Name": {"web"}, "IPAddress": {host}, "Port": {port}, "ResourcePath": {"/health"}, "FailureThreshold": {"0"}, "Version": {"1"}}
	res, body = u.post("/console/healthchecks/"+id+"/edit", edit)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(fieldError(body, "FailureThreshold"), "FailureThreshold") {
		t.Fatalf("edit with threshold 0: %d %q", res.StatusCode, fieldError(body, "FailureThreshold"))
	}
	edit.Set("FailureThreshold", "2")
	edit.Set("Name", "web-renamed")
	res, body = u.post("/console/healthchecks/"+id+"/edit", edit)
	mustRedirect(t, res, body, "/console/healthchecks/"+id)
	_, body = u.get("/console/healthchecks/" + id)
	if !strings.Contains(body, "<dt>Failure threshold</dt><dd>2</dd>") || !strings.Contains(body, "web-renamed") {
		t.Errorf("edit not saved:\n%s", body)
	}
	// A stale version is refused.
	res, body = u.post("/console/healthchecks/"+id+"/edit", edit)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "HealthCheckVersion") {
		t.Errorf("stale version: %d", res.StatusCode)
	}

	// Calculated check listing its child.
	calc := createCheck(t, u, url.Values{"Name": {"all"}, "Type": {"CALCULATED"}, "ChildHealthChecks": {id}, "HealthThreshold": {"1"}})
	_, body = u.get("/console/healthchecks/" + calc)
	if !strings.Contains(body, "Child health checks") || !strings.Contains(body, `href="/console/healthchecks/`+id+`"`) {
		t.Errorf("calculated info page:\n%s", body)
	}
	_, body = u.get("/console/healthchecks/" + calc + "/monitoring")
	if !strings.Contains(body, "Healthy child health checks") {
		t.Error("calculated monitoring lacks the children graph")
	}
	u.get("/console/healthchecks/" + calc + "/checkers")

	// Endpoint down: Unhealthy with the reason.
	srv.Close()
	waitFor(t, 20*time.Second, "unhealthy with a failure reason", func() bool {
		_, body = u.get("/console/healthchecks/" + id + "/checkers")
		return strings.Contains(body, "st-bad") && strings.Contains(body, `class="wrap failure-reason">Failure`)
	})

	// Delete: the child is in use by nothing, the calculated one first.
	u.get("/console/healthchecks/" + calc + "/delete")
	res, body = u.post("/console/healthchecks/"+calc+"/delete", nil)
	mustRedirect(t, res, body, "/console/healthchecks")
	u.get("/console/healthchecks/"+calc, http.StatusNotFound)
}

func TestNotFoundPages(t *testing.T) {
	n := startNode(t)
	u := signedIn(t, n)
	u.get("/console/healthchecks/00000000-0000-0000-0000-000000000000", http.StatusNotFound)
	u.get("/console/zones/ZNOSUCHZONE", http.StatusNotFound)
	u.get("/console/nothing-here", http.StatusNotFound)
}

// TestNoLiveCheckerNote: with no live checker in a check's regions, the
// Health checkers tab says so instead of showing invented observations.
func TestNoLiveCheckerNote(t *testing.T) {
	n := startNode(t, func(c *config.Serve) { c.NoChecker = true })
	u := signedIn(t, n)
	id := createCheck(t, u, url.Values{"Name": {"far"}, "Type": {"TCP"}, "IPAddress": {"127.0.0.1"}, "Port": {"9"},
		"RequestInterval": {"10"}, "FailureThreshold": {"3"}, "Regions": {"us-east-1", "eu-west-1", "sa-east-1"}})
	_, body := u.get("/console/healthchecks/" + id + "/checkers")
	if !strings.Contains(body, `id="checker-note"`) || !strings.Contains(body, "No live health checker in this check&#39;s regions (us-east-1, eu-west-1, sa-east-1)") {
		t.Fatalf("checkers tab without a live checker:\n%s", body)
	}
	if strings.Contains(body, `class="checker"`) {
		t.Fatal("an observation was shown although no checker reported")
	}
}
