//go:build unix

package pgo

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, user and system,
// which unlike wall time does not grow when other processes share the
// cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
