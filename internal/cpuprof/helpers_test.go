package cpuprof

import (
	"context"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// burnCPU is long enough per check for about 30 samples at 100 Hz.
const burnCPU = 300 * time.Millisecond

// burn spins in code labelled burn=name until the calling OS thread has used
// d of CPU time, and returns the CPU time it used.
func burn(name string, d time.Duration) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	var used time.Duration
	x := uint64(1)
	pprof.Do(context.Background(), pprof.Labels("burn", name), func(context.Context) {
		for used < d {
			for i := range uint64(100000) {
				x = x*31 + i
			}
			used = threadCPU() - start
		}
	})
	runtime.KeepAlive(x)
	return used
}

// parse parses a gzipped pprof CPU profile.
func parse(t *testing.T, data []byte) *profile.Profile {
	t.Helper()
	p, err := profile.ParseData(data)
	if err != nil {
		t.Fatalf("parsing profile: %v", err)
	}
	return p
}

// labelled returns the CPU time of p's samples labelled burn=name.
func labelled(t *testing.T, p *profile.Profile, name string) time.Duration {
	t.Helper()
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("profile has no cpu/nanoseconds sample type: %v", p.SampleType)
	}
	var total int64
	for _, s := range p.Sample {
		for _, v := range s.Label["burn"] {
			if v == name {
				total += s.Value[idx]
			}
		}
	}
	return time.Duration(total)
}

// burnDuringCuts is burn for burns that other goroutines' cuts may
// interrupt: it also returns the time sampling was off at cuts during the
// burn, which bounds the CPU time the profile may rightly miss.
func burnDuringCuts(name string, d time.Duration) (used, gaps time.Duration) {
	before := ReadStats().GapTotal
	used = burn(name, d)
	return used, ReadStats().GapTotal - before
}

// nearLessGaps is near, except that up to gaps of the CPU time may be missing
// because sampling was off at cuts.
func nearLessGaps(t *testing.T, what string, got, want, gaps time.Duration) {
	t.Helper()
	if lo, hi := (want-gaps)*7/10, want*13/10; got < lo || got > hi {
		t.Errorf("%s: profile holds %v of CPU, want %v ±30%% (less up to %v with sampling off at cuts)", what, got, want, gaps)
	}
}

// near fails t unless got is within 30% of want: 100 Hz sampling of a few
// hundred milliseconds on a shared machine.
func near(t *testing.T, what string, got, want time.Duration) {
	t.Helper()
	if lo, hi := want*7/10, want*13/10; got < lo || got > hi {
		t.Errorf("%s: profile holds %v of CPU, want %v ±30%%", what, got, want)
	}
}

// none fails t if p holds samples labelled burn=name.
func none(t *testing.T, what string, p *profile.Profile, name string) {
	t.Helper()
	if got := labelled(t, p, name); got != 0 {
		t.Errorf("%s: holds %v of %q, which burned outside it", what, got, name)
	}
}

// checkIdle registers a check that the test leaves no window open and the
// runtime CPU profile free.
func checkIdle(t *testing.T) {
	t.Cleanup(func() {
		mu.Lock()
		running, n := cur != nil, len(open)
		mu.Unlock()
		if running || n > 0 {
			t.Errorf("after the test: runtime profile running=%v, %d windows open", running, n)
		}
		if err := pprof.StartCPUProfile(new(lockedBuffer)); err != nil {
			t.Errorf("after the test the runtime CPU profile is not free: %v", err)
			return
		}
		pprof.StopCPUProfile()
	})
}

// mustStart opens a window or fails t.
func mustStart(t *testing.T) *Window {
	t.Helper()
	w, err := Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return w
}

// startStop fails t unless a window opens and closes cleanly (when).
func startStop(t *testing.T, when string) {
	t.Helper()
	w, err := Start()
	if err != nil {
		t.Fatalf("Start %s: %v", when, err)
	}
	if _, err := w.Stop(); err != nil {
		t.Errorf("Stop %s: %v", when, err)
	}
}
