package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// pages holds one template per page, each the layout plus the page.
type pages map[string]*template.Template

var funcs = template.FuncMap{
	"time":    fmtTime,
	"ago":     ago,
	"status":  statusClass,
	"join":    strings.Join,
	"has":     func(list []string, v string) bool { return contains(list, v) },
	"deref":   deref,
	"derefI":  func(p *int32) string { return derefInt(p) },
	"derefI6": func(p *int64) string { return derefInt64(p) },
	"deref_b": func(p *bool) bool { return p != nil && *p },
	"list":    func(v ...string) []string { return v },
}

func loadPages() (pages, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := pages{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", n, err)
		}
		p[base] = t
	}
	return p, nil
}

// pageData is what the layout sees; Data is the page's own.
type pageData struct {
	Title     string
	Signed    bool
	KeyID     string
	CSRF      string
	Section   string
	Flash     string
	FlashKind string
	Scripts   []string
	Data      any
}

// render writes a page inside the layout. sess may be nil (signed out).
func (s *server) render(w http.ResponseWriter, r *http.Request, sess *session, code int, page, title string, data any) {
	t := s.pages[page]
	if t == nil {
		s.log.Error("console: no template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pd := pageData{Title: title, Data: data, Section: section(r.URL.Path)}
	if sess != nil {
		pd.Signed, pd.KeyID, pd.CSRF = true, sess.keyID, sess.csrf
		pd.FlashKind, pd.Flash = s.sessions.takeFlash(sess)
	}
	if page == "healthchecks" {
		pd.Scripts = []string{"refresh.js"}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, pd); err != nil {
		s.log.Error("console: render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct{ Heading, Message string }

// errorPage renders a page that explains a refusal or a failure.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, sess *session, code int, heading, msg string) {
	s.render(w, r, sess, code, "error", heading, errorData{Heading: heading, Message: msg})
}

// redirectWith sets a one-time message and redirects (POST/redirect/GET).
func (s *server) redirectWith(w http.ResponseWriter, r *http.Request, sess *session, to, msg string) {
	s.sessions.setFlash(sess, "ok", msg)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func section(path string) string {
	switch {
	case strings.HasPrefix(path, "/console/zones"):
		return "zones"
	case strings.HasPrefix(path, "/console/healthchecks"):
		return "healthchecks"
	}
	return ""
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// statusClass returns the CSS class of a status text.
func statusClass(st string) string {
	switch st {
	case "Healthy", "OK", "Success":
		return "st-ok"
	case "Unhealthy", "ALARM", "Failure":
		return "st-bad"
	}
	return "st-unknown"
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefInt(p *int32) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

func derefInt64(p *int64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}
