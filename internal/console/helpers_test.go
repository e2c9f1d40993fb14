package console_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/app"
	"github.com/vedette-dns/vedette/internal/config"
)

// node is a running Vedette node with its root key.
type node struct {
	app        *app.App
	base       string // http://host:port
	id, secret string
}

// startNode starts a full node on loopback ports.
func startNode(t *testing.T, configure ...func(*config.Serve)) *node {
	t.Helper()
	cfg := config.Serve{
		DataDir: filepath.Join(t.TempDir(), "data"), DNSListen: "127.0.0.1:0", HTTPListen: "127.0.0.1:0",
		NameServers: []string{"ns1.test."}, DNSSockets: 1, LogLevel: "info", LogFormat: "text",
	}
	for _, f := range configure {
		f(&cfg)
	}
	a, err := app.Start(cfg, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	id, secret, err := sigv4.ReadCredentialsFile(filepath.Join(cfg.DataDir, app.CredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	return &node{app: a, base: "http://" + a.HTTPAddr(), id: id, secret: secret}
}

// testWriter sends the node's error logs to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// user is a browser-like client: a cookie jar, no automatic redirects, and
// the Origin header a browser sends with forms.
type user struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newUser(t *testing.T, n *node) *user {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &user{t: t, base: n.base, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedIn returns a user signed in with the node's root key.
func signedIn(t *testing.T, n *node) *user {
	u := newUser(t, n)
	res, _ := u.postRaw("/console/signin", url.Values{"access_key_id": {n.id}, "secret_access_key": {n.secret}}, u.base)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	u.get("/console/healthchecks") // learn the CSRF token
	if u.csrf == "" {
		t.Fatal("no CSRF token on the list page")
	}
	return u
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (u *user) do(req *http.Request) (*http.Response, string) {
	u.t.Helper()
	res, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		u.t.Fatal(err)
	}
	if m := csrfRE.FindSubmatch(b); m != nil {
		u.csrf = string(m[1])
	}
	return res, string(b)
}

// get fetches a path; 200 is expected unless a status is given.
func (u *user) get(path string, want ...int) (*http.Response, string) {
	u.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u.base+path, nil)
	res, body := u.do(req)
	code := http.StatusOK
	if len(want) > 0 {
		code = want[0]
	}
	if res.StatusCode != code {
		u.t.Fatalf("GET %s: status %d, want %d\n%s", path, res.StatusCode, code, body)
	}
	return res, body
}

// post sends a form with the session's CSRF token from this origin.
func (u *user) post(path string, form url.Values) (*http.Response, string) {
	u.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", u.csrf)
	}
	return u.postRaw(path, form, u.base)
}

func (u *user) postRaw(path string, form url.Values, origin string) (*http.Response, string) {
	u.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return u.do(req)
}

// mustRedirect checks a 303 to a location starting with prefix and returns
// the location.
func mustRedirect(t *testing.T, res *http.Response, body, prefix string) string {
	t.Helper()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d location %q, want 303 to %s…\n%s", res.StatusCode, loc, prefix, body)
	}
	return loc
}

// fieldError returns the error shown beside the input with this id ("" if
// none): the first field-error paragraph after the input in its field.
func fieldError(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	end := len(rest)
	for _, b := range []string{`<div class="field`, `<fieldset`, `</form>`} {
		if j := strings.Index(rest, b); j >= 0 && j < end {
			end = j
		}
	}
	m := regexp.MustCompile(`<p class="field-error" role="alert">([^<]*)</p>`).FindStringSubmatch(rest[:end])
	if m == nil {
		return ""
	}
	return m[1]
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
