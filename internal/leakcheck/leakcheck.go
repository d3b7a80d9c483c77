// Package leakcheck lets tests assert that the goroutines they started
// are gone.
package leakcheck

import (
	"runtime"
	"testing"
	"time"
)

// Wait fails t, listing every goroutine, unless the goroutine count drops
// to at most before within two seconds (goroutines that were told to end
// may take a moment to do so).
func Wait(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
