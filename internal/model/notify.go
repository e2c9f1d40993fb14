package model

// Subscription protocols a topic delivers to. The first five are SNS's
// names; "slack" is Vedette's (a Slack-compatible incoming webhook URL).
const (
	ProtocolHTTP      = "http"
	ProtocolHTTPS     = "https"
	ProtocolEmail     = "email"
	ProtocolEmailJSON = "email-json"
	ProtocolSlack     = "slack"
)

// Topic is a notification topic (SNS's CreateTopic).
type Topic struct {
	Name       string            `json:"name"`
	Arn        string            `json:"arn"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// Subscription delivers a topic's messages to one endpoint.
type Subscription struct {
	Arn      string `json:"arn"`
	TopicArn string `json:"topicArn"`
	// Protocol is one of the Protocol constants.
	Protocol string `json:"protocol"`
	// Endpoint is a URL (http, https, slack) or an email address.
	Endpoint string `json:"endpoint"`
	// Attributes as given to Subscribe, plus SigningSecret: the HMAC-SHA256
	// key of webhook signatures (generated when not given).
	Attributes map[string]string `json:"attributes,omitempty"`
}

// NotifyError is an SNS-style error: Code is SNS's error code (NotFound,
// InvalidParameter, ...).
type NotifyError struct {
	Code    string
	Message string
}

func (e *NotifyError) Error() string { return e.Code + ": " + e.Message }
