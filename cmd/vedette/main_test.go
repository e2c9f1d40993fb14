package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{args: []string{"version"}, stdout: "vedette "},
		{args: []string{"--help"}, stdout: "serve        run the API"},
		{args: []string{"checker", "--help"}, stdout: "-source-ip string"},
		{args: []string{"help", "checker"}, stdout: "AWS_SHARED_CREDENTIALS_FILE"},
		{args: []string{"checker", "--server", "http://127.0.0.1:1"}, code: 2, stderr: "--region is required"},
		{args: []string{"checker", "--region", "a", "--server", "http://x", "--source-ip", "nope"}, code: 2, stderr: "--source-ip"},
		{args: []string{"checker-key", "create", "--region", "a"}, code: 2, stderr: "--region and --server are required"},
		{args: []string{"serve", "--checker=maybe"}, code: 2, stderr: "invalid boolean"},
		{args: []string{"help", "serve"}, stdout: "-dns-listen string"},
		{args: []string{"serve", "--help"}, stdout: "VEDETTE_ROOT_ACCESS_KEY_ID"},
		{args: nil, code: 2, stderr: "Usage:"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{args: []string{"serve", "--bogus"}, code: 2, stderr: "flag provided but not defined: -bogus"},
		{args: []string{"serve", "--log-format", "xml"}, code: 2, stderr: `--log-format "xml": must be text or json`},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stderr) {
			t.Errorf("run(%v) = %d\nstdout: %s\nstderr: %s", tt.args, code, out.String(), errOut.String())
		}
	}
}
