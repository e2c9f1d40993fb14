package console

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// wellFormed parses the SVG as XML and returns its elements by name.
func wellFormed(t *testing.T, svg string) map[string][]xml.StartElement {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	els := map[string][]xml.StartElement{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return els
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			els[se.Name.Local] = append(els[se.Name.Local], se)
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestStatusChartStepLineAndMarkers(t *testing.T) {
	c := Chart{
		ID: "st", Title: "Status <now>", Desc: "1 change & more", From: t0, To: t0.Add(time.Hour), Step: true,
		YMin: 0, YMax: 1, YLabels: map[float64]string{0: "Unhealthy", 1: "Healthy"}, Gap: 2 * time.Minute,
		Series: []Series{{Name: "Status", Points: []Point{
			{t0, 1}, {t0.Add(15 * time.Minute), 1}, {t0.Add(30 * time.Minute), 0}, {t0.Add(31 * time.Minute), 0},
		}}},
		Markers: []Marker{
			{T: t0.Add(30 * time.Minute), Label: "Healthy → Unhealthy (<Failure>)"},
			{T: t0.Add(-time.Minute), Label: "before the range: not drawn"},
		},
	}
	svg := string(c.SVG())
	els := wellFormed(t, svg)
	if len(els["svg"]) != 1 || attr(els["svg"][0], "role") != "img" || attr(els["svg"][0], "aria-labelledby") != "st-t st-d" {
		t.Fatalf("svg element: %+v", els["svg"])
	}
	if !strings.Contains(svg, `<title id="st-t">Status &lt;now&gt;</title>`) || !strings.Contains(svg, `<desc id="st-d">1 change &amp; more</desc>`) {
		t.Errorf("title/desc not escaped:\n%s", svg)
	}
	// Plot: x from 90 to 704 (614 wide) over 1 h, y 14 (1) to 186 (0).
	// Points at 0, 15, 30, 31 min: the 15-min gap breaks the line (Gap 2
	// min), holding the last value for one Gap first; the end holds to one
	// Gap after the last point.
	var series []xml.StartElement
	for _, p := range els["path"] {
		if attr(p, "class") == "series" {
			series = append(series, p)
		}
	}
	if len(series) != 1 {
		t.Fatalf("%d series paths", len(series))
	}
	want := "M90 14 H110.5 M243.5 14 H264 M397 186 H407.2 V186 H427.7"
	if got := attr(series[0], "d"); got != want {
		t.Errorf("path d=%q\nwant  %q", got, want)
	}
	var changes []xml.StartElement
	for _, g := range els["g"] {
		if attr(g, "class") == "change" {
			changes = append(changes, g)
		}
	}
	if len(changes) != 1 || attr(changes[0], "data-time") != "2026-11-23T12:30:00Z" {
		t.Fatalf("change markers: %+v", changes)
	}
	if !strings.Contains(svg, "Healthy → Unhealthy (&lt;Failure&gt;)") {
		t.Error("marker label not escaped")
	}
	// Y labels name the states; x labels every 10 minutes.
	if !strings.Contains(svg, ">Healthy</text>") || !strings.Contains(svg, ">Unhealthy</text>") {
		t.Error("y labels")
	}
	xl := regexp.MustCompile(`class="xlabel"[^>]*>([^<]+)<`).FindAllStringSubmatch(svg, -1)
	var labels []string
	for _, m := range xl {
		labels = append(labels, m[1])
	}
	if strings.Join(labels, " ") != "12:00 12:10 12:20 12:30 12:40 12:50 13:00" {
		t.Errorf("x labels %v", labels)
	}
}

func TestLineChartPerRegion(t *testing.T) {
	from := t0
	to := t0.Add(24 * time.Hour)
	c := Chart{ID: "lat", Title: "Latency", From: from, To: to, Unit: " ms", Series: []Series{
		{Name: "us-east-1", Points: []Point{{from, 10}, {from.Add(12 * time.Hour), 30}, {to, 20}}},
		{Name: "eu-<west>-1", Points: []Point{{from.Add(6 * time.Hour), 70}}},
	}}
	svg := string(c.SVG())
	els := wellFormed(t, svg)
	var ds []string
	for _, p := range els["path"] {
		if attr(p, "class") == "series" {
			ds = append(ds, attr(p, "data-series")+": "+attr(p, "d"))
		}
	}
	// The y axis goes to 100 (round number above 70).
	want := []string{"us-east-1: M90 168.8 L397 134.4 L704 151.6", "eu-<west>-1: M243.5 65.6"}
	if strings.Join(ds, "|") != strings.Join(want, "|") {
		t.Errorf("paths\n%q\nwant\n%q", ds, want)
	}
	for _, l := range []string{">0 ms<", ">50 ms<", ">100 ms<", ">eu-&lt;west&gt;-1<", ">12:00<", ">16:00<"} {
		if !strings.Contains(svg, l) {
			t.Errorf("missing %q", l)
		}
	}
	// Two series: a legend, each with its own dash pattern.
	if n := strings.Count(svg, `class="legend"`); n != 2 {
		t.Errorf("%d legend entries", n)
	}
}

func TestChartWithoutData(t *testing.T) {
	c := Chart{ID: "e", Title: "Empty", From: t0, To: t0.Add(7 * 24 * time.Hour), Series: []Series{{Name: "All regions"}}}
	svg := string(c.SVG())
	wellFormed(t, svg)
	if !strings.Contains(svg, "No data in this range") || strings.Contains(svg, `class="series"`) {
		t.Errorf("empty chart:\n%s", svg)
	}
	if !strings.Contains(svg, ">Nov 24<") {
		t.Error("7-day axis is labelled by day")
	}
}

func TestSummarize(t *testing.T) {
	s := Series{Name: "All regions", Points: []Point{{t0, 100}, {t0.Add(time.Minute), 50}, {t0.Add(2 * time.Minute), 0}}}
	got := summarize(s, "%")
	want := "All regions: latest 0% at 12:02 UTC; minimum 0%, average 50%, maximum 100% over 3 points."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := summarize(Series{Name: "x"}, ""); got != "x: no data." {
		t.Errorf("empty: %q", got)
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.4: 1, 3: 5, 7: 10, 12: 20, 70: 100, 100: 100, 230: 500} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/zones?x=1": "/console/zones?x=1", "": "/console/", "/other": "/console/", "//evil.example/console/": "/console/",
		"https://evil.example/console/": "/console/", "/console/\\evil": "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFullName(t *testing.T) {
	for in, want := range map[string]string{"": "example.com.", "@": "example.com.", "www": "www.example.com.", "www.example.com": "www.example.com.",
		"WWW.Example.com.": "WWW.Example.com.", "a.b": "a.b.example.com.", "example.com": "example.com."} {
		if got := fullName(in, "example.com."); got != want {
			t.Errorf("fullName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionsExpireWhenIdle(t *testing.T) {
	now := t0
	ss := newSessions(func() time.Time { return now })
	s := ss.create("AKID", "secret")
	if len(s.id) != 43 || len(s.csrf) != 43 || s.id == s.csrf {
		t.Fatalf("ids: %q %q", s.id, s.csrf)
	}
	now = now.Add(11 * time.Hour)
	if ss.get(s.id) != s {
		t.Fatal("session gone before its idle expiry")
	}
	now = now.Add(11 * time.Hour) // used 11 h ago: still alive
	if ss.get(s.id) != s {
		t.Fatal("use did not extend the session")
	}
	now = now.Add(idleExpiry + time.Second)
	if ss.get(s.id) != nil {
		t.Fatal("idle session still alive")
	}
	other := ss.create("AKID", "secret")
	ss.delete(other.id)
	if ss.get(other.id) != nil {
		t.Fatal("deleted session alive")
	}
}

func TestAttributeErrors(t *testing.T) {
	err := errors.New("Invalid parameter : FailureThreshold 11 is outside 1..10")
	fe := attribute(err, hcWords, nil)
	if fe.Field("FailureThreshold") == "" || fe.General == "" {
		t.Errorf("%+v", fe)
	}
	// The earliest word wins; at one position the longest.
	fe = attribute(errors.New("Child health check x is listed twice"), hcWords, nil)
	if fe.Field("ChildHealthChecks") == "" {
		t.Errorf("%+v", fe)
	}
	// No word: the field whose quoted value appears.
	fe = attribute(errors.New("Invalid parameter : 'nope' is not an IP address"), testWords, map[string]string{"ResolverIP": "nope", "RecordName": "www"})
	if fe.Field("ResolverIP") == "" || fe.Field("RecordName") != "" {
		t.Errorf("%+v", fe)
	}
}
