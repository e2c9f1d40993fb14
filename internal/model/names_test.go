package model

import "testing"

func TestParseAPIName(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "example.com", want: "example.com."},
		{in: "WWW.Example.COM.", want: "www.example.com."},
		{in: "*.example.com", want: "*.example.com."},
		{in: `\052.example.com.`, want: "*.example.com."},
		{in: `a\040b.example.com`, want: `a\032b.example.com.`},
		{in: `a\.b.example.com`, want: `a\046b.example.com.`},
		{in: ".", want: "."},
		{in: "", bad: true},
		{in: "a..b", bad: true},
		{in: "x" + string(make([]byte, 64)) + ".com", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseAPIName(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseAPIName(%q) = %q, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAPIName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestAPINameRoundTrip(t *testing.T) {
	tests := []struct{ canonical, api string }{
		{"www.example.com.", "www.example.com."},
		{"*.example.com.", `\052.example.com.`},
		{`a\032b.example.com.`, `a\040b.example.com.`},
		{`a\046b.example.com.`, `a\056b.example.com.`},
	}
	for _, tt := range tests {
		if got := APIName(tt.canonical); got != tt.api {
			t.Errorf("APIName(%q) = %q, want %q", tt.canonical, got, tt.api)
		}
		back, err := ParseAPIName(tt.api)
		if err != nil || back != tt.canonical {
			t.Errorf("ParseAPIName(APIName(%q)) = %q, %v", tt.canonical, back, err)
		}
	}
}

func TestReverseSortKeyOrder(t *testing.T) {
	// Route 53 lists names by reversed labels; '-' sorts before '.', so
	// a-b.example.com. comes before a.example.com.
	ordered := []string{"example.com.", "a-b.example.com.", "a.example.com.", "b.a.example.com.", "b.example.com."}
	for i := 1; i < len(ordered); i++ {
		if !(ReverseSortKey(ordered[i-1]) < ReverseSortKey(ordered[i])) {
			t.Errorf("%s should sort before %s", ordered[i-1], ordered[i])
		}
	}
}

func TestIsInZone(t *testing.T) {
	tests := []struct {
		name, zone string
		want       bool
	}{
		{"example.com.", "example.com.", true},
		{"a.example.com.", "example.com.", true},
		{"aexample.com.", "example.com.", false},
		{"example.org.", "example.com.", false},
	}
	for _, tt := range tests {
		if got := IsInZone(tt.name, tt.zone); got != tt.want {
			t.Errorf("IsInZone(%q, %q) = %v", tt.name, tt.zone, got)
		}
	}
}

func FuzzParseAPIName(f *testing.F) {
	for _, s := range []string{"example.com", `\052.x.`, `a\.b`, "..", `\777`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseAPIName(s)
		if err != nil {
			return
		}
		// Canonical names are stable and survive the API round trip.
		again, err := CanonicalName(c)
		if err != nil || again != c {
			t.Fatalf("CanonicalName(%q) = %q, %v", c, again, err)
		}
		back, err := ParseAPIName(APIName(c))
		if err != nil || back != c {
			t.Fatalf("round trip of %q: %q, %v", c, back, err)
		}
	})
}
