package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"

	"github.com/vedette-dns/vedette/internal/api/checkerapi"
	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/checker"
	"github.com/vedette-dns/vedette/internal/checkeragent"
	"github.com/vedette-dns/vedette/internal/config"
)

const checkerUsage = `Usage: vedette checker --region NAME --server URL [flags]

Runs a remote health checker: fetches the health checks whose Regions include
--region (all checks that name no region) from the server, probes them, and
streams the observations back. Any region name works; the eight Route 53
checker regions (us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1,
ap-southeast-2, ap-northeast-1, sa-east-1) are the ones Route 53 clients can
name in a check's Regions.

Credentials, as for the AWS CLI: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
else the "default" profile of AWS_SHARED_CREDENTIALS_FILE. Use a checker key
("vedette checker-key create") or the root key.

Flags:
`

func checkerCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("checker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), checkerUsage); fs.PrintDefaults() }
	region := fs.String("region", "", "region this checker probes from (required)")
	server := fs.String("server", "", "server API URL, e.g. http://127.0.0.1:8053 (required)")
	source := fs.String("source-ip", "", "local address every probe leaves from (default: chosen by the kernel)")
	id := fs.String("id", "", "checker id, unique across the fleet (default <hostname>/<region>[@<source-ip>])")
	concurrency := fs.Int("concurrency", checker.DefaultConcurrency, "maximum probes in flight")
	buffer := fs.Int("buffer", 100000, "observations kept while the server is unreachable (oldest dropped beyond)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logFormat := fs.String("log-format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "vedette checker: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	if *region == "" || len(*region) > 64 {
		return fail("--region is required (at most 64 characters)")
	}
	if *server == "" {
		return fail("--server is required")
	}
	if *concurrency < 1 || *buffer < 1 {
		return fail("--concurrency and --buffer must be at least 1")
	}
	var src netip.Addr
	if *source != "" {
		a, err := netip.ParseAddr(*source)
		if err != nil {
			return fail("--source-ip: %v", err)
		}
		src = a
	}
	level, err := config.ParseLevel(*logLevel)
	if err != nil {
		return fail("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	logger := slog.New(slog.NewTextHandler(stderr, opts))
	if *logFormat == "json" {
		logger = slog.New(slog.NewJSONHandler(stderr, opts))
	}
	client, err := clientFromEnv(*server)
	if err != nil {
		return fail("%v", err)
	}
	agent, err := checkeragent.New(checkeragent.Options{Client: client, Region: *region, CheckerID: *id, SourceIP: src,
		Concurrency: *concurrency, Buffer: *buffer, Logger: logger})
	if err != nil {
		return fail("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_ = agent.Run(ctx)
	logger.Info("vedette checker stopped", "dropped_observations", agent.Dropped())
	return 0
}

// clientFromEnv builds a checker-protocol client with credentials from the
// environment, like the AWS CLI.
func clientFromEnv(server string) (*checkerapi.Client, error) {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		path := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
		if path == "" {
			return nil, errors.New("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_SHARED_CREDENTIALS_FILE")
		}
		var err error
		if id, secret, err = sigv4.ReadCredentialsFile(path); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	return &checkerapi.Client{BaseURL: server, AccessKeyID: id, SecretAccessKey: secret}, nil
}

const checkerKeyUsage = `Usage: vedette checker-key create --server URL --region NAME

Creates a checker key for --region: it may fetch that region's assignments
and post observations, and nothing else (every Route 53 call answers 403).
Prints AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... lines. Signs
with the root key from the environment, as "vedette checker" does.

Flags:
`

func checkerKeyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
			fmt.Fprint(stdout, checkerKeyUsage)
			return 0
		}
		fmt.Fprint(stderr, checkerKeyUsage)
		return 2
	}
	fs := flag.NewFlagSet("checker-key create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), checkerKeyUsage); fs.PrintDefaults() }
	region := fs.String("region", "", "region of the key (required)")
	server := fs.String("server", "", "server API URL (required)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		return 2
	}
	if *region == "" || *server == "" {
		fmt.Fprintln(stderr, "vedette checker-key create: --region and --server are required")
		return 2
	}
	client, err := clientFromEnv(*server)
	if err != nil {
		fmt.Fprintf(stderr, "vedette checker-key create: %v\n", err)
		return 2
	}
	k, err := client.CreateKey(context.Background(), *region)
	if err != nil {
		fmt.Fprintf(stderr, "vedette checker-key create: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", k.AccessKeyID, k.SecretAccessKey)
	return 0
}
