package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the HTTP header carrying a webhook's signature.
const SignatureHeader = "X-Vedette-Signature"

// Sign returns the SignatureHeader value for body sent at t with secret:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func Sign(secret string, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// VerifySignature checks a SignatureHeader value against body: one of its v1
// signatures must be the HMAC-SHA256 of "<t>.<body>" under secret, and t must
// be within tolerance of now (tolerance <= 0 skips the time check). Receivers
// of Vedette webhooks call it with the subscription's SigningSecret.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return errors.New("notify: empty signing secret")
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("notify: malformed signature header element %q", part)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return fmt.Errorf("notify: malformed v1 signature: %w", err)
			}
			sigs = append(sigs, b)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return errors.New("notify: signature header lacks t or v1")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("notify: malformed signature timestamp %q", ts)
	}
	if tolerance > 0 {
		if d := now.Sub(time.Unix(sec, 0)).Abs(); d > tolerance {
			return fmt.Errorf("notify: signature timestamp is %v away from now (tolerance %v)", d.Truncate(time.Second), tolerance)
		}
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return errors.New("notify: signature mismatch")
}
