package sns_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vedette-dns/vedette/internal/model"
)

type published struct{ topic, subject, message string }

// memBackend is a small in-memory sns.Backend for tests.
type memBackend struct {
	calls atomic.Int64

	mu        sync.Mutex
	topics    map[string]model.Topic
	subs      map[string]model.Subscription
	published []published
	seq       int
}

func newMemBackend() *memBackend {
	return &memBackend{topics: map[string]model.Topic{}, subs: map[string]model.Subscription{}}
}

const arnPrefix = "arn:aws:sns:eu-west-3:123456789012:"

func notFound(what string) error {
	return &model.NotifyError{Code: "NotFound", Message: what + " does not exist."}
}

func (b *memBackend) CreateTopic(_ context.Context, name string, attrs, tags map[string]string) (model.Topic, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	arn := arnPrefix + name
	if t, ok := b.topics[arn]; ok {
		return t, nil
	}
	t := model.Topic{Name: name, Arn: arn, Attributes: attrs, Tags: tags}
	b.topics[arn] = t
	return t, nil
}

func (b *memBackend) DeleteTopic(_ context.Context, arn string) error {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.topics, arn)
	for k, s := range b.subs {
		if s.TopicArn == arn {
			delete(b.subs, k)
		}
	}
	return nil
}

func (b *memBackend) ListTopics(context.Context) ([]model.Topic, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []model.Topic
	for _, t := range b.topics {
		out = append(out, t)
	}
	return out, nil
}

func (b *memBackend) GetTopic(_ context.Context, arn string) (model.Topic, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.topics[arn]
	if !ok {
		return t, notFound("Topic")
	}
	return t, nil
}

func (b *memBackend) Subscribe(_ context.Context, topicArn, protocol, endpoint string, attrs map[string]string) (model.Subscription, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.topics[topicArn]; !ok {
		return model.Subscription{}, notFound("Topic")
	}
	switch protocol {
	case model.ProtocolHTTP, model.ProtocolHTTPS, model.ProtocolSlack:
		if !strings.HasPrefix(endpoint, "http") {
			return model.Subscription{}, &model.NotifyError{Code: "InvalidParameter", Message: "Invalid parameter: Endpoint must be a URL."}
		}
	case model.ProtocolEmail, model.ProtocolEmailJSON:
	default:
		return model.Subscription{}, &model.NotifyError{Code: "InvalidParameter", Message: "Invalid parameter: Protocol " + protocol + " is not supported."}
	}
	b.seq++
	s := model.Subscription{Arn: fmt.Sprintf("%s:%08d", topicArn, b.seq), TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint,
		Attributes: map[string]string{"SigningSecret": "s3cret"}}
	for k, v := range attrs {
		s.Attributes[k] = v
	}
	b.subs[s.Arn] = s
	return s, nil
}

func (b *memBackend) Unsubscribe(_ context.Context, arn string) error {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[arn]; !ok {
		return notFound("Subscription")
	}
	delete(b.subs, arn)
	return nil
}

func (b *memBackend) GetSubscription(_ context.Context, arn string) (model.Subscription, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.subs[arn]
	if !ok {
		return s, notFound("Subscription")
	}
	return s, nil
}

func (b *memBackend) ListSubscriptions(_ context.Context, topicArn string) ([]model.Subscription, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []model.Subscription
	for _, s := range b.subs {
		if topicArn == "" || s.TopicArn == topicArn {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(x, y model.Subscription) int { return strings.Compare(y.Arn, x.Arn) }) // any order
	return out, nil
}

func (b *memBackend) Publish(_ context.Context, topicArn, subject, message string) (string, error) {
	b.calls.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.topics[topicArn]; !ok {
		return "", notFound("Topic")
	}
	b.published = append(b.published, published{topicArn, subject, message})
	return fmt.Sprintf("msg-%d", len(b.published)), nil
}
