package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, seed := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=A/20240501/r/route53/aws4_request,SignedHeaders=host,Signature=00",
		"AWS4-HMAC-SHA256 Credential",
		"AWS4-HMAC-SHA256 ,,, ",
		"garbage",
		"",
	} {
		f.Add(seed, "20240501T120000Z")
	}
	v, err := NewVerifier(Config{
		Keys: StaticKeys{"AKIDEXAMPLE": "secret"},
		Now:  func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, auth, date string) {
		if _, perr := parseAuthorization(auth); perr != nil && perr.Code != CodeIncompleteSignature {
			t.Fatalf("parseAuthorization error code %s", perr.Code)
		}
		r, err := http.NewRequest("GET", "http://127.0.0.1/2013-04-01/hostedzonecount", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header["Authorization"] = []string{auth}
		r.Header["X-Amz-Date"] = []string{date}
		// Nothing but a signature made with the secret may pass.
		if id, err := v.Verify(r); err == nil {
			t.Fatalf("fuzzed request verified: %+v", id)
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("Verify returned %T, want *Error", err)
		}
	})
}

func FuzzParseCredentials(f *testing.F) {
	for _, seed := range []string{
		"[default]\naws_access_key_id = AKID\naws_secret_access_key = S\n",
		"# c\n[dev]\na=b\n[default]\nAWS_ACCESS_KEY_ID=x\naws_secret_access_key=y",
		"[default\n",
		"=\n[]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		id, secret, err := parseCredentials(data)
		if err != nil {
			return
		}
		if id == "" || secret == "" {
			t.Fatalf("parsed empty values without error: %q %q", id, secret)
		}
		// Whatever can be written must read back unchanged.
		if checkCredentialValue("id", id) != nil || checkCredentialValue("secret", secret) != nil {
			return
		}
		id2, secret2, err := parseCredentials([]byte(formatCredentials(id, secret)))
		if err != nil || id2 != id || secret2 != secret {
			t.Fatalf("round trip of %q, %q = %q, %q, %v", id, secret, id2, secret2, err)
		}
		if strings.ContainsAny(id+secret, "\n\r") {
			t.Fatalf("parsed value spans lines: %q %q", id, secret)
		}
	})
}
