// Package probetest holds test helpers for probes: real HTTP, HTTPS and TCP
// servers on loopback ports (port 0) that return once they accept
// connections and record what clients sent, ports that refuse or never
// answer, self-signed certificates, and a static name resolver.
package probetest
