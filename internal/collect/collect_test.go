package collect

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/google/pprof/profile"
)

func TestGoroutinesLimit(t *testing.T) {
	_, err := NewGoroutines(1).Collect(false)
	if !errors.Is(err, ErrSkipped) {
		t.Fatalf("above the limit: got %v, want ErrSkipped", err)
	}
	data, err := NewGoroutines(-1).Collect(false)
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

type countingProfiler struct{ calls int }

func (c *countingProfiler) Profile(w io.Writer) error {
	c.calls++
	_, err := w.Write([]byte{byte(c.calls)})
	return err
}

func TestDeltaBaselinesAtStart(t *testing.T) {
	p := &countingProfiler{}
	d, err := NewDelta("mutex", p)
	if err != nil {
		t.Fatal(err)
	}
	if p.calls != 1 {
		t.Fatalf("baseline not taken: %d calls", p.calls)
	}
	data, err := d.Collect(false)
	if err != nil || !bytes.Equal(data, []byte{2}) {
		t.Fatalf("got %v %v, want the second call's output", data, err)
	}
}

func TestHeapRunsGCOnlyWhenNoneCompleted(t *testing.T) {
	h, err := NewHeap(&countingProfiler{}, false)
	if err != nil {
		t.Fatal(err)
	}
	before := gcCycles()
	if _, err := h.Collect(false); err != nil {
		t.Fatal(err)
	}
	if gcCycles() == before {
		t.Fatal("no GC completed in the interval and none was run")
	}
	runtime.GC()
	forced := h.ForcedGCs()
	if _, err := h.Collect(false); err != nil {
		t.Fatal(err)
	}
	if h.ForcedGCs() != forced {
		t.Fatal("ran a GC although one had completed in the interval")
	}

	off, err := NewHeap(&countingProfiler{}, true)
	if err != nil {
		t.Fatal(err)
	}
	off.Collect(false)
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
	data, err := l.Collect(false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profile.ParseData(data); err != nil {
		t.Fatal(err)
	}
}
