// Package recorder is an upstream.Upstream that keeps every profile in
// memory, for tests of what Ember hands over.
package recorder

import (
	"context"
	"slices"
	"sync"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// Recorder records the profiles handed to it. The zero value is ready.
type Recorder struct {
	mu       sync.Mutex
	profiles []*interval.Profile
	flushes  int
	shut     bool
}

// Upload implements upstream.Upstream.
func (r *Recorder) Upload(p *interval.Profile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.shut {
		r.profiles = append(r.profiles, p)
	}
}

// Flush implements upstream.Upstream; everything is delivered at once.
func (r *Recorder) Flush(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
	return nil
}

// Shutdown implements upstream.Upstream.
func (r *Recorder) Shutdown(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shut = true
	return nil
}

// Stats implements upstream.Upstream.
func (r *Recorder) Stats() upstream.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := uint64(len(r.profiles))
	return upstream.Stats{Enqueued: n, Delivered: n}
}

// Profiles returns the profiles recorded so far, in order, optionally
// only those of the given type.
func (r *Recorder) Profiles(t ...interval.Type) []*interval.Profile {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(t) == 0 {
		return slices.Clone(r.profiles)
	}
	var out []*interval.Profile
	for _, p := range r.profiles {
		if slices.Contains(t, p.Type) {
			out = append(out, p)
		}
	}
	return out
}

// Flushes returns how many times Flush was called.
func (r *Recorder) Flushes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushes
}

// IsShutdown reports whether Shutdown was called.
func (r *Recorder) IsShutdown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shut
}
