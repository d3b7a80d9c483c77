package ember

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/interval"
)

// TestDisableAutomaticResetsLeavesCutsToFlush: as in pyroscope-go, with
// DisableAutomaticResets no interval ends on the clock; each Flush ends
// one and Stop the last.
func TestDisableAutomaticResetsLeavesCutsToFlush(t *testing.T) {
	rec := &recorder.Recorder{}
	p, err := Start(Config{ApplicationName: "a", Upstream: rec, UploadRate: MinUploadRate,
		ProfileTypes: []ProfileType{ProfileCPU, ProfileGoroutines}, DisableAutomaticResets: true})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * MinUploadRate) // five boundaries of the clock pass
	if n := p.Stats().Intervals; n != 0 {
		t.Errorf("%d intervals ended before any Flush", n)
	}
	p.Flush(false)
	p.Flush(false)
	p.Stop()
	cpu := rec.Profiles(interval.TypeCPU)
	if len(cpu) != 3 || p.Stats().Intervals != 3 {
		t.Fatalf("%d CPU profiles, %d intervals; want 3: two Flushes and Stop", len(cpu), p.Stats().Intervals)
	}
	if d := cpu[0].Until.Sub(cpu[0].From); d < 5*MinUploadRate {
		t.Errorf("the first interval lasted %v, not until the first Flush", d)
	}
	for i := 1; i < len(cpu); i++ {
		if !cpu[i].From.Equal(cpu[i-1].Until) {
			t.Errorf("interval %d does not start where %d ended", i, i-1)
		}
	}
}

// TestSampleRateOtherThan100IsLoggedAsIgnored: Go's CPU profile runs at
// 100 Hz, so another SampleRate is said once, with why, at Start.
func TestSampleRateOtherThan100IsLoggedAsIgnored(t *testing.T) {
	for _, tc := range []struct {
		rate   uint32
		logged bool
	}{{0, false}, {DefaultSampleRate, false}, {250, true}} {
		var log recordingLogger
		p, err := Start(Config{ApplicationName: "a", Upstream: &recorder.Recorder{}, Logger: &log,
			ProfileTypes: []ProfileType{ProfileCPU}, SampleRate: tc.rate})
		if err != nil {
			t.Fatal(err)
		}
		p.Stop()
		lines := strings.Count(log.String(), "SampleRate")
		if tc.logged && (lines != 1 || !strings.Contains(log.String(), "SampleRate 250 is ignored") ||
			!strings.Contains(log.String(), "100 Hz") || !strings.Contains(log.String(), runtime.Version())) {
			t.Errorf("SampleRate %d: want one line saying it is ignored and why; log:\n%s", tc.rate, log.String())
		}
		if !tc.logged && lines != 0 {
			t.Errorf("SampleRate %d: logged about it:\n%s", tc.rate, log.String())
		}
	}
}
