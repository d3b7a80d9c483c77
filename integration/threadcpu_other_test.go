//go:build !linux

package integration_test

import "time"

// threadCPUTime is unavailable here; tests that need it skip.
func threadCPUTime() (time.Duration, bool) { return 0, false }
