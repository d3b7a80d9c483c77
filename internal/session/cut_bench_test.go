package session

import (
	"context"
	"testing"
	"time"

	"github.com/emberprof/ember/interval"
)

// discard is a Sink that drops what it is given.
type discard struct{}

func (discard) Upload(*interval.Profile)       {}
func (discard) Flush(context.Context) error    { return nil }
func (discard) Shutdown(context.Context) error { return nil }

// BenchmarkCutInterval measures the session's own work per interval for
// the runtime-written profiles (CPU, goroutines), which are restamped and
// have their labels sanitised: each op ends one interval with Flush and
// hands its profiles to an upstream that drops them.
//
//	go test -run '^$' -bench CutInterval -benchmem -count 6 ./internal/session
func BenchmarkCutInterval(b *testing.B) {
	s, err := Start(Options{
		Application:  "bench.app",
		Rate:         time.Hour,
		ProfileTypes: []string{"cpu", "goroutines"},
		Upstream:     discard{},
		Logger:       &countingLogger{},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop(context.Background())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Flush(ctx, false); err != nil {
			b.Fatal(err)
		}
	}
}
