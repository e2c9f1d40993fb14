package awsquery

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"time"
)

// MarshalResponse encodes the response document of operation op:
//
//	<OpResponse xmlns="ns"><OpResult>…</OpResult><ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></OpResponse>
//
// result is a struct or a pointer to one; a nil result (an operation with
// no output) leaves out the OpResult element.
func MarshalResponse(ns, op, requestID string, result any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<" + op + "Response xmlns=\"")
	escape(&b, ns)
	b.WriteString("\">")
	if rv := reflect.ValueOf(result); result != nil && !(rv.Kind() == reflect.Pointer && rv.IsNil()) {
		b.WriteString("<" + op + "Result>")
		if err := encodeFields(&b, reflect.Indirect(rv)); err != nil {
			return nil, err
		}
		b.WriteString("</" + op + "Result>")
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	escape(&b, requestID)
	b.WriteString("</RequestId></ResponseMetadata></" + op + "Response>")
	return b.Bytes(), nil
}

// WriteResponse writes MarshalResponse's document with status 200, or an
// InternalFailure error if result cannot be encoded.
func WriteResponse(w http.ResponseWriter, ns, op, requestID string, result any) {
	body, err := MarshalResponse(ns, op, requestID, result)
	if err != nil {
		WriteError(w, ns, requestID, &Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "The response could not be encoded."})
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func escape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func encodeFields(b *bytes.Buffer, v reflect.Value) error {
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("awsquery: cannot encode %s as a structure", v.Type())
	}
	for _, f := range Fields(v.Type()) {
		fv := v.Field(f.Index)
		if Omit(fv, f.OmitEmpty) {
			continue
		}
		if err := encodeElement(b, f.Name, fv); err != nil {
			return err
		}
	}
	return nil
}

func encodeElement(b *bytes.Buffer, name string, v reflect.Value) error {
	b.WriteString("<" + name + ">")
	if err := encodeValue(b, v); err != nil {
		return err
	}
	b.WriteString("</" + name + ">")
	return nil
}

func encodeValue(b *bytes.Buffer, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return encodeValue(b, v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			if err := encodeElement(b, "member", v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		keys := v.MapKeys()
		sortStrings(keys)
		for _, k := range keys {
			b.WriteString("<entry><key>")
			escape(b, k.String())
			b.WriteString("</key>")
			if err := encodeElement(b, "value", v.MapIndex(k)); err != nil {
				return err
			}
			b.WriteString("</entry>")
		}
		return nil
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			b.WriteString(FormatTime(t))
			return nil
		}
		return encodeFields(b, v)
	case reflect.String:
		escape(b, v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(FormatFloat(v.Float()))
	default:
		return fmt.Errorf("awsquery: cannot encode %s", v.Type())
	}
	return nil
}

// FormatFloat formats f the way AWS query responses do: shortest
// round-tripping decimal, NaN and infinities spelled as such.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func sortStrings(keys []reflect.Value) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j].String() < keys[j-1].String(); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}
