// Package overhead measures what a continuous profiler costs the program it
// profiles.
//
// The harness runs one fixed workload several times with the profiler off
// and on, in alternation (off, on, off, on, ...), each round in a fresh child
// process so that peak RSS and the Go heap belong to that round alone. Each
// round also serves HTTP requests on 127.0.0.1 at a fixed rate and records
// their latency. The parent prints one benchstat line per round and a table
// of medians and of their ratios to profiler-off.
//
// Files:
//   - workload.go: the work whose cost is measured (cpu, alloc, lock, idle10k).
//   - service.go: the in-process HTTP service and its fixed-rate client.
//   - measure.go: process CPU time, peak RSS and the Go heap.
//   - mode.go, pprofmode.go, embermode.go: profiler off, runtime/pprof, Ember.
//   - sink.go: an in-memory upstream that counts what the profiler uploads.
//   - round.go: one round, run in the child process.
//   - harness.go: the parent, which alternates rounds and collects results.
//   - report.go: medians, ratios, benchstat lines.
//   - stacks.go: synthetic programs with many unique stacks, for the scale
//     benchmarks and the steady-state heap check.
package overhead
