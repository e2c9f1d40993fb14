// Package notify owns Vedette's notification topics and subscriptions (the
// SNS-compatible configuration kept in the store under topics/ and
// subscriptions/) and the delivery of messages to them: webhooks (http,
// https, signed with X-Vedette-Signature), email and email-json over SMTP,
// and Slack-compatible chat webhooks, with a bounded queue, a fixed pool of
// workers, retries with exponential backoff, de-duplication of alarm
// notifications and an in-memory log of recent delivery attempts.
//
// The SNS wire API (internal/api/sns) and alarm actions (internal/monitor)
// call a *Service; the app starts its workers with Run.
package notify
