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
// Besides rounds, -steady runs Ember alone for many short intervals in a
// process with many unique stacks, to show its own live heap stays flat and
// what an interval costs in CPU.
//
// Files:
//   - cli.go: the command line (example/overhead is a thin main around it).
//   - harness.go: the parent, which alternates rounds in child processes.
//   - round.go: one round, run in the child process.
//   - workload.go: the work whose cost is measured (cpu, alloc, lock,
//     idle10k, bigheap).
//   - service.go: the in-process HTTP service and its fixed-rate client.
//   - measure.go: process CPU time, peak RSS and the Go heap.
//   - mode.go, pprofmode.go, embermode.go: profiler off, runtime/pprof
//     alone, Ember (with and without its forced GCs).
//   - sink.go: an in-memory upstream that counts what the profiler uploads.
//   - selfprof.go: the profiler's own share of CPU, from its CPU profiles.
//   - report.go: medians, ratios, benchstat lines.
//   - steady.go: the -steady measurement.
//   - synth/: many unique heap and block stacks and parked goroutines, for
//     the scale benchmarks and -steady.
//
// The benchmarks (*_bench_test.go) measure each step of an interval next to
// runtime/pprof's equivalent, compression codecs on real profiles, and how
// the cost grows with stacks and goroutines.
package overhead
