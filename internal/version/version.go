// Package version owns the build's version string.
package version

import "runtime/debug"

// override is set at build time with
// -ldflags "-X github.com/vedette-dns/vedette/internal/version.override=v1.2.3".
var override string

// String returns the version: the link-time override, else the module version
// from the build info, else "dev".
func String() string {
	if override != "" {
		return override
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
