package overhead

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember/interval"
)

func TestMedian(t *testing.T) {
	rs := func(vs ...uint64) []RoundResult {
		var out []RoundResult
		for _, v := range vs {
			out = append(out, RoundResult{Units: v})
		}
		return out
	}
	units := func(r RoundResult) float64 { return float64(r.Units) }
	for _, c := range []struct {
		in   []RoundResult
		want float64
	}{
		{nil, 0},
		{rs(7), 7},
		{rs(9, 1, 5), 5},
		{rs(4, 1, 3, 10), 3.5},
	} {
		if got := median(c.in, units); got != c.want {
			t.Errorf("median of %v = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestSinkCountsWholeIntervalsInsideTheWindow(t *testing.T) {
	s := NewSink(900 * time.Millisecond)
	t0 := time.Unix(1000, 0)
	up := func(typ interval.Type, from time.Time, d time.Duration, n int) {
		s.Upload(&interval.Profile{Type: typ, From: from, Until: from.Add(d), Data: make([]byte, n)})
	}
	up(interval.TypeCPU, t0, time.Second, 1) // before the window
	s.Measure(t0.Add(time.Second))
	up(interval.TypeCPU, t0.Add(time.Second), time.Second, 100)
	up(interval.TypeHeap, t0.Add(time.Second), time.Second, 40)
	up(interval.TypeCPU, t0.Add(2*time.Second), time.Second, 300)
	up(interval.TypeHeap, t0.Add(2*time.Second), time.Second, 60)
	up(interval.TypeCPU, t0.Add(3*time.Second), 100*time.Millisecond, 5) // partial
	s.Close(t0.Add(3100 * time.Millisecond))
	up(interval.TypeCPU, t0.Add(3100*time.Millisecond), time.Second, 7) // after

	n, bytes, byType := s.PerInterval()
	if n != 2 || bytes != 250 || byType["cpu"] != 200 || byType["heap"] != 50 {
		t.Errorf("PerInterval = %d, %v, %v; want 2 intervals, 250 B, cpu 200 and heap 50", n, bytes, byType)
	}
	if got := len(s.CPUProfiles()); got != 2 || s.Kept() != 400 {
		t.Errorf("kept %d CPU profiles, %d bytes; want the 2 inside the window, 400 bytes", got, s.Kept())
	}
	if st := s.Stats(); st.Enqueued != 7 || st.BytesSent != 513 {
		t.Errorf("Stats = %+v, want 7 profiles and 513 bytes in all", st)
	}
	if got := s.Uploads(interval.TypeCPU); got != 5 {
		t.Errorf("Uploads(cpu) = %d, want 5", got)
	}
}

func TestProfilerFuncs(t *testing.T) {
	for fn, want := range map[string]bool{
		"github.com/emberprof/ember/internal/session.(*Session).cut":            true,
		"github.com/emberprof/ember/godeltaprof.(*table).add":                   true,
		"runtime/pprof.writeGoroutine":                                          true,
		"github.com/emberprof/ember/internal/overhead.(*pprofProfiler).collect": true,
		"github.com/emberprof/ember/internal/overhead.(*Sink).Upload":           true,
		"github.com/emberprof/ember/internal/overhead.hashUnit":                 false,
		"crypto/sha256.Sum256":                                                  false,
		"runtime.gcBgMarkWorker":                                                false,
	} {
		if got := isProfilerFunc(fn); got != want {
			t.Errorf("isProfilerFunc(%q) = %v, want %v", fn, got, want)
		}
	}
}

func TestBenchLinesAreBenchstatFormat(t *testing.T) {
	var b bytes.Buffer
	writeBenchLine(&b, RoundResult{
		Spec:  RoundSpec{Workload: "cpu", Settings: Settings{Name: "all"}, Mode: "ember"},
		Units: 1000, CPU: 2 * time.Millisecond, P50: time.Millisecond, P99: 3 * time.Millisecond,
	})
	fields := strings.Fields(b.String())
	if fields[0] != "BenchmarkOverhead/work=cpu/set=all/mode=ember" || fields[1] != "1000" {
		t.Fatalf("line starts %q, want the name and the units done", fields[:2])
	}
	// Then value-unit pairs, one per metric.
	if len(fields) != 2+2*len(roundMetrics) || fields[2] != "2000" || fields[3] != "cpu-ns/unit" {
		t.Errorf("line %q: want %d value-unit pairs starting 2000 cpu-ns/unit", b.String(), len(roundMetrics))
	}
}

// TestRoundMeasures runs two short rounds in this process: one without
// a profiler, one with runtime/pprof, and checks each measured what it
// should.
func TestRoundMeasures(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for two seconds")
	}
	spec := RoundSpec{Workload: "cpu", Settings: Settings{Name: "default", Interval: 50 * time.Millisecond},
		Workers: 1, Rate: 200, Warmup: 300 * time.Millisecond, Duration: 500 * time.Millisecond}
	for _, mode := range []string{"off", "pprof"} {
		spec.Mode = mode
		r, err := RunRound(spec)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if r.Units == 0 || r.CPU <= 0 || r.Requests < 10 || r.P99 < r.P50 || r.P50 <= 0 || r.PeakRSS == 0 || r.PeakHeap == 0 {
			t.Errorf("%s: implausible round %+v", mode, r)
		}
		if profiled := r.Intervals > 0 && r.UploadBytes > 0; profiled != (mode != "off") {
			t.Errorf("%s: %d intervals, %v bytes each", mode, r.Intervals, r.UploadBytes)
		}
	}
}
