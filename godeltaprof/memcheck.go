//go:build go1.26 && !go1.28

package godeltaprof

import (
	"fmt"
	"runtime"
	"slices"
)

// hasFastPath is whether this Go release has a fast path at all.
const hasFastPath = true

// fastPathProblem checks the record layout this file was built for
// against the running runtime. Before the first GC the runtime's counts
// move with every sampled allocation, so a check that fails is tried
// again before it counts.
func fastPathProblem() (err error) {
	for range 3 {
		if err = checkMemLayout(readMemProfile); err == nil {
			return nil
		}
	}
	return err
}

// checkMemLayout reads the heap records with read (the direct path) and
// through runtime.MemProfile, which copies the same records field by
// field, and fails unless they agree: same stacks, same counts and bytes.
// The public records are read before and after, so a GC cycle publishing
// new counts in between does not count as a mismatch; a record new since
// may still go unmatched, so most records, not all, must match. With no
// records at all there is nothing to compare, and the check passes.
func checkMemLayout(read func([]memRecord) (int, bool)) error {
	before := publicMemRecords()
	direct := readRecords(nil, read)
	after := publicMemRecords()
	if len(direct) == 0 && len(before) == 0 {
		return nil
	}
	matched := 0
	for i := range direct {
		r := &direct[i]
		key, c := memStackKey(r.Stack), r.counts()
		if slices.Contains(before[key], c) || slices.Contains(after[key], c) {
			matched++
		}
	}
	if matched == 0 || matched < len(direct)*9/10 {
		return fmt.Errorf("%s: only %d of %d heap records read directly agree with runtime.MemProfile; the runtime's record layout is not the one this build of Ember reads",
			runtime.Version(), matched, len(direct))
	}
	return nil
}

// publicMemRecords returns runtime.MemProfile's records as counts by stack.
func publicMemRecords() map[[32]uintptr][][4]int64 {
	var recs []runtime.MemProfileRecord
	n, ok := runtime.MemProfile(nil, true)
	for !ok {
		recs = make([]runtime.MemProfileRecord, n+n/8+64)
		n, ok = runtime.MemProfile(recs, true)
	}
	m := make(map[[32]uintptr][][4]int64, n)
	for _, r := range recs[:n] {
		m[r.Stack0] = append(m[r.Stack0], [4]int64{r.AllocObjects, r.FreeObjects, r.AllocBytes, r.FreeBytes})
	}
	return m
}

// memStackKey is a stack as runtime.MemProfileRecord keeps it: its first 32
// frames, zero-padded.
func memStackKey(stk []uintptr) (key [32]uintptr) {
	copy(key[:], stk)
	return key
}
