package overhead

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// Mutex and block sampling rates the "all" settings switch on, when the
// application has not set its own.
const (
	allMutexFraction = 10
	allBlockRate     = 10000 // nanoseconds blocked per sampled event
)

// startPprof profiles with runtime/pprof alone, the way a simple continuous
// profiler would: every interval it cuts the CPU profile and writes the
// cumulative heap (and, with all settings, goroutine, mutex and block)
// profiles, and uploads each. It is the yardstick Ember is compared with.
func startPprof(s Settings, up upstream.Upstream) (func() error, error) {
	p := &pprofProfiler{settings: s, up: up, stop: make(chan struct{}), from: time.Now()}
	if s.all() {
		p.restore = enableContention()
	}
	if err := pprof.StartCPUProfile(&p.cpu); err != nil {
		if p.restore != nil {
			p.restore()
		}
		return nil, err
	}
	p.wg.Add(1)
	go p.loop()
	return p.close, nil
}

// enableContention switches mutex and block profiling on where the
// application left them off, and returns what undoes it.
func enableContention() (restore func()) {
	prevMutex := runtime.SetMutexProfileFraction(-1)
	if prevMutex == 0 {
		runtime.SetMutexProfileFraction(allMutexFraction)
	}
	runtime.SetBlockProfileRate(allBlockRate)
	return func() {
		runtime.SetMutexProfileFraction(prevMutex)
		runtime.SetBlockProfileRate(0)
	}
}

type pprofProfiler struct {
	settings Settings
	up       upstream.Upstream
	stop     chan struct{}
	wg       sync.WaitGroup
	restore  func()
	cpu      bytes.Buffer
	from     time.Time
}

func (p *pprofProfiler) loop() {
	defer p.wg.Done()
	t := time.NewTicker(p.settings.Interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.collect(true)
		}
	}
}

func (p *pprofProfiler) close() error {
	close(p.stop)
	p.wg.Wait()
	p.collect(false)
	if p.restore != nil {
		p.restore()
	}
	return nil
}

// collect ends the interval: it cuts the CPU profile (restarting it if
// again is set) and writes the other profiles.
func (p *pprofProfiler) collect(again bool) {
	until := time.Now()
	pprof.StopCPUProfile()
	cpu := bytes.Clone(p.cpu.Bytes())
	p.cpu.Reset()
	if again {
		// If this fails, the CPU profile of the next interval is empty.
		_ = pprof.StartCPUProfile(&p.cpu)
	}
	p.upload(interval.TypeCPU, until, cpu)
	p.write(interval.TypeHeap, "heap", until)
	if p.settings.all() {
		p.write(interval.TypeGoroutines, "goroutine", until)
		p.write(interval.TypeMutex, "mutex", until)
		p.write(interval.TypeBlock, "block", until)
	}
	p.from = until
}

func (p *pprofProfiler) write(t interval.Type, name string, until time.Time) {
	var b bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&b, 0); err == nil {
		p.upload(t, until, b.Bytes())
	}
}

func (p *pprofProfiler) upload(t interval.Type, until time.Time, data []byte) {
	p.up.Upload(&interval.Profile{Application: "overhead", Type: t, From: p.from, Until: until, Data: data})
}
