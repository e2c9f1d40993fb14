package notify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/notify"
)

// mailServer is a real SMTP server on loopback offering STARTTLS with a
// self-signed certificate and AUTH PLAIN (only after STARTTLS).
type mailServer struct {
	addr  string
	roots *x509.CertPool
	msgs  chan mailMsg

	mu       sync.Mutex
	authNoTL int // AUTH attempts made without TLS
}

type mailMsg struct {
	from string
	to   []string
	data []byte
}

const (
	mailUser = "vedette"
	mailPass = "correct horse"
)

func newMailServer(t *testing.T) *mailServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	m := &mailServer{roots: x509.NewCertPool(), msgs: make(chan mailMsg, 10)}
	m.roots.AddCert(cert)

	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, tlsOn := c.TLSConnectionState()
		return &mailSession{m: m, tls: tlsOn}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.ReadTimeout = wait
	srv.WriteTimeout = wait
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *mailServer) next(t *testing.T) mailMsg {
	t.Helper()
	select {
	case msg := <-m.msgs:
		return msg
	case <-time.After(wait):
		t.Fatal("timed out waiting for a mail")
		return mailMsg{}
	}
}

type mailSession struct {
	m      *mailServer
	tls    bool
	authed bool
	from   string
	to     []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	if !s.tls {
		s.m.mu.Lock()
		s.m.authNoTL++
		s.m.mu.Unlock()
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != mailUser || pass != mailPass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.msgs <- mailMsg{from: s.from, to: s.to, data: b}
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

func smtpConfig(m *mailServer, pass string) notify.SMTPConfig {
	return notify.SMTPConfig{
		Addr: m.addr, Username: mailUser, Password: pass, From: "Vedette <vedette@example.com>",
		TLSConfig: &tls.Config{RootCAs: m.roots},
	}
}

// parseMail parses msg and returns it with its decoded body.
func parseMail(t *testing.T, msg mailMsg) (*mail.Message, string) {
	t.Helper()
	pm, err := mail.ReadMessage(strings.NewReader(string(msg.data)))
	if err != nil {
		t.Fatalf("parse mail: %v\n%s", err, msg.data)
	}
	var body io.Reader = pm.Body
	if pm.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		body = quotedprintable.NewReader(pm.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return pm, strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestEmailDelivery(t *testing.T) {
	ms := newMailServer(t)
	e := newEnv(t, notify.Options{SMTP: smtpConfig(ms, mailPass)})
	tp := e.topic(t, "alerts")
	sub := e.subscribe(t, tp.Arn, model.ProtocolEmail, "ops@example.com", nil)
	e.run(t)

	n := notify.Notification{
		Subject: `ALARM: "hc-down" in Zürich`,
		Message: "{\"AlarmName\":\"hc-down\"}\nsecond line with ünïcode and a long tail " + strings.Repeat("x", 200) + "\n.\nafter a lone dot",
	}
	if err := e.svc.Notify(e.ctx, tp.Arn, n); err != nil {
		t.Fatal(err)
	}
	msg := ms.next(t)
	if msg.from != "vedette@example.com" || len(msg.to) != 1 || msg.to[0] != "ops@example.com" {
		t.Errorf("envelope from %q to %q", msg.from, msg.to)
	}
	pm, body := parseMail(t, msg)
	from, err := pm.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "vedette@example.com" || from[0].Name != "Vedette" {
		t.Errorf("From = %v, %v", from, err)
	}
	if to, err := pm.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "ops@example.com" {
		t.Errorf("To = %v, %v", to, err)
	}
	raw := pm.Header.Get("Subject")
	if !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("non-ASCII subject not Q-encoded: %q", raw)
	}
	if subj, err := new(mime.WordDecoder).DecodeHeader(raw); err != nil || subj != n.Subject {
		t.Errorf("Subject = %q (%v), want %q", subj, err, n.Subject)
	}
	if date, err := pm.Header.Date(); err != nil || !date.Equal(t0) {
		t.Errorf("Date = %v, %v; want %v", date, err, t0)
	}
	for k, want := range map[string]string{"MIME-Version": "1.0", "Content-Type": "text/plain; charset=utf-8"} {
		if got := pm.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if id := pm.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID = %q", id)
	}
	// SMTP ends the message with a line break.
	if body = strings.TrimSuffix(body, "\n"); body != n.Message {
		t.Errorf("body = %q, want %q", body, n.Message)
	}
	for _, line := range strings.Split(string(msg.data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d octets", len(line))
		}
	}
	d := e.next(t)
	if d.Status != notify.StatusDelivered || d.Endpoint != "ops@example.com" || d.SubscriptionArn != sub.Arn {
		t.Errorf("delivery = %+v", d)
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.authNoTL != 0 {
		t.Errorf("%d AUTH attempts without TLS", ms.authNoTL)
	}
}

func TestEmailJSON(t *testing.T) {
	ms := newMailServer(t)
	e := newEnv(t, notify.Options{SMTP: smtpConfig(ms, mailPass)})
	tp := e.topic(t, "alerts")
	sub := e.subscribe(t, tp.Arn, model.ProtocolEmailJSON, "robot@example.com", nil)
	e.run(t)
	id, err := e.svc.Publish(e.ctx, tp.Arn, "hello", `{"k":"v"}`)
	if err != nil {
		t.Fatal(err)
	}
	pm, body := parseMail(t, ms.next(t))
	if pm.Header.Get("Subject") != "hello" {
		t.Errorf("Subject = %q", pm.Header.Get("Subject"))
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &env); err != nil {
		t.Fatalf("email-json body %q: %v", body, err)
	}
	if env["Type"] != "Notification" || env["MessageId"] != id || env["Message"] != `{"k":"v"}` ||
		env["TopicArn"] != tp.Arn || env["SubscriptionArn"] != sub.Arn || env["Subject"] != "hello" {
		t.Errorf("email-json envelope = %v", env)
	}
	if d := e.next(t); d.Status != notify.StatusDelivered {
		t.Errorf("delivery = %+v", d)
	}
}

func TestEmailWrongPassword(t *testing.T) {
	ms := newMailServer(t)
	e := newEnv(t, notify.Options{SMTP: smtpConfig(ms, "wrong")})
	tp := e.topic(t, "alerts")
	e.subscribe(t, tp.Arn, model.ProtocolEmail, "ops@example.com", nil)
	e.run(t)
	if err := e.svc.Notify(e.ctx, tp.Arn, notify.Notification{Subject: "s", Message: "m"}); err != nil {
		t.Fatal(err)
	}
	d := e.next(t)
	// 535 is a permanent SMTP failure: no retry.
	if d.Status != notify.StatusFailed || d.Attempt != 1 || !strings.Contains(d.Error, "535") || !strings.Contains(d.Error, "Authentication failed") {
		t.Errorf("delivery = %+v, want failed with the server's 535", d)
	}
	select {
	case m := <-ms.msgs:
		t.Errorf("mail accepted despite the wrong password: %s", m.data)
	default:
	}
}

func TestEmailTLSRequired(t *testing.T) {
	ms := newMailServer(t)
	cfg := smtpConfig(ms, mailPass)
	cfg.TLSConfig = nil // the self-signed certificate is then untrusted
	e := newEnv(t, notify.Options{SMTP: cfg, MaxAttempts: 1})
	tp := e.topic(t, "alerts")
	e.subscribe(t, tp.Arn, model.ProtocolEmail, "ops@example.com", nil)
	e.run(t)
	if err := e.svc.Notify(e.ctx, tp.Arn, notify.Notification{Message: "m"}); err != nil {
		t.Fatal(err)
	}
	d := e.next(t)
	if d.Status != notify.StatusFailed || !strings.Contains(d.Error, "STARTTLS") || !strings.Contains(d.Error, "certificate") {
		t.Errorf("delivery = %+v, want a failed STARTTLS", d)
	}
}

func TestEmailNotConfigured(t *testing.T) {
	e := newEnv(t, notify.Options{})
	tp := e.topic(t, "alerts")
	e.subscribe(t, tp.Arn, model.ProtocolEmail, "ops@example.com", nil)
	e.run(t)
	if err := e.svc.Notify(e.ctx, tp.Arn, notify.Notification{Message: "m"}); err != nil {
		t.Fatal(err)
	}
	d := e.next(t)
	if d.Status != notify.StatusFailed || d.Attempt != 1 || !strings.Contains(d.Error, "not configured") {
		t.Errorf("delivery = %+v, want failed: not configured", d)
	}
}
