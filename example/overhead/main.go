// Command overhead measures what Ember costs an application: it runs fixed
// workloads with no profiler, with runtime/pprof alone and with Ember, in
// alternating rounds, each in a child process, and prints benchstat lines
// and a table of medians and ratios to profiler-off.
//
//	go run ./example/overhead -o /tmp/overhead.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /mode /tmp/overhead.txt
//
// Run it with -h for the flags (workloads, settings, rounds, durations).
package main

import (
	"os"

	"github.com/emberprof/ember/internal/overhead"
)

func main() {
	os.Exit(overhead.Main(os.Args[1:], os.Stdout, os.Stderr))
}
