package ember_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/emberprof/ember"
)

// Labels set with TagWrapper (or pprof.Do) mark the CPU and goroutine
// samples taken while fn runs, and nest.
func ExampleTagWrapper() {
	ctx := context.Background()
	ember.TagWrapper(ctx, ember.Labels("handler", "checkout"), func(ctx context.Context) {
		ember.TagWrapper(ctx, ember.Labels("step", "pay"), func(ctx context.Context) {
			handler, _ := pprof.Label(ctx, "handler")
			step, _ := pprof.Label(ctx, "step")
			fmt.Println(handler, step)
		})
	})
	// Output: checkout pay
}

// SlogLogger hands Ember's log lines to a *slog.Logger.
func ExampleSlogLogger() {
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	})
	logger := ember.SlogLogger(slog.New(h))
	logger.Infof("profiling %s every %v", "checkout", "15s")
	logger.Debugf("not shown: the handler's level is Info")
	// Output: level=INFO msg="profiling checkout every 15s" component=ember
}
