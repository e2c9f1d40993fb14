package notify_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/notify"
)

func TestTopicCRUD(t *testing.T) {
	e := newEnv(t, notify.Options{Region: "eu-west-1", AccountID: "123456789012"})
	ctx := e.ctx
	b, err := e.svc.CreateTopic(ctx, "b-topic", map[string]string{"DisplayName": "B"}, map[string]string{"team": "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sns:eu-west-1:123456789012:b-topic"; b.Arn != want || b.Name != "b-topic" {
		t.Errorf("topic = %+v, want ARN %s", b, want)
	}
	if b.Attributes["DisplayName"] != "B" || b.Tags["team"] != "ops" {
		t.Errorf("attributes/tags not kept: %+v", b)
	}
	again, err := e.svc.CreateTopic(ctx, "b-topic", map[string]string{"DisplayName": "other"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Arn != b.Arn || again.Attributes["DisplayName"] != "B" {
		t.Errorf("repeated CreateTopic = %+v, want the existing topic %+v", again, b)
	}
	a := e.topic(t, "A_1")

	for _, name := range []string{"", strings.Repeat("x", 257), "has.dot", "has space", "ünïcode"} {
		if _, err := e.svc.CreateTopic(ctx, name, nil, nil); code(err) != "InvalidParameter" {
			t.Errorf("CreateTopic(%q) = %v, want InvalidParameter", name, err)
		}
	}
	if _, err := e.svc.CreateTopic(ctx, strings.Repeat("x", 256), nil, nil); err != nil {
		t.Errorf("256-character name: %v", err)
	}

	list, err := e.svc.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, tp := range list {
		arns = append(arns, tp.Name)
	}
	if got, want := strings.Join(arns, ","), "A_1,b-topic,"+strings.Repeat("x", 256); got != want {
		t.Errorf("ListTopics = %s, want %s", got, want)
	}

	got, err := e.svc.GetTopic(ctx, a.Arn)
	if err != nil || got.Arn != a.Arn {
		t.Errorf("GetTopic = %+v, %v", got, err)
	}
	for arn, want := range map[string]string{
		"arn:aws:sns:eu-west-1:123456789012:nope":    "NotFound",
		"arn:aws:sns:us-east-1:123456789012:b-topic": "NotFound", // other region
		"arn:aws:sns:eu-west-1:999999999999:b-topic": "NotFound", // other account
		"not-an-arn": "InvalidParameter",
		"arn:aws:sqs:eu-west-1:123456789012:b-topic": "InvalidParameter",
	} {
		if _, err := e.svc.GetTopic(ctx, arn); code(err) != want {
			t.Errorf("GetTopic(%s) = %v, want %s", arn, err, want)
		}
	}

	if err := e.svc.DeleteTopic(ctx, a.Arn); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetTopic(ctx, a.Arn); code(err) != "NotFound" {
		t.Errorf("GetTopic after delete = %v, want NotFound", err)
	}
	if err := e.svc.DeleteTopic(ctx, a.Arn); err != nil {
		t.Errorf("deleting a missing topic: %v", err)
	}
}

func TestDeleteTopicDeletesOnlyItsSubscriptions(t *testing.T) {
	e := newEnv(t, notify.Options{})
	a, ab := e.topic(t, "a"), e.topic(t, "ab")
	e.subscribe(t, a.Arn, model.ProtocolEmail, "x@example.com", nil)
	e.subscribe(t, a.Arn, model.ProtocolHTTPS, "https://example.com/a", nil)
	keep := e.subscribe(t, ab.Arn, model.ProtocolEmail, "x@example.com", nil)
	if err := e.svc.DeleteTopic(e.ctx, a.Arn); err != nil {
		t.Fatal(err)
	}
	all, err := e.svc.ListSubscriptions(e.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Arn != keep.Arn {
		t.Errorf("subscriptions after deleting topic a = %+v, want only %s", all, keep.Arn)
	}
	if _, err := e.svc.ListSubscriptions(e.ctx, a.Arn); code(err) != "NotFound" {
		t.Errorf("ListSubscriptions(deleted topic) = %v, want NotFound", err)
	}
}

var subArnRE = regexp.MustCompile(`^arn:aws:sns:us-east-1:000000000000:alerts:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSubscriptionCRUD(t *testing.T) {
	e := newEnv(t, notify.Options{})
	ctx := e.ctx
	tp := e.topic(t, "alerts")

	hook := e.subscribe(t, tp.Arn, model.ProtocolHTTPS, "https://hooks.example.com/in?x=1", map[string]string{"RawMessageDelivery": "false"})
	if !subArnRE.MatchString(hook.Arn) {
		t.Errorf("subscription ARN %q does not look like <topic ARN>:<uuid>", hook.Arn)
	}
	if hook.TopicArn != tp.Arn || hook.Protocol != "https" || hook.Endpoint != "https://hooks.example.com/in?x=1" {
		t.Errorf("subscription = %+v", hook)
	}
	if s := hook.Attributes[notify.AttrSigningSecret]; !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(s) {
		t.Errorf("generated SigningSecret = %q, want 64 hex digits", s)
	}
	if hook.Attributes["RawMessageDelivery"] != "false" {
		t.Errorf("given attribute lost: %+v", hook.Attributes)
	}
	same := e.subscribe(t, tp.Arn, "https", "https://hooks.example.com/in?x=1", nil)
	if same.Arn != hook.Arn || same.Attributes[notify.AttrSigningSecret] != hook.Attributes[notify.AttrSigningSecret] {
		t.Errorf("second Subscribe = %+v, want the existing %+v", same, hook)
	}
	given := e.subscribe(t, tp.Arn, model.ProtocolHTTP, "http://127.0.0.1:9/x", map[string]string{notify.AttrSigningSecret: "s3cret"})
	if given.Attributes[notify.AttrSigningSecret] != "s3cret" {
		t.Errorf("given SigningSecret replaced: %+v", given.Attributes)
	}
	mail := e.subscribe(t, tp.Arn, model.ProtocolEmail, "ops@example.com", nil)
	if _, ok := mail.Attributes[notify.AttrSigningSecret]; ok {
		t.Errorf("email subscription got a SigningSecret: %+v", mail.Attributes)
	}
	mailJSON := e.subscribe(t, tp.Arn, model.ProtocolEmailJSON, "ops@example.com", nil)
	if mailJSON.Arn == mail.Arn {
		t.Error("email and email-json to the same address share a subscription")
	}

	for _, c := range []struct{ protocol, endpoint string }{
		{"http", "https://example.com/"},
		{"https", "http://example.com/"},
		{"https", "not a url"},
		{"https", "/relative/path"},
		{"slack", "ftp://example.com/hook"},
		{"email", "Ops <ops@example.com>"},
		{"email", "not-an-address"},
		{"email-json", ""},
		{"sms", "+15555550100"},
		{"sqs", "arn:aws:sqs:us-east-1:000000000000:q"},
	} {
		if _, err := e.svc.Subscribe(ctx, tp.Arn, c.protocol, c.endpoint, nil); code(err) != "InvalidParameter" {
			t.Errorf("Subscribe(%s, %q) = %v, want InvalidParameter", c.protocol, c.endpoint, err)
		}
	}
	if _, err := e.svc.Subscribe(ctx, tp.Arn, "http", "http://x/", map[string]string{notify.AttrSigningSecret: ""}); code(err) != "InvalidParameter" {
		t.Errorf("empty SigningSecret = %v, want InvalidParameter", err)
	}
	if _, err := e.svc.Subscribe(ctx, "arn:aws:sns:us-east-1:000000000000:missing", "email", "a@example.com", nil); code(err) != "NotFound" {
		t.Errorf("Subscribe to a missing topic = %v, want NotFound", err)
	}

	got, err := e.svc.GetSubscription(ctx, hook.Arn)
	if err != nil {
		t.Fatal(err)
	}
	if got.Arn != hook.Arn || got.Attributes[notify.AttrSigningSecret] != hook.Attributes[notify.AttrSigningSecret] {
		t.Errorf("GetSubscription = %+v, want %+v", got, hook)
	}
	subs, err := e.svc.ListSubscriptions(ctx, tp.Arn)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 4 {
		t.Fatalf("ListSubscriptions = %d subscriptions, want 4", len(subs))
	}
	for i := 1; i < len(subs); i++ {
		if subs[i-1].Arn >= subs[i].Arn {
			t.Errorf("ListSubscriptions not sorted by ARN: %s before %s", subs[i-1].Arn, subs[i].Arn)
		}
	}
	other := e.topic(t, "other")
	e.subscribe(t, other.Arn, model.ProtocolSlack, "https://chat.example.com/hooks/abc", nil)
	if all, err := e.svc.ListSubscriptions(ctx, ""); err != nil || len(all) != 5 {
		t.Errorf("ListSubscriptions(\"\") = %d, %v; want 5", len(all), err)
	}

	if err := e.svc.Unsubscribe(ctx, hook.Arn); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetSubscription(ctx, hook.Arn); code(err) != "NotFound" {
		t.Errorf("GetSubscription after Unsubscribe = %v, want NotFound", err)
	}
	if err := e.svc.Unsubscribe(ctx, hook.Arn); code(err) != "NotFound" {
		t.Errorf("second Unsubscribe = %v, want NotFound", err)
	}
	for _, bad := range []string{"", "garbage", tp.Arn + ":NOT/AN/ID", tp.Arn} {
		if _, err := e.svc.GetSubscription(ctx, bad); code(err) != "InvalidParameter" {
			t.Errorf("GetSubscription(%q) = %v, want InvalidParameter", bad, err)
		}
	}
}

func TestConfigurationSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vedette.db")
	st := openStore(t, path)
	e := newEnv(t, notify.Options{Store: st})
	tp, err := e.svc.CreateTopic(e.ctx, "durable", map[string]string{"DisplayName": "D"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub := e.subscribe(t, tp.Arn, model.ProtocolHTTPS, "https://example.com/hook", nil)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st2 := openStore(t, path)
	defer st2.Close()
	e2 := newEnv(t, notify.Options{Store: st2})
	got, err := e2.svc.GetTopic(e2.ctx, tp.Arn)
	if err != nil || got.Attributes["DisplayName"] != "D" {
		t.Errorf("topic after reopen = %+v, %v", got, err)
	}
	gotSub, err := e2.svc.GetSubscription(e2.ctx, sub.Arn)
	if err != nil {
		t.Fatal(err)
	}
	if gotSub.Endpoint != sub.Endpoint || gotSub.Attributes[notify.AttrSigningSecret] != sub.Attributes[notify.AttrSigningSecret] {
		t.Errorf("subscription after reopen = %+v, want %+v", gotSub, sub)
	}
}

func TestConcurrentSubscribeIsIdempotent(t *testing.T) {
	e := newEnv(t, notify.Options{})
	tp := e.topic(t, "alerts")
	arns := make(chan string, 8)
	for range 8 {
		go func() {
			sub, err := e.svc.Subscribe(e.ctx, tp.Arn, model.ProtocolHTTPS, "https://example.com/hook", nil)
			if err != nil {
				t.Error(err)
			}
			arns <- sub.Arn
		}()
	}
	first := <-arns
	for range 7 {
		if arn := <-arns; arn != first {
			t.Errorf("concurrent Subscribe made %s and %s", first, arn)
		}
	}
	if subs, err := e.svc.ListSubscriptions(e.ctx, tp.Arn); err != nil || len(subs) != 1 {
		t.Errorf("ListSubscriptions = %d, %v; want 1", len(subs), err)
	}
}
