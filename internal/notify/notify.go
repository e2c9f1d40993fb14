package notify

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vedette-dns/vedette/internal/clock"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
)

// Defaults of Options.
const (
	DefaultRegion      = "us-east-1"
	DefaultAccountID   = "000000000000"
	DefaultMaxAttempts = 5
	DefaultBackoff     = time.Second
	DefaultWorkers     = 8
	DefaultQueueSize   = 10_000

	// MaxBackoff caps the wait between two attempts.
	MaxBackoff = time.Minute
	// DedupWindow is how long a Notification's DedupKey suppresses repeats.
	DedupWindow = 10 * time.Minute
	// HTTPTimeout bounds one webhook attempt.
	HTTPTimeout = 10 * time.Second
	// LogSize is how many Delivery records Deliveries keeps.
	LogSize = 1000
	// MaxMessageBytes is the largest message Publish accepts (as SNS).
	MaxMessageBytes = 256 * 1024
)

// Delivery statuses.
const (
	StatusDelivered = "delivered"
	StatusRetrying  = "retrying"
	StatusFailed    = "failed"
	StatusDropped   = "dropped"
)

// Options configure a Service.
type Options struct {
	// Store holds topics and subscriptions. Required.
	Store store.Store
	// Clock times retries, de-duplication and records. Default clock.Real().
	Clock clock.Clock
	// Region and AccountID make topic ARNs. Defaults "us-east-1",
	// "000000000000".
	Region, AccountID string
	// HTTPClient sends webhooks. It is copied; the copy never follows
	// redirects and has a 10 s timeout when the client has none.
	HTTPClient *http.Client
	// SMTP sends email; without an Addr, email deliveries fail.
	SMTP SMTPConfig
	// MaxAttempts per delivery (default 5); Backoff is the wait after the
	// first failure (default 1 s), doubling up to a minute.
	MaxAttempts int
	Backoff     time.Duration
	// Workers deliver concurrently (default 8); QueueSize bounds the
	// deliveries waiting for a worker, and separately those waiting for a
	// retry (default 10,000). Deliveries that do not fit are dropped.
	Workers, QueueSize int
	// OnDelivery, when set, is called with every Delivery record, from the
	// goroutine that made it (workers run concurrently, and drops on a full
	// queue are reported from Notify/Publish); it should not block for long.
	OnDelivery func(Delivery)
	// Logger (default slog.Default()).
	Logger *slog.Logger
}

// Notification is a message for the subscribers of a topic.
type Notification struct {
	// Subject is the email subject and the SNS Subject, e.g.
	// `ALARM: "hc-down" in local`.
	Subject string
	// Message is the body; for alarms the SNS-style alarm JSON built by the
	// caller.
	Message string
	// Summary is one line for chat targets, e.g. `hc-down is ALARM:
	// Threshold Crossed: ...`.
	Summary string
	// DedupKey: a second Notify with the same topic and DedupKey within
	// DedupWindow is dropped. Empty means never de-duplicated.
	DedupKey string
}

// Delivery records the outcome of one delivery attempt.
type Delivery struct {
	ID              string `json:"id"`
	TopicArn        string `json:"topicArn"`
	SubscriptionArn string `json:"subscriptionArn"`
	Protocol        string `json:"protocol"`
	// Endpoint is the email address, or the URL's scheme, host and path.
	Endpoint  string    `json:"endpoint"`
	MessageID string    `json:"messageId"`
	Subject   string    `json:"subject,omitempty"`
	Attempt   int       `json:"attempt"`
	Time      time.Time `json:"time"`
	// Status is one of the Status constants.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Service owns topics, subscriptions and deliveries. Its methods are safe
// for concurrent use. Deliveries are made only while Run runs.
type Service struct {
	store       store.Store
	clock       clock.Clock
	region      string
	account     string
	http        *http.Client
	smtp        SMTPConfig
	maxAttempts int
	backoff     time.Duration
	workers     int
	queueSize   int
	onDelivery  func(Delivery)
	log         *slog.Logger

	subMu sync.Mutex // serialises Subscribe's find-or-create

	queue   chan *job
	retryCh chan *job

	mu      sync.Mutex
	dedup   map[string]time.Time // topic ARN + "\x00" + DedupKey → first seen
	ring    []Delivery           // circular, LogSize
	next    int                  // index of the next record in ring
	full    bool                 // ring has wrapped
	running bool
}

// job is one message on its way to one subscription.
type job struct {
	sub       model.Subscription
	topicName string
	messageID string
	published time.Time
	n         Notification
	attempt   int       // attempts made so far
	due       time.Time // when the next attempt is due (retries)
}

// New returns a Service; call Run to deliver.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("notify: Options.Store is required")
	}
	s := &Service{
		store:       opts.Store,
		clock:       opts.Clock,
		region:      opts.Region,
		account:     opts.AccountID,
		smtp:        opts.SMTP,
		maxAttempts: opts.MaxAttempts,
		backoff:     opts.Backoff,
		workers:     opts.Workers,
		queueSize:   opts.QueueSize,
		onDelivery:  opts.OnDelivery,
		log:         opts.Logger,
		dedup:       map[string]time.Time{},
		ring:        make([]Delivery, LogSize),
	}
	if s.clock == nil {
		s.clock = clock.Real()
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.account == "" {
		s.account = DefaultAccountID
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = DefaultMaxAttempts
	}
	if s.backoff <= 0 {
		s.backoff = DefaultBackoff
	}
	if s.workers <= 0 {
		s.workers = DefaultWorkers
	}
	if s.queueSize <= 0 {
		s.queueSize = DefaultQueueSize
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "notify")
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	}
	if hc.Timeout <= 0 {
		hc.Timeout = HTTPTimeout
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.http = &hc
	if err := s.smtp.validate(); err != nil {
		return nil, err
	}
	s.queue = make(chan *job, s.queueSize)
	s.retryCh = make(chan *job)
	return s, nil
}

// Run delivers queued messages with Options.Workers workers until ctx ends,
// then returns nil. Deliveries still queued or waiting for a retry are
// abandoned. Run may not be called twice at once.
func (s *Service) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("notify: Run already running")
	}
	s.running = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()
	var wg sync.WaitGroup
	for range s.workers {
		wg.Go(func() { s.worker(ctx) })
	}
	wg.Go(func() { s.scheduler(ctx) })
	wg.Wait()
	return nil
}

// Notify queues n for every subscription of the topic and returns; it
// returns NotFound when the topic does not exist. A repeat of a DedupKey
// within DedupWindow is dropped (and returns nil).
func (s *Service) Notify(ctx context.Context, topicArn string, n Notification) error {
	topic, err := s.GetTopic(ctx, topicArn)
	if err != nil {
		return err
	}
	if n.Summary == "" {
		n.Summary = summaryOf(n.Subject, n.Message)
	}
	var key string
	if n.DedupKey != "" {
		key = topic.Arn + "\x00" + n.DedupKey
		now := s.clock.Now()
		s.mu.Lock()
		for k, t := range s.dedup {
			if now.Sub(t) >= DedupWindow {
				delete(s.dedup, k)
			}
		}
		_, dup := s.dedup[key]
		if !dup {
			s.dedup[key] = now
		}
		s.mu.Unlock()
		if dup {
			s.log.Info("duplicate notification dropped", "topic", topic.Arn, "dedupKey", n.DedupKey)
			return nil
		}
	}
	if _, err = s.fanOut(ctx, topic, n); err != nil && key != "" {
		s.mu.Lock()
		delete(s.dedup, key) // not sent: let the caller try again
		s.mu.Unlock()
	}
	return err
}

// Publish sends message to every subscription of the topic, as SNS's
// Publish, and returns the message ID.
func (s *Service) Publish(ctx context.Context, topicArn, subject, message string) (string, error) {
	if message == "" {
		return "", invalid("Empty message")
	}
	if len(message) > MaxMessageBytes {
		return "", invalid("Message too long")
	}
	if err := validateSubject(subject); err != nil {
		return "", err
	}
	topic, err := s.GetTopic(ctx, topicArn)
	if err != nil {
		return "", err
	}
	return s.fanOut(ctx, topic, Notification{Subject: subject, Message: message, Summary: summaryOf(subject, message)})
}

func validateSubject(subject string) error {
	if utf8.RuneCountInString(subject) > 100 {
		return invalid("Subject must be at most 100 characters")
	}
	for _, r := range subject {
		if unicode.IsControl(r) {
			return invalid("Subject must not contain line breaks or control characters")
		}
	}
	return nil
}

// summaryOf is the subject, or else the first line of the message.
func summaryOf(subject, message string) string {
	if subject != "" {
		return subject
	}
	line, _, _ := strings.Cut(strings.TrimSpace(message), "\n")
	return strings.TrimSpace(line)
}

// fanOut queues n for every subscription of topic.
func (s *Service) fanOut(ctx context.Context, topic model.Topic, n Notification) (string, error) {
	subs, err := s.listTopicSubs(ctx, topic.Name)
	if err != nil {
		return "", err
	}
	id := newID()
	now := s.clock.Now()
	for _, sub := range subs {
		j := &job{sub: sub, topicName: topic.Name, messageID: id, published: now, n: n}
		select {
		case s.queue <- j:
		default:
			s.record(j, 1, now, StatusDropped, errors.New("delivery queue is full"))
		}
	}
	s.log.Debug("message queued", "topic", topic.Arn, "messageId", id, "subscriptions", len(subs))
	return id, nil
}

func (s *Service) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-s.queue:
			s.attempt(ctx, j)
		}
	}
}

// attempt makes the next delivery attempt of j and records its outcome,
// handing it to the scheduler when it is to be retried.
func (s *Service) attempt(ctx context.Context, j *job) {
	j.attempt++
	if j.attempt > 1 {
		// A subscription deleted while waiting for a retry is not retried.
		_, id, _, _ := s.subscriptionParts(j.sub.Arn)
		if _, found, err := s.loadSub(ctx, j.topicName, id); err == nil && !found {
			s.log.Info("subscription gone, delivery abandoned", "subscription", j.sub.Arn, "messageId", j.messageID)
			return
		}
	}
	start := s.clock.Now()
	err := s.send(ctx, j, start)
	if ctx.Err() != nil {
		return // shutting down: no verdict
	}
	switch {
	case err == nil:
		s.record(j, j.attempt, start, StatusDelivered, nil)
	case isPermanent(err) || j.attempt >= s.maxAttempts:
		s.record(j, j.attempt, start, StatusFailed, err)
	default:
		s.record(j, j.attempt, start, StatusRetrying, err)
		j.due = start.Add(s.backoffAfter(j.attempt))
		select {
		case s.retryCh <- j:
		case <-ctx.Done():
		}
	}
}

// backoffAfter returns the wait after the n-th failed attempt.
func (s *Service) backoffAfter(n int) time.Duration {
	d := s.backoff
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// scheduler holds jobs waiting for a retry and queues each when it is due.
func (s *Service) scheduler(ctx context.Context) {
	var h retryHeap
	var timer clock.Timer
	var timerC <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	rearm := func() {
		if len(h) == 0 {
			if timer != nil {
				timer.Stop()
			}
			timerC = nil
			return
		}
		d := h[0].due.Sub(s.clock.Now())
		if timer == nil {
			timer = s.clock.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		timerC = timer.C()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-s.retryCh:
			if len(h) >= s.queueSize {
				s.record(j, j.attempt+1, s.clock.Now(), StatusDropped, errors.New("retry queue is full"))
				continue
			}
			heap.Push(&h, j)
			if h[0] == j {
				rearm()
			}
		case <-timerC:
			now := s.clock.Now()
			for len(h) > 0 && !h[0].due.After(now) {
				j := heap.Pop(&h).(*job)
				select {
				case s.queue <- j:
				default:
					s.record(j, j.attempt+1, now, StatusDropped, errors.New("delivery queue is full"))
				}
			}
			timerC = nil
			rearm()
		}
	}
}

type retryHeap []*job

func (h retryHeap) Len() int           { return len(h) }
func (h retryHeap) Less(i, k int) bool { return h[i].due.Before(h[k].due) }
func (h retryHeap) Swap(i, k int)      { h[i], h[k] = h[k], h[i] }
func (h *retryHeap) Push(x any)        { *h = append(*h, x.(*job)) }
func (h *retryHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return j
}

// record logs one attempt outcome, keeps it and hands it to OnDelivery.
func (s *Service) record(j *job, attempt int, at time.Time, status string, err error) {
	d := Delivery{
		ID:              newID(),
		TopicArn:        j.sub.TopicArn,
		SubscriptionArn: j.sub.Arn,
		Protocol:        j.sub.Protocol,
		Endpoint:        logEndpoint(j.sub.Protocol, j.sub.Endpoint),
		MessageID:       j.messageID,
		Subject:         j.n.Subject,
		Attempt:         attempt,
		Time:            at,
		Status:          status,
	}
	if err != nil {
		d.Error = err.Error()
	}
	s.mu.Lock()
	s.ring[s.next] = d
	s.next = (s.next + 1) % len(s.ring)
	if s.next == 0 {
		s.full = true
	}
	s.mu.Unlock()
	attrs := []any{"topic", d.TopicArn, "subscription", d.SubscriptionArn, "protocol", d.Protocol,
		"endpoint", d.Endpoint, "messageId", d.MessageID, "attempt", attempt, "status", status}
	switch status {
	case StatusDelivered:
		s.log.Info("notification delivered", attrs...)
	case StatusRetrying:
		s.log.Warn("notification delivery failed, will retry", append(attrs, "err", d.Error)...)
	default:
		s.log.Error("notification not delivered", append(attrs, "err", d.Error)...)
	}
	if s.onDelivery != nil {
		s.onDelivery(d)
	}
}

// Deliveries returns up to limit (<= 0: all kept) of the most recent
// delivery records of topicArn ("" = every topic), newest first.
func (s *Service) Deliveries(topicArn string, limit int) []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.next
	if s.full {
		n = len(s.ring)
	}
	var out []Delivery
	for i := range n {
		d := s.ring[(s.next-1-i+len(s.ring))%len(s.ring)]
		if topicArn != "" && d.TopicArn != topicArn {
			continue
		}
		out = append(out, d)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// logEndpoint is the endpoint as delivery records show it: the address of
// email, the scheme, host and path of URLs (no credentials or query).
func logEndpoint(protocol, endpoint string) string {
	if !isWebProtocol(protocol) {
		if a, err := mail.ParseAddress(endpoint); err == nil {
			return a.Address
		}
		return endpoint
	}
	u, err := parseURL(endpoint)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// permanentError marks a failure retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(format string, args ...any) error {
	return &permanentError{fmt.Errorf(format, args...)}
}

func isPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
