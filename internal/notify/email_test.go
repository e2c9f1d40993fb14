package notify_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/notify"
	"github.com/vedette-dns/vedette/internal/notify/smtptest"
)

// mailServer is a real SMTP server on loopback (STARTTLS, AUTH PLAIN) and
// how many of its messages the test has read.
type mailServer struct {
	*smtptest.Server
	seen int
}

const (
	mailUser = "vedette"
	mailPass = "correct horse"
)

func newMailServer(t *testing.T) *mailServer {
	t.Helper()
	return &mailServer{Server: smtptest.Start(t, mailUser, mailPass)}
}

func (m *mailServer) next(t *testing.T) smtptest.Message {
	t.Helper()
	msg, ok := m.Next(m.seen, wait)
	if !ok {
		t.Fatal("timed out waiting for a mail")
	}
	m.seen++
	return msg
}

func smtpConfig(m *mailServer, pass string) notify.SMTPConfig {
	return notify.SMTPConfig{
		Addr: m.Addr, Username: mailUser, Password: pass, From: "Vedette <vedette@example.com>",
		TLSConfig: &tls.Config{RootCAs: m.Roots},
	}
}

// parseMail parses msg and returns it with its decoded body.
func parseMail(t *testing.T, msg smtptest.Message) (*mail.Message, string) {
	t.Helper()
	pm, err := mail.ReadMessage(strings.NewReader(string(msg.Data)))
	if err != nil {
		t.Fatalf("parse mail: %v\n%s", err, msg.Data)
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
	if msg.From != "vedette@example.com" || len(msg.To) != 1 || msg.To[0] != "ops@example.com" {
		t.Errorf("envelope from %q to %q", msg.From, msg.To)
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
	for _, line := range strings.Split(string(msg.Data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d octets", len(line))
		}
	}
	d := e.next(t)
	if d.Status != notify.StatusDelivered || d.Endpoint != "ops@example.com" || d.SubscriptionArn != sub.Arn {
		t.Errorf("delivery = %+v", d)
	}
	if n := ms.AuthWithoutTLS(); n != 0 {
		t.Errorf("%d AUTH attempts without TLS", n)
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
	if msgs := ms.Messages(); len(msgs) != 0 {
		t.Errorf("mail accepted despite the wrong password: %s", msgs[0].Data)
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
