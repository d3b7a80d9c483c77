package session

import (
	"bytes"
	"errors"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/collect"
	"github.com/emberprof/ember/internal/leaktest"
	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/interval"
)

// TestFailedStartUndoesEverything: when the last collector to open fails,
// after the CPU profile started and the mutex and block rates were set,
// Start leaves nothing behind: the runtime CPU profile is free, the
// rates are back and no goroutine is left.
func TestFailedStartUndoesEverything(t *testing.T) {
	goroutines := leaktest.Take()
	if runtime.SetMutexProfileFraction(-1) != 0 {
		t.Skip("the mutex profile fraction is already set")
	}
	injected := errors.New("injected failure")
	defer func(orig func(interval.Type, collect.DeltaProfiler, time.Time) (*collect.Delta, error)) {
		newDelta = orig
	}(newDelta)
	newDelta = func(typ interval.Type, prof collect.DeltaProfiler, start time.Time) (*collect.Delta, error) {
		if typ == interval.TypeBlock {
			return nil, injected
		}
		return collect.NewDelta(typ, prof, start)
	}
	s, err := Start(Options{Rate: time.Hour, ProfileTypes: allTypes, Upstream: &recorder.Recorder{}, Logger: testLogger{t}})
	if !errors.Is(err, injected) || s != nil {
		t.Fatalf("Start = %v, %v; want the injected failure", s, err)
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Errorf("the failed Start left the runtime CPU profile on: %v", err)
	} else {
		pprof.StopCPUProfile()
	}
	if f := runtime.SetMutexProfileFraction(-1); f != 0 {
		t.Errorf("mutex profile fraction %d after the failed Start, want 0", f)
		runtime.SetMutexProfileFraction(0)
	}
	if blockRateOn() {
		t.Error("block profiling still on after the failed Start")
		runtime.SetBlockProfileRate(0)
	}
	goroutines.Check(t)
}

// blockRateOn reports whether block profiling records anything: with any
// rate on, a 1 ms wait on a channel is recorded.
func blockRateOn() bool {
	before := blockEvents()
	ch := make(chan struct{})
	go func() { time.Sleep(time.Millisecond); close(ch) }()
	<-ch
	return blockEvents() != before
}

func blockEvents() int64 {
	n, _ := runtime.BlockProfile(nil)
	records := make([]runtime.BlockProfileRecord, n+50)
	n, _ = runtime.BlockProfile(records)
	var sum int64
	for _, r := range records[:n] {
		sum += r.Count
	}
	return sum
}
