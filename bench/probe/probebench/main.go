// Command probebench holds the helpers of the probe benchmark
// (bench/probe/run.sh):
//
//	probebench target    the local target: HTTP (200 "ok") and TCP (accept, close)
//	probebench blackbox  drives blackbox_exporter's /probe at a fixed rate and
//	                     measures the exporter's CPU per probe
//	probebench report    the table of the RESULT lines of a run
//	probebench load      how busy the machine is; can wait for a quiet moment
//	probebench wait      waits until an HTTP URL on loopback answers 200
//	probebench freeport  prints free loopback TCP ports
//
// Everything listens on and connects to loopback addresses only.
package main

import (
	"fmt"
	"os"
)

func main() {
	cmds := map[string]func([]string) error{
		"target":   targetCmd,
		"blackbox": blackboxCmd,
		"report":   reportCmd,
		"load":     loadCmd,
		"wait":     waitCmd,
		"freeport": freeportCmd,
	}
	if len(os.Args) < 2 || cmds[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: probebench target|blackbox|report|load|wait|freeport [flags]")
		os.Exit(2)
	}
	if err := cmds[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "probebench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
