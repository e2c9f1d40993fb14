package probe

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/vedette-dns/vedette/internal/model"
)

func ptr[T any](v T) *T { return &v }

// TestNewTarget checks what is derived once per check: port defaults, the
// Host header of reference §3.5, the request target, SNI and the request.
func TestNewTarget(t *testing.T) {
	tests := []struct {
		name string
		cfg  model.HealthCheckConfig
		port uint16
		host string // Host header; "" for TCP
		uri  string
		sni  string // "-" when the type has no TLS
	}{
		{"HTTP IP default port", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.44"},
			80, "192.0.2.44", "/", "-"},
		{"HTTP IP other port", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.44", Port: 8080},
			8080, "192.0.2.44:8080", "/", "-"},
		{"HTTP FQDN port 80", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.44", Port: 80, FullyQualifiedDomainName: "www.example.com"},
			80, "www.example.com", "/", "-"},
		{"HTTP port 443 keeps the port", model.HealthCheckConfig{Type: model.TypeHTTP, FullyQualifiedDomainName: "www.example.com", Port: 443},
			443, "www.example.com:443", "/", "-"},
		{"HTTPS default port", model.HealthCheckConfig{Type: model.TypeHTTPS, FullyQualifiedDomainName: "www.example.com."},
			443, "www.example.com", "/", "www.example.com"},
		{"HTTPS port 80 keeps the port", model.HealthCheckConfig{Type: model.TypeHTTPS, FullyQualifiedDomainName: "www.example.com", Port: 80},
			80, "www.example.com:80", "/", "www.example.com"},
		{"HTTPS SNI off", model.HealthCheckConfig{Type: model.TypeHTTPSStrMatch, FullyQualifiedDomainName: "www.example.com", SearchString: "ok", EnableSNI: ptr(false)},
			443, "www.example.com", "/", ""},
		{"HTTPS IP only", model.HealthCheckConfig{Type: model.TypeHTTPS, IPAddress: "2001:db8::1", EnableSNI: ptr(true)},
			443, "[2001:db8::1]", "/", ""},
		{"IPv6 other port", model.HealthCheckConfig{Type: model.TypeHTTPStrMatch, IPAddress: "2001:db8::1", Port: 8080, SearchString: "ok"},
			8080, "[2001:db8::1]:8080", "/", "-"},
		{"IPv4-mapped IP", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "::ffff:192.0.2.1"},
			80, "192.0.2.1", "/", "-"},
		{"path without slash", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.1", ResourcePath: "health"},
			80, "192.0.2.1", "/health", "-"},
		{"path with query", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.1", ResourcePath: "/welcome.html?language=jp&login=y"},
			80, "192.0.2.1", "/welcome.html?language=jp&login=y", "-"},
		{"path escaped", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.1", ResourcePath: "/a b/%41?q=\"x y\"\r\n#frag"},
			80, "192.0.2.1", "/a%20b/%41?q=%22x%20y%22%0D%0A", "-"},
		{"TCP", model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "192.0.2.1", Port: 22},
			22, "", "", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := NewTarget("hc-1", tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tg.port != tt.port || tg.host != tt.host || tg.uri != tt.uri {
				t.Errorf("port, host, uri = %d, %q, %q; want %d, %q, %q", tg.port, tg.host, tg.uri, tt.port, tt.host, tt.uri)
			}
			sni := "-"
			if tg.tls != nil {
				sni = tg.tls.ServerName
				if !tg.tls.InsecureSkipVerify {
					t.Error("certificates are validated")
				}
			}
			if sni != tt.sni {
				t.Errorf("SNI = %q, want %q", sni, tt.sni)
			}
			if tt.cfg.Type == model.TypeTCP {
				return
			}
			want := "GET " + tt.uri + " HTTP/1.1\r\nHost: " + tt.host + "\r\n" +
				"User-Agent: Vedette-Health-Check/9 (ref hc-1)\r\nAccept: */*\r\n" +
				"Accept-Encoding: identity,gzip,deflate\r\n\r\n"
			if got := string(tg.appendRequest(nil, "Vedette-Health-Check/9")); got != want {
				t.Errorf("request:\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestNewTargetByName(t *testing.T) {
	tg, err := NewTarget("hc", model.HealthCheckConfig{Type: model.TypeHTTP, FullyQualifiedDomainName: "WWW.Example.com."})
	if err != nil {
		t.Fatal(err)
	}
	if !tg.byName() || tg.name != "WWW.Example.com" || tg.ip != (netip.Addr{}) {
		t.Errorf("target %+v is not addressed by its name", tg)
	}
	if got, want := tg.String(), "HTTP WWW.Example.com:80/"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNewTargetErrors(t *testing.T) {
	tests := []struct {
		name string
		id   string
		cfg  model.HealthCheckConfig
		want string
	}{
		{"calculated", "hc", model.HealthCheckConfig{Type: model.TypeCalculated},
			`invalid probe target: type "CALCULATED" does not probe an endpoint`},
		{"no address", "hc", model.HealthCheckConfig{Type: model.TypeHTTP},
			"invalid probe target: neither IPAddress nor FullyQualifiedDomainName is set"},
		{"bad IP", "hc", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.300"},
			`invalid probe target: the IPAddress "192.0.2.300" is not an IPv4 or IPv6 address`},
		{"zoned IP", "hc", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "fe80::1%eth0"},
			`invalid probe target: the IPAddress "fe80::1%eth0" is not an IPv4 or IPv6 address`},
		{"header injection in the name", "hc", model.HealthCheckConfig{Type: model.TypeHTTP, FullyQualifiedDomainName: "a.example\r\nX-Evil: 1"},
			`invalid probe target: the FullyQualifiedDomainName "a.example\r\nX-Evil: 1" is not a host name`},
		{"empty label", "hc", model.HealthCheckConfig{Type: model.TypeHTTP, FullyQualifiedDomainName: "a..example"},
			`invalid probe target: the FullyQualifiedDomainName "a..example" is not a host name`},
		{"TCP without port", "hc", model.HealthCheckConfig{Type: model.TypeTCP, IPAddress: "192.0.2.1"},
			"invalid probe target: TCP checks need a Port"},
		{"port out of range", "hc", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.1", Port: 65536},
			"invalid probe target: the Port 65536 is outside 1..65535"},
		{"no search string", "hc", model.HealthCheckConfig{Type: model.TypeHTTPStrMatch, IPAddress: "192.0.2.1"},
			"invalid probe target: a HTTP_STR_MATCH check needs a SearchString"},
		{"id with newline", "hc\n", model.HealthCheckConfig{Type: model.TypeHTTP, IPAddress: "192.0.2.1"},
			`invalid probe target: health check id "hc\n" has control characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTarget(tt.id, tt.cfg)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v, want %s", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidTarget) {
				t.Errorf("%v does not wrap ErrInvalidTarget", err)
			}
		})
	}
}
