package ember_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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

// With no server address, profiles go to files that `go tool pprof`
// opens, one per profile type and interval.
func ExampleStart() {
	dir, err := os.MkdirTemp("", "ember-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	p, err := ember.Start(ember.Config{
		ApplicationName: "example.app",
		OutputDir:       dir,
		ProfileTypes:    []ember.ProfileType{ember.ProfileCPU, ember.ProfileAllocSpace},
	})
	if err != nil {
		panic(err)
	}
	// ... the program runs ...
	if err := p.Stop(); err != nil { // delivers the last, partial interval
		panic(err)
	}

	cpu, _ := filepath.Glob(filepath.Join(dir, "example.app.cpu.*.pb.gz"))
	heap, _ := filepath.Glob(filepath.Join(dir, "example.app.heap.*.pb.gz"))
	fmt.Println(len(cpu), "CPU profile,", len(heap), "heap profile")
	// Output: 1 CPU profile, 1 heap profile
}
