// Package failover holds the DNS failover benchmark (see docs/benchmarks.md,
// "DNS failover: Vedette vs gdnsd"):
//
//   - inprocess_test.go: a whole node started in-process; a health status
//     change is injected at the health layer and the time until a UDP DNS
//     query sees the other failover answer is measured (p50/p99/max).
//   - run.sh with endpoint/, setup/ and trials/: end to end, the primary
//     endpoint process is killed with SIGKILL and the time until the DNS
//     answer changes is measured, for Vedette (interval 1, threshold 1) and
//     for gdnsd's simplefo plugin at its shortest interval, in the same run.
package failover
