package pprofenc

import (
	"bytes"
	"errors"
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
		for i := 0; i < len(msg); {
			field, n, err := topLevelField(msg[i:])
			if err != nil {
				return err
			}
			if field == fieldTimeNanos || field == fieldDurationNanos {
				if _, err := zw.Write(msg[kept:i]); err != nil {
					return err
				}
				kept = i + n
			}
			i += n
		}
		if _, err := zw.Write(msg[kept:]); err != nil {
			return err
		}
		_, err := zw.Write(stamp)
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

var errTruncated = errors.New("truncated protobuf field")

// topLevelField reads the field at the start of msg and returns its number
// and its length in bytes, key included.
func topLevelField(msg []byte) (field, n int, err error) {
	key, kn := readVarint(msg)
	if kn == 0 {
		return 0, 0, errTruncated
	}
	n = kn
	switch key & 7 {
	case wireVarint:
		_, vn := readVarint(msg[n:])
		if vn == 0 {
			return 0, 0, errTruncated
		}
		n += vn
	case wireBytes:
		l, ln := readVarint(msg[n:])
		if ln == 0 || l > uint64(len(msg)-n-ln) {
			return 0, 0, errTruncated
		}
		n += ln + int(l)
	case 1: // fixed64
		n += 8
	case 5: // fixed32
		n += 4
	default:
		return 0, 0, fmt.Errorf("unsupported protobuf wire type %d", key&7)
	}
	if n > len(msg) {
		return 0, 0, errTruncated
	}
	return int(key >> 3), n, nil
}

// readVarint decodes a varint at the start of b and returns it and its
// length, or a length of 0 when b does not start with a whole varint.
func readVarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}
