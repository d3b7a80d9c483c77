package cpuprof

import (
	"bytes"
	"errors"
	"io"
	"runtime/pprof"
	"testing"
)

var pprofStart = pprof.StartCPUProfile

// While a window is open the application's own StartCPUProfile fails, and
// the window's profile is not disturbed.
func TestAppStartFailsWhileWindowOpen(t *testing.T) {
	checkIdle(t)
	w := mustStart(t)
	if err := pprof.StartCPUProfile(io.Discard); err == nil {
		pprof.StopCPUProfile()
		t.Fatal("the application's StartCPUProfile succeeded while a window was open")
	}
	used := burn("held", burnCPU)
	data, err := w.Stop()
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	near(t, "window", labelled(t, parse(t, data), "held"), used)
}

// While the application holds the runtime profile Start returns ErrInUse;
// once the application stops, Start works again, and the application's
// profile is intact.
func TestStartFailsWhileAppHolds(t *testing.T) {
	checkIdle(t)
	var app bytes.Buffer
	if err := pprof.StartCPUProfile(&app); err != nil {
		t.Fatalf("application StartCPUProfile: %v", err)
	}
	w, err := Start()
	if !errors.Is(err, ErrInUse) || w != nil {
		t.Errorf("Start while the application holds the profile = %v, %v; want nil, ErrInUse", w, err)
	}
	used := burn("app", burnCPU)
	pprof.StopCPUProfile()
	near(t, "application's profile", labelled(t, parse(t, app.Bytes()), "app"), used)

	w = mustStart(t)
	if _, err := w.Stop(); err != nil {
		t.Errorf("Stop after the application let go: %v", err)
	}
}

// An application that stops the profile it failed to start (a common
// "defer pprof.StopCPUProfile()" without checking the error) and then starts
// its own: the open windows end early with ErrInUse, and the application's
// new profile is neither stopped nor corrupted by Ember.
func TestAppStopsOurProfileAndStartsItsOwn(t *testing.T) {
	checkIdle(t)
	a := mustStart(t)
	early := burn("early", burnCPU)
	b := mustStart(t)
	burn("stolen", burnCPU)
	var app bytes.Buffer
	pprof.StopCPUProfile()
	if err := pprof.StartCPUProfile(&app); err != nil {
		t.Fatalf("application StartCPUProfile after stopping ours: %v", err)
	}
	appRunning := true
	defer func() {
		if appRunning {
			pprof.StopCPUProfile()
		}
	}()

	// a keeps the segment that ended at b's start; the one the application
	// stopped is dropped, since it no longer ends at a cut of ours.
	data, next, err := a.Rotate()
	if !errors.Is(err, ErrInUse) || next != nil {
		t.Errorf("Rotate after the application stopped our profile: next %v, err %v; want nil, ErrInUse", next, err)
	}
	pa := parse(t, data)
	near(t, "window ended early", labelled(t, pa, "early"), early)
	none(t, "window ended early", pa, "stolen")
	if data, err := b.Stop(); !errors.Is(err, ErrInUse) || data != nil {
		t.Errorf("Stop of a window whose only segment was stopped by the application = %d bytes, %v; want nil, ErrInUse", len(data), err)
	}

	appUsed := burn("app", burnCPU)
	if err := pprof.StartCPUProfile(io.Discard); err == nil {
		pprof.StopCPUProfile()
		t.Fatal("Ember stopped the application's profile")
	}
	pprof.StopCPUProfile()
	appRunning = false
	pApp := parse(t, app.Bytes())
	near(t, "application's profile", labelled(t, pApp, "app"), appUsed)
	none(t, "application's profile", pApp, "stolen")

	startStop(t, "after the application let go")
}

// The application takes the runtime profile in the instant between a cut's
// stop and restart. Rotate returns the rotated window's complete data, no
// next window and ErrInUse; the other open window ends at the cut with its
// data so far; the application's profile is intact, and Start works again
// once it is stopped.
func TestAppWinsRaceAtCut(t *testing.T) {
	checkIdle(t)
	c, d := mustStart(t), mustStart(t)
	used := burn("before-cut", burnCPU)

	var app bytes.Buffer
	startCPUProfile = func(w io.Writer) error {
		if err := pprofStart(&app); err != nil {
			t.Errorf("application StartCPUProfile at the cut: %v", err)
		}
		return pprofStart(w)
	}
	lostBefore := ReadStats().LostWindows
	data, next, err := c.Rotate()
	startCPUProfile = pprofStart
	if !errors.Is(err, ErrInUse) || next != nil {
		t.Fatalf("Rotate when the restart fails: next %v, err %v; want nil, ErrInUse", next, err)
	}
	near(t, "rotated window", labelled(t, parse(t, data), "before-cut"), used)

	appUsed := burn("app", burnCPU)
	dData, err := d.Stop()
	if !errors.Is(err, ErrInUse) {
		t.Errorf("Stop of a window ended by the failed restart: err = %v, want ErrInUse", err)
	}
	pd := parse(t, dData)
	near(t, "window ended at the cut", labelled(t, pd, "before-cut"), used)
	none(t, "window ended at the cut", pd, "app")
	if got := ReadStats().LostWindows - lostBefore; got != 1 {
		t.Errorf("LostWindows grew by %d, want 1", got)
	}

	pprof.StopCPUProfile()
	pa := parse(t, app.Bytes())
	near(t, "application's profile", labelled(t, pa, "app"), appUsed)
	none(t, "application's profile", pa, "before-cut")

	startStop(t, "after the application let go")
}
