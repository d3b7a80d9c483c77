package godeltaprof

import (
	"bytes"
	"testing"
	"time"
)

// TestClockSetsTheWindows checks that a profiler given a Clock reads the
// time only from it, on both paths: windows end where the Clock says and
// adjoin exactly, so a caller's intervals and the profiles' times agree.
func TestClockSetsTheWindows(t *testing.T) {
	ticks := []time.Time{
		time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 24, 23, 0, 15, 0, time.UTC),
		time.Date(2026, 11, 24, 23, 0, 30, 500, time.UTC),
	}
	for _, k := range []*kind{heapKind, mutexKind, blockKind} {
		for _, path := range paths {
			t.Run(k.name+"/"+path.name, func(t *testing.T) {
				i := 0
				opts := defaultOptions
				opts.Clock = func() time.Time { return ticks[i] }
				src := newSource(k, opts, path.fallback)
				var windows [][2]int64
				for i = range ticks {
					var buf bytes.Buffer
					if err := src.profile(&buf); err != nil {
						t.Fatal(err)
					}
					p := parse(t, buf.Bytes())
					windows = append(windows, [2]int64{p.TimeNanos, p.DurationNanos})
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
