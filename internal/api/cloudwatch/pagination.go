package cloudwatch

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Pagination tokens are opaque to clients: base64url of "<kind>:<position>".
// Alarm and metric listings resume after the last name (or metric key)
// returned, so deletions between pages skip nothing; history and
// GetMetricData resume at an offset into a result fixed by the first call.

func encodeToken(kind, pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + pos))
}

func decodeToken(kind, token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", errorf(codeInvalidNextToken, "The NextToken is not valid.")
	}
	pos, ok := strings.CutPrefix(string(b), kind+":")
	if !ok {
		return "", errorf(codeInvalidNextToken, "The NextToken is not valid for this operation.")
	}
	return pos, nil
}

// offsetToken packs integers (an offset and fixed parameters) into a token.
func offsetToken(kind string, nums ...int64) string {
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.FormatInt(n, 10)
	}
	return encodeToken(kind, strings.Join(parts, ","))
}

func parseOffsetToken(kind, token string, n int) ([]int64, error) {
	pos, err := decodeToken(kind, token)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(pos, ",")
	if len(parts) != n {
		return nil, errorf(codeInvalidNextToken, "The NextToken is not valid.")
	}
	out := make([]int64, n)
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || (i == 0 && v < 0) {
			return nil, errorf(codeInvalidNextToken, "The NextToken is not valid.")
		}
		out[i] = v
	}
	return out, nil
}

// maxRecords validates an optional MaxRecords (1–100, default 50 as
// CloudWatch).
func maxRecords(p *int, def int) (int, error) {
	if p == nil {
		return def, nil
	}
	if *p < 1 || *p > 100 {
		return 0, errorf(codeInvalidParameterValue, "The parameter MaxRecords must be between 1 and 100.")
	}
	return *p, nil
}
