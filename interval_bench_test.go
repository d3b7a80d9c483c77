package ember_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emberprof/ember"
)

// BenchmarkWholeInterval: one interval of the five runtime profiles, some
// cut to part of their sample types, with a tag a series name cannot hold,
// through Start's uploader to a server that refuses every first attempt
// with 503: the session's and the upload's work per interval (each op is
// Flush(true); ns/op is mostly the retry's backoff, cpu-ns/interval is
// the process's CPU during the Flush). Written against the public API
// only, so that it runs on older commits too:
//
//	go test -run '^$' -bench WholeInterval -benchtime 10x -count 6 .
func BenchmarkWholeInterval(b *testing.B) {
	var requests, body atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		body.Add(n)
		if requests.Add(1)%2 == 1 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	p, err := ember.Start(ember.Config{
		ApplicationName: "bench.app",
		ServerAddress:   srv.URL,
		Tags:            map[string]string{"env": "prod", "teams": "a, b"},
		UploadRate:      time.Hour,
		ProfileTypes: []ember.ProfileType{ember.ProfileCPU, ember.ProfileAllocSpace, ember.ProfileInuseSpace,
			ember.ProfileGoroutines, ember.ProfileMutexCount, ember.ProfileBlockDuration},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Stop()
	p.Flush(true)
	requests.Store(0)
	body.Store(0)
	b.ReportAllocs()
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		work()
		b.StartTimer()
		cpu0 := processCPU()
		p.Flush(true)
		cpu += processCPU() - cpu0
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/interval")
	b.ReportMetric(float64(requests.Load())/float64(b.N), "requests/interval")
	b.ReportMetric(float64(body.Load())/float64(b.N), "bytes/interval")
}

// processCPU is the process's user and system CPU time so far: the
// waits for the retry's backoff take none.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// work contends on a mutex and allocates from four goroutines, so that
// every profile type has samples.
func work() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 300 {
				mu.Lock()
				sink = make([]byte, 4096)
				for i := range 2000 {
					sink[i%4096] ^= byte(i)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

var sink []byte
