//go:build !linux

package spanprofile_test

import "time"

// threadCPUTime reports that this system has no thread CPU clock here; the
// server tests skip.
func threadCPUTime() (time.Duration, bool) { return 0, false }
