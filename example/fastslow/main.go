// Command fastslow is the seed scenario written for Ember: a fast and a
// slow function take turns burning CPU, the slow one doing four times the
// work, labelled function=fast (with ember.TagWrapper) and function=slow
// (with pprof.Do). Its profiles show slow at about four times fast.
//
// Configure it with the environment variables Ember reads (see the
// README), such as PYROSCOPE_SERVER_ADDRESS and PYROSCOPE_APPLICATION_NAME.
// With no server address it writes profile files and says how to open
// them. It stops after -duration, or at Ctrl-C.
//
//	go run ./example/fastslow
//	PYROSCOPE_SERVER_ADDRESS=http://127.0.0.1:4040 go run ./example/fastslow -duration=1m
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/emberprof/ember"
)

var sink int

// work spins for n iterations.
//
//go:noinline
func work(n int) {
	x := 0
	for i := range n {
		x += i
	}
	sink = x
}

func fast(ctx context.Context, mu *sync.Mutex) {
	mu.Lock()
	defer mu.Unlock()
	ember.TagWrapper(ctx, ember.Labels("function", "fast"), func(context.Context) {
		work(20_000_000)
	})
}

func slow(ctx context.Context, mu *sync.Mutex) {
	mu.Lock()
	defer mu.Unlock()
	pprof.Do(ctx, pprof.Labels("function", "slow"), func(context.Context) {
		work(80_000_000)
	})
}

func main() {
	duration := flag.Duration("duration", 20*time.Second, "how long to run")
	rate := flag.Duration("rate", 5*time.Second, "interval between profiles (UploadRate)")
	flag.Parse()

	p, err := ember.Start(ember.Config{
		Tags:       map[string]string{"example": "fastslow"},
		UploadRate: *rate,
		ProfileTypes: []ember.ProfileType{
			ember.ProfileCPU,
			ember.ProfileAllocSpace, ember.ProfileInuseSpace,
			ember.ProfileGoroutines,
			ember.ProfileMutexCount, ember.ProfileMutexDuration,
		},
		Logger: ember.StandardLogger,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	fmt.Printf("running the fast and slow workloads for %v; profiles every %v\n", *duration, *rate)

	var mu sync.Mutex
	ember.TagWrapper(ctx, ember.Labels("workload", "fastslow"), func(ctx context.Context) {
		for ctx.Err() == nil {
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); fast(ctx, &mu) }()
			go func() { defer wg.Done(); slow(ctx, &mu) }()
			wg.Wait()
		}
	})

	if err := p.Stop(); err != nil {
		log.Printf("stop: %v", err)
	}
	st := p.Stats()
	fmt.Printf("%d intervals; %d profiles delivered, %d failed, %d dropped\n",
		st.Intervals, st.Upload.Delivered, st.Upload.Failed, st.Upload.Dropped)
	if os.Getenv("PYROSCOPE_SERVER_ADDRESS") == "" {
		dir := os.Getenv("EMBER_OUTPUT_DIR")
		if dir == "" {
			dir = ember.DefaultOutputDir
		}
		files := filepath.Join(dir, "*cpu*")
		fmt.Printf("CPU by label (function=slow about 4x function=fast):\n  go tool pprof -tags %s\n", files)
		fmt.Printf("flame graph of all intervals:\n  go tool pprof -http=: %s\n", files)
	}
}
