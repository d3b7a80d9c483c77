package godeltaprof

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// TestHeaderMatchesRuntime checks what pprof tools read before samples:
// sample types, period, mappings, and the window our profiles claim.
func TestHeaderMatchesRuntime(t *testing.T) {
	for _, k := range []*kind{heapKind, mutexKind, blockKind} {
		for _, path := range paths {
			t.Run(k.name+"/"+path.name, func(t *testing.T) {
				recordContention(t)
				src := newSource(k, defaultOptions, path.fallback)
				var buf bytes.Buffer
				t0 := time.Now()
				if err := src.profile(&buf, time.Now()); err != nil {
					t.Fatal(err)
				}
				t1 := time.Now()
				first := parse(t, buf.Bytes())
				buf.Reset()
				if err := src.profile(&buf, time.Now()); err != nil {
					t.Fatal(err)
				}
				t2 := time.Now()
				second := parse(t, buf.Bytes())
				rt := runtimeProfile(t, k.name)

				if got, want := valueTypes(second.SampleType), valueTypes(rt.SampleType); got != want {
					t.Errorf("sample types %s, runtime/pprof %s", got, want)
				}
				if got, want := valueTypes([]*profile.ValueType{second.PeriodType}), valueTypes([]*profile.ValueType{rt.PeriodType}); got != want {
					t.Errorf("period type %s, runtime/pprof %s", got, want)
				}
				if second.Period != rt.Period {
					t.Errorf("period %d, runtime/pprof %d", second.Period, rt.Period)
				}

				if first.TimeNanos != processStart.UnixNano() || first.TimeNanos+first.DurationNanos < t0.UnixNano() || first.TimeNanos+first.DurationNanos > t1.UnixNano() {
					t.Errorf("first window [%d, +%d] should run from process start to the call in [%d, %d]", first.TimeNanos, first.DurationNanos, t0.UnixNano(), t1.UnixNano())
				}
				if second.TimeNanos != first.TimeNanos+first.DurationNanos || second.TimeNanos+second.DurationNanos < t1.UnixNano() || second.TimeNanos+second.DurationNanos > t2.UnixNano() {
					t.Errorf("second window [%d, +%d] should start where the first ended (%d) and end in [%d, %d]", second.TimeNanos, second.DurationNanos, first.TimeNanos+first.DurationNanos, t1.UnixNano(), t2.UnixNano())
				}

				exe, err := os.Executable()
				if err != nil {
					t.Skip(err)
				}
				if len(second.Mapping) == 0 || filepath.Base(second.Mapping[0].File) != filepath.Base(exe) {
					t.Errorf("first mapping %v, want the test binary %s", second.Mapping, exe)
				}
				for _, l := range second.Location {
					if l.Mapping == nil {
						t.Errorf("location %#x has no mapping", l.Address)
						break
					}
				}
			})
		}
	}
}

func valueTypes(vts []*profile.ValueType) string {
	var b bytes.Buffer
	for _, vt := range vts {
		b.WriteString(vt.Type + "/" + vt.Unit + " ")
	}
	return b.String()
}
