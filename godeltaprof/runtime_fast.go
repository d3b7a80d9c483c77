//go:build go1.26 && !go1.28

package godeltaprof

import (
	"runtime"
	_ "unsafe" // for go:linkname
)

// The fast path reads the runtime's profile records directly through the
// functions runtime/pprof itself uses. Each is marked by the runtime as
// reachable by linkname ("hall of shame"), so they are stable for the Go
// releases this file builds for. Other releases use the fallback.

// blockRecord mirrors internal/profilerecord.BlockProfileRecord.
type blockRecord struct {
	Count  int64
	Cycles int64
	Stack  []uintptr
}

//go:linkname runtime_blockProfile runtime.pprof_blockProfileInternal
func runtime_blockProfile(p []blockRecord) (n int, ok bool)

//go:linkname runtime_mutexProfile runtime.pprof_mutexProfileInternal
func runtime_mutexProfile(p []blockRecord) (n int, ok bool)

//go:linkname runtime_cyclesPerSecond runtime/pprof.runtime_cyclesPerSecond
func runtime_cyclesPerSecond() int64

//go:linkname runtime_makeProfStack runtime.pprof_makeProfStack
func runtime_makeProfStack() []uintptr

//go:linkname runtime_FrameStartLine runtime/pprof.runtime_FrameStartLine
func runtime_FrameStartLine(f *runtime.Frame) int

//go:linkname runtime_FrameSymbolName runtime/pprof.runtime_FrameSymbolName
func runtime_FrameSymbolName(f *runtime.Frame) string

//go:linkname runtime_expandFinalInlineFrame runtime/pprof.runtime_expandFinalInlineFrame
func runtime_expandFinalInlineFrame(stk []uintptr) []uintptr

// readRecords fills buf with all records of a runtime profile function,
// growing it when the profile grew between the size query and the copy.
func readRecords[R any](buf []R, read func([]R) (int, bool)) []R {
	n, ok := read(buf[:cap(buf)])
	for !ok {
		buf = make([]R, n+n/8+64)
		n, ok = read(buf)
	}
	return buf[:n]
}
