// Package godeltaprof writes the Go runtime's heap, mutex and block profiles
// as deltas: each Profile call writes, as gzipped pprof, what happened since
// the previous call.
//
// The runtime keeps these profiles cumulative since the program started.
// Continuous profilers want one interval at a time; subtracting two
// runtime/pprof profiles costs a full write, parse and merge each time.
// This package instead reads the runtime's records directly (the same
// functions runtime/pprof uses), keeps the previous values per stack, and
// encodes only what changed, reusing symbolized locations, functions,
// strings and buffers between calls.
//
// # Exactness
//
// A delta between two calls equals runtime/pprof's profile at the second
// call minus its profile at the first, value for value: the previous values
// kept are the ones runtime/pprof would write (heap values unsampled with
// the current runtime.MemProfileRate, cycles converted to nanoseconds), not
// raw counters. Heap inuse_objects and inuse_space are not deltas but the
// values at the time of the call. Sample types, units, period and stacks
// (full depth, inlined frames expanded, mappings) are as runtime/pprof
// writes them.
//
// The first Profile call of a profiler covers everything since the program
// started. Call Profile once when you start, and discard its output, to
// begin from that moment instead.
//
// # Go releases
//
// Go 1.26 and 1.27 use the fast path. On any other release the package still
// builds and works by computing deltas from runtime/pprof's own output (the
// portable path, about 50 times the CPU). Before the fast path is used, the
// heap records it reads are compared once with runtime.MemProfile's, so a
// point release that changed their layout falls back rather than reading
// garbage. ReadPath tells which path runs, and why.
//
// # Cost
//
// On a 4,113-stack heap, a steady-state Profile takes under a tenth of
// runtime/pprof's heap WriteTo and allocates nothing; mutex and block
// profiles cost about 2 % of runtime/pprof's. Cost grows with the number of
// stacks, linearly up to what fits in cache. README.md in this directory has the numbers and the
// command that measured them.
package godeltaprof
