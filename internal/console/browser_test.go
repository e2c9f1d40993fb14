package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium. The browser test fails (never skips)
// without it: scripts/test.sh installs it.
const chromiumPath = "/usr/bin/chromium"

// browser drives one headless Chromium tab against a node.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // screenshots
	shot int
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is required for the console's browser test (apt-get install chromium): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, base: base, dir: screenshotDir(t)}
}

// screenshotDir is $VEDETTE_SCREENSHOT_DIR, else test-output/screenshots at
// the repository root.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("VEDETTE_SCREENSHOT_DIR")
	if dir == "" {
		root, err := filepath.Abs("../..")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			t.Fatalf("repository root not found from %s", root)
		}
		dir = filepath.Join(root, "test-output", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// do runs actions with a deadline.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression; errors (e.g. during a
// navigation) come back to the caller.
func eval[T any](b *browser, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// waitJS polls a JavaScript condition until it is true, reloading the page
// first when reload is set (server-rendered status).
func (b *browser) waitJS(what, cond string, reload bool, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if reload {
			b.do("reload for "+what, chromedp.Reload())
		}
		ok, err := eval[bool](b, "document.readyState === 'complete' && ("+cond+")")
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			html, _ := eval[string](b, "document.body ? document.body.innerText : ''")
			b.t.Fatalf("timed out after %v waiting for %s (%v); page:\n%s", d, what, err, html)
		}
		if !reload {
			time.Sleep(50 * time.Millisecond)
		} else {
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// waitPath waits until the page at a path starting with prefix has loaded.
func (b *browser) waitPath(prefix string) {
	b.t.Helper()
	b.waitJS("page "+prefix, fmt.Sprintf("location.pathname.startsWith(%q) && !!document.querySelector('main')", prefix), false, 15*time.Second)
}

// screenshot saves the whole page as NN-name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	b.shot++
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shot, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// set fills inputs by id (SetValue, so pre-filled values are replaced).
func (b *browser) set(fields map[string]string) {
	b.t.Helper()
	for id, v := range fields {
		b.do("set "+id, chromedp.SetValue(chromedp.CSS("#"+id), v))
	}
}

// TestBrowserFailover drives the console in headless Chromium: sign in,
// create an HTTP check, see it healthy, stop its endpoint, see it unhealthy
// with the reason and the change on the status graph, create a failover
// pair and test it.
func TestBrowserFailover(t *testing.T) {
	n := startNode(t)
	srv, host, port := endpoint(t)
	b := newBrowser(t, n.base)

	// Sign in (the root redirects there).
	b.do("open", chromedp.Navigate(n.base+"/"))
	b.waitPath("/console/signin")
	b.do("type key", chromedp.SendKeys(chromedp.CSS("#access_key_id"), n.id), chromedp.SendKeys(chromedp.CSS("#secret_access_key"), n.secret))
	b.screenshot("signin")
	b.do("sign in", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitPath("/console/healthchecks")
	b.screenshot("health-checks-empty")

	// Create an HTTP health check through the form.
	b.do("new check", chromedp.Click(chromedp.CSS(`a[href="/console/healthchecks/new"]`)))
	b.waitPath("/console/healthchecks/new")
	b.set(map[string]string{"Name": "web-primary", "Type": "HTTP", "IPAddress": host, "Port": port, "ResourcePath": "/health",
		"RequestInterval": "1", "FailureThreshold": "1"})
	b.screenshot("create-health-check")
	b.do("create", chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
	b.waitJS("the new check's page", `/^\/console\/healthchecks\/[0-9a-f-]{36}$/.test(location.pathname)`, false, 15*time.Second)
	checkURL, err := eval[string](b, "location.href")
	if err != nil {
		t.Fatal(err)
	}
	b.screenshot("health-check-info")

	// Healthy on the list.
	b.do("list", chromedp.Navigate(n.base+"/console/healthchecks"))
	b.waitJS("Healthy on the list", `[...document.querySelectorAll('tr[data-id] .status')].some(e => e.textContent.trim() === 'Healthy')`, true, 20*time.Second)
	if name := b.text("tr[data-id] td a"); name != "web-primary" {
		t.Errorf("list shows %q", name)
	}
	b.screenshot("health-checks-healthy")

	// Stop the endpoint: Unhealthy with the failure reason on the Health
	// checkers tab.
	srv.Close()
	b.do("checkers tab", chromedp.Navigate(checkURL+"/checkers"))
	b.waitJS("Unhealthy with a failure reason",
		`document.querySelector('.hcsummary .status').textContent.trim() === 'Unhealthy' && [...document.querySelectorAll('.failure-reason')].some(e => e.textContent.startsWith('Failure'))`,
		true, 30*time.Second)
	if reason := b.text(".failure-reason"); !strings.Contains(reason, "Failure") {
		t.Errorf("failure reason %q", reason)
	}
	b.screenshot("health-checkers-unhealthy")

	// The change is marked on the Monitoring status graph.
	b.do("monitoring tab", chromedp.Navigate(checkURL+"/monitoring"))
	b.waitJS("a status-change marker on the status graph", `document.querySelectorAll('#chart-status-t').length === 1 && document.querySelector('svg.chart g.change') !== null`, true, 20*time.Second)
	b.screenshot("monitoring")

	// A phone: the list has no horizontal scroll at 375 px.
	b.do("phone", chromedp.EmulateViewport(375, 800), chromedp.Navigate(n.base+"/console/healthchecks"))
	b.waitPath("/console/healthchecks")
	if w, err := eval[int](b, "document.documentElement.scrollWidth"); err != nil || w > 375 {
		t.Errorf("list at 375 px scrolls sideways: width %d (%v)", w, err)
	}
	b.screenshot("health-checks-phone")
	b.do("desktop", chromedp.EmulateViewport(1280, 900))

	// A hosted zone and a failover pair: PRIMARY with the unhealthy check,
	// SECONDARY plain.
	b.do("zones", chromedp.Navigate(n.base+"/console/zones/new"))
	b.waitPath("/console/zones/new")
	b.set(map[string]string{"Name": "failover.test", "Comment": "browser test"})
	b.screenshot("create-zone")
	b.do("create zone", chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
	b.waitJS("the zone's page", `/^\/console\/zones\/Z[A-Z0-9]+$/.test(location.pathname)`, false, 15*time.Second)
	zoneURL, _ := eval[string](b, "location.href")
	checkID := checkURL[strings.LastIndex(checkURL, "/")+1:]
	for i, rec := range []map[string]string{
		{"Name": "www", "Type": "A", "TTL": "60", "Values": "192.0.2.1", "Policy": "failover", "SetIdentifier": "primary", "Failover": "PRIMARY", "HealthCheckId": checkID},
		{"Name": "www", "Type": "A", "TTL": "60", "Values": "192.0.2.2", "Policy": "failover", "SetIdentifier": "secondary", "Failover": "SECONDARY"},
	} {
		b.do("new record", chromedp.Navigate(zoneURL+"/records/new"))
		b.waitPath("/console/zones/")
		b.set(rec)
		if i == 0 {
			b.screenshot("record-form")
		}
		b.do("create record", chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
		b.waitJS("back on the zone", `/^\/console\/zones\/Z[A-Z0-9]+$/.test(location.pathname)`, false, 15*time.Second)
	}
	b.screenshot("records")

	// The test-record form answers the secondary's address.
	b.do("test form", chromedp.Click(chromedp.CSS(`a[href$="/test"]`)))
	b.waitPath("/console/zones/")
	b.set(map[string]string{"RecordName": "www.failover.test", "RecordType": "A"})
	b.do("test", chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
	b.waitJS("an answer", `document.querySelector('#answer') !== null`, false, 15*time.Second)
	if got := b.text("#answer"); strings.TrimSpace(got) != "192.0.2.2" {
		t.Errorf("test record answered %q, want the secondary 192.0.2.2", got)
	}
	b.screenshot("test-record")
}
