package session

import (
	"sync"

	"github.com/emberprof/ember/interval"
)

// TypeStats counts what happened to one runtime profile's intervals.
type TypeStats struct {
	Collected uint64 // Profiles taken and handed to the upstream.
	Skipped   uint64 // Intervals left out on purpose (e.g. CPU profile busy).
	Failed    uint64 // Intervals whose collection failed.
	LastError string
}

// Stats is a snapshot of a session's counters.
type Stats struct {
	Intervals uint64                      // Intervals completed.
	ForcedGCs uint64                      // Collections run to refresh the heap profile.
	Types     map[interval.Type]TypeStats // Per runtime profile.
	DeltaPath string                      // godeltaprof.ReadPath's path, or "" without heap, mutex or block.
}

type counters struct {
	mu        sync.Mutex
	intervals uint64
	types     map[interval.Type]*TypeStats
}

func (c *counters) update(t interval.Type, f func(*TypeStats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.types == nil {
		c.types = make(map[interval.Type]*TypeStats)
	}
	s := c.types[t]
	if s == nil {
		s = &TypeStats{}
		c.types[t] = s
	}
	f(s)
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := Stats{Intervals: c.intervals, Types: make(map[interval.Type]TypeStats, len(c.types))}
	for t, s := range c.types {
		st.Types[t] = *s
	}
	return st
}
