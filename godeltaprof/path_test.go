package godeltaprof

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// TestReadPathOnThisRelease: where this package knows the Go release, the
// record layout check passes against runtime.MemProfile and the fast path
// runs; elsewhere the portable one does, saying why.
func TestReadPathOnThisRelease(t *testing.T) {
	path, why := ReadPath()
	if why == "" {
		t.Error("ReadPath gives no reason")
	}
	_, isFast := NewHeapProfiler().src.(*heapSource)
	if isFast != (path == PathFast) {
		t.Errorf("ReadPath says %q (%s), but the heap profiler's source is fast = %v", path, why, isFast)
	}
	if hasFastPath && path != PathFast {
		t.Errorf("a known Go release runs the %q path: %s", path, why)
	}
}

// TestFailedLayoutCheckFallsBack: when the records read directly disagree
// with runtime.MemProfile, every profiler is made on the portable path and
// ReadPath says so, with the reason.
func TestFailedLayoutCheckFallsBack(t *testing.T) {
	forcePathCheck(t, errors.New("forced mismatch"))
	path, why := ReadPath()
	if path != PathPortable || !strings.Contains(why, "forced mismatch") {
		t.Errorf("ReadPath = %q, %q; want portable, with the check's reason", path, why)
	}
	if _, ok := NewHeapProfiler().src.(*fallbackSource); !ok {
		t.Error("heap profiler not on the portable path")
	}
	if _, ok := NewMutexProfiler().src.(*fallbackSource); !ok {
		t.Error("mutex profiler not on the portable path")
	}
	if _, ok := NewBlockProfiler().src.(*fallbackSource); !ok {
		t.Error("block profiler not on the portable path")
	}
}

// forcePathCheck makes the next ReadPath see err from the layout check,
// and puts the real check back after t.
func forcePathCheck(t *testing.T, err error) {
	orig := checkFast
	checkFast = func() error { return err }
	readPath = sync.OnceValues(choosePath)
	t.Cleanup(func() {
		checkFast = orig
		readPath = sync.OnceValues(choosePath)
	})
}
