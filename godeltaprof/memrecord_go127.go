//go:build go1.27 && !go1.28

package godeltaprof

import _ "unsafe" // for go:linkname

// memRecord mirrors internal/profilerecord.MemProfileRecord of Go 1.27,
// which keeps one object size per bucket instead of byte totals.
type memRecord struct {
	ObjectSize                int64
	AllocObjects, FreeObjects int64
	Stack                     []uintptr
}

// counts returns the record's alloc objects, free objects, alloc bytes
// and free bytes, as runtime.MemProfileRecord has them.
func (r *memRecord) counts() [4]int64 {
	return [4]int64{r.AllocObjects, r.FreeObjects, r.AllocObjects * r.ObjectSize, r.FreeObjects * r.ObjectSize}
}

//go:linkname runtime_memProfile runtime.pprof_memProfileInternal
func runtime_memProfile(p []memRecord, inuseZero bool) (n int, ok bool)

// heapValues returns a record's values as runtime/pprof writes them at the
// scaler's rate: alloc objects and bytes, inuse objects and bytes, all
// unsampled; and the object size it labels the sample with.
func heapValues(r *memRecord, s *heapScaler) (v [4]int64, size int64) {
	v[0], v[1] = scaleHeapSample(r.AllocObjects, r.ObjectSize, s)
	v[2], v[3] = scaleHeapSample(r.AllocObjects-r.FreeObjects, r.ObjectSize, s)
	return v, r.ObjectSize
}

// scaleHeapSample is runtime/pprof's scaling of a sampled count of objects
// of one size.
func scaleHeapSample(count, size int64, s *heapScaler) (int64, int64) {
	if count == 0 || size == 0 {
		return 0, 0
	}
	if s.rate <= 1 {
		return count, count * size
	}
	return s.scale(count, float64(count*size), float64(size))
}
