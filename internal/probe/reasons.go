package probe

import (
	"net/http"
	"net/netip"
	"strconv"
)

// Reason texts, in Route 53's style: "Success: " or "Failure: " and a
// sentence a person can read. None ends with a period, so that
// ". Resolved IP: <address>" can follow (see Result.Reason).
const (
	// ReasonTCPSuccess: a TCP check connected.
	ReasonTCPSuccess = "Success: TCP connection established"

	// ReasonInvalidTarget: the Target was not made by NewTarget.
	ReasonInvalidTarget = "Failure: Invalid health check target"
	// ReasonCanceled: the caller canceled the probe's context.
	ReasonCanceled = "Failure: Probe canceled"
	// ReasonDNSFailed: the FullyQualifiedDomainName did not resolve.
	ReasonDNSFailed = "Failure: DNS resolution failed"

	// ReasonConnectTimeout: no TCP connection within the connect timeout.
	ReasonConnectTimeout = "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall"
	// ReasonConnectionRefused: the endpoint answered the connection attempt with a reset.
	ReasonConnectionRefused = "Failure: Connection refused"
	// ReasonHostUnreachable and ReasonNetworkUnreachable: the route to the endpoint failed.
	ReasonHostUnreachable    = "Failure: Host unreachable"
	ReasonNetworkUnreachable = "Failure: Network unreachable"
	// ReasonConnectFailed: any other connection failure.
	ReasonConnectFailed = "Failure: Could not connect to the endpoint"

	// ReasonTLSTimeout: the TLS handshake did not finish within the response timeout.
	ReasonTLSTimeout = "Failure: TLS handshake timed out"
	// ReasonTLSFailed prefixes a handshake failure's detail, e.g.
	// "Failure: TLS handshake failed: remote error: tls: handshake failure".
	ReasonTLSFailed = "Failure: TLS handshake failed: "

	// ReasonResponseTimeout: no complete status line and headers within the
	// response timeout after connecting.
	ReasonResponseTimeout = "Failure: Timed out waiting for the HTTP response"
	// ReasonConnectionClosed: the endpoint closed the connection before its response.
	ReasonConnectionClosed = "Failure: Connection closed by the endpoint before the HTTP response"
	// ReasonConnectionReset: the endpoint reset the connection before its response.
	ReasonConnectionReset = "Failure: Connection reset by the endpoint"
	// ReasonInvalidResponse: the response was not well-formed HTTP/1.x.
	ReasonInvalidResponse = "Failure: Invalid HTTP response"
	// ReasonHeadersTooLarge: the response headers exceeded Options.MaxHeaderBytes.
	ReasonHeadersTooLarge = "Failure: HTTP response headers too large"

	// ReasonBodyTimeout: the body did not arrive within the body timeout after the headers.
	ReasonBodyTimeout = "Failure: Timed out reading the response body"
	// ReasonStringNotFound: the search string is not within the first SearchWindow bytes.
	ReasonStringNotFound = "Failure: Response body didn't contain the expected string"
	// ReasonUnsupportedEncoding: a Content-Encoding other than identity, gzip or deflate.
	ReasonUnsupportedEncoding = "Failure: Response body has an unsupported Content-Encoding"
	// ReasonBodyDecodeFailed: a gzip or deflate body was corrupt.
	ReasonBodyDecodeFailed = "Failure: Response body could not be decoded"
	// ReasonBodyReadFailed: the connection failed while the body was read.
	ReasonBodyReadFailed = "Failure: Connection lost while reading the response body"
)

// Prefixes and suffixes of the reasons built from values.
const (
	policyReasonPrefix = "Failure: The address "
	policyReasonSuffix = " is not allowed by the probe target policy"
	resolvedIPSuffix   = ". Resolved IP: "
)

// PolicyReason is the reason of a probe refused by the probe target policy,
// e.g. "Failure: The address 169.254.169.254 is not allowed by the probe
// target policy".
func PolicyReason(addr netip.Addr) string {
	return policyReasonPrefix + addr.String() + policyReasonSuffix
}

// StatusReason is the reason for an HTTP status code, e.g.
// "Success: HTTP Status Code 200, OK" for 200–399 and
// "Failure: HTTP Status Code 503, Service Unavailable" otherwise. The phrase
// is http.StatusText's, whatever the server sent, and is left out for codes
// that have none.
func StatusReason(code int) string {
	var buf [96]byte
	b := buf[:0]
	if statusOK(code) {
		b = append(b, "Success: HTTP Status Code "...)
	} else {
		b = append(b, "Failure: HTTP Status Code "...)
	}
	b = strconv.AppendInt(b, int64(code), 10)
	if text := http.StatusText(code); text != "" {
		b = append(b, ", "...)
		b = append(b, text...)
	}
	return string(b)
}

// statusOK reports whether code passes a check: 200–399, redirects included
// and never followed.
func statusOK(code int) bool { return code >= 200 && code <= 399 }

// withResolvedIP appends ". Resolved IP: <addr>" to reason, as Route 53 does
// for checks addressed by name. The policy reason names the address already
// and is returned as it is.
func withResolvedIP(reason string, addr netip.Addr) string {
	if len(reason) >= len(policyReasonPrefix) && reason[:len(policyReasonPrefix)] == policyReasonPrefix {
		return reason
	}
	return reason + resolvedIPSuffix + addr.String()
}
