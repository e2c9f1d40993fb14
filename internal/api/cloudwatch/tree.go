package cloudwatch

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
)

// The JSON and CBOR protocols decode a body into a generic tree
// (map[string]any, []any, strings, numbers, bools, time.Time) which bind
// copies into a request struct; responses go the other way through toTree.
// Field naming follows awsquery.Fields so the three protocols share one set
// of structs.

var timeType = reflect.TypeFor[time.Time]()

// bind copies src into v; path names the parameter in errors.
func bind(src any, v reflect.Value, path string) error {
	if src == nil {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		if err := bind(src, nv.Elem(), path); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	case reflect.Struct:
		if v.Type() == timeType {
			t, err := treeTime(src)
			if err != nil {
				return badParam(path, err.Error())
			}
			v.Set(reflect.ValueOf(t))
			return nil
		}
		m, ok := src.(map[string]any)
		if !ok {
			return badParam(path, "expected a structure")
		}
		for _, f := range awsquery.Fields(v.Type()) {
			if x, ok := m[f.Name]; ok {
				if err := bind(x, v.Field(f.Index), join(path, f.Name)); err != nil {
					return err
				}
			}
		}
		return nil
	case reflect.Slice:
		l, ok := src.([]any)
		if !ok {
			return badParam(path, "expected a list")
		}
		s := reflect.MakeSlice(v.Type(), len(l), len(l))
		for i, x := range l {
			if err := bind(x, s.Index(i), fmt.Sprintf("%s.member.%d", path, i+1)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		m, ok := src.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return badParam(path, "expected a map")
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for k, x := range m {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := bind(x, e, path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(out)
		return nil
	case reflect.String:
		s, ok := src.(string)
		if !ok {
			return badParam(path, "expected a string")
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := src.(bool)
		if !ok {
			return badParam(path, "expected a boolean")
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, ok := treeNumber(src)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return badParam(path, "expected an integer")
		}
		if v.OverflowInt(int64(f)) {
			return badParam(path, "integer out of range")
		}
		v.SetInt(int64(f))
		return nil
	case reflect.Float32, reflect.Float64:
		f, ok := treeNumber(src)
		if !ok {
			return badParam(path, "expected a number")
		}
		v.SetFloat(f)
		return nil
	}
	return fmt.Errorf("cloudwatch: cannot bind %s", v.Type())
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func badParam(path, reason string) error {
	return errorf(codeInvalidParameterValue, "Invalid value for parameter %s: %s.", path, reason)
}

func treeNumber(src any) (float64, bool) {
	switch n := src.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// treeTime accepts a time.Time (CBOR tag 1), epoch seconds (JSON) or an
// ISO 8601 string.
func treeTime(src any) (time.Time, error) {
	if t, ok := src.(time.Time); ok {
		return t.UTC(), nil
	}
	if f, ok := treeNumber(src); ok {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, fmt.Errorf("expected a timestamp")
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
	}
	if s, ok := src.(string); ok {
		if t, err := awsquery.ParseTime(s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("expected a timestamp")
}

// toTree converts a response value to a generic tree; timeFn renders
// timestamps for the protocol.
func toTree(v reflect.Value, timeFn func(time.Time) any) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toTree(v.Elem(), timeFn)
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return timeFn(t)
		}
		m := map[string]any{}
		for _, f := range awsquery.Fields(v.Type()) {
			fv := v.Field(f.Index)
			if awsquery.Omit(fv, f.OmitEmpty) {
				continue
			}
			m[f.Name] = toTree(fv, timeFn)
		}
		return m
	case reflect.Slice:
		l := make([]any, v.Len())
		for i := range l {
			l[i] = toTree(v.Index(i), timeFn)
		}
		return l
	case reflect.Map:
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[it.Key().String()] = toTree(it.Value(), timeFn)
		}
		return m
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}
