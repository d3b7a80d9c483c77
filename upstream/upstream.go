// Package upstream defines where Ember's finished profiles go.
//
// A profile flows one way: the session collects it, encodes it, and hands it
// to an [Upstream]. The profile itself, its types and the logger every stage
// shares are package interval's vocabulary, which the collecting side
// imports instead of this package. Implementations live in their own packages:
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

	"github.com/emberprof/ember/interval"
)

// Profile is one finished profile of one type over one interval.
//
// Deprecated: Profile moved to package interval; use [interval.Profile].
// This alias stays so that existing code keeps compiling.
type Profile = interval.Profile

// Type names the profile a [Profile] carries.
//
// Deprecated: Type moved to package interval; use [interval.Type].
type Type = interval.Type

// The profile types Ember collects.
//
// Deprecated: the constants moved to package interval; use
// [interval.TypeCPU] and its siblings.
const (
	TypeCPU           = interval.TypeCPU
	TypeHeap          = interval.TypeHeap
	TypeGoroutines    = interval.TypeGoroutines
	TypeMutex         = interval.TypeMutex
	TypeBlock         = interval.TypeBlock
	TypeGoroutineLeak = interval.TypeGoroutineLeak
)

// Logger is what an Upstream logs through.
//
// Deprecated: Logger moved to package interval, which every stage logs
// through; use [interval.Logger].
type Logger = interval.Logger

// Upstream receives finished profiles and delivers them somewhere.
// Its methods are safe for concurrent use.
type Upstream interface {
	// Upload hands p over for delivery. It returns without waiting for
	// I/O. The Upstream owns p afterwards; the caller must not change it.
	// After Shutdown, profiles are dropped and counted as such.
	Upload(p *interval.Profile)
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
	UploadBatch(profiles []*interval.Profile)
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

// SampleLabeler is an [Upstream] that needs some tags as labels on every
// sample of a profile, not only beside it: the file sink (so that
// `go tool pprof -tagfocus` selects by them) and the Pyroscope uploader
// (for tag values a series name cannot hold). Ember's session asks once, as
// it starts, and writes those labels into every profile as it builds it,
// listing them in Profile.SampleLabels, so that no stage decodes a profile
// again to add them.
type SampleLabeler interface {
	Upstream
	// SampleLabels returns which of tags (and with which values) must be
	// on every sample. It is called once per session, before any Upload.
	SampleLabels(tags map[string]string) map[string]string
}
