package collect

import (
	"time"

	"github.com/emberprof/ember/internal/cpuprof"
)

// CPU collects the CPU profile through the process's shared CPU profile
// (internal/cpuprof), cutting it at every interval boundary so its window
// is exactly the interval. While someone else holds the runtime CPU
// profile (the application's own pprof.StartCPUProfile), intervals are
// skipped; the collector retries at each boundary and resumes once the
// profile is free.
type CPU struct {
	win     *cpuprof.Window
	lastCut time.Time
	busy    error // why the last Start failed, if win is nil
}

// NewCPU opens the first window now. If the CPU profile is held elsewhere
// it still returns a collector (whose intervals are skipped until the
// profile is free) along with the error.
func NewCPU() (*CPU, error) {
	c := &CPU{lastCut: time.Now()}
	c.win, c.busy = cpuprof.Start()
	if c.win != nil {
		c.lastCut = c.win.From()
	}
	return c, c.busy
}

// LastCut returns the instant of the last boundary: the end of the
// interval the last Cut returned. Before the first Cut it is the start of
// the first window.
func (c *CPU) LastCut() time.Time { return c.lastCut }

// Close ends the collector's window, discarding what it recorded, so the
// runtime CPU profile stops if no other window is open. It is for a
// session that fails to start; Cut(true) ends a running one.
func (c *CPU) Close() {
	if c.win != nil {
		c.win.Stop()
		c.win = nil
	}
}

// Cut ends the current interval at the CPU window's cut and returns its
// profile; LastCut is then the interval's end, which the session passes
// to every other collector. final is true for the last interval: the
// window stops instead of rotating. An error wrapping ErrSkipped means
// the CPU profile was held by someone else.
func (c *CPU) Cut(final bool) ([]byte, error) {
	if c.win == nil {
		c.lastCut = time.Now()
		reason := c.busy
		if !final {
			c.win, c.busy = cpuprof.Start()
			if c.win != nil {
				c.lastCut = c.win.From()
			}
		}
		return nil, skipped("the CPU profile was held by someone else: %v", reason)
	}
	var data []byte
	var err error
	if final {
		c.lastCut = time.Now() // sampling ends as Stop begins
		data, err = c.win.Stop()
		c.win = nil
	} else {
		var next *cpuprof.Window
		data, next, err = c.win.Rotate()
		c.win = next
		if next != nil {
			c.lastCut = next.From()
		} else {
			c.lastCut = time.Now()
			c.busy = err
		}
	}
	if data == nil {
		return nil, err
	}
	// When the window ended early or could not be reopened, data still
	// holds what was recorded: deliver it, and report the reason. Its
	// labels are sanitised in the session's rewrite of it.
	return data, err
}
