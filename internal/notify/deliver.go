package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vedette-dns/vedette/internal/model"
)

// envelope is the JSON body of webhook and email-json deliveries, shaped
// like SNS's HTTP notification (without SNS's certificate signature; webhooks
// carry X-Vedette-Signature instead).
type envelope struct {
	Type            string `json:"Type"`
	MessageID       string `json:"MessageId"`
	TopicArn        string `json:"TopicArn"`
	Subject         string `json:"Subject,omitempty"`
	Message         string `json:"Message"`
	Timestamp       string `json:"Timestamp"`
	SubscriptionArn string `json:"SubscriptionArn"`
}

func (j *job) envelope() ([]byte, error) {
	return json.Marshal(envelope{
		Type:            "Notification",
		MessageID:       j.messageID,
		TopicArn:        j.sub.TopicArn,
		Subject:         j.n.Subject,
		Message:         j.n.Message,
		Timestamp:       j.published.UTC().Format("2006-01-02T15:04:05.000Z"),
		SubscriptionArn: j.sub.Arn,
	})
}

// send makes one delivery attempt of j at time at.
func (s *Service) send(ctx context.Context, j *job, at time.Time) error {
	switch j.sub.Protocol {
	case model.ProtocolHTTP, model.ProtocolHTTPS:
		body, err := j.envelope()
		if err != nil {
			return permanent("encode notification: %w", err)
		}
		return s.post(ctx, j, body, at, true)
	case model.ProtocolSlack:
		body, err := json.Marshal(map[string]string{"text": slackText(j.n)})
		if err != nil {
			return permanent("encode notification: %w", err)
		}
		return s.post(ctx, j, body, at, false)
	case model.ProtocolEmail, model.ProtocolEmailJSON:
		return s.sendMail(ctx, j, at)
	default:
		return permanent("unsupported protocol %q", j.sub.Protocol)
	}
}

// slackText is the chat message: the one-line summary, then the subject.
func slackText(n Notification) string {
	text := truncate(n.Summary, 500)
	if n.Subject != "" && n.Subject != n.Summary {
		text += "\n" + truncate(n.Subject, 200)
	}
	return text
}

func truncate(s string, runes int) string {
	if utf8.RuneCountInString(s) <= runes {
		return s
	}
	r := []rune(s)
	return string(r[:runes-1]) + "…"
}

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("not an http(s) URL")
	}
	return u, nil
}

// post POSTs body to the subscription's URL; a 2xx answer is success.
// sns adds SNS's x-amz-sns-* headers.
func (s *Service) post(ctx context.Context, j *job, body []byte, at time.Time, sns bool) error {
	u, err := parseURL(j.sub.Endpoint)
	if err != nil {
		return permanent("endpoint: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, HTTPTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return permanent("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vedette-Notify/1")
	if sns {
		req.Header.Set("x-amz-sns-message-type", "Notification")
		req.Header.Set("x-amz-sns-message-id", j.messageID)
		req.Header.Set("x-amz-sns-topic-arn", j.sub.TopicArn)
		req.Header.Set("x-amz-sns-subscription-arn", j.sub.Arn)
	}
	if secret := j.sub.Attributes[AttrSigningSecret]; secret != "" {
		req.Header.Set(SignatureHeader, Sign(secret, body, at))
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return redactURLError(err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := strings.Join(strings.Fields(string(snippet)), " ")
	if !utf8.ValidString(msg) {
		msg = ""
	}
	if msg != "" {
		return fmt.Errorf("HTTP %s: %s", resp.Status, truncate(msg, 200))
	}
	return fmt.Errorf("HTTP %s", resp.Status)
}

// redactURLError drops the URL (which may hold a token in its query or, for
// chat webhooks, its path) from an error of http.Client.Do.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("POST: %w", ue.Err)
	}
	return err
}
