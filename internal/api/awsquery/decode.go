package awsquery

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// DecodeError reports a form parameter whose value does not fit its field.
type DecodeError struct {
	Param  string
	Value  string
	Reason string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("Invalid value %q for parameter %s: %s.", e.Value, e.Param, e.Reason)
}

// Decode fills the struct v points to from form parameters: see the package
// documentation for the naming rules. Parameters with no matching field are
// ignored; fields with no parameter keep their value.
func Decode(form url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("awsquery: Decode needs a pointer to a struct, got %T", v)
	}
	d := decoder{form: form, present: map[string]bool{}}
	for k := range form {
		// Every dotted prefix of a key marks a present (possibly nested) value.
		for i := range len(k) {
			if k[i] == '.' {
				d.present[k[:i]] = true
			}
		}
		d.present[k] = true
	}
	_, err := d.structFields("", rv.Elem())
	return err
}

type decoder struct {
	form    url.Values
	present map[string]bool
}

func (d *decoder) structFields(prefix string, v reflect.Value) (bool, error) {
	found := false
	for _, f := range Fields(v.Type()) {
		ok, err := d.value(prefix+f.Name, v.Field(f.Index))
		if err != nil {
			return false, err
		}
		found = found || ok
	}
	return found, nil
}

// value decodes parameter key into v and reports whether it was present.
func (d *decoder) value(key string, v reflect.Value) (bool, error) {
	if !d.present[key] {
		return false, nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		ok, err := d.value(key, nv.Elem())
		if ok && err == nil {
			v.Set(nv)
		}
		return ok, err
	case reflect.Struct:
		if v.Type() == timeType {
			return d.scalar(key, v)
		}
		return d.structFields(key+".", v)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 0, 0)
		for i := 1; ; i++ {
			k := key + ".member." + strconv.Itoa(i)
			if !d.present[k] {
				break
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if _, err := d.value(k, e); err != nil {
				return false, err
			}
			s = reflect.Append(s, e)
		}
		v.Set(s)
		return true, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return false, fmt.Errorf("awsquery: unsupported map key type %s", v.Type().Key())
		}
		m := reflect.MakeMap(v.Type())
		for i := 1; ; i++ {
			k := key + ".entry." + strconv.Itoa(i)
			if !d.present[k] {
				break
			}
			mk := reflect.New(v.Type().Key()).Elem()
			mk.SetString(d.form.Get(k + ".key"))
			e := reflect.New(v.Type().Elem()).Elem()
			if _, err := d.value(k+".value", e); err != nil {
				return false, err
			}
			m.SetMapIndex(mk, e)
		}
		v.Set(m)
		return true, nil
	}
	return d.scalar(key, v)
}

func (d *decoder) scalar(key string, v reflect.Value) (bool, error) {
	vals, ok := d.form[key]
	if !ok || len(vals) == 0 {
		// Only nested keys (key.x) are present: not a scalar.
		return false, &DecodeError{Param: key, Reason: "expected a single value"}
	}
	s := vals[0]
	if err := SetScalar(v, s); err != nil {
		return false, &DecodeError{Param: key, Value: s, Reason: err.Error()}
	}
	return true, nil
}

// SetScalar parses s into v, a string, integer, float, bool or time.Time.
func SetScalar(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("expected an integer")
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			return fmt.Errorf("expected a number")
		}
		v.SetFloat(f)
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return fmt.Errorf("expected true or false")
		}
	case reflect.Struct:
		if v.Type() != timeType {
			return fmt.Errorf("unsupported type %s", v.Type())
		}
		t, err := ParseTime(s)
		if err != nil {
			return fmt.Errorf("expected an ISO 8601 timestamp")
		}
		v.Set(reflect.ValueOf(t))
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}
