package collect

import (
	"bytes"
	"errors"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/emberprof/ember/interval"
)

// DefaultMaxGoroutines is the goroutine count above which the goroutine
// profile is skipped: its cost grows with every goroutine (about 50 ms
// at 10,000 goroutines on a small machine), and it briefly pauses them.
const DefaultMaxGoroutines = 10000

// Goroutines collects the stacks of all goroutines at the end of each
// interval, with their pprof labels.
type Goroutines struct {
	max int // no limit if < 0
	buf bytes.Buffer
}

// NewGoroutines returns a goroutine collector that skips intervals ending
// with more than max goroutines; max < 0 means no limit.
func NewGoroutines(max int) *Goroutines { return &Goroutines{max: max} }

// Type implements Collector.
func (g *Goroutines) Type() interval.Type { return interval.TypeGoroutines }

// Collect implements Collector.
func (g *Goroutines) Collect(time.Time, bool) ([]byte, error) {
	if n := runtime.NumGoroutine(); g.max >= 0 && n > g.max {
		return nil, skipped("%d goroutines are more than the limit of %d", n, g.max)
	}
	return writeLookup("goroutine", &g.buf)
}

// GoroutineLeaks collects the goroutines the runtime proved leaked
// (blocked forever on something unreachable). Taking this profile runs a
// garbage collection with leak detection.
type GoroutineLeaks struct {
	buf bytes.Buffer
}

// ErrNoLeakProfile reports that the running Go has no goroutine leak
// profile: it needs Go 1.27, or Go 1.26 built with
// GOEXPERIMENT=goroutineleakprofile.
var ErrNoLeakProfile = errors.New("this Go has no goroutine leak profile (it needs Go 1.27, or Go 1.26 with GOEXPERIMENT=goroutineleakprofile)")

// NewGoroutineLeaks returns a leak collector, or ErrNoLeakProfile.
func NewGoroutineLeaks() (*GoroutineLeaks, error) {
	if pprof.Lookup(leakProfile) == nil {
		return nil, ErrNoLeakProfile
	}
	return &GoroutineLeaks{}, nil
}

const leakProfile = "goroutineleak"

// Type implements Collector.
func (g *GoroutineLeaks) Type() interval.Type { return interval.TypeGoroutineLeak }

// Collect implements Collector.
func (g *GoroutineLeaks) Collect(time.Time, bool) ([]byte, error) {
	return writeLookup(leakProfile, &g.buf)
}

// writeLookup writes the named runtime/pprof profile as gzipped pprof.
// Its labels are sanitised in the session's rewrite of it.
func writeLookup(name string, buf *bytes.Buffer) ([]byte, error) {
	buf.Reset()
	if err := pprof.Lookup(name).WriteTo(buf, 0); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}
