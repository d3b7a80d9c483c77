package godeltaprof

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// windowProfiler is what HeapProfiler and BlockProfiler have in common.
type windowProfiler interface {
	Profile(w io.Writer) error
	ProfileAt(w io.Writer, now time.Time) error
}

func newProfiler(k *kind, opts ProfileOptions, fallback bool) windowProfiler {
	src := newSource(k, opts, fallback)
	if k == heapKind {
		return &HeapProfiler{src: src, opts: opts}
	}
	return &BlockProfiler{src: src, opts: opts}
}

// TestWindowsEndWhereTheCallerSays checks, on both paths, that a profiler
// reads the time only from the instant given to ProfileAt, or from its
// Clock for Profile: windows end there and adjoin exactly, so a caller's
// intervals and the profiles' times agree.
func TestWindowsEndWhereTheCallerSays(t *testing.T) {
	ticks := []time.Time{
		time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 24, 23, 0, 15, 0, time.UTC),
		time.Date(2026, 11, 24, 23, 0, 30, 500, time.UTC),
	}
	for _, k := range []*kind{heapKind, mutexKind, blockKind} {
		for _, path := range paths {
			for _, how := range []string{"ProfileAt", "Clock"} {
				t.Run(k.name+"/"+path.name+"/"+how, func(t *testing.T) {
					i := 0
					opts := defaultOptions
					if how == "Clock" {
						opts.Clock = func() time.Time { return ticks[i] }
					}
					p := newProfiler(k, opts, path.fallback)
					var windows [][2]int64
					for i = range ticks {
						var buf bytes.Buffer
						var err error
						if how == "Clock" {
							err = p.Profile(&buf)
						} else {
							err = p.ProfileAt(&buf, ticks[i])
						}
						if err != nil {
							t.Fatal(err)
						}
						pp := parse(t, buf.Bytes())
						windows = append(windows, [2]int64{pp.TimeNanos, pp.DurationNanos})
					}
					for j := 1; j < len(ticks); j++ {
						want := [2]int64{ticks[j-1].UnixNano(), ticks[j].Sub(ticks[j-1]).Nanoseconds()}
						if windows[j] != want {
							t.Errorf("window %d is [%d, +%d), want [%d, +%d)", j, windows[j][0], windows[j][1], want[0], want[1])
						}
					}
				})
			}
		}
	}
}

// TestProfileWithoutClockEndsNow checks that a standalone user's Profile
// call, with no Clock, still ends its window at the current time.
func TestProfileWithoutClockEndsNow(t *testing.T) {
	p := NewMutexProfiler()
	if err := p.Profile(io.Discard); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	var buf bytes.Buffer
	if err := p.Profile(&buf); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	pp := parse(t, buf.Bytes())
	end := pp.TimeNanos + pp.DurationNanos
	if end < before.UnixNano() || end > after.UnixNano() {
		t.Errorf("window ends at %d, want within the call [%d, %d]", end, before.UnixNano(), after.UnixNano())
	}
}
