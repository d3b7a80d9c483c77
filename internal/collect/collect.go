// Package collect takes the Go runtime's profiles, one per interval, for
// Ember's session: CPU through the shared CPU profile (internal/cpuprof),
// heap, mutex and block as per-interval deltas, goroutines and leaked
// goroutines as snapshots. Every collector returns gzipped pprof whose
// pprof label keys the Pyroscope server accepts.
//
// The CPU collector decides where an interval ends: its window is cut at
// the boundary, and the instant of that cut is what the session passes to
// every Collector as the interval's end, so all types cover the same
// interval whatever order they run in.
//
// Collectors are not safe for concurrent use: the session calls them from
// its one goroutine.
package collect

import (
	"errors"
	"fmt"
	"time"

	"github.com/emberprof/ember/interval"
)

// A Collector produces one profile of its type per interval.
type Collector interface {
	// Type names the runtime profile the collector takes.
	Type() interval.Type
	// Collect ends the current interval at until and returns its
	// profile. Profiles that carry a window (the deltas) end it exactly
	// at until; snapshots are taken now. final is true for the last
	// interval, when the session stops. An error wrapping ErrSkipped
	// means the interval has no profile on purpose (its text says why).
	Collect(until time.Time, final bool) ([]byte, error)
}

// ErrSkipped marks an interval a collector left out on purpose, such as a
// goroutine profile above the goroutine limit.
var ErrSkipped = errors.New("skipped")

func skipped(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSkipped, fmt.Sprintf(format, args...))
}
