package cpuprof

import (
	"sync"
	"time"
)

// Stats describes the cuts made so far in this process.
type Stats struct {
	// Cuts counts restarts of the runtime profile at a window boundary.
	Cuts int64
	// GapTotal and GapMax are the total and the longest time with sampling
	// off at a cut: from just before the runtime profile was stopped (which
	// waits for the finished segment to be built) until it ran again.
	GapTotal, GapMax time.Duration
	// LostWindows counts windows that ended early because another caller
	// took or stopped the runtime CPU profile.
	LostWindows int64
}

var (
	statsMu sync.Mutex
	stats   Stats
)

// ReadStats returns a snapshot of the cut statistics.
func ReadStats() Stats {
	statsMu.Lock()
	defer statsMu.Unlock()
	return stats
}

func recordGap(d time.Duration) {
	statsMu.Lock()
	defer statsMu.Unlock()
	stats.Cuts++
	stats.GapTotal += d
	stats.GapMax = max(stats.GapMax, d)
}

func recordLoss() {
	statsMu.Lock()
	defer statsMu.Unlock()
	stats.LostWindows++
}
