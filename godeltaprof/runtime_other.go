//go:build !go1.26 || go1.28

package godeltaprof

import (
	"fmt"
	"runtime"
)

// hasFastPath is whether this Go release has a fast path at all.
const hasFastPath = false

// fastPathProblem says why this release has no fast path.
func fastPathProblem() error {
	return fmt.Errorf("%s is not a Go release this build of Ember reads directly (it knows 1.26 and 1.27)", runtime.Version())
}

// newFastSource returns nil: this Go release's runtime records are not
// known to this package, so every profile goes through runtime/pprof.
func newFastSource(*kind, ProfileOptions, cut) source { return nil }
