package sns

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vedette-dns/vedette/internal/model"
)

// pageSize is SNS's page size for ListTopics and ListSubscriptions*.
const pageSize = 100

// maxMessageBytes is SNS's message size limit (256 KiB).
const maxMessageBytes = 256 * 1024

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func required(name, v string) error {
	if v == "" {
		return invalid("Invalid parameter: %s is required.", name)
	}
	return nil
}

func validTopicName(name string) error {
	if name == "" || len(name) > 256 {
		return invalid("Invalid parameter: Topic Name must be 1 to 256 characters long.")
	}
	if strings.HasSuffix(name, ".fifo") {
		return invalid("Invalid parameter: FIFO topics are not supported.")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalid("Invalid parameter: Topic Name must contain only alphanumeric characters, hyphens and underscores.")
		}
	}
	return nil
}

func (a *API) createTopic(ctx context.Context, in *createTopicInput) (*createTopicOutput, error) {
	if err := validTopicName(in.Name); err != nil {
		return nil, err
	}
	if in.Attributes["FifoTopic"] == "true" {
		return nil, invalid("Invalid parameter: FIFO topics are not supported.")
	}
	var tags map[string]string
	if len(in.Tags) > 0 {
		tags = make(map[string]string, len(in.Tags))
		for _, t := range in.Tags {
			if t.Key == "" {
				return nil, invalid("Invalid parameter: Tag keys must not be empty.")
			}
			tags[t.Key] = t.Value
		}
	}
	t, err := a.Backend.CreateTopic(ctx, in.Name, in.Attributes, tags)
	if err != nil {
		return nil, err
	}
	return &createTopicOutput{TopicArn: t.Arn}, nil
}

func (a *API) deleteTopic(ctx context.Context, in *topicArnInput) (*struct{}, error) {
	if err := required("TopicArn", in.TopicArn); err != nil {
		return nil, err
	}
	return nil, a.Backend.DeleteTopic(ctx, in.TopicArn)
}

// page returns the items after token (the last ARN of the previous page)
// and the next token.
func page[T any](items []T, arn func(T) string, token string) ([]T, string, error) {
	after := ""
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", invalid("Invalid parameter: NextToken")
		}
		after = string(b)
	}
	slices.SortFunc(items, func(x, y T) int { return cmp.Compare(arn(x), arn(y)) })
	i, _ := slices.BinarySearchFunc(items, after, func(x T, s string) int { return cmp.Compare(arn(x), s) })
	if after != "" && i < len(items) && arn(items[i]) == after {
		i++
	}
	items = items[i:]
	if len(items) > pageSize {
		return items[:pageSize], base64.RawURLEncoding.EncodeToString([]byte(arn(items[pageSize-1]))), nil
	}
	return items, "", nil
}

func (a *API) listTopics(ctx context.Context, in *nextTokenInput) (*listTopicsOutput, error) {
	topics, err := a.Backend.ListTopics(ctx)
	if err != nil {
		return nil, err
	}
	p, next, err := page(topics, func(t model.Topic) string { return t.Arn }, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listTopicsOutput{Topics: []topicRef{}, NextToken: next}
	for _, t := range p {
		out.Topics = append(out.Topics, topicRef{TopicArn: t.Arn})
	}
	return out, nil
}

func (a *API) getTopicAttributes(ctx context.Context, in *topicArnInput) (*attributesOutput, error) {
	if err := required("TopicArn", in.TopicArn); err != nil {
		return nil, err
	}
	t, err := a.Backend.GetTopic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	subs, err := a.Backend.ListSubscriptions(ctx, t.Arn)
	if err != nil {
		return nil, err
	}
	attrs := maps.Clone(t.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["TopicArn"] = t.Arn
	attrs["Owner"] = a.AccountID
	attrs["SubscriptionsConfirmed"] = strconv.Itoa(len(subs))
	attrs["SubscriptionsPending"] = "0"
	attrs["SubscriptionsDeleted"] = "0"
	if _, ok := attrs["DisplayName"]; !ok {
		attrs["DisplayName"] = ""
	}
	return &attributesOutput{Attributes: attrs}, nil
}

func (a *API) subscribe(ctx context.Context, in *subscribeInput) (*subscriptionArnOutput, error) {
	if err := required("TopicArn", in.TopicArn); err != nil {
		return nil, err
	}
	if err := required("Protocol", in.Protocol); err != nil {
		return nil, err
	}
	if err := required("Endpoint", in.Endpoint); err != nil {
		return nil, err
	}
	// Confirmed at once (see the package documentation), so the ARN is
	// returned whatever ReturnSubscriptionArn says.
	s, err := a.Backend.Subscribe(ctx, in.TopicArn, in.Protocol, in.Endpoint, in.Attributes)
	if err != nil {
		return nil, err
	}
	return &subscriptionArnOutput{SubscriptionArn: s.Arn}, nil
}

func (a *API) unsubscribe(ctx context.Context, in *subscriptionArnInput) (*struct{}, error) {
	if err := required("SubscriptionArn", in.SubscriptionArn); err != nil {
		return nil, err
	}
	return nil, a.Backend.Unsubscribe(ctx, in.SubscriptionArn)
}

func (a *API) subscriptions(ctx context.Context, topicArn, token string) (*listSubscriptionsOutput, error) {
	subs, err := a.Backend.ListSubscriptions(ctx, topicArn)
	if err != nil {
		return nil, err
	}
	p, next, err := page(subs, func(s model.Subscription) string { return s.Arn }, token)
	if err != nil {
		return nil, err
	}
	out := &listSubscriptionsOutput{Subscriptions: []subscription{}, NextToken: next}
	for _, s := range p {
		out.Subscriptions = append(out.Subscriptions, subscription{
			SubscriptionArn: s.Arn, Owner: a.AccountID, Protocol: s.Protocol, Endpoint: s.Endpoint, TopicArn: s.TopicArn,
		})
	}
	return out, nil
}

func (a *API) listSubscriptions(ctx context.Context, in *nextTokenInput) (*listSubscriptionsOutput, error) {
	return a.subscriptions(ctx, "", in.NextToken)
}

func (a *API) listSubscriptionsByTopic(ctx context.Context, in *listSubscriptionsByTopicInput) (*listSubscriptionsOutput, error) {
	if err := required("TopicArn", in.TopicArn); err != nil {
		return nil, err
	}
	if _, err := a.Backend.GetTopic(ctx, in.TopicArn); err != nil {
		return nil, err
	}
	return a.subscriptions(ctx, in.TopicArn, in.NextToken)
}

func (a *API) getSubscriptionAttributes(ctx context.Context, in *subscriptionArnInput) (*attributesOutput, error) {
	if err := required("SubscriptionArn", in.SubscriptionArn); err != nil {
		return nil, err
	}
	s, err := a.Backend.GetSubscription(ctx, in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	// The attributes include SigningSecret, the webhook signing key: the
	// API is operator-only, and the operator needs it to verify deliveries.
	attrs := maps.Clone(s.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["SubscriptionArn"] = s.Arn
	attrs["TopicArn"] = s.TopicArn
	attrs["Owner"] = a.AccountID
	attrs["Protocol"] = s.Protocol
	attrs["Endpoint"] = s.Endpoint
	attrs["PendingConfirmation"] = "false"
	attrs["ConfirmationWasAuthenticated"] = "true"
	if _, ok := attrs["RawMessageDelivery"]; !ok {
		attrs["RawMessageDelivery"] = "false"
	}
	return &attributesOutput{Attributes: attrs}, nil
}

func (a *API) publish(ctx context.Context, in *publishInput) (*publishOutput, error) {
	switch {
	case in.PhoneNumber != "":
		return nil, invalid("Invalid parameter: PhoneNumber (SMS) is not supported.")
	case in.TopicArn != "" && in.TargetArn != "" && in.TopicArn != in.TargetArn:
		return nil, invalid("Invalid parameter: TopicArn and TargetArn cannot both be given.")
	case in.MessageStructure != "":
		return nil, invalid("Invalid parameter: MessageStructure is not supported.")
	case in.MessageGroupId != "":
		return nil, invalid("Invalid parameter: MessageGroupId applies to FIFO topics, which are not supported.")
	}
	topic := cmp.Or(in.TopicArn, in.TargetArn)
	if err := required("TopicArn or TargetArn", topic); err != nil {
		return nil, err
	}
	if err := required("Message", in.Message); err != nil {
		return nil, err
	}
	if len(in.Message) > maxMessageBytes {
		return nil, invalid("Invalid parameter: Message too long.")
	}
	if !utf8.ValidString(in.Message) || !utf8.ValidString(in.Subject) {
		return nil, invalid("Invalid parameter: Message and Subject must be UTF-8.")
	}
	if len(in.Subject) > 100 || strings.ContainsAny(in.Subject, "\r\n") {
		return nil, invalid("Invalid parameter: Subject must be at most 100 characters on one line.")
	}
	id, err := a.Backend.Publish(ctx, topic, in.Subject, in.Message)
	if err != nil {
		return nil, err
	}
	return &publishOutput{MessageId: id}, nil
}
