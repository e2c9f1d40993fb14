package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
)

// Store keys: topics/<name> and subscriptions/<topic name>/<subscription id>,
// both holding JSON (model.Topic, model.Subscription).
const (
	topicsPrefix        = "topics/"
	subscriptionsPrefix = "subscriptions/"
)

// AttrSigningSecret is the subscription attribute holding the HMAC key of
// webhook signatures.
const AttrSigningSecret = "SigningSecret"

const (
	codeNotFound         = "NotFound"
	codeInvalidParameter = "InvalidParameter"
)

func notFound(format string, args ...any) error {
	return &model.NotifyError{Code: codeNotFound, Message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return &model.NotifyError{Code: codeInvalidParameter, Message: "Invalid parameter: " + fmt.Sprintf(format, args...)}
}

func topicKey(name string) string { return topicsPrefix + name }

func subsPrefix(topic string) string { return subscriptionsPrefix + topic + "/" }

func subKey(topic, id string) string { return subsPrefix(topic) + id }

// validTopicName reports whether name is 1–256 of [A-Za-z0-9_-].
func validTopicName(name string) bool {
	if len(name) == 0 || len(name) > 256 {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// topicArn returns the ARN of the topic name.
func (s *Service) topicArn(name string) string {
	return "arn:aws:sns:" + s.region + ":" + s.account + ":" + name
}

// topicName returns the name in a topic ARN of this region and account.
// ok is false when arn is well formed but names another region or account;
// err is an InvalidParameter error when arn is not a topic ARN at all.
func (s *Service) topicName(arn string) (name string, ok bool, err error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || !validTopicName(parts[5]) {
		return "", false, invalid("TopicArn %q is not a topic ARN", arn)
	}
	if parts[3] != s.region || parts[4] != s.account {
		return parts[5], false, nil
	}
	return parts[5], true, nil
}

// subscriptionParts splits a subscription ARN into its topic name and id.
func (s *Service) subscriptionParts(arn string) (topic, id string, ok bool, err error) {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 {
		return "", "", false, invalid("SubscriptionArn %q is not a subscription ARN", arn)
	}
	topic, ok, err = s.topicName(arn[:i])
	id = arn[i+1:]
	if err != nil || !validID(id) {
		return "", "", false, invalid("SubscriptionArn %q is not a subscription ARN", arn)
	}
	return topic, id, ok, nil
}

// validID reports whether id looks like one newID made (hex and dashes), so
// that it is safe inside a store key.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return false
		}
	}
	return true
}

// newID returns a random UUID-shaped (version 4) identifier.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreateTopic creates the topic name, or returns it unchanged when it
// exists already (attrs and tags of a repeated call are ignored).
func (s *Service) CreateTopic(ctx context.Context, name string, attrs, tags map[string]string) (model.Topic, error) {
	if !validTopicName(name) {
		return model.Topic{}, invalid("Topic Name must be 1 to 256 characters of letters, digits, hyphens and underscores")
	}
	t := model.Topic{Name: name, Arn: s.topicArn(name), Attributes: cloneMap(attrs), Tags: cloneMap(tags)}
	b, err := json.Marshal(t)
	if err != nil {
		return model.Topic{}, err
	}
	key := topicKey(name)
	for range 5 {
		res, err := s.store.Txn(ctx, store.Txn{If: []store.Compare{store.NotExists(key)}, Then: []store.Op{store.Put(key, b)}})
		if err != nil {
			return model.Topic{}, fmt.Errorf("create topic %s: %w", name, err)
		}
		if res.Succeeded {
			s.log.Info("topic created", "topic", t.Arn)
			return t, nil
		}
		existing, found, err := s.loadTopic(ctx, name)
		if err != nil {
			return model.Topic{}, err
		}
		if found {
			return existing, nil
		}
		// Deleted between the two calls: try again.
	}
	return model.Topic{}, fmt.Errorf("create topic %s: concurrent deletes, giving up", name)
}

func cloneMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

func (s *Service) loadTopic(ctx context.Context, name string) (model.Topic, bool, error) {
	kv, ok, _, err := s.store.Get(ctx, topicKey(name))
	if err != nil || !ok {
		return model.Topic{}, false, err
	}
	var t model.Topic
	if err := json.Unmarshal(kv.Value, &t); err != nil {
		return model.Topic{}, false, fmt.Errorf("decode %s: %w", kv.Key, err)
	}
	return t, true, nil
}

// DeleteTopic deletes the topic and its subscriptions. Deleting a topic that
// does not exist is not an error.
func (s *Service) DeleteTopic(ctx context.Context, arn string) error {
	name, ok, err := s.topicName(arn)
	if err != nil || !ok {
		return err
	}
	_, err = s.store.Txn(ctx, store.Txn{Then: []store.Op{store.Delete(topicKey(name)), store.DeletePrefix(subsPrefix(name))}})
	if err != nil {
		return fmt.Errorf("delete topic %s: %w", name, err)
	}
	s.log.Info("topic deleted", "topic", arn)
	return nil
}

// ListTopics returns every topic, sorted by ARN.
func (s *Service) ListTopics(ctx context.Context) ([]model.Topic, error) {
	kvs, _, err := s.store.Range(ctx, topicsPrefix)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	out := make([]model.Topic, 0, len(kvs))
	for _, kv := range kvs {
		var t model.Topic
		if err := json.Unmarshal(kv.Value, &t); err != nil {
			s.log.Warn("skipping undecodable topic", "key", kv.Key, "err", err)
			continue
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b model.Topic) int { return strings.Compare(a.Arn, b.Arn) })
	return out, nil
}

// GetTopic returns the topic arn, or a NotFound error.
func (s *Service) GetTopic(ctx context.Context, arn string) (model.Topic, error) {
	name, ok, err := s.topicName(arn)
	if err != nil {
		return model.Topic{}, err
	}
	if ok {
		t, found, err := s.loadTopic(ctx, name)
		if err != nil || found {
			return t, err
		}
	}
	return model.Topic{}, notFound("Topic does not exist")
}

// getTopicKV is GetTopic that also returns the topic's store revision.
func (s *Service) getTopicKV(ctx context.Context, arn string) (model.Topic, int64, error) {
	name, ok, err := s.topicName(arn)
	if err != nil {
		return model.Topic{}, 0, err
	}
	if ok {
		kv, found, _, err := s.store.Get(ctx, topicKey(name))
		if err != nil {
			return model.Topic{}, 0, err
		}
		if found {
			var t model.Topic
			if err := json.Unmarshal(kv.Value, &t); err != nil {
				return model.Topic{}, 0, fmt.Errorf("decode %s: %w", kv.Key, err)
			}
			return t, kv.ModRevision, nil
		}
	}
	return model.Topic{}, 0, notFound("Topic does not exist")
}

// validateEndpoint checks endpoint for protocol and returns it normalised.
func validateEndpoint(protocol, endpoint string) (string, error) {
	endpoint = strings.TrimSpace(endpoint)
	if endpoint == "" {
		return "", invalid("Endpoint is required")
	}
	switch protocol {
	case model.ProtocolHTTP, model.ProtocolHTTPS, model.ProtocolSlack:
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || u.Opaque != "" {
			return "", invalid("Endpoint must be an absolute URL")
		}
		want := []string{protocol}
		if protocol == model.ProtocolSlack {
			want = []string{"http", "https"}
		}
		if !slices.Contains(want, u.Scheme) {
			return "", invalid("Endpoint of protocol %s must be a %s:// URL", protocol, strings.Join(want, ":// or "))
		}
		return endpoint, nil
	case model.ProtocolEmail, model.ProtocolEmailJSON:
		a, err := mail.ParseAddress(endpoint)
		if err != nil || a.Name != "" || a.Address != endpoint {
			return "", invalid("Endpoint must be an email address")
		}
		return endpoint, nil
	default:
		return "", invalid("Protocol %q is not supported (http, https, email, email-json, slack)", protocol)
	}
}

// Subscribe subscribes endpoint to the topic. Subscribing the same protocol
// and endpoint again returns the existing subscription. Webhook and chat
// subscriptions get a random SigningSecret attribute unless one is given.
func (s *Service) Subscribe(ctx context.Context, topicArn, protocol, endpoint string, attrs map[string]string) (model.Subscription, error) {
	protocol = strings.ToLower(strings.TrimSpace(protocol))
	endpoint, err := validateEndpoint(protocol, endpoint)
	if err != nil {
		return model.Subscription{}, err
	}
	if v, ok := attrs[AttrSigningSecret]; ok && v == "" {
		return model.Subscription{}, invalid("%s must not be empty", AttrSigningSecret)
	}
	// The lock makes find-or-create atomic among the callers of this
	// Service; the Txn below guards against the topic vanishing meanwhile.
	s.subMu.Lock()
	defer s.subMu.Unlock()
	topic, topicRev, err := s.getTopicKV(ctx, topicArn)
	if err != nil {
		return model.Subscription{}, err
	}
	subs, err := s.listTopicSubs(ctx, topic.Name)
	if err != nil {
		return model.Subscription{}, err
	}
	for _, sub := range subs {
		if sub.Protocol == protocol && sub.Endpoint == endpoint {
			return sub, nil
		}
	}
	id := newID()
	sub := model.Subscription{
		Arn:        topic.Arn + ":" + id,
		TopicArn:   topic.Arn,
		Protocol:   protocol,
		Endpoint:   endpoint,
		Attributes: cloneMap(attrs),
	}
	if isWebProtocol(protocol) && sub.Attributes[AttrSigningSecret] == "" {
		if sub.Attributes == nil {
			sub.Attributes = map[string]string{}
		}
		sub.Attributes[AttrSigningSecret] = newSecret()
	}
	b, err := json.Marshal(sub)
	if err != nil {
		return model.Subscription{}, err
	}
	res, err := s.store.Txn(ctx, store.Txn{
		If:   []store.Compare{store.ModRevisionIs(topicKey(topic.Name), topicRev)},
		Then: []store.Op{store.Put(subKey(topic.Name, id), b)},
	})
	if err != nil {
		return model.Subscription{}, fmt.Errorf("subscribe: %w", err)
	}
	if !res.Succeeded {
		return model.Subscription{}, notFound("Topic does not exist")
	}
	s.log.Info("subscription created", "subscription", sub.Arn, "protocol", protocol, "endpoint", logEndpoint(protocol, endpoint))
	return sub, nil
}

func isWebProtocol(p string) bool {
	return p == model.ProtocolHTTP || p == model.ProtocolHTTPS || p == model.ProtocolSlack
}

// Unsubscribe deletes the subscription; deleting one that does not exist is
// a NotFound error.
func (s *Service) Unsubscribe(ctx context.Context, subscriptionArn string) error {
	topic, id, ok, err := s.subscriptionParts(subscriptionArn)
	if err != nil {
		return err
	}
	if !ok {
		return notFound("Subscription does not exist")
	}
	key := subKey(topic, id)
	kv, found, _, err := s.store.Get(ctx, key)
	if err != nil {
		return err
	}
	if !found {
		return notFound("Subscription does not exist")
	}
	if _, err := s.store.Txn(ctx, store.Txn{
		If:   []store.Compare{store.ModRevisionIs(key, kv.ModRevision)},
		Then: []store.Op{store.Delete(key)},
	}); err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	s.log.Info("subscription deleted", "subscription", subscriptionArn)
	return nil
}

// GetSubscription returns the subscription, attributes included.
func (s *Service) GetSubscription(ctx context.Context, subscriptionArn string) (model.Subscription, error) {
	topic, id, ok, err := s.subscriptionParts(subscriptionArn)
	if err != nil {
		return model.Subscription{}, err
	}
	if ok {
		sub, found, err := s.loadSub(ctx, topic, id)
		if err != nil || found {
			return sub, err
		}
	}
	return model.Subscription{}, notFound("Subscription does not exist")
}

func (s *Service) loadSub(ctx context.Context, topic, id string) (model.Subscription, bool, error) {
	kv, ok, _, err := s.store.Get(ctx, subKey(topic, id))
	if err != nil || !ok {
		return model.Subscription{}, false, err
	}
	var sub model.Subscription
	if err := json.Unmarshal(kv.Value, &sub); err != nil {
		return model.Subscription{}, false, fmt.Errorf("decode %s: %w", kv.Key, err)
	}
	return sub, true, nil
}

// ListSubscriptions returns the subscriptions of topicArn ("" = of every
// topic), sorted by ARN. A topic that does not exist is a NotFound error.
func (s *Service) ListSubscriptions(ctx context.Context, topicArn string) ([]model.Subscription, error) {
	if topicArn == "" {
		return s.rangeSubs(ctx, subscriptionsPrefix)
	}
	t, err := s.GetTopic(ctx, topicArn)
	if err != nil {
		return nil, err
	}
	return s.listTopicSubs(ctx, t.Name)
}

func (s *Service) listTopicSubs(ctx context.Context, topic string) ([]model.Subscription, error) {
	return s.rangeSubs(ctx, subsPrefix(topic))
}

func (s *Service) rangeSubs(ctx context.Context, prefix string) ([]model.Subscription, error) {
	kvs, _, err := s.store.Range(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	out := make([]model.Subscription, 0, len(kvs))
	for _, kv := range kvs {
		var sub model.Subscription
		if err := json.Unmarshal(kv.Value, &sub); err != nil {
			s.log.Warn("skipping undecodable subscription", "key", kv.Key, "err", err)
			continue
		}
		out = append(out, sub)
	}
	slices.SortFunc(out, func(a, b model.Subscription) int { return strings.Compare(a.Arn, b.Arn) })
	return out, nil
}
