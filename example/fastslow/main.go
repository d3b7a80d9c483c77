// Command fastslow is the seed scenario written for Ember: a fast and a
// slow function take turns burning CPU, the slow one doing four times the
// work, labelled function=fast (with ember.TagWrapper) and function=slow
// (with pprof.Do). Its profiles show slow at about four times fast.
//
// Configure it with the environment variables Ember reads (see the
// README), such as PYROSCOPE_SERVER_ADDRESS, PYROSCOPE_APPLICATION_NAME,
// PYROSCOPE_UPLOAD_INTERVAL and PYROSCOPE_PROFILE_TYPES; a flag given on
// the command line wins over the environment.
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
	"strings"
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

// defaultRate and defaultTypes are the example's own defaults, shorter
// and narrower than Ember's, used when neither a flag nor the environment
// sets them.
var (
	defaultRate  = 5 * time.Second
	defaultTypes = []ember.ProfileType{
		ember.ProfileCPU,
		ember.ProfileAllocSpace, ember.ProfileInuseSpace,
		ember.ProfileGoroutines,
		ember.ProfileMutexCount, ember.ProfileMutexDuration,
	}
)

// config builds the Config from the flags given on the command line
// (set), then the environment (read by ember.Start for the fields left
// zero here), then the example's defaults.
func config(rate time.Duration, set map[string]bool, lookup func(string) (string, bool)) ember.Config {
	cfg := ember.Config{
		Tags:   map[string]string{"example": "fastslow"},
		Logger: ember.StandardLogger,
	}
	inEnv := func(name string) bool { v, _ := lookup(name); return strings.TrimSpace(v) != "" }
	switch {
	case set["rate"]:
		cfg.UploadRate = rate
	case !inEnv("PYROSCOPE_UPLOAD_INTERVAL"):
		cfg.UploadRate = defaultRate
	}
	if !inEnv("PYROSCOPE_PROFILE_TYPES") {
		cfg.ProfileTypes = defaultTypes
	}
	return cfg
}

func main() {
	duration := flag.Duration("duration", 20*time.Second, "how long to run")
	rate := flag.Duration("rate", defaultRate, "interval between profiles (UploadRate); default: PYROSCOPE_UPLOAD_INTERVAL, else 5s")
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg := config(*rate, set, os.LookupEnv)
	p, err := ember.Start(cfg)
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	fmt.Printf("running the fast and slow workloads for %v\n", *duration)

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
