// Package config owns the process configuration of `vedette serve`: flags and
// environment variables, their defaults, and validation at load.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vedette-dns/vedette/internal/geo"
	"github.com/vedette-dns/vedette/internal/model"
)

// Environment variables read at load.
const (
	EnvRootAccessKeyID     = "VEDETTE_ROOT_ACCESS_KEY_ID"
	EnvRootSecretAccessKey = "VEDETTE_ROOT_SECRET_ACCESS_KEY"
	// EnvSMTPPassword holds the SMTP AUTH password.
	EnvSMTPPassword = "VEDETTE_SMTP_PASSWORD"
)

// DefaultNameServers are put into new zones when --nameservers is not given.
// They are placeholders under the reserved .localhost name: set your public
// name servers' names for real delegations.
var DefaultNameServers = []string{"ns1.vedette.localhost.", "ns2.vedette.localhost."}

// Serve is the configuration of `vedette serve`.
type Serve struct {
	// DataDir holds the store file and the generated credentials. Default "./vedette-data".
	DataDir string
	// DNSListen is the DNS address, served on UDP and TCP. Default "127.0.0.1:5353".
	DNSListen string
	// HTTPListen is the API (and /healthz) address. Default "127.0.0.1:8053".
	HTTPListen string
	// NameServers are the canonical NS names of new zones. Default DefaultNameServers.
	NameServers []string
	// DNSSockets is the number of UDP sockets (SO_REUSEPORT). Default 0: one per CPU.
	DNSSockets int
	// CheckerRegion names the embedded checker's region, as shown in
	// GetHealthCheckStatus and matched against a check's Regions. Default "local".
	CheckerRegion string
	// CheckerConcurrency caps probes in flight. Default 4096.
	CheckerConcurrency int
	// NoChecker turns the embedded checker off (--checker=false): only
	// remote checkers (`vedette checker`) then probe. Default false.
	NoChecker bool
	// ProbeAllow and ProbeDeny widen and narrow the probe-target policy: by
	// default probes may not reach link-local, metadata, unspecified,
	// multicast or broadcast addresses. Deny wins over Allow. Default: empty.
	ProbeAllow []netip.Prefix
	ProbeDeny  []netip.Prefix
	// LogLevel is debug, info, warn or error. Default "info".
	LogLevel string
	// LogFormat is text or json. Default "text".
	LogFormat string
	// GeoIPDB is a MaxMind-format database (GeoLite2-City or -Country
	// layout) placing clients for geolocation, geoproximity and, without a
	// latency map entry, latency routing. Default "": clients have no
	// location, so geolocation answers the default "*" record and
	// geoproximity the group's first record (each still falling back on
	// health).
	GeoIPDB string
	// LatencyMapFile is the operator's latency map (see geo.LatencyMap for
	// the JSON format); Validate loads it into LatencyMap. Default "": the
	// client's regions go by distance from its geoip location, or by name.
	LatencyMapFile string
	LatencyMap     *geo.LatencyMap
	// LocationsFile holds operator-defined geoproximity locations (see
	// geo.ParseLocations), named by LocalZoneGroup; Validate loads it into
	// Locations. Default "": no such locations.
	LocationsFile string
	Locations     map[string][2]float64
	// HistoryRetention bounds the metric and event history. Default 15 days
	// (at least 14 days).
	HistoryRetention time.Duration
	// SMTP delivers email notifications (alarm actions to topics with
	// email subscriptions). Default: none (email deliveries fail, logged).
	SMTPServer   string // host:port
	SMTPUsername string
	// SMTPPassword comes from the environment (VEDETTE_SMTP_PASSWORD).
	SMTPPassword string
	SMTPFrom     string
	// SMTPStartTLS is required, opportunistic or never. Default: required
	// when SMTPUsername is set, else opportunistic.
	SMTPStartTLS string
	// SMTPCAFile holds extra PEM CA certificates trusted for the SMTP
	// server's certificate. Default: the system's.
	SMTPCAFile string
	// RootAccessKeyID and RootSecretAccessKey come from the environment; when
	// both are empty a key pair is generated into DataDir/credentials.
	RootAccessKeyID     string
	RootSecretAccessKey string
}

// ServeFlags registers the flags of `vedette serve` on fs and returns the
// configuration they fill; call Finish after fs.Parse.
func ServeFlags(fs *flag.FlagSet) *Serve {
	c := &Serve{}
	fs.StringVar(&c.DataDir, "data-dir", "./vedette-data", "directory for the store and generated credentials")
	fs.StringVar(&c.DNSListen, "dns-listen", "127.0.0.1:5353", "DNS listen address (UDP and TCP)")
	fs.StringVar(&c.HTTPListen, "http-listen", "127.0.0.1:8053", "HTTP listen address for the Route 53 API and /healthz")
	fs.Func("nameservers", "comma-separated NS names put into new hosted zones (default "+strings.Join(DefaultNameServers, ",")+")", func(s string) error {
		c.NameServers = nil
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				c.NameServers = append(c.NameServers, n)
			}
		}
		return nil
	})
	fs.IntVar(&c.DNSSockets, "dns-sockets", 0, "UDP sockets for DNS (SO_REUSEPORT); 0 means one per CPU")
	fs.StringVar(&c.CheckerRegion, "checker-region", "local", "region name of the embedded health checker")
	fs.IntVar(&c.CheckerConcurrency, "checker-concurrency", 4096, "maximum health-check probes in flight (a dead endpoint holds one for up to 10 s)")
	fs.BoolFunc("checker", "run the embedded health checker (default true; --checker=false leaves probing to remote `vedette checker` processes)", func(v string) error {
		on, err := strconv.ParseBool(v)
		c.NoChecker = !on
		return err
	})
	fs.Func("probe-allow", "comma-separated CIDRs probes may reach although the default policy refuses them (e.g. 169.254.0.0/16)", prefixList(&c.ProbeAllow))
	fs.Func("probe-deny", "comma-separated CIDRs probes may never reach (wins over --probe-allow)", prefixList(&c.ProbeDeny))
	fs.StringVar(&c.GeoIPDB, "geoip-db", "", "MaxMind-format database (e.g. GeoLite2-City.mmdb) locating clients for geolocation, geoproximity and latency routing")
	fs.StringVar(&c.LocationsFile, "geoproximity-locations", "", "JSON file of operator-defined geoproximity locations (name → latitude, longitude), named by LocalZoneGroup")
	fs.StringVar(&c.LatencyMapFile, "latency-map", "", "JSON file mapping client networks, countries or continents to preferred regions for latency routing")
	fs.DurationVar(&c.HistoryRetention, "history-retention", 15*24*time.Hour, "how long per-minute metrics, status changes and alarm history are kept (at least 336h)")
	fs.StringVar(&c.SMTPServer, "smtp-server", "", "SMTP server host:port for email notifications (password from $"+EnvSMTPPassword+")")
	fs.StringVar(&c.SMTPUsername, "smtp-username", "", "SMTP AUTH user name")
	fs.StringVar(&c.SMTPFrom, "smtp-from", "vedette@localhost", "From address of notification emails")
	fs.StringVar(&c.SMTPStartTLS, "smtp-starttls", "", "STARTTLS: required, opportunistic or never (default required with --smtp-username, else opportunistic)")
	fs.StringVar(&c.SMTPCAFile, "smtp-ca-file", "", "PEM file of CA certificates to trust for the SMTP server")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	return c
}

// Finish applies environment variables and defaults, then validates.
func (c *Serve) Finish(getenv func(string) string) error {
	c.RootAccessKeyID = getenv(EnvRootAccessKeyID)
	c.RootSecretAccessKey = getenv(EnvRootSecretAccessKey)
	c.SMTPPassword = getenv(EnvSMTPPassword)
	if len(c.NameServers) == 0 {
		c.NameServers = append([]string(nil), DefaultNameServers...)
	}
	return c.Validate()
}

// Validate checks the configuration and canonicalises name server names.
func (c *Serve) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty"))
	}
	if c.HistoryRetention != 0 && c.HistoryRetention < 14*24*time.Hour {
		errs = append(errs, fmt.Errorf("--history-retention %v: must be at least 336h (14 days)", c.HistoryRetention))
	}
	switch c.SMTPStartTLS {
	case "", "required", "opportunistic", "never":
	default:
		errs = append(errs, fmt.Errorf("--smtp-starttls %q: must be required, opportunistic or never", c.SMTPStartTLS))
	}
	for flagName, addr := range map[string]string{"--dns-listen": c.DNSListen, "--http-listen": c.HTTPListen} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", flagName, addr, err))
		}
	}
	for i, n := range c.NameServers {
		cn, err := model.CanonicalName(n)
		if err != nil || cn == "." {
			errs = append(errs, fmt.Errorf("--nameservers: %q is not a valid domain name", n))
			continue
		}
		c.NameServers[i] = cn
	}
	if (c.RootAccessKeyID == "") != (c.RootSecretAccessKey == "") {
		errs = append(errs, fmt.Errorf("set both %s and %s, or neither", EnvRootAccessKeyID, EnvRootSecretAccessKey))
	}
	if c.CheckerRegion == "" || len(c.CheckerRegion) > 64 {
		errs = append(errs, errors.New("--checker-region must be 1 to 64 characters"))
	}
	if c.GeoIPDB != "" {
		if db, err := geo.OpenMMDB(c.GeoIPDB); err != nil {
			errs = append(errs, fmt.Errorf("--geoip-db %q: %w", c.GeoIPDB, err))
		} else {
			_ = db.Close()
		}
	}
	c.LatencyMap = nil
	if c.LatencyMapFile != "" {
		b, err := os.ReadFile(c.LatencyMapFile)
		if err == nil {
			c.LatencyMap, err = geo.ParseLatencyMap(b)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--latency-map %q: %w", c.LatencyMapFile, err))
		}
	}
	c.Locations = nil
	if c.LocationsFile != "" {
		b, err := os.ReadFile(c.LocationsFile)
		if err == nil {
			c.Locations, err = geo.ParseLocations(b)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--geoproximity-locations %q: %w", c.LocationsFile, err))
		}
	}
	if c.CheckerConcurrency < 1 {
		errs = append(errs, errors.New("--checker-concurrency must be at least 1"))
	}
	if c.DNSSockets < 0 {
		errs = append(errs, errors.New("--dns-sockets must not be negative"))
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: must be text or json", c.LogFormat))
	}
	return errors.Join(errs...)
}

func prefixList(dst *[]netip.Prefix) func(string) error {
	return func(s string) error {
		for _, p := range strings.Split(s, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				return fmt.Errorf("%q is not a CIDR prefix", p)
			}
			*dst = append(*dst, pfx.Masked())
		}
		return nil
	}
}

// ParseLevel parses a log level name.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("--log-level %q: must be debug, info, warn or error", s)
	}
	return l, nil
}
