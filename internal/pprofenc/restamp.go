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
// Ember's delta profilers read the session's clock and need no rewrite;
// the profiles runtime/pprof writes do: its CPU profile starts a little
// after the cut, and its goroutine profile carries the moment it was taken.
//
// The zero value is ready to use; it compresses at gzip.BestSpeed, as the
// runtime's own profile writer does, with the gzip writer the package's
// Encoders share. A Restamper keeps its buffer of the decompressed profile
// between calls, so it is not safe for concurrent use; the memory it holds
// is bounded by the largest profile it has seen.
type Restamper struct {
	raw bytes.Buffer // the decompressed profile
	zr  *gzip.Reader
}

// Restamp returns gz with time_nanos set to start and duration_nanos to d.
// Every other field is copied as it is. gz is not modified.
func (r *Restamper) Restamp(gz []byte, start time.Time, d time.Duration) ([]byte, error) {
	if err := r.decompress(gz); err != nil {
		return nil, fmt.Errorf("pprofenc: restamp: %w", err)
	}
	stamp := appendVarint(appendKey(nil, fieldTimeNanos, wireVarint), uint64(start.UnixNano()))
	stamp = appendVarint(appendKey(stamp, fieldDurationNanos, wireVarint), uint64(d.Nanoseconds()))
	var dst bytes.Buffer
	dst.Grow(r.raw.Len()/4 + 64)
	// The fields go to the compressor as they are read, so the rewritten
	// profile is never held whole.
	err := compress(&dst, func(zw io.Writer) error {
		// Runs of fields between the two we replace go in one write.
		msg, kept := r.raw.Bytes(), 0
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

func (r *Restamper) decompress(gz []byte) error {
	var err error
	if r.zr == nil {
		r.zr, err = gzip.NewReader(bytes.NewReader(gz))
	} else {
		err = r.zr.Reset(bytes.NewReader(gz))
	}
	if err != nil {
		return err
	}
	r.raw.Reset()
	_, err = r.raw.ReadFrom(r.zr)
	return err
}
