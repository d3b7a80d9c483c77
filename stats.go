package ember

import "github.com/emberprof/ember/upstream"

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
	// completed during an interval (see Config.DisableGCRuns).
	ForcedGCs uint64
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
		Upload:    p.up.Stats(),
	}
	for t, ts := range s.Types {
		out.Profiles[string(t)] = ProfileStats(ts)
	}
	return out
}
