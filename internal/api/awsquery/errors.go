package awsquery

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
)

// Error is an API error as the query protocol reports it. Status is the
// HTTP status; Type is Sender for statuses below 500, Receiver otherwise.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Type returns "Sender" (the client's fault) or "Receiver" (the server's).
func (e *Error) Type() string { return FaultType(e.Status) }

// FaultType returns "Receiver" for 5xx statuses and "Sender" otherwise.
func FaultType(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// MarshalError encodes an ErrorResponse document.
func MarshalError(ns, requestID string, e *Error) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<ErrorResponse xmlns=\"")
	escape(&b, ns)
	b.WriteString("\"><Error><Type>" + e.Type() + "</Type><Code>")
	escape(&b, e.Code)
	b.WriteString("</Code><Message>")
	escape(&b, e.Message)
	b.WriteString("</Message></Error><RequestId>")
	escape(&b, requestID)
	b.WriteString("</RequestId></ErrorResponse>")
	return b.Bytes()
}

// WriteError writes e as an ErrorResponse with e.Status.
func WriteError(w http.ResponseWriter, ns, requestID string, e *Error) {
	body := MarshalError(ns, requestID, e)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
