// Command vedette is the one Vedette binary: `vedette serve` runs every role
// (Route 53 API, authoritative DNS, store) in one process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/vedette-dns/vedette/internal/app"
	"github.com/vedette-dns/vedette/internal/config"
	"github.com/vedette-dns/vedette/internal/dns"
	"github.com/vedette-dns/vedette/internal/version"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `Vedette: self-hosted Route 53-compatible DNS with health checks.

Usage:
  vedette <command> [flags]

Commands:
  serve        run the API and the authoritative DNS server (one process, embedded store)
  checker      run a remote health checker for one region
  checker-key  create a checker-scoped access key
  version      print the version
  help         print this help, or "vedette help <command>"

Run "vedette <command> --help" for the flags of a command.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(rest, stdout, stderr)
	case "checker":
		return checkerCmd(rest, stdout, stderr)
	case "checker-key":
		return checkerKeyCmd(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "vedette %s\n", version.String())
		return 0
	case "help", "--help", "-help", "-h":
		if len(rest) > 0 {
			return run([]string{rest[0], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "vedette: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

const serveUsage = `Usage: vedette serve [flags]

Runs the Route 53-compatible API (HTTP) and the authoritative DNS server (UDP
and TCP) on an embedded bbolt store in --data-dir.

Credentials: the root access key comes from %s and
%s. When both are unset, the first start generates a key pair
and writes it to <data-dir>/credentials (AWS shared-credentials format,
profile "default", mode 0600), e.g.:

  AWS_SHARED_CREDENTIALS_FILE=vedette-data/credentials \
    aws --endpoint-url http://127.0.0.1:8053 route53 list-hosted-zones

GET /healthz answers 200 once DNS and the API are serving.

Flags:
`

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), serveUsage, config.EnvRootAccessKeyID, config.EnvRootSecretAccessKey)
		fs.PrintDefaults()
	}
	cfg := config.ServeFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "vedette serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := cfg.Finish(os.Getenv); err != nil {
		fmt.Fprintf(stderr, "vedette serve: %v\n", err)
		return 2
	}
	logger := newLogger(cfg, stderr)
	if os.Getenv("GOMAXPROCS") == "" {
		// A spare P for the DNS readers (see dns.ProcsFor); an explicit
		// GOMAXPROCS in the environment wins.
		if want := dns.ProcsFor(cfg.DNSSockets, runtime.GOMAXPROCS(0)); want != runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(want)
			logger.Debug("GOMAXPROCS raised for the DNS readers", "gomaxprocs", want)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, *cfg, logger); err != nil {
		logger.Error("vedette stopped", "err", err)
		return 1
	}
	return 0
}

func newLogger(cfg *config.Serve, w io.Writer) *slog.Logger {
	level, _ := config.ParseLevel(cfg.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
