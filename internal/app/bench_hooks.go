package app

import "github.com/vedette-dns/vedette/internal/healthfeed"

// HealthFeed returns the node's health feed, so that benchmarks
// (bench/failover) can inject observations and time the health view → DNS
// path without waiting for real probes.
func (a *App) HealthFeed() *healthfeed.Feed { return a.health }
