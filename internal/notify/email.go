package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// STARTTLS policies of SMTPConfig.StartTLS.
const (
	StartTLSRequired      = "required"
	StartTLSOpportunistic = "opportunistic"
	StartTLSNever         = "never"
)

// DefaultSMTPTimeout bounds one SMTP delivery when SMTPConfig.Timeout is 0.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig says how email is sent.
type SMTPConfig struct {
	// Addr is the submission server, host:port. Empty disables email.
	Addr string
	// Username and Password, when Username is set, authenticate with AUTH
	// PLAIN, which is only sent over TLS unless the server is on loopback.
	Username, Password string
	// From is the sender address. Required with Addr.
	From string
	// StartTLS is "required" (the default when Username is set),
	// "opportunistic" (the default otherwise) or "never".
	StartTLS string
	// TLSConfig for STARTTLS; ServerName defaults to Addr's host.
	TLSConfig *tls.Config
	// Timeout bounds one delivery (default 30 s).
	Timeout time.Duration
}

func (c *SMTPConfig) validate() error {
	if c.Addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("notify: SMTP Addr %q: %w", c.Addr, err)
	}
	if c.From == "" {
		return errors.New("notify: SMTP From is required")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("notify: SMTP From %q: %w", c.From, err)
	}
	switch c.StartTLS {
	case "":
		c.StartTLS = StartTLSOpportunistic
		if c.Username != "" {
			c.StartTLS = StartTLSRequired
		}
	case StartTLSRequired, StartTLSOpportunistic, StartTLSNever:
	default:
		return fmt.Errorf("notify: SMTP StartTLS %q: want required, opportunistic or never", c.StartTLS)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultSMTPTimeout
	}
	return nil
}

// sendMail delivers j to its email subscription.
func (s *Service) sendMail(ctx context.Context, j *job, at time.Time) error {
	cfg := s.smtp
	if cfg.Addr == "" {
		return permanent("email delivery is not configured (no SMTP server)")
	}
	msg, err := s.composeMail(j, at)
	if err != nil {
		return permanent("compose email: %w", err)
	}
	from, _ := mail.ParseAddress(cfg.From)
	return smtpSend(ctx, cfg, from.Address, j.sub.Endpoint, msg)
}

// composeMail builds the RFC 5322 message of j.
func (s *Service) composeMail(j *job, at time.Time) ([]byte, error) {
	subject := strings.Join(strings.Fields(j.n.Subject), " ")
	if subject == "" {
		subject = "Vedette Notification Message"
	}
	body := j.n.Message
	if j.sub.Protocol == model.ProtocolEmailJSON {
		b, err := j.envelope()
		if err != nil {
			return nil, err
		}
		body = string(b)
	}
	from, err := mail.ParseAddress(s.smtp.From)
	if err != nil {
		return nil, err
	}
	domain := "vedette.invalid"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", (&mail.Address{Address: j.sub.Endpoint}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", at.Format(time.RFC1123Z))
	header("Message-ID", "<"+j.messageID+"."+newID()[:8]+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("X-Vedette-Topic-Arn", j.sub.TopicArn)
	header("X-Vedette-Message-Id", j.messageID)
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	// Normalise line ends so that quoted-printable writes CRLF.
	qp.Write([]byte(strings.ReplaceAll(body, "\r\n", "\n")))
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// smtpSend sends msg from from to to through cfg.Addr.
func smtpSend(ctx context.Context, cfg SMTPConfig, from, to string, msg []byte) error {
	host, _, _ := net.SplitHostPort(cfg.Addr)
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return smtpError("greeting", err)
	}
	defer c.Close()
	if name, herr := os.Hostname(); herr == nil && name != "" && !strings.ContainsAny(name, " \r\n") {
		if err := c.Hello(name); err != nil {
			return smtpError("EHLO", err)
		}
	}
	if cfg.StartTLS != StartTLSNever {
		ok, _ := c.Extension("STARTTLS")
		switch {
		case ok:
			tc := &tls.Config{}
			if cfg.TLSConfig != nil {
				tc = cfg.TLSConfig.Clone()
			}
			if tc.ServerName == "" {
				tc.ServerName = host
			}
			if tc.MinVersion == 0 {
				tc.MinVersion = tls.VersionTLS12
			}
			if err := c.StartTLS(tc); err != nil {
				return smtpError("STARTTLS", err)
			}
		case cfg.StartTLS == StartTLSRequired:
			return permanent("smtp: server %s does not offer STARTTLS, which is required", cfg.Addr)
		}
	}
	if cfg.Username != "" {
		_, isTLS := c.TLSConnectionState()
		if !isTLS && !isLoopback(host) {
			return permanent("smtp: refusing to send credentials to %s without TLS", cfg.Addr)
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return permanent("smtp: server %s does not offer AUTH", cfg.Addr)
		}
		if err := c.Auth(plainAuth{user: cfg.Username, pass: cfg.Password}); err != nil {
			return smtpError("AUTH", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return smtpError("MAIL FROM", err)
	}
	if err := c.Rcpt(to); err != nil {
		return smtpError("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return smtpError("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpError("DATA", err)
	}
	if err := w.Close(); err != nil {
		return smtpError("DATA", err)
	}
	// The message was accepted; a failing QUIT does not undo that.
	_ = c.Quit()
	return nil
}

// smtpError wraps an SMTP step's error; 5xx replies are permanent.
func smtpError(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return permanent("smtp %s: %w", step, err)
	}
	return fmt.Errorf("smtp %s: %w", step, err)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainAuth is SASL PLAIN (RFC 4616); smtpSend decides whether the
// connection is safe for it.
type plainAuth struct{ user, pass string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}
