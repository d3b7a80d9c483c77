package synth

import (
	"runtime"
	"strings"
	"testing"
)

// stacksWith counts the records of the named runtime profile whose stack
// passes through this package's step functions.
func stacksWith(t *testing.T, records []runtime.StackRecord) int {
	t.Helper()
	n := 0
	for _, r := range records {
		frames := runtime.CallersFrames(r.Stack())
		for {
			f, more := frames.Next()
			if strings.Contains(f.Function, "synth.step") {
				n++
				break
			}
			if !more {
				break
			}
		}
	}
	return n
}

func TestHeapStacksAreDistinct(t *testing.T) {
	HeapStacks(500)
	HeapStacks(2000)
	recs := make([]runtime.MemProfileRecord, 10000)
	n, ok := runtime.MemProfile(recs, true)
	if !ok {
		t.Fatalf("MemProfile needs %d records", n)
	}
	stk := make([]runtime.StackRecord, n)
	for i, r := range recs[:n] {
		stk[i].Stack0 = r.Stack0
	}
	if got := stacksWith(t, stk); got != 2000 {
		t.Errorf("heap profile has %d synthetic stacks, want 2000", got)
	}
}

func TestBlockStacksAreDistinct(t *testing.T) {
	BlockStacks(1500, 0)
	recs := make([]runtime.BlockProfileRecord, 10000)
	n, ok := runtime.BlockProfile(recs)
	if !ok {
		t.Fatalf("BlockProfile needs %d records", n)
	}
	stk := make([]runtime.StackRecord, n)
	for i, r := range recs[:n] {
		stk[i] = r.StackRecord
	}
	if got := stacksWith(t, stk); got != 1500 {
		t.Errorf("block profile has %d synthetic stacks, want 1500", got)
	}
}

func TestPark(t *testing.T) {
	release := Park(300)
	// Count the goroutines waiting in Park's closure, not all of them:
	// goroutines of earlier tests may end at any moment.
	if got := parkedInPark(); got != 300 {
		t.Errorf("%d goroutines parked, want 300", got)
	}
	release()
	if got := parkedInPark(); got != 0 {
		t.Errorf("%d goroutines still parked after release", got)
	}
}

func parkedInPark() int {
	buf := make([]byte, 8<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "synth.Park.func1(")
}
