package awsquery

import (
	"reflect"
	"strings"
	"time"
)

// Field describes how one struct field appears on the wire.
type Field struct {
	Index     int
	Name      string
	OmitEmpty bool
}

// Fields lists the wire fields of struct type t: exported fields, named by
// their `aws` tag or their Go name.
func Fields(t reflect.Type) []Field {
	var out []Field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("aws")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, Field{Index: i, Name: name, OmitEmpty: opts == "omitempty"})
	}
	return out
}

// Omit reports whether a field value is left out of a response: empty
// strings, zero times, nil pointers, slices and maps always; zero numbers
// and false only when omitEmpty.
func Omit(v reflect.Value, omitEmpty bool) bool {
	switch v.Kind() {
	case reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.IsZero()
		}
		return false
	}
	return omitEmpty && v.IsZero()
}

var timeType = reflect.TypeFor[time.Time]()

// TimeFormat is the ISO 8601 layout of timestamps in query responses: UTC
// with milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatTime formats t as ISO 8601 UTC with milliseconds.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime parses an ISO 8601 timestamp as AWS clients send them: with or
// without fractional seconds, with a zone offset or Z; a timestamp without a
// zone is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &time.ParseError{Layout: time.RFC3339, Value: s, Message: ": not an ISO 8601 timestamp"}
}
