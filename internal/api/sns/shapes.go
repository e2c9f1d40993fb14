package sns

// Request and response structures, named as in SNS's model.

type tag struct {
	Key   string
	Value string
}

type createTopicInput struct {
	Name                 string
	Attributes           map[string]string
	Tags                 []tag
	DataProtectionPolicy string
}

type createTopicOutput struct{ TopicArn string }

type topicArnInput struct{ TopicArn string }

type nextTokenInput struct{ NextToken string }

type topicRef struct{ TopicArn string }

type listTopicsOutput struct {
	Topics    []topicRef
	NextToken string
}

type attributesOutput struct{ Attributes map[string]string }

type subscribeInput struct {
	TopicArn              string
	Protocol              string
	Endpoint              string
	Attributes            map[string]string
	ReturnSubscriptionArn bool
}

type subscriptionArnOutput struct{ SubscriptionArn string }

type subscriptionArnInput struct{ SubscriptionArn string }

type subscription struct {
	SubscriptionArn string
	Owner           string
	Protocol        string
	Endpoint        string
	TopicArn        string
}

type listSubscriptionsOutput struct {
	Subscriptions []subscription
	NextToken     string
}

type listSubscriptionsByTopicInput struct {
	TopicArn  string
	NextToken string
}

type publishInput struct {
	TopicArn         string
	TargetArn        string
	PhoneNumber      string
	Message          string
	Subject          string
	MessageStructure string
	MessageGroupId   string
}

type publishOutput struct{ MessageId string }
