// Package sns owns Vedette's SNS-compatible API (2010-03-31, AWS query
// protocol): topics and subscriptions that CloudWatch alarm actions notify,
// and Publish. Delivery lives behind Backend (internal/notify).
//
// Subscriptions are confirmed at once: Vedette is operator-owned and every
// request is signed with an operator key, so there is no confirmation
// handshake with the endpoint (no SubscriptionConfirmation message, no
// ConfirmSubscription). Subscribe therefore always returns the subscription
// ARN, never "pending confirmation".
package sns
