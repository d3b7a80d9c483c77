package overhead

import (
	"context"
	"time"

	"github.com/emberprof/ember/internal/session"
	"github.com/emberprof/ember/upstream"
)

func init() {
	Modes = append(Modes, Mode{Name: "ember", Start: startEmber})
}

// defaultTypes and allTypes are Ember's profile types under each settings:
// its defaults (as pyroscope-go's: CPU and the four heap types), and every
// type but the goroutine leak profile, which needs a GC per interval and an
// experiment in Go 1.26.
var (
	defaultTypes = []string{"cpu", "inuse_objects", "alloc_objects", "inuse_space", "alloc_space"}
	allTypes     = append(append([]string(nil), defaultTypes...),
		"goroutines", "mutex_count", "mutex_duration", "block_count", "block_duration")
)

// startEmber runs an Ember session delivering to up.
func startEmber(s Settings, up upstream.Upstream) (func() error, error) {
	types := defaultTypes
	if s.all() {
		types = allTypes
	}
	sess, err := session.Start(session.Options{
		Application:  "overhead",
		Rate:         s.Interval,
		ProfileTypes: types,
		Upstream:     up,
		Logger:       quietLogger{},
	})
	if err != nil {
		return nil, err
	}
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return sess.Stop(ctx)
	}, nil
}

// quietLogger drops Ember's log lines: the child's standard output carries
// its result.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Errorf(string, ...any) {}
