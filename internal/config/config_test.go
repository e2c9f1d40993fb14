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
	}
	for _, tt := range tests {
		_, err := parse(t, tt.env, tt.args...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v %v: error %v, want %q", tt.args, tt.env, err, tt.want)
		}
	}
}
