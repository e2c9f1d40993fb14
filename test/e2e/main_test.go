// Package e2e drives the whole vedette binary with real clients: the AWS CLI
// (v1 and v2), aws-sdk-go-v2 and dig, over loopback.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// binary is the vedette binary built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vedette-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "vedette")
	build := exec.Command("go", "build", "-race", "-o", binary, "github.com/vedette-dns/vedette/cmd/vedette")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build vedette:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a loopback port free for both UDP and TCP right now.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		tl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := tl.Addr().(*net.TCPAddr).Port
		ul, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		tl.Close()
		if err == nil {
			ul.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// server is a running vedette process.
type server struct {
	cmd     *exec.Cmd
	dataDir string
	dnsAddr string
	apiURL  string
	log     *bytes.Buffer
	env     []string
}

// startServer runs `vedette serve` on fresh loopback ports over dataDir and
// waits until /healthz answers 200.
func startServer(t *testing.T, dataDir string, env ...string) *server {
	t.Helper()
	return startServerArgs(t, dataDir, nil, env...)
}

// startServerArgs is startServer with extra `vedette serve` flags.
func startServerArgs(t *testing.T, dataDir string, args []string, env ...string) *server {
	t.Helper()
	s := &server{
		dataDir: dataDir,
		dnsAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		log:     &bytes.Buffer{},
		env:     env,
	}
	httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s.apiURL = "http://" + httpAddr
	s.cmd = exec.Command(binary, append([]string{"serve", "--data-dir", dataDir, "--dns-listen", s.dnsAddr, "--http-listen", httpAddr, "--dns-sockets", "2"}, args...)...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	waitFor(t, 30*time.Second, "healthz", func() error {
		resp, err := http.Get(s.apiURL + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	return s
}

// stop ends the server with SIGTERM and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(os.Interrupt)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("vedette exited with %v\n%s", err, s.log.String())
	}
}

// kill ends the server with SIGKILL.
func (s *server) kill(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// waitFor polls f until it succeeds or the deadline passes.
func waitFor(t *testing.T, limit time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// dig runs dig against the server and returns its short answer lines.
func dig(t *testing.T, addr string, args ...string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all := append([]string{"@" + host, "-p", port, "+short", "+norec", "+time=2", "+tries=2"}, args...)
	out, err := exec.CommandContext(ctx, "dig", all...).CombinedOutput()
	if err != nil {
		t.Fatalf("dig %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// runCmd runs a command with extra environment and a deadline, returning
// its combined output.
func runCmd(env []string, bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd.CombinedOutput()
}
