package cloudwatch

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/model"
)

// CloudWatch's query error codes (what SDKs and CLIs report).
const (
	codeInvalidParameterValue       = "InvalidParameterValue"
	codeMissingParameter            = "MissingParameter"
	codeInvalidParameterCombination = "InvalidParameterCombination"
	codeResourceNotFound            = "ResourceNotFound"
	codeLimitExceeded               = "LimitExceeded"
	codeInvalidNextToken            = "InvalidNextToken"
	codeInvalidFormat               = "InvalidFormat"
	codeInternal                    = "InternalServiceError"
	codeInvalidAction               = "InvalidAction"
)

// errorShapes maps query error codes to the modelled error shapes named in
// __type by the JSON and CBOR protocols, and their HTTP status.
var errorShapes = map[string]struct {
	shape  string
	status int
}{
	codeInvalidParameterValue:       {"InvalidParameterValueException", http.StatusBadRequest},
	codeMissingParameter:            {"MissingRequiredParameterException", http.StatusBadRequest},
	codeInvalidParameterCombination: {"InvalidParameterCombinationException", http.StatusBadRequest},
	codeResourceNotFound:            {"ResourceNotFound", http.StatusNotFound},
	codeLimitExceeded:               {"LimitExceededFault", http.StatusBadRequest},
	codeInvalidNextToken:            {"InvalidNextToken", http.StatusBadRequest},
	codeInvalidFormat:               {"InvalidFormatFault", http.StatusBadRequest},
	codeInternal:                    {"InternalServiceFault", http.StatusInternalServerError},
	codeInvalidAction:               {"UnknownOperationException", http.StatusBadRequest},
}

// shapeNamespace prefixes __type values.
const shapeNamespace = "com.amazonaws.cloudwatch#"

// apiError is an error as the API reports it, in any protocol.
type apiError struct {
	Status  int
	Code    string // query error code
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// shapeType returns the __type of the error in JSON and CBOR responses.
func (e *apiError) shapeType() string {
	if s, ok := errorShapes[e.Code]; ok {
		return shapeNamespace + s.shape
	}
	return e.Code
}

func errorf(code, format string, args ...any) *apiError {
	status := http.StatusBadRequest
	if s, ok := errorShapes[code]; ok {
		status = s.status
	}
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// toAPIError classifies an error from a handler or the Backend; ok is false
// for unexpected errors, which are reported as InternalServiceError.
func toAPIError(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, true
	}
	var me *model.AlarmError
	if errors.As(err, &me) {
		return errorf(me.Code, "%s", me.Message), true
	}
	var re *route53.Error
	if errors.As(err, &re) {
		return &apiError{Status: re.Status, Code: re.Code, Message: re.Message}, true
	}
	var ce interface {
		ErrorCode() string
		HTTPStatus() int
	}
	if errors.As(err, &ce) {
		return &apiError{Status: ce.HTTPStatus(), Code: ce.ErrorCode(), Message: err.Error()}, true
	}
	return &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "An internal error occurred."}, false
}
