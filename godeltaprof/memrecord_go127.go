//go:build go1.27 && !go1.28

package godeltaprof

import (
	"math"
	_ "unsafe" // for go:linkname
)

// memRecord mirrors internal/profilerecord.MemProfileRecord of Go 1.27,
// which keeps one object size per bucket instead of byte totals.
type memRecord struct {
	ObjectSize                int64
	AllocObjects, FreeObjects int64
	Stack                     []uintptr
}

//go:linkname runtime_memProfile runtime.pprof_memProfileInternal
func runtime_memProfile(p []memRecord, inuseZero bool) (n int, ok bool)

// heapValues returns a record's values as runtime/pprof writes them at rate:
// alloc objects and bytes, inuse objects and bytes, all unsampled; and the
// object size it labels the sample with.
func heapValues(r *memRecord, rate int64) (v [4]int64, size int64) {
	v[0], v[1] = scaleHeapSample(r.AllocObjects, r.ObjectSize, rate)
	v[2], v[3] = scaleHeapSample(r.AllocObjects-r.FreeObjects, r.ObjectSize, rate)
	return v, r.ObjectSize
}

// scaleHeapSample is runtime/pprof's estimate of the unsampled count and
// bytes from sampled objects of one size: each was taken with probability
// 1-exp(-size/rate).
func scaleHeapSample(count, size, rate int64) (int64, int64) {
	if count == 0 || size == 0 {
		return 0, 0
	}
	if rate <= 1 {
		return count, count * size
	}
	scale := 1 / (1 - math.Exp(-float64(size)/float64(rate)))
	return int64(float64(count) * scale), int64(float64(count*size) * scale)
}
