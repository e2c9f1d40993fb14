package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// cookieName names the session cookie.
const cookieName = "vedette_session"

// idleExpiry is how long an unused session lives.
const idleExpiry = 12 * time.Hour

// session is one signed-in user: the key they signed in with (kept in memory
// only) and the CSRF token of their forms.
type session struct {
	id        string
	keyID     string
	secret    string
	csrf      string
	lastUsed  time.Time
	flash     string
	flashKind string
}

// sessions is the server-side session store.
type sessions struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, m: map[string]*session{}}
}

// randomToken returns 256 random bits, base64url encoded.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (ss *sessions) create(keyID, secret string) *session {
	s := &session{id: randomToken(), keyID: keyID, secret: secret, csrf: randomToken(), lastUsed: ss.now()}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := ss.now()
	for id, o := range ss.m { // drop expired sessions
		if now.Sub(o.lastUsed) > idleExpiry {
			delete(ss.m, id)
		}
	}
	ss.m[s.id] = s
	return s
}

// get returns the live session with this id and marks it used.
func (ss *sessions) get(id string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[id]
	if s == nil {
		return nil
	}
	now := ss.now()
	if now.Sub(s.lastUsed) > idleExpiry {
		delete(ss.m, id)
		return nil
	}
	s.lastUsed = now
	return s
}

func (ss *sessions) delete(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// setFlash stores a one-time message shown on the next page.
func (ss *sessions) setFlash(s *session, kind, msg string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.flash, s.flashKind = msg, kind
}

// takeFlash returns and clears the session's message.
func (ss *sessions) takeFlash(s *session) (kind, msg string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	kind, msg = s.flashKind, s.flash
	s.flash, s.flashKind = "", ""
	return kind, msg
}

// handler is a console handler that needs a signed-in user.
type handler func(w http.ResponseWriter, r *http.Request, s *session)

// authed requires a session: GETs without one are redirected to the sign-in
// page, other methods refused. Every POST must carry the session's CSRF
// token and come from this host.
func (s *server) authed(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sess *session
		if c, err := r.Cookie(cookieName); err == nil {
			sess = s.sessions.get(c.Value)
		}
		if sess == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/console/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, nil, http.StatusForbidden, "Not signed in", "Your session has ended. Sign in again, then repeat the action.")
			return
		}
		if r.Method == http.MethodPost && !s.postAllowed(r, sess) {
			s.errorPage(w, r, sess, http.StatusForbidden, "Request refused", "This form was not sent from this console page (its security token or origin did not match). Reload the page and try again.")
			return
		}
		h(w, r, sess)
	})
}

// postAllowed checks the CSRF token (constant time) and that Origin, or
// else Referer, names this host.
func (s *server) postAllowed(r *http.Request, sess *session) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	tok := r.PostForm.Get("csrf")
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(sess.csrf)) != 1 {
		return false
	}
	return sameOrigin(r)
}

// sameOrigin reports whether the request's Origin (or Referer when Origin
// is absent) has this request's host. A request with neither is refused.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" || src == "null" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return false
	}
	u, err := url.Parse(src)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// secure reports whether the request came over TLS, directly or through a
// proxy that says so.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (s *server) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r),
	})
}

// safeNext returns next if it is a path inside the console, else the
// console's home.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return Prefix
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return Prefix
	}
	return next
}

type signinData struct {
	Next, KeyID, Error string
}

func (s *server) signinForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, nil, http.StatusOK, "signin", "Sign in", signinData{Next: safeNext(r.URL.Query().Get("next"))})
}

// signin checks the key and starts a session. The sign-in form has no
// session token yet; it is protected by the same-origin check.
func (s *server) signin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !sameOrigin(r) {
		s.errorPage(w, r, nil, http.StatusForbidden, "Request refused", "The sign-in form was not sent from this console.")
		return
	}
	id := strings.TrimSpace(r.PostForm.Get("access_key_id"))
	secret := r.PostForm.Get("secret_access_key")
	next := safeNext(r.PostForm.Get("next"))
	if id == "" || secret == "" || !s.opts.Verify(id, secret) {
		s.log.Info("console sign-in refused", "access_key_id", id, "remote", r.RemoteAddr)
		s.render(w, r, nil, http.StatusUnauthorized, "signin", "Sign in", signinData{Next: next, KeyID: id,
			Error: "The access key ID or the secret access key is not correct, or the key may not use the console (root keys only)."})
		return
	}
	if c, err := r.Cookie(cookieName); err == nil {
		s.sessions.delete(c.Value)
	}
	sess := s.sessions.create(id, secret)
	s.setCookie(w, r, sess.id, 0)
	s.log.Info("console sign-in", "access_key_id", id, "remote", r.RemoteAddr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *server) signout(w http.ResponseWriter, r *http.Request, sess *session) {
	s.sessions.delete(sess.id)
	s.setCookie(w, r, "", -1)
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}
