package pprofenc

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Profile fields that say when a profile was taken (profile.proto).
const (
	fieldTimeNanos     = 9
	fieldDurationNanos = 10
)

// A Restamper sets the time a gzip-compressed pprof profile says it was
// taken. The Pyroscope server files a profile under its time_nanos, so
// all of an interval's profiles must carry the interval's start and length.
// Ember's delta profilers are given the interval's end and need no rewrite;
// the profiles runtime/pprof writes do: its CPU profile starts a little
// after the cut, and its goroutine profile carries the moment it was taken.
//
// The zero value is ready to use; it compresses at gzip.BestSpeed, as the
// runtime's own profile writer does, with the gzip writer the package's
// Encoders share. A Restamper keeps its buffer of the decompressed profile
// between calls, so it is not safe for concurrent use; the memory it holds
// is bounded by the largest profile it has seen.
type Restamper struct {
	// Fix, if set, is given each decompressed profile before it is
	// stamped and may return another (such as labels.SanitizeProfile), so
	// that both changes cost one decompression and one compression.
	Fix func(raw []byte) ([]byte, error)

	in Gunzipper
}

// Restamp returns gz with time_nanos set to start and duration_nanos to d.
// Every other field is copied as it is. gz is not modified.
func (r *Restamper) Restamp(gz []byte, start time.Time, d time.Duration) ([]byte, error) {
	msg, err := r.in.Gunzip(gz)
	if err != nil {
		return nil, fmt.Errorf("pprofenc: restamp: %w", err)
	}
	if r.Fix != nil {
		if msg, err = r.Fix(msg); err != nil {
			return nil, fmt.Errorf("pprofenc: restamp: %w", err)
		}
	}
	stamp := appendVarint(appendKey(nil, fieldTimeNanos, wireVarint), uint64(start.UnixNano()))
	stamp = appendVarint(appendKey(stamp, fieldDurationNanos, wireVarint), uint64(d.Nanoseconds()))
	var dst bytes.Buffer
	dst.Grow(len(msg)/4 + 64)
	// The fields go to the compressor as they are read, so the rewritten
	// profile is never held whole.
	err = Compress(&dst, func(zw io.Writer) error {
		// Runs of fields between the two we replace go in one write.
		kept := 0
		err := Walk(msg, func(f Field) error {
			if f.Num != fieldTimeNanos && f.Num != fieldDurationNanos {
				return nil
			}
			_, err := zw.Write(msg[kept:f.Start])
			kept = f.End
			return err
		})
		if err != nil {
			return err
		}
		if _, err := zw.Write(msg[kept:]); err != nil {
			return err
		}
		_, err = zw.Write(stamp)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pprofenc: restamp: %w", err)
	}
	return dst.Bytes(), nil
}

// A Gunzipper decompresses gzipped profiles into a buffer it keeps and
// reuses, so reading many profiles one after another allocates once. Its
// zero value is ready to use; it is not safe for concurrent use.
type Gunzipper struct {
	raw bytes.Buffer
	zr  *gzip.Reader
}

// Gunzip returns gz decompressed. The result is valid until the next call.
func (g *Gunzipper) Gunzip(gz []byte) ([]byte, error) {
	var err error
	if g.zr == nil {
		g.zr, err = gzip.NewReader(bytes.NewReader(gz))
	} else {
		err = g.zr.Reset(bytes.NewReader(gz))
	}
	if err != nil {
		return nil, err
	}
	g.raw.Reset()
	if _, err := g.raw.ReadFrom(g.zr); err != nil {
		return nil, err
	}
	return g.raw.Bytes(), nil
}
