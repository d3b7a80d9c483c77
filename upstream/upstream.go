// Package upstream defines where Ember's finished profiles go.
//
// A profile flows one way: the session collects it, encodes it, and hands it
// to an [Upstream]. Implementations live in their own packages:
// upstream/remote delivers to a Grafana Pyroscope server, upstream/file
// writes files that `go tool pprof` opens.
//
// An Upstream owns the profiles handed to it and must never keep the
// profiled application waiting: Upload queues and returns, delivery happens
// elsewhere, and Shutdown is bounded by the caller's context.
package upstream

import (
	"context"
	"time"
)

// Type names the profile a [Profile] carries. One Profile of a Type holds
// every sample type of that runtime profile (a heap profile carries
// alloc_objects, alloc_space, inuse_objects and inuse_space).
type Type string

// The profile types Ember collects.
const (
	TypeCPU           Type = "cpu"            // CPU time, sampled at 100 Hz.
	TypeHeap          Type = "heap"           // Allocations (per-interval deltas) and in-use memory.
	TypeGoroutines    Type = "goroutines"     // Stacks of all goroutines at the end of the interval.
	TypeMutex         Type = "mutex"          // Mutex contention, per-interval deltas.
	TypeBlock         Type = "block"          // Blocking on synchronisation, per-interval deltas.
	TypeGoroutineLeak Type = "goroutine_leak" // Goroutines the runtime proved leaked.
)

// Profile is one finished profile of one type over one interval.
type Profile struct {
	// Application is the service name the profile belongs to, without tags.
	Application string
	// Tags are the labels of the series: the user's static tags plus those
	// Ember adds (such as the session ID). Keys and values are already
	// validated; an Upstream encodes them as its protocol needs.
	Tags map[string]string
	// Type says which runtime profile Data holds.
	Type Type
	// SampleTypes lists the sample types (pprof's sample_type names, such as
	// "alloc_space") the user asked for; nil means all of them.
	SampleTypes []string
	// From and Until bound the interval the profile covers: From is
	// inclusive, Until exclusive, and consecutive profiles of one session
	// adjoin (one's Until is the next one's From).
	From, Until time.Time
	// Data is the profile as gzip-compressed pprof protobuf.
	Data []byte
}

// Upstream receives finished profiles and delivers them somewhere.
// Its methods are safe for concurrent use.
type Upstream interface {
	// Upload hands p over for delivery. It returns without waiting for
	// I/O. The Upstream owns p afterwards; the caller must not change it.
	// After Shutdown, profiles are dropped and counted as such.
	Upload(p *Profile)
	// Flush returns once every profile handed over before the call has been
	// delivered or given up on, or when ctx is done, whichever is first.
	Flush(ctx context.Context) error
	// Shutdown stops taking profiles, delivers what is queued until ctx is
	// done, then cancels what is left and releases every resource (no
	// goroutine of the Upstream outlives it). The error reports profiles
	// that were not delivered. Calling Shutdown again returns nil at once.
	Shutdown(ctx context.Context) error
	// Stats returns a snapshot of the Upstream's counters.
	Stats() Stats
}

// BatchUploader is an [Upstream] that takes each interval's profiles
// together, so that it can deliver them in one request. The session hands
// an interval's profiles to UploadBatch when the Upstream has it, and to
// Upload one by one otherwise.
type BatchUploader interface {
	Upstream
	// UploadBatch hands over every profile of one interval (they share
	// Application, Tags, From and Until) with Upload's contract.
	UploadBatch(profiles []*Profile)
}

// Stats counts what an Upstream did with the profiles handed to it.
// Every profile handed over ends up in exactly one of Delivered, Failed
// and Dropped, or is still pending: Enqueued = Delivered + Failed + Dropped
// + pending.
type Stats struct {
	Enqueued  uint64 // Profiles handed over by Upload.
	Delivered uint64 // Profiles the destination accepted.
	Retried   uint64 // Attempts repeated after a retryable failure.
	Failed    uint64 // Profiles given up on after an error.
	Dropped   uint64 // Profiles discarded unsent: queue full, or shut down.
	BytesSent uint64 // Body bytes of accepted deliveries.
	// LastError describes the most recent failure, with secrets removed;
	// empty if there was none.
	LastError string
	// LastErrorTime is when LastError happened.
	LastErrorTime time.Time
}

// Logger is what an Upstream logs through. Ember's root Logger satisfies it.
type Logger interface {
	Infof(format string, args ...any)
	Debugf(format string, args ...any)
	Errorf(format string, args ...any)
}
