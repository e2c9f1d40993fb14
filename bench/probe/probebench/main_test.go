package main

import "testing"

func TestParseFields(t *testing.T) {
	r, err := parseFields(`tool=vedette proto=http label="round 1" rate=998.5 failures="2× \"x y\""`)
	if err != nil {
		t.Fatal(err)
	}
	if r["tool"] != "vedette" || r["label"] != "round 1" || num(r, "rate") != 998.5 || r["failures"] != `2× "x y"` {
		t.Fatalf("parseFields = %q", r)
	}
	if _, err := parseFields("novalue"); err == nil {
		t.Fatal("parseFields accepted a field without '='")
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Fatalf("median = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Fatalf("median = %v", m)
	}
}

func TestLoopbackTarget(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080/", "127.0.0.1:9", "http://[::1]:80/health"} {
		if err := loopbackTarget(ok); err != nil {
			t.Errorf("loopbackTarget(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"http://example.com/", "https://127.0.0.1:443/", "http://10.0.0.1:80/", "192.0.2.1:80"} {
		if err := loopbackTarget(bad); err == nil {
			t.Errorf("loopbackTarget(%q) = nil", bad)
		}
	}
}
