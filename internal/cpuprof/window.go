package cpuprof

import (
	"errors"
	"time"
)

// A Window is a consumer's view of the runtime CPU profile from the instant
// it was opened (Start or Rotate) to the instant it is closed (Rotate or
// Stop). A Window is closed exactly once; its methods are safe to call from
// any goroutine.
type Window struct {
	from  time.Time
	until time.Time // set when closed or lost, under mu
	segs  [][]byte  // finished segments inside the window, under mu
	lost  error     // why the window ended early, under mu
	done  bool      // closed by Rotate or Stop, under mu
}

// From returns the instant the window began. The window returned by Rotate
// begins exactly where the rotated one ends.
func (w *Window) From() time.Time { return w.from }

// Stop closes w and returns its profile: pprof covering the window,
// gzipped as the runtime wrote it, or uncompressed when merged (below);
// pprof readers take both.
// The runtime profile stops when no window remains open.
//
// A window that holds several segments (other windows opened or closed
// inside it) gets them merged, with TimeNanos and DurationNanos set to the
// window's exact bounds, so consecutive windows adjoin. A window that holds
// one segment gets the runtime's bytes unchanged, with the runtime's own
// TimeNanos and DurationNanos, which differ from the window's bounds by
// about a cut's gap; From gives the exact start.
//
// If the window ended early because another caller took or stopped the
// runtime CPU profile, Stop returns what was recorded until then (possibly
// nil) and an error wrapping ErrInUse.
func (w *Window) Stop() ([]byte, error) {
	mu.Lock()
	if w.done {
		mu.Unlock()
		return nil, ErrClosed
	}
	w.done = true
	if w.lost == nil {
		at := finish()
		if w.lost == nil {
			delete(open, w)
			w.until = at
			if len(open) > 0 {
				// A failure here ends the other windows, not this one.
				_ = restart(at, true)
			}
		}
	}
	segs, from, until, lost := w.segs, w.from, w.until, w.lost
	mu.Unlock()

	data, err := build(segs, from, until)
	return data, errors.Join(lost, err)
}

// Rotate closes w and opens next at the same instant, with a single cut of
// the runtime profile, so that consecutive windows adjoin. data is w's
// profile, as from Stop.
//
// If err is not nil, next is nil. When the restart after the cut fails
// because another caller took the runtime profile, data still covers all of
// w and err wraps ErrInUse; call Start later to resume. When w had already
// ended early, data is what was recorded until then.
func (w *Window) Rotate() (data []byte, next *Window, err error) {
	mu.Lock()
	if w.done {
		mu.Unlock()
		return nil, nil, ErrClosed
	}
	w.done = true
	var restartErr error
	if w.lost == nil {
		at := finish()
		if w.lost == nil {
			delete(open, w)
			w.until = at
			if restartErr = restart(at, true); restartErr == nil {
				next = &Window{from: at}
				open[next] = struct{}{}
			}
		}
	}
	segs, from, until, lost := w.segs, w.from, w.until, w.lost
	mu.Unlock()

	data, err = build(segs, from, until)
	switch {
	case lost != nil:
		return data, nil, errors.Join(lost, err)
	case restartErr != nil:
		return data, nil, restartErr
	case err != nil:
		next.Stop()
		return nil, nil, err
	}
	return data, next, nil
}
