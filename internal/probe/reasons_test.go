package probe_test

import (
	"testing"

	"github.com/vedette-dns/vedette/internal/probe"
)

func TestStatusReason(t *testing.T) {
	tests := map[int]string{
		200: "Success: HTTP Status Code 200, OK",
		301: "Success: HTTP Status Code 301, Moved Permanently",
		399: "Success: HTTP Status Code 399",
		199: "Failure: HTTP Status Code 199",
		404: "Failure: HTTP Status Code 404, Not Found",
		503: "Failure: HTTP Status Code 503, Service Unavailable",
		999: "Failure: HTTP Status Code 999",
	}
	for code, want := range tests {
		if got := probe.StatusReason(code); got != want {
			t.Errorf("StatusReason(%d) = %q, want %q", code, got, want)
		}
	}
	if got, want := probe.PolicyReason(addr("fd00:ec2::254")), "Failure: The address fd00:ec2::254 is not allowed by the probe target policy"; got != want {
		t.Errorf("PolicyReason = %q, want %q", got, want)
	}
}
