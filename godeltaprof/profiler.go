package godeltaprof

import (
	"io"
	"strings"
	"sync"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
)

// kind is one of the three profiles, with what runtime/pprof calls it and
// how it describes its values.
type kind struct {
	name        string // runtime/pprof.Lookup name
	sampleTypes []pprofenc.ValueType
	periodType  pprofenc.ValueType
	cumulative  int // leading sample values that become deltas
}

var (
	heapKind = &kind{
		name: "heap",
		sampleTypes: []pprofenc.ValueType{
			{Type: "alloc_objects", Unit: "count"},
			{Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"},
			{Type: "inuse_space", Unit: "bytes"},
		},
		periodType: pprofenc.ValueType{Type: "space", Unit: "bytes"},
		cumulative: 2,
	}
	mutexKind = &kind{
		name:        "mutex",
		sampleTypes: contentionTypes,
		periodType:  pprofenc.ValueType{Type: "contentions", Unit: "count"},
		cumulative:  2,
	}
	blockKind = &kind{
		name:        "block",
		sampleTypes: contentionTypes,
		periodType:  pprofenc.ValueType{Type: "contentions", Unit: "count"},
		cumulative:  2,
	}
	contentionTypes = []pprofenc.ValueType{
		{Type: "contentions", Unit: "count"},
		{Type: "delay", Unit: "nanoseconds"},
	}
)

// source writes one delta profile, whose window ends at now;
// implementations keep their own state and are called under the owning
// profiler's lock.
type source interface {
	profile(w io.Writer, now time.Time) error
}

// processStart approximates when the program started: package
// initialisation runs before main. The first profile's window starts here,
// because it holds everything the runtime recorded since then.
var processStart = time.Now()

// window tracks the time span a delta profile covers.
type window struct {
	prev time.Time
}

// next returns the start and length of the window ending at now, and makes
// now the start of the next one. Both are wall-clock nanoseconds, so one
// window's end is exactly the next one's start.
func (w *window) next(now time.Time) (startNanos, durationNanos int64) {
	if w.prev.IsZero() {
		w.prev = processStart
	}
	start := w.prev.UnixNano()
	w.prev = now
	return start, now.UnixNano() - start
}

// ProfileOptions changes how profiles are written. The profilers made
// without options use GenericsFrames: true.
type ProfileOptions struct {
	// GenericsFrames keeps the type shapes in the names of generic
	// functions (pkg.F[go.shape.int]), as runtime/pprof writes them. When
	// false, names print as pkg.F[...], so all instantiations of a generic
	// function are one function.
	GenericsFrames bool

	// LazyMappings is accepted for compatibility with pyroscope-go's
	// godeltaprof and changes nothing: mappings are read once per process,
	// when the first profiler is made.
	LazyMappings bool

	// Clock, if set, is what Profile reads as the current time: each
	// Profile call's window ends at Clock() and the next one starts there.
	// Nil means time.Now. A caller that cuts time into intervals of its
	// own can instead pass each interval's end to ProfileAt, which never
	// reads Clock.
	Clock func() time.Time

	// SampleTypes, if not empty, names the sample types profiles keep,
	// such as "alloc_space" and "inuse_space" for the heap profile or
	// "contentions" and "delay" for mutex and block profiles. They keep
	// the profile's own order, whatever the order here, and samples whose
	// kept values are all zero are left out, with the locations and
	// functions only they use. Deltas are computed on every value as
	// without the option, and cut as the profile is written, so the kept
	// values are exactly the ones a profile of every type has. A name the
	// profile does not have is ignored; if it has none of them, Profile
	// and ProfileAt return an error naming the types it has.
	SampleTypes []string

	// Labels are string labels put on every sample, sorted by key so
	// profiles are written the same way each time. A label replaces any
	// label of the same key the sample has, such as the heap profile's
	// numeric "bytes" label (the object size). pprof reads a label with
	// an empty value as no label.
	Labels map[string]string
}

// now returns the current time as o's Clock says.
func (o ProfileOptions) now() time.Time {
	if o.Clock != nil {
		return o.Clock()
	}
	return time.Now()
}

var defaultOptions = ProfileOptions{GenericsFrames: true, LazyMappings: true}

// newSource returns the fast source for k when this Go release has one
// and ReadPath chose it, unless fallback is set; otherwise the one built
// on runtime/pprof. When opts ask for sample types k does not have, it
// returns a source whose every profile fails, saying so.
func newSource(k *kind, opts ProfileOptions, fallback bool) source {
	c, err := newCut(k, opts)
	if err != nil {
		return failedSource{err}
	}
	if path, _ := readPath(); !fallback && path == PathFast {
		if s := newFastSource(k, opts, c); s != nil {
			return s
		}
	}
	return newFallbackSource(k, opts, c)
}

// failedSource is the source of a profiler whose options cannot be met.
type failedSource struct{ err error }

func (f failedSource) profile(io.Writer, time.Time) error { return f.err }

// printedName returns a function's symbol name with the type arguments of
// a generic function elided to "[...]", as runtime.Frame.Function has it.
func printedName(name string) string {
	i := strings.IndexByte(name, '[')
	j := strings.LastIndexByte(name, ']')
	if i < 0 || j <= i {
		return name
	}
	return name[:i] + "[...]" + name[j+1:]
}

// HeapProfiler writes delta heap profiles. It is safe for concurrent use;
// calls are serialised.
type HeapProfiler struct {
	mu   sync.Mutex
	src  source
	opts ProfileOptions
}

// NewHeapProfiler returns a HeapProfiler whose first Profile covers
// everything since the program started.
func NewHeapProfiler() *HeapProfiler {
	return NewHeapProfilerWithOptions(defaultOptions)
}

// NewHeapProfilerWithOptions returns a HeapProfiler that writes profiles as
// opts say.
func NewHeapProfilerWithOptions(opts ProfileOptions) *HeapProfiler {
	return &HeapProfiler{src: newSource(heapKind, opts, false), opts: opts}
}

// Profile writes, as gzipped pprof, the heap profile with alloc_objects and
// alloc_space as the change since the previous call (or since the program
// started, for the first call) and inuse_objects and inuse_space as they are
// now. Like runtime/pprof's heap profile, it reflects the most recently
// completed garbage collection. Stacks with nothing allocated in the window
// and nothing in use are left out. The profile's time is the start of the
// window and its duration the window's length. The window ends now, as
// the options' Clock says (time.Now without one).
func (p *HeapProfiler) Profile(w io.Writer) error {
	return p.ProfileAt(w, p.opts.now())
}

// ProfileAt is Profile with the window ending at now instead of the
// current time: the profile covers the previous window's end (or the
// program's start) to now, and the next window starts at now. A caller
// that cuts time into intervals of its own passes each interval's end, so
// the profiles' times agree with its intervals exactly.
func (p *HeapProfiler) ProfileAt(w io.Writer, now time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.src.profile(w, now)
}

// BlockProfiler writes delta mutex or block profiles. It is safe for
// concurrent use; calls are serialised.
type BlockProfiler struct {
	mu   sync.Mutex
	src  source
	opts ProfileOptions
}

// NewMutexProfiler returns a BlockProfiler for the mutex profile. The runtime
// records mutex contention only after runtime.SetMutexProfileFraction.
func NewMutexProfiler() *BlockProfiler {
	return NewMutexProfilerWithOptions(defaultOptions)
}

// NewMutexProfilerWithOptions returns a mutex BlockProfiler that writes
// profiles as opts say.
func NewMutexProfilerWithOptions(opts ProfileOptions) *BlockProfiler {
	return &BlockProfiler{src: newSource(mutexKind, opts, false), opts: opts}
}

// NewBlockProfiler returns a BlockProfiler for the block profile. The runtime
// records blocking only after runtime.SetBlockProfileRate.
func NewBlockProfiler() *BlockProfiler {
	return NewBlockProfilerWithOptions(defaultOptions)
}

// NewBlockProfilerWithOptions returns a block BlockProfiler that writes
// profiles as opts say.
func NewBlockProfilerWithOptions(opts ProfileOptions) *BlockProfiler {
	return &BlockProfiler{src: newSource(blockKind, opts, false), opts: opts}
}

// Profile writes, as gzipped pprof, the contentions and delay (in
// nanoseconds) recorded since the previous call (or since the program
// started, for the first call). Stacks with nothing new are left out. The
// profile's time is the start of the window and its duration the window's
// length. The window ends now, as the options' Clock says (time.Now
// without one).
func (p *BlockProfiler) Profile(w io.Writer) error {
	return p.ProfileAt(w, p.opts.now())
}

// ProfileAt is Profile with the window ending at now instead of the
// current time, as HeapProfiler.ProfileAt.
func (p *BlockProfiler) ProfileAt(w io.Writer, now time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.src.profile(w, now)
}
