package notify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/notify"
)

func TestWebhookDelivery(t *testing.T) {
	e := newEnv(t, notify.Options{})
	srv := newRecorder(t, ok)
	tp := e.topic(t, "alerts")
	sub := e.subscribe(t, tp.Arn, model.ProtocolHTTP, srv.URL+"/hook?token=abc", nil)
	e.run(t)

	n := notify.Notification{Subject: `ALARM: "hc-down" in local`, Message: `{"AlarmName":"hc-down"}`, Summary: "hc-down is ALARM"}
	if err := e.svc.Notify(e.ctx, tp.Arn, n); err != nil {
		t.Fatal(err)
	}
	req := srv.next(t)
	secret := sub.Attributes[notify.AttrSigningSecret]
	if err := notify.VerifySignature(secret, req.Header.Get("X-Vedette-Signature"), req.Body, e.clk.Now(), 5*time.Minute); err != nil {
		t.Errorf("VerifySignature: %v (header %q)", err, req.Header.Get("X-Vedette-Signature"))
	}
	if want := "t=" + strconv.FormatInt(t0.Unix(), 10) + ",v1="; !strings.HasPrefix(req.Header.Get("X-Vedette-Signature"), want) {
		t.Errorf("signature header %q does not start with %q", req.Header.Get("X-Vedette-Signature"), want)
	}
	var body map[string]string
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatalf("body %s: %v", req.Body, err)
	}
	want := map[string]string{
		"Type": "Notification", "TopicArn": tp.Arn, "Subject": n.Subject, "Message": n.Message,
		"Timestamp": "2026-03-04T05:06:07.000Z", "SubscriptionArn": sub.Arn,
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %q, want %q", k, body[k], v)
		}
	}
	if body["MessageId"] == "" {
		t.Error("body lacks MessageId")
	}
	for k, v := range map[string]string{
		"Content-Type": "application/json", "X-Amz-Sns-Message-Type": "Notification",
		"X-Amz-Sns-Message-Id": body["MessageId"], "X-Amz-Sns-Topic-Arn": tp.Arn,
	} {
		if got := req.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if req.Path != "/hook" {
		t.Errorf("path = %q", req.Path)
	}

	d := e.next(t)
	if d.Status != notify.StatusDelivered || d.Attempt != 1 || d.SubscriptionArn != sub.Arn || d.TopicArn != tp.Arn ||
		d.MessageID != body["MessageId"] || d.Subject != n.Subject || d.Protocol != "http" || !d.Time.Equal(t0) || d.Error != "" || d.ID == "" {
		t.Errorf("delivery record = %+v", d)
	}
	if want := srv.URL + "/hook"; d.Endpoint != want {
		t.Errorf("delivery endpoint = %q, want %q (no query)", d.Endpoint, want)
	}
	if got := e.svc.Deliveries(tp.Arn, 0); len(got) != 1 || got[0].ID != d.ID {
		t.Errorf("Deliveries = %+v", got)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"a":1}`)
	now := time.Unix(1_700_000_000, 0)
	h := notify.Sign("key", body, now)
	if err := notify.VerifySignature("key", h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Errorf("valid signature: %v", err)
	}
	for name, f := range map[string]func() error{
		"wrong secret": func() error { return notify.VerifySignature("other", h, body, now, time.Minute) },
		"changed body": func() error { return notify.VerifySignature("key", h, []byte(`{"a":2}`), now, time.Minute) },
		"too old":      func() error { return notify.VerifySignature("key", h, body, now.Add(6*time.Minute), 5*time.Minute) },
		"too new":      func() error { return notify.VerifySignature("key", h, body, now.Add(-6*time.Minute), 5*time.Minute) },
		"no header":    func() error { return notify.VerifySignature("key", "", body, now, time.Minute) },
		"no v1":        func() error { return notify.VerifySignature("key", "t=1700000000", body, now, time.Minute) },
		"forged t": func() error {
			return notify.VerifySignature("key", strings.Replace(h, "t=1700000000", "t=1700000001", 1), body, now, time.Minute)
		},
		"bad hex":       func() error { return notify.VerifySignature("key", "t=1700000000,v1=zz", body, now, time.Minute) },
		"empty secret":  func() error { return notify.VerifySignature("", h, body, now, time.Minute) },
		"garbage token": func() error { return notify.VerifySignature("key", "nonsense", body, now, time.Minute) },
	} {
		if f() == nil {
			t.Errorf("%s: VerifySignature accepted it", name)
		}
	}
	if err := notify.VerifySignature("key", h, body, now.Add(time.Hour), 0); err != nil {
		t.Errorf("tolerance 0 should skip the time check: %v", err)
	}
}

func TestWebhookRetriesWithBackoff(t *testing.T) {
	e := newEnv(t, notify.Options{})
	srv := newRecorder(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	tp := e.topic(t, "alerts")
	sub := e.subscribe(t, tp.Arn, model.ProtocolHTTP, srv.URL, nil)
	e.run(t)
	if err := e.svc.Notify(e.ctx, tp.Arn, notify.Notification{Subject: "s", Message: "m"}); err != nil {
		t.Fatal(err)
	}
	var sigs []string
	for attempt, wait := range []time.Duration{time.Second, 2 * time.Second} {
		req := srv.next(t)
		sigs = append(sigs, req.Header.Get("X-Vedette-Signature"))
		d := e.next(t)
		if d.Status != notify.StatusRetrying || d.Attempt != attempt+1 || !strings.Contains(d.Error, "500") {
			t.Fatalf("attempt %d record = %+v, want retrying with the HTTP 500", attempt+1, d)
		}
		if err := e.clk.BlockUntil(e.ctx, 1); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(wait - time.Millisecond)
		if e.clk.Waiting() != 1 {
			t.Fatalf("retry %d fired before its %v backoff", attempt+1, wait)
		}
		e.clk.Advance(time.Millisecond)
	}
	srv.next(t)
	d := e.next(t)
	if d.Status != notify.StatusDelivered || d.Attempt != 3 || d.SubscriptionArn != sub.Arn {
		t.Fatalf("third attempt = %+v, want delivered", d)
	}
	if want := t0.Add(3 * time.Second); !d.Time.Equal(want) {
		t.Errorf("third attempt at %v, want %v", d.Time, want)
	}
	if sigs[0] == sigs[1] {
		t.Error("retry reused the first attempt's signature timestamp")
	}
	got := e.svc.Deliveries("", 0)
	if len(got) != 3 || got[0].Attempt != 3 || got[2].Attempt != 1 {
		t.Errorf("Deliveries newest first = %+v", got)
	}
	if got := e.svc.Deliveries("", 2); len(got) != 2 || got[0].Attempt != 3 {
		t.Errorf("Deliveries(limit 2) = %+v", got)
	}
	if got := e.svc.Deliveries("arn:aws:sns:us-east-1:000000000000:other", 0); len(got) != 0 {
		t.Errorf("Deliveries(other topic) = %+v", got)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	e := newEnv(t, notify.Options{MaxAttempts: 3, Backoff: 10 * time.Second})
	srv := newRecorder(t, func(int) int { return http.StatusServiceUnavailable })
	tp := e.topic(t, "alerts")
	e.subscribe(t, tp.Arn, model.ProtocolHTTPS, strings.Replace(srv.URL, "http://", "https://", 1), nil)
	// An https subscription to a plain-HTTP server fails at the TLS level;
	// use the http one for status codes.
	e.subscribe(t, tp.Arn, model.ProtocolHTTP, srv.URL, nil)
	e.run(t)
	if err := e.svc.Notify(e.ctx, tp.Arn, notify.Notification{Message: "m"}); err != nil {
		t.Fatal(err)
	}
	statuses := map[string][]string{}
	for round, backoff := range []time.Duration{10 * time.Second, 20 * time.Second, 0} {
		for range 2 {
			d := e.next(t)
			statuses[d.Protocol] = append(statuses[d.Protocol], fmt.Sprintf("%d:%s", d.Attempt, d.Status))
			if d.Protocol == "http" && !strings.Contains(d.Error, "503") {
				t.Errorf("error %q does not name the 503", d.Error)
			}
		}
		if backoff > 0 {
			if err := e.clk.BlockUntil(e.ctx, 1); err != nil {
				t.Fatal(err)
			}
			e.clk.Advance(backoff)
		}
		_ = round
	}
	want := "1:retrying 2:retrying 3:failed"
	for _, p := range []string{"http", "https"} {
		if got := strings.Join(statuses[p], " "); got != want {
			t.Errorf("%s attempts = %s, want %s", p, got, want)
		}
	}
	if e.clk.Waiting() != 0 {
		t.Errorf("%d timers still waiting after giving up", e.clk.Waiting())
	}
	e.noMore(t)
}

func TestRedirectIsNotFollowed(t *testing.T) {
	e := newEnv(t, notify.Options{MaxAttempts: 1})
	target := newRecorder(t, ok)
	srv := newRecorder(t, func(int) int { return http.StatusFound })
	srv.Config.Handler = http.RedirectHandler(target.URL, http.StatusFound)
	tp := e.topic(t, "alerts")
	e.subscribe(t, tp.Arn, model.ProtocolHTTP, srv.URL, nil)
	e.run(t)
	if err := e.svc.Notify(e.ctx, tp.Arn, notify.Notification{Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if d := e.next(t); d.Status != notify.StatusFailed || !strings.Contains(d.Error, "302") {
		t.Errorf("redirect delivery = %+v, want failed with 302", d)
	}
	select {
	case <-target.reqs:
		t.Error("redirect was followed")
	default:
	}
}

func TestDedup(t *testing.T) {
	e := newEnv(t, notify.Options{Workers: 1})
	srv := newRecorder(t, ok)
	tp := e.topic(t, "alerts")
	e.subscribe(t, tp.Arn, model.ProtocolHTTP, srv.URL, nil)
	other := e.topic(t, "other")
	e.subscribe(t, other.Arn, model.ProtocolHTTP, srv.URL, nil)
	e.run(t)

	send := func(topicArn, subject, key string) {
		t.Helper()
		if err := e.svc.Notify(e.ctx, topicArn, notify.Notification{Subject: subject, Message: "m", DedupKey: key}); err != nil {
			t.Fatal(err)
		}
	}
	subjectOf := func(r request) string {
		var b map[string]string
		json.Unmarshal(r.Body, &b)
		return b["Subject"]
	}
	send(tp.Arn, "first", "hc/ALARM/t1")
	send(tp.Arn, "duplicate", "hc/ALARM/t1")
	send(other.Arn, "other topic", "hc/ALARM/t1")
	send(tp.Arn, "new key", "hc/OK/t2")
	send(tp.Arn, "no key 1", "")
	send(tp.Arn, "no key 2", "")
	// One worker delivers in queue order: the duplicate, had it been
	// queued, would arrive second.
	var got []string
	for range 5 {
		got = append(got, subjectOf(srv.next(t)))
	}
	if want := "first,other topic,new key,no key 1,no key 2"; strings.Join(got, ",") != want {
		t.Errorf("delivered %s, want %s", strings.Join(got, ","), want)
	}
	e.clk.Advance(9*time.Minute + 59*time.Second)
	send(tp.Arn, "still duplicate", "hc/ALARM/t1")
	send(tp.Arn, "marker", "")
	if s := subjectOf(srv.next(t)); s != "marker" {
		t.Errorf("delivered %q within the window, want only the marker", s)
	}
	e.clk.Advance(time.Second)
	send(tp.Arn, "after window", "hc/ALARM/t1")
	if s := subjectOf(srv.next(t)); s != "after window" {
		t.Errorf("delivered %q, want the repeat after 10 minutes", s)
	}
	if err := e.svc.Notify(e.ctx, "arn:aws:sns:us-east-1:000000000000:missing", notify.Notification{Message: "m"}); code(err) != "NotFound" {
		t.Errorf("Notify(missing topic) = %v, want NotFound", err)
	}
}

func TestSlack(t *testing.T) {
	e := newEnv(t, notify.Options{})
	srv := newRecorder(t, ok)
	tp := e.topic(t, "alerts")
	e.subscribe(t, tp.Arn, model.ProtocolSlack, srv.URL+"/services/T0/B0/XYZ", nil)
	e.run(t)
	n := notify.Notification{
		Subject: `ALARM: "hc-down" in local`,
		Message: `{"AlarmName":"hc-down","NewStateValue":"ALARM"}`,
		Summary: "hc-down is ALARM: Threshold Crossed: 1 datapoint [0.0] was less than the threshold (1.0)",
	}
	if err := e.svc.Notify(e.ctx, tp.Arn, n); err != nil {
		t.Fatal(err)
	}
	req := srv.next(t)
	var body map[string]any
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatalf("body %s: %v", req.Body, err)
	}
	if len(body) != 1 || body["text"] != n.Summary+"\n"+n.Subject {
		t.Errorf("slack body = %s", req.Body)
	}
	if req.Header.Get("Content-Type") != "application/json" || req.Path != "/services/T0/B0/XYZ" {
		t.Errorf("slack request: %q %v", req.Path, req.Header)
	}
	if d := e.next(t); d.Status != notify.StatusDelivered || d.Protocol != "slack" {
		t.Errorf("delivery = %+v", d)
	}
}

func TestPublishFansOut(t *testing.T) {
	e := newEnv(t, notify.Options{})
	srv := newRecorder(t, ok)
	tp := e.topic(t, "alerts")
	lonely := e.topic(t, "lonely")
	for _, p := range []string{"/a", "/b"} {
		e.subscribe(t, tp.Arn, model.ProtocolHTTP, srv.URL+p, nil)
	}
	e.subscribe(t, tp.Arn, model.ProtocolSlack, srv.URL+"/chat", nil)
	e.subscribe(t, other(t, e), model.ProtocolHTTP, srv.URL+"/elsewhere", nil)
	e.run(t)

	id, err := e.svc.Publish(e.ctx, tp.Arn, "", "first line\nsecond line")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for range 3 {
		r := srv.next(t)
		if r.Path == "/chat" {
			var b map[string]string
			json.Unmarshal(r.Body, &b)
			got[r.Path] = b["text"]
			continue
		}
		var b map[string]string
		json.Unmarshal(r.Body, &b)
		got[r.Path] = b["MessageId"]
	}
	if got["/a"] != id || got["/b"] != id || got["/chat"] != "first line" {
		t.Errorf("received %v, want message ID %s at /a and /b and the first line in chat", got, id)
	}
	for range 3 {
		if d := e.next(t); d.MessageID != id || d.Status != notify.StatusDelivered {
			t.Errorf("delivery = %+v", d)
		}
	}
	if id2, err := e.svc.Publish(e.ctx, lonely.Arn, "s", "m"); err != nil || id2 == "" || id2 == id {
		t.Errorf("Publish to a topic without subscriptions = %q, %v", id2, err)
	}
	for name, err := range map[string]error{
		"missing topic": pubErr(e, "arn:aws:sns:us-east-1:000000000000:nope", "s", "m"),
		"empty message": pubErr(e, tp.Arn, "s", ""),
		"long subject":  pubErr(e, tp.Arn, strings.Repeat("s", 101), "m"),
		"subject CRLF":  pubErr(e, tp.Arn, "a\r\nBcc: x@example.com", "m"),
		"huge message":  pubErr(e, tp.Arn, "s", strings.Repeat("m", 256*1024+1)),
	} {
		want := "InvalidParameter"
		if name == "missing topic" {
			want = "NotFound"
		}
		if code(err) != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
	}
	select {
	case r := <-srv.reqs:
		t.Errorf("unexpected request to %s", r.Path)
	default:
	}
}

func other(t *testing.T, e *env) string { return e.topic(t, "other").Arn }

func pubErr(e *env, arn, subject, msg string) error {
	_, err := e.svc.Publish(e.ctx, arn, subject, msg)
	return err
}

func TestQueueFullDrops(t *testing.T) {
	var seen []notify.Delivery
	e := newEnv(t, notify.Options{QueueSize: 2, OnDelivery: func(d notify.Delivery) { seen = append(seen, d) }})
	tp := e.topic(t, "alerts")
	for i := range 3 {
		e.subscribe(t, tp.Arn, model.ProtocolHTTP, fmt.Sprintf("http://127.0.0.1:9/%d", i), nil)
	}
	// Run is not started: two deliveries fill the queue, the third drops.
	if err := e.svc.Notify(e.ctx, tp.Arn, notify.Notification{Message: "m"}); err != nil {
		t.Fatal(err)
	}
	d := e.next(t)
	if d.Status != notify.StatusDropped || !strings.Contains(d.Error, "queue is full") || d.Attempt != 1 {
		t.Errorf("record = %+v, want dropped", d)
	}
	if len(seen) != 1 || seen[0].ID != d.ID {
		t.Errorf("OnDelivery saw %+v", seen)
	}
	e.noMore(t)
}

func TestNewValidates(t *testing.T) {
	st := openStore(t, t.TempDir()+"/v.db")
	defer st.Close()
	for name, opts := range map[string]notify.Options{
		"no store":     {},
		"no from":      {Store: st, SMTP: notify.SMTPConfig{Addr: "127.0.0.1:25"}},
		"bad addr":     {Store: st, SMTP: notify.SMTPConfig{Addr: "nohost", From: "a@example.com"}},
		"bad starttls": {Store: st, SMTP: notify.SMTPConfig{Addr: "127.0.0.1:25", From: "a@example.com", StartTLS: "sometimes"}},
	} {
		if _, err := notify.New(opts); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
