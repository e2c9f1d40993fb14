package awsquery

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Decompress undoes the Content-Encoding of a request body: SDKs gzip large
// requests (PutMetricData's requestCompression trait). The signature covers
// the compressed bytes, so callers decompress a copy after verification.
// The result is capped at MaxBodyBytes (413 beyond).
func Decompress(contentEncoding string, body []byte) ([]byte, error) {
	for _, enc := range strings.Split(contentEncoding, ",") {
		switch strings.TrimSpace(strings.ToLower(enc)) {
		case "", "identity", "aws-chunked":
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return nil, &Error{Status: http.StatusBadRequest, Code: "MalformedInput", Message: "The gzip request body is corrupt."}
			}
			out, err := io.ReadAll(io.LimitReader(zr, MaxBodyBytes+1))
			if err != nil {
				return nil, &Error{Status: http.StatusBadRequest, Code: "MalformedInput", Message: "The gzip request body is corrupt."}
			}
			if len(out) > MaxBodyBytes {
				return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge",
					Message: fmt.Sprintf("The decompressed request body exceeds the maximum of %d bytes.", MaxBodyBytes)}
			}
			body = out
		default:
			return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedContentEncoding",
				Message: fmt.Sprintf("Content-Encoding %q is not supported.", enc)}
		}
	}
	return body, nil
}
