package cpuprof

import (
	"errors"
	"fmt"
	"runtime/pprof"
	"sync"
	"time"
)

// ErrInUse reports that someone other than this package, typically the
// application through runtime/pprof.StartCPUProfile, holds the runtime CPU
// profile, or took it away from under an open window. Errors from Start,
// Rotate and Stop wrap it; test with errors.Is.
var ErrInUse = errors.New("cpuprof: the runtime CPU profile is held by another caller")

// ErrClosed is returned by Rotate and Stop on a window that is already closed.
var ErrClosed = errors.New("cpuprof: window already closed")

// errStopped is the cause given to windows whose segment was stopped by a
// StopCPUProfile call that was not ours.
var errStopped = fmt.Errorf("%w: it stopped the profile of an open window", ErrInUse)

// The process-wide state, guarded by mu. Invariant: cur != nil exactly when
// open is not empty; every window in open collects the current segment.
var (
	mu   sync.Mutex
	cur  *segment
	open = map[*Window]struct{}{}
)

// startCPUProfile is runtime/pprof.StartCPUProfile; tests replace it to make
// another caller win the race at a cut.
var startCPUProfile = pprof.StartCPUProfile

// Start opens a window now. It starts the runtime CPU profile if no window
// is open, or else cuts the running profile so that the window begins at the
// cut. The error wraps ErrInUse if the runtime profile is held by another
// caller; windows open at that moment then end early (see Window.Stop).
func Start() (*Window, error) {
	mu.Lock()
	defer mu.Unlock()
	at := time.Now()
	cut := cur != nil
	if cut {
		at = finish()
	}
	if err := restart(at, cut); err != nil {
		return nil, err
	}
	w := &Window{from: at}
	open[w] = struct{}{}
	return w, nil
}

// finish ends the current segment at the returned instant and hands it to
// every open window. If another caller has already stopped the runtime
// profile (its data is in our buffer before we asked for it), the runtime
// may now hold that caller's profile, so finish does not stop it; the open
// windows lose the segment and end where it began. Called with mu held and
// cur != nil.
func finish() time.Time {
	at := time.Now()
	seg := cur
	cur = nil
	if seg.buf.Len() > 0 {
		lose(seg.from, errStopped)
		return at
	}
	pprof.StopCPUProfile()
	data := seg.buf.Bytes()
	for w := range open {
		w.segs = append(w.segs, data)
	}
	return at
}

// restart starts a new segment that begins at at. When the start follows a
// cut (finish), the time with sampling off is recorded as the cut's gap. If
// the runtime profile is taken, every open window ends at at and the error
// wraps ErrInUse. Called with mu held and cur == nil.
func restart(at time.Time, cut bool) error {
	seg := &segment{from: at}
	if err := startCPUProfile(&seg.buf); err != nil {
		err = fmt.Errorf("%w: %w", ErrInUse, err)
		lose(at, err)
		return err
	}
	if cut {
		recordGap(time.Since(at))
	}
	cur = seg
	return nil
}

// lose ends every open window at until with cause err. Called with mu held.
func lose(until time.Time, err error) {
	for w := range open {
		w.until = until
		w.lost = err
		delete(open, w)
		recordLoss()
	}
}
