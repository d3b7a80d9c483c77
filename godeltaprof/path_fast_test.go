//go:build go1.26 && !go1.28

package godeltaprof

import (
	"runtime"
	"strings"
	"testing"
)

// TestLayoutCheckCatchesWrongValues: the check itself fails when the
// values read directly are not the ones runtime.MemProfile reports.
func TestLayoutCheckCatchesWrongValues(t *testing.T) {
	// 16 MB in 4 KB pieces: at the default 512 KB sampling rate, heap
	// records exist for sure (the chance of none is e^-32).
	for range 4096 {
		allocated = append(allocated, make([]byte, 4096))
	}
	allocated = nil
	runtime.GC()
	if err := checkMemLayout(readMemProfile); err != nil {
		t.Fatalf("check fails on the true layout: %v", err)
	}
	shifted := func(p []memRecord) (int, bool) { // as if read one field off
		n, ok := readMemProfile(p)
		for i := range p[:min(n, len(p))] {
			p[i].AllocObjects, p[i].FreeObjects = p[i].FreeObjects, 0
		}
		return n, ok
	}
	err := checkMemLayout(shifted)
	if err == nil || !strings.Contains(err.Error(), "runtime.MemProfile") {
		t.Fatalf("check passes with fields shifted: %v", err)
	}
	t.Log(err)
}

var allocated [][]byte
