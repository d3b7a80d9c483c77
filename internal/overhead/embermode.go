package overhead

import (
	"github.com/emberprof/ember"
	"github.com/emberprof/ember/upstream"
)

func init() {
	Modes = append(Modes,
		Mode{Name: "ember", Start: func(s Settings, up upstream.Upstream) (func() error, error) {
			return startEmber(s, up, false)
		}},
		// Ember without its forced GC at intervals in which none ran: what
		// the forced GC costs an application with a large, quiet heap.
		Mode{Name: "ember-nogc", Start: func(s Settings, up upstream.Upstream) (func() error, error) {
			return startEmber(s, up, true)
		}},
	)
}

// allTypes is every profile type but the goroutine leak profile, which
// needs a GC per interval and, on Go 1.26, an experiment.
var allTypes = []ember.ProfileType{
	ember.ProfileCPU,
	ember.ProfileAllocObjects, ember.ProfileAllocSpace, ember.ProfileInuseObjects, ember.ProfileInuseSpace,
	ember.ProfileGoroutines,
	ember.ProfileMutexCount, ember.ProfileMutexDuration,
	ember.ProfileBlockCount, ember.ProfileBlockDuration,
}

// startEmber starts Ember as an application would, delivering to up:
// default profile types, or all of them.
func startEmber(s Settings, up upstream.Upstream, noGC bool) (func() error, error) {
	var types []ember.ProfileType // nil: Ember's defaults
	if s.all() {
		types = allTypes
	}
	p, err := ember.Start(ember.Config{
		ApplicationName: "overhead",
		UploadRate:      s.Interval,
		ProfileTypes:    types,
		Upstream:        up,
		Logger:          quietLogger{},
		DisableGCRuns:   noGC,
	})
	if err != nil {
		return nil, err
	}
	return p.Stop, nil
}

// quietLogger drops Ember's log lines: the child's standard output carries
// its result.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Errorf(string, ...any) {}
