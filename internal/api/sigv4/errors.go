package sigv4

import (
	"fmt"
	"net/http"
	"strings"
)

// AWS error codes returned in [Error.Code]. They are the codes AWS services
// use for the same failures, so SDKs and the CLI recognise them.
const (
	// CodeMissingAuthenticationToken: the request carries neither an
	// Authorization header nor presigned query parameters.
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	// CodeIncompleteSignature: the Authorization header or the presigned
	// query parameters are malformed or incomplete (including a missing or
	// malformed X-Amz-Date).
	CodeIncompleteSignature = "IncompleteSignature"
	// CodeInvalidClientTokenID: the access key id is not known to the KeyStore.
	CodeInvalidClientTokenID = "InvalidClientTokenId"
	// CodeSignatureDoesNotMatch: the signature, the credential scope or the
	// declared payload hash does not match the request.
	CodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	// CodeRequestExpired: the signing time is outside the allowed clock skew,
	// or a presigned URL has passed its expiry.
	CodeRequestExpired = "RequestExpired"
	// CodeIncompleteBody: the request body could not be read in full.
	CodeIncompleteBody = "IncompleteBody"
	// CodeRequestEntityTooLarge: the body is larger than the verifier will
	// hash (Config.MaxBodyBytes) and the payload is not declared unsigned.
	CodeRequestEntityTooLarge = "RequestEntityTooLarge"
)

// Error is the only error type [Verifier.Verify] returns. It carries what an
// API handler needs to render an AWS-style error response: the AWS error
// Code, a Message in the wording AWS uses, and the HTTP status (403 for every
// authentication failure; 400 for an unreadable body, 413 for an oversized
// one).
type Error struct {
	Code       string
	Message    string
	HTTPStatus int
	// Err is the underlying cause, when there is one (a body read error).
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	return "sigv4: " + e.Code + ": " + e.Message
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

func authError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), HTTPStatus: http.StatusForbidden}
}

// Messages AWS uses verbatim.
const (
	msgMissingToken      = "Missing Authentication Token"
	msgInvalidToken      = "The security token included in the request is invalid."
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgQueryParamsRequired = "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', " +
		"'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', and 'X-Amz-Expires'. " +
		"Re-examine the query-string parameters."
)

func errSignatureMismatch() *Error {
	return authError(CodeSignatureDoesNotMatch, "%s", msgSignatureMismatch)
}

// clip shortens client-supplied text echoed in a message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return strings.ToValidUTF8(s[:max], "") + "..."
	}
	return s
}
