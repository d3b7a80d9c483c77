package cpuprof

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time used so far by the calling OS thread, which
// is what the runtime's per-thread profiling timers sample on Linux.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
