package overhead

import (
	"context"
	"sync"
	"time"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// Sink is an in-memory upstream.Upstream that counts how many profiles and
// compressed bytes of each type arrived, and of those, the ones that cover a
// whole interval inside a measurement window. Of profiles it keeps only the
// CPU profiles inside the window.
type Sink struct {
	mu       sync.Mutex
	from     time.Time     // the window, set by Measure
	until    time.Time     // zero while the window is open
	minSpan  time.Duration // a whole interval is at least this long
	profiles map[interval.Type]uint64
	bytes    map[interval.Type]uint64
	total    upstream.Stats
	uploads  map[interval.Type]uint64 // every profile, in or out of the window
	cpu      [][]byte                 // CPU profiles inside the window, for selfCPU
	kept     uint64                   // bytes held by cpu
}

// NewSink returns a Sink that counts profiles at least minSpan long as whole
// intervals.
func NewSink(minSpan time.Duration) *Sink {
	return &Sink{
		minSpan:  minSpan,
		profiles: map[interval.Type]uint64{},
		bytes:    map[interval.Type]uint64{},
		uploads:  map[interval.Type]uint64{},
	}
}

// Measure opens the measurement window at from; only profiles that begin
// at or after from, and end before the window is closed, are counted per
// interval.
func (s *Sink) Measure(from time.Time) {
	s.mu.Lock()
	s.from = from
	s.mu.Unlock()
}

// Close closes the measurement window at until.
func (s *Sink) Close(until time.Time) {
	s.mu.Lock()
	s.until = until
	s.mu.Unlock()
}

// Upload counts p and lets it go.
func (s *Sink) Upload(p *interval.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total.Enqueued++
	s.total.Delivered++
	s.total.BytesSent += uint64(len(p.Data))
	s.uploads[p.Type]++
	inWindow := !s.from.IsZero() && !p.From.Before(s.from) && (s.until.IsZero() || !p.Until.After(s.until))
	if inWindow && p.Until.Sub(p.From) >= s.minSpan {
		s.profiles[p.Type]++
		s.bytes[p.Type] += uint64(len(p.Data))
		if p.Type == interval.TypeCPU {
			s.cpu = append(s.cpu, p.Data)
			s.kept += uint64(cap(p.Data))
		}
	}
}

// PerInterval returns the number of whole intervals counted (the most
// profiles of any one type) and the mean compressed bytes per interval, all
// types together, with each type's mean.
func (s *Sink) PerInterval() (intervals uint64, bytes float64, byType map[string]float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byType = map[string]float64{}
	for t, n := range s.profiles {
		intervals = max(intervals, n)
		b := float64(s.bytes[t]) / float64(n)
		byType[string(t)] = b
		bytes += b
	}
	return intervals, bytes, byType
}

// Uploads returns how many profiles of type t arrived, in or out of the
// window.
func (s *Sink) Uploads(t interval.Type) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads[t]
}

// CPUProfiles returns the CPU profiles that covered whole intervals inside
// the window.
func (s *Sink) CPUProfiles() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cpu
}

// Kept returns the bytes of profile data the Sink holds (the CPU profiles
// inside the window), which a measurement of the profiler's heap subtracts.
func (s *Sink) Kept() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept
}

// Flush returns at once: a Sink delivers at Upload.
func (s *Sink) Flush(context.Context) error { return nil }

// Shutdown returns at once: a Sink holds nothing.
func (s *Sink) Shutdown(context.Context) error { return nil }

// Stats returns the counts of every profile uploaded, in or out of the window.
func (s *Sink) Stats() upstream.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}
