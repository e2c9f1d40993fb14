package awsquery_test

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/api/awsquery"
)

type inner struct {
	Name  string
	Value *string
}

type request struct {
	Str     string
	Int     int
	Float   float64
	Bool    bool
	Opt     *int
	When    time.Time
	WhenPtr *time.Time
	List    []string
	Structs []inner
	Nested  inner
	NestedP *inner
	Attrs   map[string]string
	Renamed string `aws:"Other"`
	Skipped string `aws:"-"`
}

func strp(s string) *string { return &s }

func TestDecode(t *testing.T) {
	seven := 7
	when := time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	tests := []struct {
		name string
		form string
		want request
	}{
		{"empty", "", request{}},
		{"scalars", "Str=a+b%26c&Int=-3&Float=1.5e3&Bool=true&Opt=7&Other=r&Skipped=x",
			request{Str: "a b&c", Int: -3, Float: 1500, Bool: true, Opt: &seven, Renamed: "r"}},
		{"timestamps", "When=2026-03-04T05:06:07.890Z&WhenPtr=2026-03-04T07:06:07.89%2B02:00",
			request{When: when, WhenPtr: &when}},
		{"timestamp without zone is UTC", "When=2026-03-04T05:06:07.890", request{When: when}},
		{"list is 1-based and stops at a gap", "List.member.1=a&List.member.2=b&List.member.4=d",
			request{List: []string{"a", "b"}}},
		{"list of structs", "Structs.member.1.Name=n1&Structs.member.1.Value=v1&Structs.member.2.Name=n2",
			request{Structs: []inner{{Name: "n1", Value: strp("v1")}, {Name: "n2"}}}},
		{"nested", "Nested.Name=x&NestedP.Value=", request{Nested: inner{Name: "x"}, NestedP: &inner{Value: strp("")}}},
		{"map", "Attrs.entry.1.key=DisplayName&Attrs.entry.1.value=Ops+%3Ctm%3E&Attrs.entry.2.key=Policy&Attrs.entry.2.value=",
			request{Attrs: map[string]string{"DisplayName": "Ops <tm>", "Policy": ""}}},
		{"unknown parameters are ignored", "Action=X&Version=1&Nope=1", request{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			var got request
			if err := awsquery.Decode(form, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, form := range []string{"Int=x", "Int=1.5", "Float=abc", "Bool=yes", "When=yesterday", "Opt=", "List.member.1.x=1"} {
		var got request
		err := awsquery.Decode(mustParse(t, form), &got)
		var de *awsquery.DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: err = %v, want a DecodeError", form, err)
		}
	}
	if err := awsquery.Decode(url.Values{}, request{}); err == nil {
		t.Error("Decode into a non-pointer succeeded")
	}
}

func mustParse(t *testing.T, s string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type member struct {
	Key   string
	Count int `aws:",omitempty"`
}

type result struct {
	Name     string
	Empty    string
	Zero     int
	ZeroOmit int `aws:",omitempty"`
	Flag     bool
	Ratio    float64
	When     time.Time
	NoTime   time.Time
	Ptr      *float64
	NilPtr   *float64
	Items    []member
	Strings  []string
	EmptyL   []string
	NilList  []string
	Attrs    map[string]string
}

func TestMarshalResponse(t *testing.T) {
	half := 0.5
	r := result{
		Name: `a<b>&"c'`, Flag: true, Ratio: 1e21, When: time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.FixedZone("x", 3600)),
		Ptr: &half, Items: []member{{Key: "k1", Count: 2}, {Key: "k2"}}, Strings: []string{"x", "y"}, EmptyL: []string{},
		Attrs: map[string]string{"b": "2", "a": "<1>"},
	}
	got, err := awsquery.MarshalResponse("urn:ns", "GetThing", "rid-1", &r)
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<GetThingResponse xmlns="urn:ns"><GetThingResult>` +
		`<Name>a&lt;b&gt;&amp;&#34;c&#39;</Name><Zero>0</Zero><Flag>true</Flag><Ratio>1e+21</Ratio>` +
		`<When>2026-01-02T02:04:05.006Z</When><Ptr>0.5</Ptr>` +
		`<Items><member><Key>k1</Key><Count>2</Count></member><member><Key>k2</Key></member></Items>` +
		`<Strings><member>x</member><member>y</member></Strings><EmptyL></EmptyL>` +
		`<Attrs><entry><key>a</key><value>&lt;1&gt;</value></entry><entry><key>b</key><value>2</value></entry></Attrs>` +
		`</GetThingResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></GetThingResponse>`
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	got, err = awsquery.MarshalResponse("urn:ns", "DeleteThing", "rid-2", nil)
	if err != nil || strings.Contains(string(got), "DeleteThingResult") || !strings.Contains(string(got), "<DeleteThingResponse xmlns=\"urn:ns\"><ResponseMetadata>") {
		t.Fatalf("no-output response: %v %s", err, got)
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		err      awsquery.Error
		wantType string
	}{
		{awsquery.Error{Status: 404, Code: "NotFound", Message: "Topic <x> & co"}, "Sender"},
		{awsquery.Error{Status: 500, Code: "InternalError", Message: "boom"}, "Receiver"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		awsquery.WriteError(rec, "urn:ns", "rid", &tt.err)
		want := `<ErrorResponse xmlns="urn:ns"><Error><Type>` + tt.wantType + `</Type><Code>` + tt.err.Code + `</Code><Message>` +
			strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(tt.err.Message) +
			`</Message></Error><RequestId>rid</RequestId></ErrorResponse>`
		if rec.Code != tt.err.Status || !strings.HasSuffix(rec.Body.String(), want) || rec.Header().Get("Content-Type") != "text/xml" {
			t.Errorf("%d %s, want %d ...%s", rec.Code, rec.Body, tt.err.Status, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, s := range []string{"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z", "2026-01-02T04:04:05+01:00", "2026-01-02T03:04:05", "2026-01-02T04:04:05+0100"} {
		got, err := awsquery.ParseTime(s)
		if err != nil || !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := awsquery.ParseTime("1767323045"); err == nil {
		t.Error("epoch seconds accepted as ISO 8601")
	}
}
