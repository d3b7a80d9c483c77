//go:build !linux

package cpuprof

import "time"

var processStart = time.Now()

// threadCPU falls back to wall time where per-thread CPU time is not at hand;
// the tests' tolerance then assumes an otherwise idle machine.
func threadCPU() time.Duration { return time.Since(processStart) }
