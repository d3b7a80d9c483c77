// Package file writes profiles to a directory, one file per profile, for
// `go tool pprof` to open. It is Ember's destination when no server is
// configured.
//
// A file is named APP.TYPE.FROM-UNTIL.pb.gz, with the interval in UTC to
// the millisecond, for example
// checkout.cpu.20261124T223000.000Z-20261124T223015.000Z.pb.gz, so a
// directory listing sorts by application, then type, then time. Each file is
// the gzipped pprof as Ember encoded it, with the profile's tags (the
// static tags the server gets as series labels) added as labels on every
// sample:
//
//	go tool pprof -raw DIR/checkout.cpu.20261124T223000.000Z-20261124T223015.000Z.pb.gz
//	go tool pprof -http=:0 DIR/*cpu*     # merges every CPU interval into one view
//	go tool pprof -tagfocus region=eu -top DIR/*cpu*
//
// Files appear atomically (written to a temporary file, then linked into
// place), so a reader never sees half a profile. The directory is capped
// in files and bytes: the oldest Ember files in it are removed first.
package file

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/emberprof/ember/internal/queue"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// Defaults for the zero values of Config's caps.
const (
	DefaultMaxFiles = 2000      // about 80 minutes of six types at 15 s intervals
	DefaultMaxBytes = 256 << 20 // bytes of Ember files in the directory
)

// Config says where profiles go and how much of them to keep.
type Config struct {
	// Dir is the directory, created if missing.
	Dir string
	// MaxFiles caps the Ember profile files kept in Dir.
	MaxFiles int
	// MaxBytes caps their total size. The newest file is always kept.
	MaxBytes int64
	// Logger receives errors; nil discards them.
	Logger interval.Logger
}

// Sink writes profiles to files. It implements [upstream.Upstream]: Upload
// queues and returns, and one goroutine writes.
type Sink struct {
	queue *queue.Queue
}

var _ upstream.SampleLabeler = (*Sink)(nil)

// New creates Dir if needed, indexes the Ember files already in it, and
// starts a Sink. Shutdown releases it.
func New(cfg Config) (*Sink, error) {
	if cfg.Dir == "" {
		return nil, errors.New("file: Dir is empty")
	}
	if cfg.MaxFiles < 0 || cfg.MaxBytes < 0 {
		return nil, fmt.Errorf("file: MaxFiles %d and MaxBytes %d must not be negative (0 means the default)", cfg.MaxFiles, cfg.MaxBytes)
	}
	if cfg.MaxFiles == 0 {
		cfg.MaxFiles = DefaultMaxFiles
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	w, err := newWriter(cfg.Dir, cfg.MaxFiles, cfg.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	q := queue.New(queue.Config{
		MaxProfiles: 64,
		MaxBytes:    64 << 20,
		Workers:     1,
		Name:        "upstream/file",
		Logger:      cfg.Logger,
	}, queue.Single(w.Export))
	return &Sink{queue: q}, nil
}

// Upload queues p to be written and returns at once.
func (s *Sink) Upload(p *interval.Profile) { s.queue.Upload(p) }

// SampleLabels returns every tag: a file carries them as labels on every
// sample, so that `go tool pprof -tagfocus` selects by them. Ember's
// session asks once, at start, and builds every profile with them
// (upstream.SampleLabeler), so the Sink writes its profiles as they come.
func (s *Sink) SampleLabels(tags map[string]string) map[string]string { return tags }

// Flush waits until every profile uploaded before the call is written (or
// failed), or until ctx is done.
func (s *Sink) Flush(ctx context.Context) error { return s.queue.Flush(ctx) }

// Shutdown writes what is queued until ctx is done and stops the writer.
// Later calls return nil at once.
func (s *Sink) Shutdown(ctx context.Context) error { return s.queue.Shutdown(ctx) }

// Stats returns a snapshot of the Sink's counters; BytesSent counts bytes
// written.
func (s *Sink) Stats() upstream.Stats { return s.queue.Stats() }
