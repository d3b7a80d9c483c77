//go:build go1.26 && !go1.27

package godeltaprof

import _ "unsafe" // for go:linkname

// memRecord mirrors internal/profilerecord.MemProfileRecord of Go 1.26.
type memRecord struct {
	AllocBytes, FreeBytes     int64
	AllocObjects, FreeObjects int64
	Stack                     []uintptr
}

// counts returns the record's alloc objects, free objects, alloc bytes
// and free bytes, as runtime.MemProfileRecord has them.
func (r *memRecord) counts() [4]int64 {
	return [4]int64{r.AllocObjects, r.FreeObjects, r.AllocBytes, r.FreeBytes}
}

//go:linkname runtime_memProfile runtime.pprof_memProfileInternal
func runtime_memProfile(p []memRecord, inuseZero bool) (n int, ok bool)

// heapValues returns a record's values as runtime/pprof writes them at the
// scaler's rate: alloc objects and bytes, inuse objects and bytes, all
// unsampled; and the object size it labels the sample with (0 when
// unknown).
func heapValues(r *memRecord, s *heapScaler) (v [4]int64, size int64) {
	v[0], v[1] = scaleHeapSample(r.AllocObjects, r.AllocBytes, s)
	v[2], v[3] = scaleHeapSample(r.AllocObjects-r.FreeObjects, r.AllocBytes-r.FreeBytes, s)
	if r.AllocObjects > 0 {
		size = r.AllocBytes / r.AllocObjects
	}
	return v, size
}

// scaleHeapSample is runtime/pprof's scaling of a sampled count and bytes
// of objects of average size bytes/count.
func scaleHeapSample(count, bytes int64, s *heapScaler) (int64, int64) {
	if count == 0 || bytes == 0 {
		return 0, 0
	}
	if s.rate <= 1 {
		return count, bytes
	}
	return s.scale(count, float64(bytes), float64(bytes)/float64(count))
}
