// Package pgo turns many CPU profiles into one small default.pgo for Go's
// profile-guided optimisation.
//
// What the compiler reads decides what is kept. cmd/compile (through
// cmd/internal/pgo.FromPProf in Go 1.26 and 1.27) parses the profile, takes
// the first sample type that is samples/count or cpu/nanoseconds, and
// builds a graph (internal/profile.NewGraph) that counts, for every
// sample, only its two innermost locations: the call edges between the
// lines (inlined frames) of those locations and from the second to the
// first. Of each line it keeps the function's name, the line number and
// the function's start line, and it uses only their difference, the call
// site's offset in the function. Everything else - deeper frames, labels,
// mappings, file names, other sample types, times - never reaches the
// compiler.
//
// A [Merger] therefore keeps, per sample, the cpu/nanoseconds value and
// its two innermost locations (address and lines), and sums samples whose
// locations are equal. The result gives the compiler exactly the call
// edge weights of the full merge. Samples with a single frame, which make
// no edge, are left out; so are samples that a [Selector] rejects.
//
// The Merger reads the pprof wire format field by field (with
// internal/pprofenc's reader) instead of decoding whole profiles, and
// aggregates into tables that grow with the distinct stacks kept, not with
// the number of profiles: merging a day of 15-second profiles takes
// seconds and a few megabytes.
package pgo
