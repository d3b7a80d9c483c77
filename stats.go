package ember

import (
	"time"

	"github.com/emberprof/ember/internal/cpuprof"
	"github.com/emberprof/ember/upstream"
)

// Stats is a snapshot of what a Profiler did.
type Stats struct {
	// Intervals counts the intervals completed.
	Intervals uint64
	// Profiles counts, per runtime profile ("cpu", "heap", "goroutines",
	// "mutex", "block", "goroutine_leak"), what happened at each interval.
	// Skipped counts CPU intervals lost to another holder of the CPU
	// profile, and goroutine profiles over MaxGoroutinesForProfile.
	Profiles map[string]ProfileStats
	// ForcedGCs counts the garbage collections Ember ran because none had
	// completed for a minute, or at Stop (see Config.DisableGCRuns).
	ForcedGCs uint64
	// CPUSamplingGap is the time, since Start, that CPU sampling was off
	// while the runtime's CPU profile was restarted at interval boundaries
	// (and for on-demand profiles of ember/http/pprof). Go can run one CPU
	// profile at a time, and stopping one waits until the runtime has
	// built it, so each restart leaves a gap: about a millisecond on an
	// idle machine, more under heavy load. CPU time in a gap is not in any
	// profile.
	CPUSamplingGap time.Duration
	// DeltaPath is how the heap, mutex and block profiles are read:
	// "fast" (the runtime's records, directly) or "portable" (through
	// runtime/pprof, about 50 times the CPU), as godeltaprof.ReadPath
	// decided; Start logs it with the reason. Empty without those types.
	DeltaPath string
	// Upload counts what the upstream did with the profiles: enqueued,
	// delivered, retried, failed, dropped, bytes sent, last error.
	Upload upstream.Stats
}

// ProfileStats counts the intervals of one runtime profile.
type ProfileStats struct {
	Collected uint64 // Profiles taken and handed to the upstream.
	Skipped   uint64 // Intervals left out on purpose, and logged.
	Failed    uint64 // Intervals whose profile could not be taken.
	LastError string // Why the last failure happened.
}

// Stats returns a snapshot of the profiler's counters.
func (p *Profiler) Stats() Stats {
	if p == nil {
		return Stats{}
	}
	s := p.session.Stats()
	out := Stats{
		Intervals: s.Intervals,
		Profiles:  make(map[string]ProfileStats, len(s.Types)),
		ForcedGCs: s.ForcedGCs,
		DeltaPath: s.DeltaPath,
		Upload:    p.up.Stats(),

		CPUSamplingGap: cpuprof.ReadStats().GapTotal - p.cpuAtStart.GapTotal,
	}
	for t, ts := range s.Types {
		out.Profiles[string(t)] = ProfileStats(ts)
	}
	return out
}
