// Package session runs Ember's clock: it cuts time into intervals aligned
// to multiples of the upload rate, takes every requested profile at each
// boundary, and hands them to an upstream with the same from/until.
//
// One goroutine does all of it, so collectors never run concurrently and
// Stop has exactly one goroutine to wait for.
package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/emberprof/ember/godeltaprof"
	"github.com/emberprof/ember/internal/collect"
	"github.com/emberprof/ember/internal/cpuprof"
	"github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/interval"
)

// Sink is the part of an upstream.Upstream the session uses: it hands each
// interval's profiles over and passes Flush and Stop on. Every
// upstream.Upstream is a Sink; declaring the interface here keeps the
// collecting side from importing the sink's package.
type Sink interface {
	Upload(p *interval.Profile)
	Flush(ctx context.Context) error
	Shutdown(ctx context.Context) error
}

// batchSink is the session's view of an upstream.BatchUploader.
type batchSink interface {
	UploadBatch(profiles []*interval.Profile)
}

// sampleLabeler is the session's view of an upstream.SampleLabeler.
type sampleLabeler interface {
	SampleLabels(tags map[string]string) map[string]string
}

// Options configure a Session. Application and Tags must already be
// validated (internal/labels).
type Options struct {
	Application   string
	Tags          map[string]string
	Rate          time.Duration
	ProfileTypes  []string // names such as "cpu" and "alloc_space"
	Upstream      Sink
	Logger        interval.Logger
	DisableGCRuns bool
	MaxGoroutines int // goroutine profile limit; 0 for the default, < 0 for none
	// FlushOnly ends intervals only at Flush and Stop, never on the clock
	// (pyroscope-go's DisableAutomaticResets).
	FlushOnly bool
}

// Session collects profiles until Stop.
type Session struct {
	opts       Options
	plan       map[interval.Type][]string
	tags       map[string]string
	cpu        *collect.CPU // nil if CPU was not asked for
	heap       *collect.Heap
	collectors []collect.Collector // all but CPU, in any order
	restore    []func()
	rewriter   pprofenc.Rewriter // reused: one goroutine cuts
	// labels go on every sample of every profile, as the sink asked
	// (sampleLabeler); both forms are built once, at Start.
	labels    map[string]string
	labelList []pprofenc.StringLabel
	from      time.Time                // the current interval's start
	deltaPath godeltaprof.Path         // how the delta profilers read; "" if none runs
	skipping  map[interval.Type]bool   // the type's last interval was skipped
	lastErr   map[interval.Type]string // the type's last failure, logged

	flushes  chan chan struct{}
	stopping chan struct{}
	done     chan struct{}
	stopped  atomic.Bool
	counters counters
}

// Start baselines every requested profile now and starts the clock.
func Start(o Options) (*Session, error) {
	p, err := plan(o.ProfileTypes)
	if err != nil {
		return nil, err
	}
	if o.Rate <= 0 {
		return nil, fmt.Errorf("upload rate %v is not positive", o.Rate)
	}
	s := &Session{
		opts:     o,
		plan:     p,
		tags:     maps.Clone(o.Tags),
		skipping: make(map[interval.Type]bool),
		lastErr:  make(map[interval.Type]string),
		flushes:  make(chan chan struct{}),
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.rewriter.Fix = sanitize
	if s.tags == nil {
		s.tags = make(map[string]string)
	}
	s.tags[IDTag] = ID()
	if l, ok := o.Upstream.(sampleLabeler); ok {
		s.labels = maps.Clone(l.SampleLabels(maps.Clone(s.tags)))
		for _, k := range slices.Sorted(maps.Keys(s.labels)) {
			s.labelList = append(s.labelList, pprofenc.StringLabel{Key: k, Value: s.labels[k]})
		}
	}
	if err := s.openCollectors(); err != nil {
		// Nothing may outlive a failed Start: not the CPU profile (the
		// runtime's writer goroutine and its growing segment), nor the rates.
		if s.cpu != nil {
			s.cpu.Close()
		}
		s.undoRates()
		return nil, err
	}
	go s.run()
	return s, nil
}

// openCollectors creates a collector per runtime profile in the plan, CPU
// first: its start is the session's, and the delta profilers take their
// baselines at that instant, so every type's first interval starts at the
// same moment.
func (s *Session) openCollectors() error {
	_, wantMutex := s.plan[interval.TypeMutex]
	if wantMutex {
		if undo, set := collect.EnableMutex(collect.DefaultMutexFraction); set {
			s.restore = append(s.restore, undo)
			s.opts.Logger.Infof("mutex profile fraction set to %d (Ember's default; put back at Stop)", collect.DefaultMutexFraction)
		}
	}
	if _, ok := s.plan[interval.TypeBlock]; ok {
		if undo, set := collect.EnableBlock(collect.DefaultBlockRate); set {
			s.restore = append(s.restore, undo)
			s.opts.Logger.Infof("block profile rate set to %d ns (Ember's default; turned off at Stop)", collect.DefaultBlockRate)
		}
	}
	s.from = time.Now()
	if _, ok := s.plan[interval.TypeCPU]; ok {
		cpu, err := collect.NewCPU()
		if err != nil {
			if !errors.Is(err, cpuprof.ErrInUse) {
				return fmt.Errorf("CPU profile: %w", err)
			}
			s.opts.Logger.Infof("CPU profile is in use by the application; CPU intervals are skipped until it is free")
		}
		s.cpu = cpu
		s.from = cpu.LastCut()
	}
	s.logDeltaPath()
	if _, ok := s.plan[interval.TypeHeap]; ok {
		h, err := collect.NewHeap(godeltaprof.NewHeapProfilerWithOptions(s.deltaOptions(interval.TypeHeap)), s.opts.DisableGCRuns, s.from)
		if err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
		s.heap = h
		s.collectors = append(s.collectors, h)
	}
	if _, ok := s.plan[interval.TypeGoroutines]; ok {
		limit := s.opts.MaxGoroutines
		if limit == 0 {
			limit = collect.DefaultMaxGoroutines
		}
		s.collectors = append(s.collectors, collect.NewGoroutines(limit))
	}
	if wantMutex {
		d, err := newDelta(interval.TypeMutex, godeltaprof.NewMutexProfilerWithOptions(s.deltaOptions(interval.TypeMutex)), s.from)
		if err != nil {
			return fmt.Errorf("mutex profile: %w", err)
		}
		s.collectors = append(s.collectors, d)
	}
	if _, ok := s.plan[interval.TypeBlock]; ok {
		d, err := newDelta(interval.TypeBlock, godeltaprof.NewBlockProfilerWithOptions(s.deltaOptions(interval.TypeBlock)), s.from)
		if err != nil {
			return fmt.Errorf("block profile: %w", err)
		}
		s.collectors = append(s.collectors, d)
	}
	if _, ok := s.plan[interval.TypeGoroutineLeak]; ok {
		l, err := collect.NewGoroutineLeaks()
		if err != nil {
			s.opts.Logger.Infof("goroutine_leak left out: %v", err)
			delete(s.plan, interval.TypeGoroutineLeak)
		} else {
			s.collectors = append(s.collectors, l)
		}
	}
	return nil
}

// deltaOptions makes the delta profiler of t write finished profiles:
// only the sample types the plan asks for, and the sink's labels on every
// sample, in the one encode that builds each profile.
func (s *Session) deltaOptions(t interval.Type) godeltaprof.ProfileOptions {
	return godeltaprof.ProfileOptions{
		GenericsFrames: true,
		SampleTypes:    s.plan[t],
		Labels:         s.labels,
	}
}

// readPath is godeltaprof.ReadPath; tests replace it.
var readPath = godeltaprof.ReadPath

// logDeltaPath says which path the heap, mutex and block profilers run,
// if any of them is planned: the portable one costs about 50 times the
// CPU of the fast one, which must not happen silently.
func (s *Session) logDeltaPath() {
	for _, t := range []interval.Type{interval.TypeHeap, interval.TypeMutex, interval.TypeBlock} {
		if _, ok := s.plan[t]; !ok {
			continue
		}
		path, why := readPath()
		s.deltaPath = path
		if path == godeltaprof.PathFast {
			s.opts.Logger.Infof("heap, mutex and block deltas: fast path (%s)", why)
		} else {
			s.opts.Logger.Infof("heap, mutex and block deltas: %s path, about 50 times the CPU of the fast path: %s", path, why)
		}
		return
	}
}

// newDelta is collect.NewDelta; tests replace it to make a collector fail.
var newDelta = collect.NewDelta

func (s *Session) run() {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var boundaries <-chan time.Time // nil with FlushOnly: never ready
	if !s.opts.FlushOnly {
		boundaries = timer.C
	}
	for {
		timer.Reset(time.Until(nextBoundary(s.from, s.opts.Rate)))
		select {
		case <-boundaries:
			s.cut(false)
		case ack := <-s.flushes:
			s.cut(false)
			close(ack)
		case <-s.stopping:
			s.cut(true)
			return
		}
	}
}

// cut ends the current interval: every collector's profile of it goes to
// the upstream with the same From and Until.
func (s *Session) cut(final bool) {
	type result struct {
		typ  interval.Type
		data []byte
	}
	results := make([]result, 0, len(s.collectors)+1)
	// The CPU window's cut decides the interval's end; without CPU, the
	// clock does. Every other collector is then told that instant.
	until := time.Now()
	if s.cpu != nil {
		data, err := safely(func() ([]byte, error) { return s.cpu.Cut(final) })
		until = s.cpu.LastCut()
		s.account(interval.TypeCPU, data, err)
		if data != nil {
			results = append(results, result{interval.TypeCPU, data})
		}
	}
	for _, c := range s.collectors {
		data, err := safely(func() ([]byte, error) { return c.Collect(until, final) })
		s.account(c.Type(), data, err)
		if data != nil {
			results = append(results, result{c.Type(), data})
		}
	}
	profiles := make([]*interval.Profile, 0, len(results))
	for _, r := range results {
		// Data is finished: cut to the plan's sample types (the delta
		// profilers write only those; the others have one), and
		// carrying s.labels.
		profiles = append(profiles, &interval.Profile{
			Application:  s.opts.Application,
			Tags:         s.tags,
			Type:         r.typ,
			SampleLabels: s.labels,
			From:         s.from,
			Until:        until,
			Data:         s.finish(r.typ, r.data, until),
		})
	}
	s.hand(profiles)
	s.from = until
	s.counters.mu.Lock()
	s.counters.intervals++
	s.counters.mu.Unlock()
}

// hand gives an interval's profiles to the upstream: all at once when it
// takes batches, one by one otherwise.
func (s *Session) hand(profiles []*interval.Profile) {
	if len(profiles) == 0 {
		return
	}
	if b, ok := s.opts.Upstream.(batchSink); ok {
		b.UploadBatch(profiles)
		return
	}
	for _, p := range profiles {
		s.opts.Upstream.Upload(p)
	}
}

// finish makes a profile runtime/pprof wrote what the sink gets, in one
// pass (pprofenc.Rewriter): it says it covers the current interval (the
// server files a profile under its own time_nanos; the runtime's CPU
// profile starts a cut gap after the boundary, and goroutine profiles
// carry the instant they were taken), its labels are sanitised (see
// [sanitize]) and s.labels are on every sample. The delta profilers'
// profiles come finished: their windows end at the until they were given,
// and they write the labels themselves. A profile that cannot be rewritten
// is still delivered as it is.
func (s *Session) finish(t interval.Type, data []byte, until time.Time) []byte {
	switch t {
	case interval.TypeHeap, interval.TypeMutex, interval.TypeBlock:
		return data
	}
	stamped, err := s.rewriter.Rewrite(data, pprofenc.Changes{
		Start: s.from,
		// Wall-clock nanoseconds, as the delta profilers count: time.Sub
		// would use the monotonic clock, and windows would no longer
		// adjoin exactly.
		Duration: time.Duration(until.UnixNano() - s.from.UnixNano()),
		Labels:   s.labelList,
	})
	if err != nil {
		s.opts.Logger.Errorf("%s profile is delivered as the runtime wrote it: %v", t, err)
		return data
	}
	return stamped
}

// sanitize makes the labels of a runtime/pprof profile (CPU, goroutines)
// acceptable to the server, inside the rewrite's decompression: the
// applications' pprof.Do labels may have any spelling. The delta profiles
// (heap, mutex, block) carry only the numeric "bytes" label Ember writes.
func sanitize(raw []byte) ([]byte, error) {
	out, _, err := labels.SanitizeProfile(raw)
	return out, err
}

// safely runs a collector's collect, turning a panic into an error: a bug
// in a collector costs that interval's profile, never the application.
func safely(collect func() ([]byte, error)) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("collector panicked: %v", r)
		}
	}()
	return collect()
}

func (s *Session) account(t interval.Type, data []byte, err error) {
	skip := errors.Is(err, collect.ErrSkipped)
	s.counters.update(t, func(ts *TypeStats) {
		switch {
		case data != nil:
			ts.Collected++
		case skip:
			ts.Skipped++
		default:
			ts.Failed++
		}
		if err != nil && !skip {
			ts.LastError = err.Error()
		}
	})
	s.log(t, skip, err)
}

// log reports a skip once when a run of skipped intervals begins (and
// when it ends), and a failure when its message differs from the type's
// previous one; repeats go to Debugf. What it keeps is bounded by the
// number of types.
func (s *Session) log(t interval.Type, skip bool, err error) {
	was := s.skipping[t]
	s.skipping[t] = skip
	switch {
	case err == nil:
		if was {
			s.opts.Logger.Infof("%s profile: collecting again", t)
		}
		delete(s.lastErr, t)
	case skip && !was:
		s.opts.Logger.Infof("%s profile: %v; skipping until that changes (counted in Stats)", t, err)
	case !skip && s.lastErr[t] != err.Error():
		s.opts.Logger.Errorf("%s profile: %v", t, err)
		s.lastErr[t] = err.Error()
	default:
		s.opts.Logger.Debugf("%s profile: %v", t, err)
	}
}

// Flush ends the current interval now and hands its profiles to the
// upstream; with wait, it then waits until the upstream delivered them or
// ctx is done. After Stop it returns nil at once.
func (s *Session) Flush(ctx context.Context, wait bool) error {
	if s.stopped.Load() {
		return nil
	}
	ack := make(chan struct{})
	select {
	case s.flushes <- ack:
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
	case <-ctx.Done():
		return ctx.Err()
	}
	if !wait {
		return nil
	}
	return s.opts.Upstream.Flush(ctx)
}

// Stop ends the last interval, hands its profiles to the upstream, puts
// back the profiling rates Ember set, and shuts the upstream down within
// ctx. A second call returns nil at once.
func (s *Session) Stop(ctx context.Context) error {
	if s.stopped.Swap(true) {
		return nil
	}
	close(s.stopping)
	<-s.done // the final cut is local work: no I/O, bounded
	s.undoRates()
	return s.opts.Upstream.Shutdown(ctx)
}

func (s *Session) undoRates() {
	for _, undo := range s.restore {
		undo()
	}
	s.restore = nil
}

// Stats returns a snapshot of the session's counters.
func (s *Session) Stats() Stats {
	st := s.counters.snapshot()
	st.DeltaPath = string(s.deltaPath)
	if s.heap != nil {
		st.ForcedGCs = s.heap.ForcedGCs()
	}
	return st
}
