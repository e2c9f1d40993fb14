package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func parse(t *testing.T, env map[string]string, args ...string) (*Serve, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := ServeFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.Finish(func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "./vedette-data" || c.DNSListen != "127.0.0.1:5353" || c.HTTPListen != "127.0.0.1:8053" ||
		strings.Join(c.NameServers, ",") != "ns1.vedette.localhost.,ns2.vedette.localhost." {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestProbeLists(t *testing.T) {
	c, err := parse(t, nil, "--probe-allow", "169.254.0.0/16, 10.1.2.3/8", "--probe-deny", "127.0.0.2/32")
	if err != nil || len(c.ProbeAllow) != 2 || c.ProbeAllow[1].String() != "10.0.0.0/8" || c.ProbeDeny[0].String() != "127.0.0.2/32" {
		t.Fatalf("%v %v %v", c.ProbeAllow, c.ProbeDeny, err)
	}
	if _, err := parse(t, nil, "--probe-deny", "nope"); err == nil || !strings.Contains(err.Error(), `"nope" is not a CIDR prefix`) {
		t.Fatalf("bad CIDR: %v", err)
	}
}

func TestNameServersCanonicalised(t *testing.T) {
	c, err := parse(t, nil, "--nameservers", "NS1.Example.net, ns2.example.net.")
	if err != nil || strings.Join(c.NameServers, ",") != "ns1.example.net.,ns2.example.net." {
		t.Fatalf("%v %v", c.NameServers, err)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--dns-listen", "nope"}, nil, `--dns-listen "nope": address nope: missing port in address`},
		{[]string{"--nameservers", "a..b"}, nil, `--nameservers: "a..b" is not a valid domain name`},
		{nil, map[string]string{EnvRootAccessKeyID: "AKID"}, "set both VEDETTE_ROOT_ACCESS_KEY_ID and VEDETTE_ROOT_SECRET_ACCESS_KEY, or neither"},
		{[]string{"--log-level", "loud"}, nil, `--log-level "loud": must be debug, info, warn or error`},
		{[]string{"--log-format", "xml"}, nil, `--log-format "xml": must be text or json`},
		{[]string{"--data-dir", ""}, nil, "--data-dir must not be empty"},
		{[]string{"--dns-sockets", "-1"}, nil, "--dns-sockets must not be negative"},
		{[]string{"--checker-region", ""}, nil, "--checker-region must be 1 to 64 characters"},
		{[]string{"--checker-concurrency", "0"}, nil, "--checker-concurrency must be at least 1"},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.env, tt.args...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v %v: error %v, want %q", tt.args, tt.env, err, tt.want)
		}
	}
}
