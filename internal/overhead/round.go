package overhead

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// RoundSpec says what one round runs.
type RoundSpec struct {
	Workload string
	Settings Settings
	Mode     string
	Workers  int           // goroutines of workload (lock uses 4 per worker)
	Rate     float64       // HTTP requests per second
	Warmup   time.Duration // run before measuring, profiler on
	Duration time.Duration // measured
}

// RoundResult is what one round measured.
type RoundResult struct {
	Spec        RoundSpec
	Units       uint64        // workload units done while measuring
	CPU         time.Duration // process CPU time while measuring
	Wall        time.Duration
	P50, P99    time.Duration // HTTP latency from each request's due time
	Requests    int           // requests that completed while measuring
	Missed      uint64        // requests not sent: too many outstanding
	Failed      uint64
	PeakRSS     uint64             // bytes, VmHWM at the end of the round
	PeakHeap    uint64             // bytes in heap objects, highest sample while measuring
	HeapLive    uint64             // live heap after the last GC of the measurement
	Intervals   uint64             // whole profiler intervals inside the measurement
	UploadBytes float64            // compressed bytes per interval, all types
	ByType      map[string]float64 // compressed bytes per interval, per type
	// From the profiler's own CPU profiles of the measurement (see selfCPU):
	SampledCPU int64      // CPU nanoseconds sampled, all code
	SelfCPU    int64      // of those, in profiler code
	SelfTop    []FuncCost // profiler functions with the most CPU (flat)
}

// SelfShare returns the share of the sampled CPU spent in profiler code.
func (r RoundResult) SelfShare() float64 {
	if r.SampledCPU == 0 {
		return 0
	}
	return float64(r.SelfCPU) / float64(r.SampledCPU)
}

// CPUPerUnit returns CPU nanoseconds per unit of work.
func (r RoundResult) CPUPerUnit() float64 {
	if r.Units == 0 {
		return 0
	}
	return float64(r.CPU.Nanoseconds()) / float64(r.Units)
}

// RunRound runs one round in this process. Call it in a process of its own:
// it measures the whole process.
func RunRound(spec RoundSpec) (RoundResult, error) {
	res := RoundResult{Spec: spec}
	w, ok := LookupWorkload(spec.Workload)
	if !ok {
		return res, fmt.Errorf("unknown workload %q", spec.Workload)
	}
	mode, ok := LookupMode(spec.Mode)
	if !ok {
		return res, fmt.Errorf("unknown mode %q", spec.Mode)
	}

	svc, err := startService()
	if err != nil {
		return res, err
	}
	defer svc.close()
	ld := newLoad(svc.url, spec.Rate)
	stopLoad := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); ld.run(stopLoad) }()

	var stopWork atomic.Bool
	var done atomic.Uint64
	go func() { defer bg.Done(); w.Run(&stopWork, spec.Workers, &done) }()

	// Workloads set up first (goroutines, a big heap); start once work flows.
	for setup := time.Now(); done.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Since(setup) > time.Minute {
			stopWork.Store(true)
			close(stopLoad)
			bg.Wait()
			return res, fmt.Errorf("workload %s did no work for a minute", spec.Workload)
		}
	}

	sink := NewSink(spec.Settings.Interval * 9 / 10)
	stopProfiler, err := mode.Start(spec.Settings, sink)
	if err != nil {
		stopWork.Store(true)
		close(stopLoad)
		bg.Wait()
		return res, fmt.Errorf("starting %s: %w", spec.Mode, err)
	}
	time.Sleep(spec.Warmup)

	heap := newHeapSampler()
	start, cpu0, units0 := time.Now(), processCPU(), done.Load()
	sink.Measure(start)
	ld.recording.Store(true)
	deadline := time.NewTimer(spec.Duration)
	tick := time.NewTicker(100 * time.Millisecond)
	for measuring := true; measuring; {
		select {
		case <-deadline.C:
			measuring = false
		case <-tick.C:
			res.HeapLive = heap.sample()
		}
	}
	tick.Stop()
	ld.recording.Store(false)
	end := time.Now()
	res.CPU, res.Units, res.Wall = processCPU()-cpu0, done.Load()-units0, end.Sub(start)
	res.HeapLive = heap.sample()
	res.PeakHeap = heap.peak
	sink.Close(end)

	stopWork.Store(true)
	close(stopLoad)
	bg.Wait()
	if err := stopProfiler(); err != nil {
		return res, fmt.Errorf("stopping %s: %w", spec.Mode, err)
	}
	res.P50, res.P99, res.Requests = ld.percentiles()
	res.Missed, res.Failed = ld.missed.Load(), ld.failed.Load()
	res.Intervals, res.UploadBytes, res.ByType = sink.PerInterval()
	res.PeakRSS = peakRSS()
	// Decoding happens after the measurement, so it costs the round nothing.
	res.SampledCPU, res.SelfCPU, res.SelfTop, err = selfCPU(sink.CPUProfiles(), 15)
	return res, err
}
