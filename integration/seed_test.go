package integration_test

import (
	"context"
	"fmt"
	"math"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/internal/cpuprof"
)

// TestSeedScenarioCPUMatchesWhatWasBurned runs the seed example's
// workload: a "fast" function labelled by TagWrapper and a "slow" one
// labelled by pprof.Do doing four times the work, one after the other.
// Over at least three intervals the server's CPU totals for the two labels
// must be about 4:1, and each must match the CPU the test measured the
// workload burning on its own threads.
func TestSeedScenarioCPUMatchesWhatWasBurned(t *testing.T) {
	base := serverURL(t)
	if _, ok := threadCPUTime(); !ok {
		t.Skip("no per-thread CPU clock on this system")
	}
	// Like the seed, each call runs for many sampling periods (10 ms):
	// the kernel delivers a CPU-timer signal at its next tick, a few ms
	// after the timer expires, so calls much shorter than that would
	// have their samples land in the call after them.
	fastLoops := loopsFor(20 * time.Millisecond)
	// Sampling is off for a moment at each interval boundary, while the
	// runtime finishes one CPU profile before the next can start (see
	// internal/cpuprof); a longer interval than the other tests' keeps
	// that gap a small share of the run.
	const seedRate = 2 * rate
	gaps := cpuprof.ReadStats()
	r := startEmber(t, ember.Config{ServerAddress: base, UploadRate: seedRate, ProfileTypes: []ember.ProfileType{ember.ProfileCPU}})

	// Two workers, as many as the machine's cores in CI, so the
	// profile gathers enough samples for a tight ratio.
	var mu sync.Mutex
	var burned struct{ fast, slow time.Duration }
	deadline := time.Now().Add(3*seedRate + seedRate/2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var fast, slow time.Duration
			ctx := context.Background()
			for time.Now().Before(deadline) {
				d, _ := cpuMeter(func() {
					ember.TagWrapper(ctx, ember.Labels("function", "fast"), func(context.Context) { spin(fastLoops) })
				})
				fast += d
				d, _ = cpuMeter(func() {
					pprof.Do(ctx, pprof.Labels("function", "slow"), func(context.Context) { spin(4 * fastLoops) })
				})
				slow += d
			}
			mu.Lock()
			burned.fast += fast
			burned.slow += slow
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.StopOK()
	after := cpuprof.ReadStats()
	t.Logf("%d interval boundaries cost %v with sampling off (longest %v)", after.Cuts-gaps.Cuts, after.GapTotal-gaps.GapTotal, after.GapMax)

	q := newQuerier(base, "")
	start, end := r.window()
	total := func(fn string) int64 {
		return int64(merged(t, q, cpuTypeID, r.selector(fmt.Sprintf("function=%q", fn)), start, end).Total)
	}
	fast, slow := total("fast"), total("slow")
	ratio := float64(slow) / float64(fast)
	t.Logf("server: slow %v fast %v (ratio %.2f); burned: slow %v fast %v (ratio %.2f)",
		time.Duration(slow), time.Duration(fast), ratio, burned.slow, burned.fast, float64(burned.slow)/float64(burned.fast))
	if math.Abs(ratio-4) > 0.8 {
		t.Errorf("slow/fast CPU on the server = %.2f, want 4 ± 0.8", ratio)
	}
	for _, c := range []struct {
		name           string
		server, burned int64
	}{{"fast", fast, int64(burned.fast)}, {"slow", slow, int64(burned.slow)}} {
		if rel := float64(c.server)/float64(c.burned) - 1; math.Abs(rel) > 0.2 {
			t.Errorf("function=%s: server has %v of CPU, the workload burned %v (%+.0f%%, want within 20%%)",
				c.name, time.Duration(c.server), time.Duration(c.burned), rel*100)
		}
	}

	// At least three intervals of it reached the server.
	ps, err := q.profilesOf(context.Background(), cpuTypeID, r.selector(`function="slow"`), start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 3 {
		t.Errorf("%d CPU profiles with function=slow stored, want at least 3", len(ps))
	}
}
