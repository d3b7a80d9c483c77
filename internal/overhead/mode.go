package overhead

import (
	"time"

	"github.com/emberprof/ember/upstream"
)

// Settings say what a profiler collects in a round.
type Settings struct {
	// Name is "default" (the profiler's default profile types) or "all"
	// (every profile type, with mutex and block profiling switched on).
	Name string
	// Interval is the profiler's upload interval.
	Interval time.Duration
}

// SettingNames lists the settings the harness knows.
var SettingNames = []string{"default", "all"}

// all reports whether every profile type is to be collected.
func (s Settings) all() bool { return s.Name == "all" }

// A Mode is one way of running the workload: without a profiler, or with one.
type Mode struct {
	Name string
	// Start starts profiling into up and returns the function that stops it,
	// delivering the last partial interval.
	Start func(s Settings, up upstream.Upstream) (stop func() error, err error)
}

// Modes lists the modes the harness knows, "off" first: the other modes
// are compared with it.
var Modes = []Mode{
	{Name: "off", Start: func(Settings, upstream.Upstream) (func() error, error) {
		return func() error { return nil }, nil
	}},
	{Name: "pprof", Start: startPprof},
}

// LookupMode returns the mode called name.
func LookupMode(name string) (Mode, bool) {
	for _, m := range Modes {
		if m.Name == name {
			return m, true
		}
	}
	return Mode{}, false
}
