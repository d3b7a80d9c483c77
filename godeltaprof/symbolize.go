//go:build go1.26 && !go1.28

package godeltaprof

import (
	"runtime"
	"strings"

	"github.com/emberprof/ember/internal/pprofenc"
)

// symbolizer turns stacks of return PCs into location IDs of an encoder,
// grouping inlined frames into one location the way runtime/pprof does, so
// our profiles and the runtime's show the same stacks.
type symbolizer struct {
	enc    *pprofenc.Encoder
	locs   map[locKey]uint64
	shapes bool // keep generic type shapes in function names

	// Per-PC frames, kept only while symbolizing one profile's new stacks:
	// after the first profile, few PCs are new, and the map would
	// otherwise keep its largest size for good.
	frames map[uintptr][]runtime.Frame
	lines  []pprofenc.Line
	stk    []uintptr // the stack being symbolized, expanded
}

// locKey identifies a location: its leaf PC and how many of the following
// PCs (inline marks of the same physical call) it absorbs.
type locKey struct {
	pc uintptr
	n  int
}

func newSymbolizer(enc *pprofenc.Encoder, shapes bool) *symbolizer {
	return &symbolizer{enc: enc, locs: make(map[locKey]uint64), shapes: shapes}
}

// done drops the per-PC cache; locations stay.
func (s *symbolizer) done() { s.frames = nil }

// appendLocs appends the location IDs of stk, a stack of return PCs with
// inlined calls already present as separate PCs (the runtime's "logical"
// stacks), leaf first.
func (s *symbolizer) appendLocs(locs []uint64, stk []uintptr) []uint64 {
	// The runtime may have cut the stack in the middle of an inlined
	// call; recover the callers of that last frame. It rewrites the slice
	// it is given in place, and stk may be the runtime's own, so it gets
	// a copy.
	s.stk = runtime_expandFinalInlineFrame(append(s.stk[:0], stk...))
	stk = s.stk
	for i := 0; i < len(stk); {
		fr := s.pcFrames(stk[i])
		if len(fr) == 0 { // runtime.goexit
			i++
			continue
		}
		j := i + 1
		last := fr[len(fr)-1]
		for j < len(stk) {
			next := s.pcFrames(stk[j])
			if len(next) == 0 || !inlinedInto(last, next[0]) {
				break
			}
			last = next[len(next)-1]
			j++
		}
		locs = append(locs, s.location(stk[i:j]))
		i = j
	}
	return locs
}

// inlinedInto reports whether last, the outermost frame so far of a
// location, was inlined into next, so that both belong to one location.
func inlinedInto(last, next runtime.Frame) bool {
	if last.Func != nil || last.Entry == 0 || next.Entry == 0 || last.Entry != next.Entry {
		return false
	}
	// Same entry and same name: recursion, not inlining.
	return runtime_FrameSymbolName(&last) != runtime_FrameSymbolName(&next)
}

func (s *symbolizer) location(pcs []uintptr) uint64 {
	key := locKey{pcs[0], len(pcs)}
	if id, ok := s.locs[key]; ok {
		return id
	}
	lines := s.lines[:0]
	ok := true
	var addr uintptr
	for k, pc := range pcs {
		for _, f := range s.pcFrames(pc) {
			if k == 0 && addr == 0 {
				addr = f.PC
			}
			if f.Function == "" || f.File == "" || f.Line == 0 {
				ok = false
			}
			name := runtime_FrameSymbolName(&f)
			if !s.shapes {
				name = printedName(name)
			}
			lines = append(lines, pprofenc.Line{
				Function:   name,
				SystemName: name,
				File:       f.File,
				Line:       int64(f.Line),
				StartLine:  int64(runtime_FrameStartLine(&f)),
			})
		}
	}
	s.lines = lines
	id := s.enc.AddLocation(uint64(addr), lines, ok)
	s.locs[key] = id
	return id
}

// pcFrames returns the frames of one return PC: usually one, more when the
// PC is the last of a stack cut inside inlined calls. runtime.goexit gives
// none, as in runtime/pprof.
func (s *symbolizer) pcFrames(pc uintptr) []runtime.Frame {
	if fr, ok := s.frames[pc]; ok {
		return fr
	}
	if s.frames == nil {
		s.frames = make(map[uintptr][]runtime.Frame)
	}
	var fr []runtime.Frame
	frames := runtime.CallersFrames([]uintptr{pc})
	for {
		f, more := frames.Next()
		if f.Function == "runtime.goexit" {
			break
		}
		if f.PC == 0 {
			f.PC = pc - 1
		}
		fr = append(fr, f)
		if !more {
			break
		}
	}
	s.frames[pc] = fr
	return fr
}

// heapStack drops the runtime's allocation frames from the top of a heap
// stack, as runtime/pprof does, unless nothing would be left.
func heapStack(stk []uintptr) []uintptr {
	for i, pc := range stk {
		if f := runtime.FuncForPC(pc); f != nil {
			name := f.Name()
			if strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "internal/runtime/") {
				continue
			}
		}
		return stk[i:]
	}
	return stk
}

// expandStack expands a stack of physical return PCs (as block and mutex
// records hold them) into logical ones, at most max frames, like
// runtime/pprof's expandInlinedFrames.
func expandStack(dst, stk []uintptr, max int) []uintptr {
	frames := runtime.CallersFrames(stk)
	for len(dst) < max {
		f, more := frames.Next()
		dst = append(dst, f.PC+1)
		if !more {
			break
		}
	}
	return dst
}
