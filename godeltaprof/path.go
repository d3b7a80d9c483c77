package godeltaprof

import "sync"

// Path names how the profilers of this package read the runtime's records.
type Path string

// The two paths. Both write the same profiles.
const (
	// PathFast reads the runtime's profile records directly, for the Go
	// releases this package knows (see "Go releases" in the package doc).
	PathFast Path = "fast"
	// PathPortable computes deltas from runtime/pprof's public profiles:
	// any Go release, but about 50 times the CPU of the fast path.
	PathPortable Path = "portable"
)

// ReadPath returns the path the profilers use and why. It is decided once
// per process, at the first call or the first profiler made: on a Go
// release with a fast path, the runtime's heap records are first read
// both directly and through runtime.MemProfile, and if they disagree (the
// record layout changed) every profiler uses the portable path.
func ReadPath() (Path, string) { return readPath() }

var readPath = sync.OnceValues(choosePath)

// checkFast returns why the fast path cannot be used, or nil; tests
// replace it.
var checkFast = fastPathProblem

func choosePath() (Path, string) {
	if err := checkFast(); err != nil {
		return PathPortable, err.Error()
	}
	return PathFast, "runtime records read directly; their layout agrees with runtime.MemProfile"
}
