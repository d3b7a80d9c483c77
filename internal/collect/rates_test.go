package collect

import (
	"runtime"
	"testing"
	"time"
)

func TestEnableMutexRespectsTheApplication(t *testing.T) {
	if f := runtime.SetMutexProfileFraction(-1); f != 0 {
		t.Fatalf("test process starts with fraction %d", f)
	}
	undo, set := EnableMutex(DefaultMutexFraction)
	if !set || runtime.SetMutexProfileFraction(-1) != DefaultMutexFraction {
		t.Fatalf("unset fraction not defaulted: set=%v", set)
	}
	undo()
	if f := runtime.SetMutexProfileFraction(-1); f != 0 {
		t.Fatalf("fraction %d after undo, want 0", f)
	}

	runtime.SetMutexProfileFraction(5) // the application's choice
	undo, set = EnableMutex(DefaultMutexFraction)
	undo()
	if f := runtime.SetMutexProfileFraction(-1); set || f != 5 {
		t.Fatalf("application fraction overridden: set=%v fraction=%d", set, f)
	}

	runtime.SetMutexProfileFraction(0)
	undo, _ = EnableMutex(DefaultMutexFraction)
	runtime.SetMutexProfileFraction(3) // changed by the application meanwhile
	undo()
	if f := runtime.SetMutexProfileFraction(-1); f != 3 {
		t.Fatalf("undo clobbered the application's later fraction: %d", f)
	}
	runtime.SetMutexProfileFraction(0)
}

func blockOnce(d time.Duration) {
	ch := make(chan struct{})
	go func() { time.Sleep(d); close(ch) }()
	<-ch
}

func TestEnableBlockDetectsTheApplicationsRate(t *testing.T) {
	undo, set := EnableBlock(DefaultBlockRate)
	if !set {
		t.Fatal("no rate set in a fresh process, yet EnableBlock left it alone")
	}
	blockOnce(time.Millisecond) // recorded under Ember's rate
	undo()
	if n, _ := runtime.BlockProfile(nil); n == 0 {
		t.Fatal("block profiling was not on")
	}

	// Records of Ember's own must not be mistaken for an application rate.
	undo, set = EnableBlock(DefaultBlockRate)
	undo()
	if !set {
		t.Fatal("Ember's own earlier records were taken for an application rate")
	}

	runtime.SetBlockProfileRate(1) // the application's choice
	defer runtime.SetBlockProfileRate(0)
	undo, set = EnableBlock(DefaultBlockRate)
	undo()
	if set {
		t.Fatal("application block rate was not detected")
	}
	before := probeCount()
	blockOnce(time.Millisecond)
	probeBlock()
	if probeCount() <= before {
		t.Fatal("application's rate was turned off by undo")
	}
}
