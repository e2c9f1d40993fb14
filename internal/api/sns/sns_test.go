package sns_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/api/sns"
)

const (
	testKeyID  = "AKIDSNSTEST"
	testSecret = "sns-test-secret"
	testRegion = "eu-west-3"
)

func newServer(t *testing.T) (string, *memBackend) {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.Config{Keys: sigv4.StaticKeys{testKeyID: testSecret}, Services: []string{"sns"}})
	if err != nil {
		t.Fatal(err)
	}
	b := newMemBackend()
	api := &sns.API{Backend: b, Auth: route53.SigV4(v), Region: testRegion, AccountID: "123456789012"}
	other := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request routed away from SNS: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(awsquery.Dispatch(other, api, other))
	t.Cleanup(srv.Close)
	return srv.URL, b
}

func client(url, secret string) *awssns.Client {
	return awssns.New(awssns.Options{Region: testRegion, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(testKeyID, secret, ""), RetryMaxAttempts: 1})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSDK(t *testing.T) {
	url, b := newServer(t)
	c := client(url, testSecret)
	ctx := context.Background()

	ct, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("ops"), Attributes: map[string]string{"DisplayName": "Ops <team>"},
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	if err != nil || aws.ToString(ct.TopicArn) != arnPrefix+"ops" {
		t.Fatalf("CreateTopic: %v %+v", err, ct)
	}
	if got := b.topics[arnPrefix+"ops"].Tags["env"]; got != "prod" {
		t.Fatalf("tags not passed: %v", b.topics[arnPrefix+"ops"])
	}
	again, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("ops")})
	if err != nil || aws.ToString(again.TopicArn) != aws.ToString(ct.TopicArn) {
		t.Fatalf("CreateTopic again: %v %+v", err, again)
	}
	for i := range 120 {
		if _, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String(fmt.Sprintf("t%03d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var topics []string
	p := awssns.NewListTopicsPaginator(c, &awssns.ListTopicsInput{})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, t := range out.Topics {
			topics = append(topics, aws.ToString(t.TopicArn))
		}
	}
	if len(topics) != 121 || pages != 2 || topics[0] != arnPrefix+"ops" || topics[120] != arnPrefix+"t119" {
		t.Fatalf("ListTopics: %d topics in %d pages, first %v", len(topics), pages, topics[:1])
	}

	sub, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("https"),
		Endpoint: aws.String("https://hooks.example.com/x"), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	if err != nil || !strings.HasPrefix(aws.ToString(sub.SubscriptionArn), arnPrefix+"ops:") {
		t.Fatalf("Subscribe: %v %+v", err, sub)
	}
	if _, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")}); err != nil {
		t.Fatal(err)
	}
	ls, err := c.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: ct.TopicArn})
	if err != nil || len(ls.Subscriptions) != 2 || aws.ToString(ls.Subscriptions[0].Owner) != "123456789012" {
		t.Fatalf("ListSubscriptionsByTopic: %v %+v", err, ls)
	}
	all, err := c.ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	if err != nil || len(all.Subscriptions) != 2 {
		t.Fatalf("ListSubscriptions: %v %+v", err, all)
	}
	sa, err := c.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
	if err != nil || sa.Attributes["PendingConfirmation"] != "false" || sa.Attributes["RawMessageDelivery"] != "true" ||
		sa.Attributes["Endpoint"] != "https://hooks.example.com/x" || sa.Attributes["Protocol"] != "https" {
		t.Fatalf("GetSubscriptionAttributes: %v %+v", err, sa)
	}
	ta, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: ct.TopicArn})
	if err != nil || ta.Attributes["DisplayName"] != "Ops <team>" || ta.Attributes["SubscriptionsConfirmed"] != "2" || ta.Attributes["TopicArn"] != aws.ToString(ct.TopicArn) {
		t.Fatalf("GetTopicAttributes: %v %+v", err, ta)
	}

	pub, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: ct.TopicArn, Subject: aws.String("Alarm & <stuff>"), Message: aws.String("line 1\nline 2 ünïcode")})
	if err != nil || aws.ToString(pub.MessageId) != "msg-1" {
		t.Fatalf("Publish: %v %+v", err, pub)
	}
	if got := b.published[0]; got.subject != "Alarm & <stuff>" || got.message != "line 1\nline 2 ünïcode" {
		t.Fatalf("published %+v", got)
	}

	if _, err := c.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: ct.TopicArn}); err != nil {
		t.Fatal(err)
	}

	// Errors.
	var nf *types.NotFoundException
	if _, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: ct.TopicArn}); apiCode(err) != "NotFound" || !errors.As(err, &nf) {
		t.Fatalf("deleted topic: %v", err)
	}
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arnPrefix + "nope"), Message: aws.String("x")}); apiCode(err) != "NotFound" {
		t.Fatalf("publish to missing topic: %v", err)
	}
	var ip *types.InvalidParameterException
	if _, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("bad name!")}); apiCode(err) != "InvalidParameter" || !errors.As(err, &ip) {
		t.Fatalf("bad topic name: %v", err)
	}
	if _, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arnPrefix + "t001"), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:x")}); apiCode(err) != "InvalidParameter" {
		t.Fatalf("sqs subscription: %v", err)
	}
	if _, err := c.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); apiCode(err) != "NotFound" {
		t.Fatalf("unsubscribe twice: %v", err)
	}
	if _, err := c.ListTopics(ctx, &awssns.ListTopicsInput{NextToken: aws.String("!!")}); apiCode(err) != "InvalidParameter" {
		t.Fatalf("bad token: %v", err)
	}

	calls := b.calls.Load()
	_, err = client(url, "wrong").ListTopics(ctx, &awssns.ListTopicsInput{})
	var re interface{ HTTPStatusCode() int }
	if apiCode(err) != "SignatureDoesNotMatch" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("wrong secret: %v", err)
	}
	if b.calls.Load() != calls {
		t.Fatal("the backend was called for a badly signed request")
	}
}

// TestCLI drives the API with pip's AWS CLI v1, which sends SNS requests in
// the query protocol (as does v2).
func TestCLI(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the AWS CLI must be on PATH for this test: %v", err)
	}
	url, b := newServer(t)
	run := func(secret string, args ...string) (string, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"--endpoint-url", url, "--output", "json", "sns"}, args...)...)
		var env []string
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "AWS_") && !strings.HasSuffix(strings.ToUpper(k), "_PROXY") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "NO_PROXY=127.0.0.1,localhost",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			"AWS_ACCESS_KEY_ID="+testKeyID, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION="+testRegion)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	topic := arnPrefix + "cli-topic"
	steps := []struct {
		args     []string
		wantOut  string
		wantCode string
	}{
		{[]string{"create-topic", "--name", "cli-topic", "--attributes", "DisplayName=CLI"}, `"TopicArn": "` + topic + `"`, ""},
		{[]string{"subscribe", "--topic-arn", topic, "--protocol", "email", "--notification-endpoint", "ops@example.com"}, `"SubscriptionArn": "` + topic + `:`, ""},
		{[]string{"list-topics"}, `"TopicArn": "` + topic + `"`, ""},
		{[]string{"list-subscriptions-by-topic", "--topic-arn", topic}, `"Endpoint": "ops@example.com"`, ""},
		{[]string{"get-topic-attributes", "--topic-arn", topic}, `"DisplayName": "CLI"`, ""},
		{[]string{"publish", "--topic-arn", topic, "--subject", "hi", "--message", "hello <world> & all"}, `"MessageId": "msg-1"`, ""},
		{[]string{"publish", "--topic-arn", arnPrefix + "nope", "--message", "x"}, "", "NotFound"},
		{[]string{"create-topic", "--name", "bad.fifo"}, "", "InvalidParameter"},
		{[]string{"delete-topic", "--topic-arn", topic}, "", ""},
		{[]string{"list-topics"}, `"Topics": []`, ""},
	}
	for _, s := range steps {
		stdout, stderr, err := run(testSecret, s.args...)
		if s.wantCode != "" {
			if err == nil || !strings.Contains(stderr, "("+s.wantCode+")") {
				t.Fatalf("%v: err = %v, want %s\nstdout: %s\nstderr: %s", s.args, err, s.wantCode, stdout, stderr)
			}
			continue
		}
		if err != nil || !strings.Contains(stdout, s.wantOut) {
			t.Fatalf("%v: %v\nstdout: %s\nstderr: %s", s.args, err, stdout, stderr)
		}
	}
	if got := b.published[0].message; got != "hello <world> & all" {
		t.Fatalf("published %q", got)
	}
	calls := b.calls.Load()
	if _, stderr, err := run("wrong", "list-topics"); err == nil || !strings.Contains(stderr, "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v %s", err, stderr)
	}
	if b.calls.Load() != calls {
		t.Fatal("the backend was called for a badly signed request")
	}
}
