package cloudwatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
)

// Namespace is CloudWatch's XML namespace.
const Namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"

// Wire markers of the JSON and CBOR protocols.
const (
	TargetPrefix   = "GraniteServiceVersion20100801."
	RPCPathPrefix  = "/service/GraniteServiceVersion20100801/operation/"
	contentJSON    = "application/x-amz-json-1.0"
	contentCBOR    = "application/cbor"
	smithyProtocol = "rpc-v2-cbor"
)

// maxBody caps request bodies (PutMetricData's documented limit is 1 MB).
const maxBody = awsquery.MaxBodyBytes

// protocol is one of the three wire protocols.
type protocol interface {
	// parse reads the operation name and returns a function that decodes
	// the request parameters into a request struct.
	parse(r *http.Request) (op string, decode func(any) error, err error)
	// writeResult writes a successful response; out is nil for operations
	// without output.
	writeResult(w http.ResponseWriter, op, requestID string, out any)
	writeError(w http.ResponseWriter, requestID string, e *apiError)
}

// detect picks the protocol from the request line and headers only, so
// authentication errors can be rendered before the body is looked at.
func detect(r *http.Request) protocol {
	switch {
	case strings.HasPrefix(r.URL.Path, "/service/"):
		return cborProtocol{}
	case r.Header.Get("X-Amz-Target") != "":
		return jsonProtocol{}
	}
	return queryProtocol{}
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errorf("SerializationException", "The request body could not be read.")
	}
	if len(body) > maxBody {
		return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge", Message: "The request body is too large."}
	}
	body, err = awsquery.Decompress(r.Header.Get("Content-Encoding"), body)
	var qe *awsquery.Error
	if errors.As(err, &qe) {
		return nil, &apiError{Status: qe.Status, Code: qe.Code, Message: qe.Message}
	}
	return body, err
}

func bindRoot(tree any, v any) error {
	if tree == nil {
		return nil
	}
	if _, ok := tree.(map[string]any); !ok {
		return errorf("SerializationException", "The request body must be a structure.")
	}
	return bind(tree, reflect.ValueOf(v).Elem(), "")
}

// ---- query ----

type queryProtocol struct{}

func (queryProtocol) parse(r *http.Request) (string, func(any) error, error) {
	form, err := awsquery.ReadForm(r)
	if err != nil {
		var qe *awsquery.Error
		if errors.As(err, &qe) {
			return "", nil, &apiError{Status: qe.Status, Code: qe.Code, Message: qe.Message}
		}
		return "", nil, err
	}
	decode := func(v any) error {
		err := awsquery.Decode(form, v)
		var de *awsquery.DecodeError
		if errors.As(err, &de) {
			return errorf(codeInvalidParameterValue, "%s", de.Error())
		}
		return err
	}
	return form.Get("Action"), decode, nil
}

func (queryProtocol) writeResult(w http.ResponseWriter, op, requestID string, out any) {
	awsquery.WriteResponse(w, Namespace, op, requestID, out)
}

func (queryProtocol) writeError(w http.ResponseWriter, requestID string, e *apiError) {
	awsquery.WriteError(w, Namespace, requestID, &awsquery.Error{Status: e.Status, Code: e.Code, Message: e.Message})
}

// ---- AWS JSON 1.0 ----

type jsonProtocol struct{}

func (jsonProtocol) parse(r *http.Request) (string, func(any) error, error) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, TargetPrefix)
	if !ok {
		return "", nil, errorf(codeInvalidAction, "Unknown target %q.", target)
	}
	body, err := readBody(r)
	if err != nil {
		return "", nil, err
	}
	decode := func(v any) error {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		var tree any
		if err := d.Decode(&tree); err != nil {
			return errorf("SerializationException", "The request body is not valid JSON.")
		}
		return bindRoot(tree, v)
	}
	return op, decode, nil
}

// jsonFloat is a double written with a decimal point (10.0, not 10), as
// AWS services write them, so dynamically typed clients keep it a float.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(float64(f))
	if err == nil && !bytes.ContainsAny(b, ".eE") {
		b = append(b, ".0"...)
	}
	return b, err
}

// jsonFloats replaces the float64 values of a tree by jsonFloats.
func jsonFloats(tree any) any {
	switch v := tree.(type) {
	case float64:
		return jsonFloat(v)
	case map[string]any:
		for k, x := range v {
			v[k] = jsonFloats(x)
		}
	case []any:
		for i, x := range v {
			v[i] = jsonFloats(x)
		}
	}
	return tree
}

// epochSeconds renders a timestamp as JSON's epoch seconds, to the
// millisecond.
func epochSeconds(t time.Time) any { return float64(t.UnixMilli()) / 1000 }

func (jsonProtocol) writeResult(w http.ResponseWriter, op, requestID string, out any) {
	body := []byte("{}")
	if out != nil {
		b, err := json.Marshal(jsonFloats(toTree(reflect.ValueOf(out), epochSeconds)))
		if err != nil {
			jsonProtocol{}.writeError(w, requestID, errorf(codeInternal, "The response could not be encoded."))
			return
		}
		body = b
	}
	w.Header().Set("Content-Type", contentJSON)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (jsonProtocol) writeError(w http.ResponseWriter, requestID string, e *apiError) {
	body, _ := json.Marshal(map[string]string{"__type": e.shapeType(), "message": e.Message})
	w.Header().Set("Content-Type", contentJSON)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amzn-Query-Error", e.Code+";"+awsquery.FaultType(e.Status))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// ---- Smithy RPC v2 CBOR ----

type cborProtocol struct{}

var (
	cborDec, _ = cbor.DecOptions{
		DefaultMapType:  reflect.TypeFor[map[string]any](),
		MaxNestedLevels: 32,
	}.DecMode()
	cborEnc, _ = cbor.EncOptions{Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired}.EncMode()
)

func (cborProtocol) parse(r *http.Request) (string, func(any) error, error) {
	op, ok := strings.CutPrefix(r.URL.Path, RPCPathPrefix)
	if !ok || op == "" || strings.Contains(op, "/") {
		return "", nil, errorf(codeInvalidAction, "Unknown operation path %q.", r.URL.Path)
	}
	if r.Header.Get("Smithy-Protocol") != smithyProtocol {
		return "", nil, errorf("SerializationException", "The Smithy-Protocol header must be %s.", smithyProtocol)
	}
	body, err := readBody(r)
	if err != nil {
		return "", nil, err
	}
	decode := func(v any) error {
		if len(body) == 0 {
			return nil
		}
		var tree any
		if err := cborDec.Unmarshal(body, &tree); err != nil {
			return errorf("SerializationException", "The request body is not valid CBOR.")
		}
		return bindRoot(tree, v)
	}
	return op, decode, nil
}

func cborTime(t time.Time) any { return t.UTC() }

func (cborProtocol) writeResult(w http.ResponseWriter, op, requestID string, out any) {
	var tree any = map[string]any{}
	if out != nil {
		tree = toTree(reflect.ValueOf(out), cborTime)
	}
	body, err := cborEnc.Marshal(tree)
	if err != nil {
		cborProtocol{}.writeError(w, requestID, errorf(codeInternal, "The response could not be encoded."))
		return
	}
	w.Header().Set("Content-Type", contentCBOR)
	w.Header().Set("Smithy-Protocol", smithyProtocol)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (cborProtocol) writeError(w http.ResponseWriter, requestID string, e *apiError) {
	body, _ := cborEnc.Marshal(map[string]string{"__type": e.shapeType(), "message": e.Message})
	w.Header().Set("Content-Type", contentCBOR)
	w.Header().Set("Smithy-Protocol", smithyProtocol)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amzn-Query-Error", e.Code+";"+awsquery.FaultType(e.Status))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
