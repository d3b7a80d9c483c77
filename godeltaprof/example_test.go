package godeltaprof_test

import (
	"bytes"
	"fmt"
	"log"
	"runtime"
	"sync"
	"time"

	"github.com/emberprof/ember/godeltaprof"
	"github.com/google/pprof/profile"
)

var kept [][]byte

func ExampleHeapProfiler() {
	heap := godeltaprof.NewHeapProfiler()
	// The first profile holds everything since the program started;
	// take it now so the next one covers only what follows.
	var buf bytes.Buffer
	if err := heap.Profile(&buf); err != nil {
		log.Fatal(err)
	}

	for range 100 {
		kept = append(kept, make([]byte, 1<<20))
	}
	// Heap profiles show allocations as of the last completed GC; one that
	// was already running during the loop may not count them yet.
	runtime.GC()
	runtime.GC()

	buf.Reset()
	if err := heap.Profile(&buf); err != nil {
		log.Fatal(err)
	}
	p, err := profile.ParseData(buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	var allocated int64
	for _, s := range p.Sample {
		allocated += s.Value[1] // alloc_space
	}
	// The runtime samples allocations (one per 512 KiB allocated, on
	// average) and the profile scales the samples back up: the total is
	// an estimate of the 100 MiB, not the exact figure.
	fmt.Println(p.SampleType[1].Type, allocated >= 50<<20)
	// Output: alloc_space true
}

func ExampleNewMutexProfiler() {
	runtime.SetMutexProfileFraction(1)
	defer runtime.SetMutexProfileFraction(0)
	mutex := godeltaprof.NewMutexProfiler()
	var buf bytes.Buffer
	if err := mutex.Profile(&buf); err != nil { // baseline
		log.Fatal(err)
	}

	// Hold a lock long enough for another goroutine to wait for it. On a
	// busy machine the waiter may not reach Lock in time, so try again
	// until the runtime has recorded the contention.
	var p *profile.Profile
	for try := 0; try < 100 && (p == nil || len(p.Sample) == 0); try++ {
		var mu sync.Mutex
		mu.Lock()
		done := make(chan bool)
		go func() {
			mu.Lock()
			mu.Unlock()
			close(done)
		}()
		time.Sleep(10 * time.Millisecond)
		mu.Unlock() // recorded here if the goroutine waits
		<-done

		buf.Reset()
		if err := mutex.Profile(&buf); err != nil {
			log.Fatal(err)
		}
		var err error
		if p, err = profile.ParseData(buf.Bytes()); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(p.SampleType[0].Type, p.SampleType[1].Type, p.SampleType[1].Unit, len(p.Sample) > 0)
	// Output: contentions delay nanoseconds true
}

func ExampleNewBlockProfiler() {
	runtime.SetBlockProfileRate(1)
	defer runtime.SetBlockProfileRate(0)
	block := godeltaprof.NewBlockProfiler()
	var buf bytes.Buffer
	if err := block.Profile(&buf); err != nil { // baseline
		log.Fatal(err)
	}

	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch

	buf.Reset()
	if err := block.Profile(&buf); err != nil {
		log.Fatal(err)
	}
	p, err := profile.ParseData(buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.PeriodType.Type, p.SampleType[1].Type)
	// Output: contentions delay
}

// Check which path the profilers run: a program (or a test in CI) can warn
// when a new Go release puts it on the portable path.
func ExampleReadPath() {
	path, why := godeltaprof.ReadPath()
	if path != godeltaprof.PathFast {
		log.Printf("godeltaprof runs the %s path: %s", path, why)
	}
	fmt.Println(path == godeltaprof.PathFast || path == godeltaprof.PathPortable)
	// Output: true
}

func ExampleHeapProfiler_ProfileAt() {
	heap := godeltaprof.NewHeapProfiler()
	// Intervals cut by the caller: each profile covers exactly the time
	// from the previous instant given to ProfileAt to this one.
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	if err := heap.ProfileAt(&buf, start); err != nil {
		log.Fatal(err)
	}
	buf.Reset()
	if err := heap.ProfileAt(&buf, start.Add(15*time.Second)); err != nil {
		log.Fatal(err)
	}
	p, err := profile.ParseData(buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(time.Unix(0, p.TimeNanos).UTC().Format(time.TimeOnly), time.Duration(p.DurationNanos))
	// Output: 12:00:00 15s
}

// Keep only the allocated bytes of the heap profile, and tag every sample
// with the service it comes from.
func ExampleProfileOptions() {
	heap := godeltaprof.NewHeapProfilerWithOptions(godeltaprof.ProfileOptions{
		GenericsFrames: true,
		SampleTypes:    []string{"alloc_space"},
		Labels:         map[string]string{"service": "checkout"},
	})
	for range 10 {
		kept = append(kept, make([]byte, 1<<20))
	}
	runtime.GC()
	runtime.GC()

	var buf bytes.Buffer
	if err := heap.Profile(&buf); err != nil {
		log.Fatal(err)
	}
	p, err := profile.ParseData(buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	labelled := len(p.Sample) > 0
	for _, s := range p.Sample {
		labelled = labelled && len(s.Label["service"]) == 1 && s.Label["service"][0] == "checkout"
	}
	fmt.Println(len(p.SampleType), p.SampleType[0].Type, labelled)
	// Output: 1 alloc_space true
}
