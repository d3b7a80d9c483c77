package collect

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

func TestGoroutinesLimit(t *testing.T) {
	_, err := NewGoroutines(1).Collect(time.Now(), false)
	if !errors.Is(err, ErrSkipped) {
		t.Fatalf("above the limit: got %v, want ErrSkipped", err)
	}
	data, err := NewGoroutines(-1).Collect(time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.ParseData(data)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range p.Sample {
		n += s.Value[0]
	}
	if n < 1 {
		t.Fatalf("goroutine profile counts %d goroutines", n)
	}
}

// countingProfiler writes its call count and records the instants it was
// given.
type countingProfiler struct{ at []time.Time }

func (c *countingProfiler) ProfileAt(w io.Writer, now time.Time) error {
	c.at = append(c.at, now)
	_, err := w.Write([]byte{byte(len(c.at))})
	return err
}

func TestDeltaBaselinesAtStartAndEndsAtUntil(t *testing.T) {
	p := &countingProfiler{}
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	until := start.Add(15 * time.Second)
	d, err := NewDelta("mutex", p, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.at) != 1 || !p.at[0].Equal(start) {
		t.Fatalf("baseline taken at %v, want once at %v", p.at, start)
	}
	data, err := d.Collect(until, false)
	if err != nil || !bytes.Equal(data, []byte{2}) {
		t.Fatalf("got %v %v, want the second call's output", data, err)
	}
	if !p.at[1].Equal(until) {
		t.Fatalf("profile taken at %v, want the interval's end %v", p.at[1], until)
	}
}

func TestHeapRunsGCOnlyWhenTheProfileWouldGetStale(t *testing.T) {
	// Boundaries every 15 s on a fake clock; GC runs only where we say
	// (a stray one from the runtime would only reset the age, and is
	// checked for).
	clock := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	h, err := NewHeap(&countingProfiler{}, false, clock)
	if err != nil {
		t.Fatal(err)
	}
	debug.SetGCPercent(-1)
	defer debug.SetGCPercent(100)
	boundary := func(final bool) (forced bool) {
		t.Helper()
		clock = clock.Add(15 * time.Second)
		before := h.ForcedGCs()
		if _, err := h.Collect(clock, final); err != nil {
			t.Fatal(err)
		}
		return h.ForcedGCs() != before
	}

	for i := 1; i <= 3; i++ { // 15, 30, 45 s without a collection
		if boundary(false) {
			t.Fatalf("forced a GC %d s after the last one; the limit is %v", 15*i, MaxHeapAge)
		}
	}
	before := gcCycles()
	if !boundary(false) { // 60 s
		t.Fatalf("no GC forced after %v without one", MaxHeapAge)
	}
	if gcCycles() == before {
		t.Fatal("a forced GC was counted but none completed")
	}
	runtime.GC() // the application's own collection resets the age
	for i := 1; i <= 3; i++ {
		if boundary(false) {
			t.Fatalf("forced a GC %d s after the application's", 15*i)
		}
	}
	if !boundary(true) {
		t.Fatal("the final interval must end with a collection, so Stop delivers every allocation")
	}

	off, err := NewHeap(&countingProfiler{}, true, clock)
	if err != nil {
		t.Fatal(err)
	}
	off.Collect(clock.Add(2*MaxHeapAge), false)
	if off.ForcedGCs() != 0 {
		t.Fatal("DisableGCRuns ignored")
	}
}

func TestGoroutineLeaksWhereAvailable(t *testing.T) {
	l, err := NewGoroutineLeaks()
	if pprof.Lookup("goroutineleak") == nil {
		if !errors.Is(err, ErrNoLeakProfile) {
			t.Fatalf("got %v, want ErrNoLeakProfile", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	data, err := l.Collect(time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profile.ParseData(data); err != nil {
		t.Fatal(err)
	}
}
