package pprofenc

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Changes says what [Rewriter.Rewrite] changes in a profile.
type Changes struct {
	// Start and Duration become the profile's time_nanos and
	// duration_nanos. The Pyroscope server files a profile under its
	// time_nanos, so all of an interval's profiles must carry the
	// interval's start and length.
	Start    time.Time
	Duration time.Duration
	// Labels are put on every sample, each replacing any label (string or
	// numeric) of the same key the sample had.
	Labels []StringLabel
}

// A Rewriter finishes a gzip-compressed pprof profile that runtime/pprof
// wrote, in one pass: it decompresses the profile once, lets Fix change it
// (the session's label sanitising), stamps it with the interval and puts
// the labels a sink needs on every sample, and compresses the result once.
// Ember's delta profilers write their profiles finished (the interval's end
// is given to them, labels and sample types are options) and never need
// one; the profiles runtime/pprof writes do: its CPU profile starts a
// little after the cut, and its goroutine profile carries the moment it was
// taken.
//
// The zero value is ready to use; it compresses at gzip.BestSpeed, as the
// runtime's own profile writer does, with the gzip writer the package's
// Encoders share. A Rewriter keeps its buffer of the decompressed profile
// between calls, so it is not safe for concurrent use; the memory it holds
// is bounded by the largest profile it has seen.
type Rewriter struct {
	// Fix, if set, is given each decompressed profile first and may
	// return another (such as labels.SanitizeProfile), so that every
	// change costs one decompression and one compression.
	Fix func(raw []byte) ([]byte, error)

	in      Gunzipper
	strings [][]byte // the profile's string table, during Rewrite
	sample  []byte   // the sample being rewritten
}

// Rewrite returns gz with the changes c. Every other field is copied as
// it is. gz is not modified.
func (r *Rewriter) Rewrite(gz []byte, c Changes) ([]byte, error) {
	msg, err := r.in.Gunzip(gz)
	if err != nil {
		return nil, fmt.Errorf("pprofenc: rewrite: %w", err)
	}
	if r.Fix != nil {
		if msg, err = r.Fix(msg); err != nil {
			return nil, fmt.Errorf("pprofenc: rewrite: %w", err)
		}
	}
	var l *labelPlan
	if len(c.Labels) > 0 {
		if l, err = r.planLabels(msg, c.Labels); err != nil {
			return nil, fmt.Errorf("pprofenc: rewrite: %w", err)
		}
	}
	tail := appendInt64(nil, ProfileTimeNanos, c.Start.UnixNano())
	tail = appendInt64(tail, ProfileDurationNanos, c.Duration.Nanoseconds())
	if l != nil {
		for _, s := range l.added {
			tail = appendString(tail, ProfileStringTable, s)
		}
	}
	var dst bytes.Buffer
	dst.Grow(len(msg)/4 + 64)
	// The fields go to the compressor as they are read, so the rewritten
	// profile is never held whole.
	err = Compress(&dst, func(zw io.Writer) error {
		// Runs of fields between those we change go in one write.
		kept := 0
		err := Walk(msg, func(f Field) error {
			switch {
			case f.Num == ProfileTimeNanos, f.Num == ProfileDurationNanos:
			case f.Num == ProfileSample && l != nil:
				r.sample = l.rewriteSample(r.sample[:0], f.Bytes)
			default:
				return nil
			}
			if _, err := zw.Write(msg[kept:f.Start]); err != nil {
				return err
			}
			kept = f.End
			if f.Num != ProfileSample {
				return nil
			}
			_, err := zw.Write(r.sample)
			return err
		})
		if err != nil {
			return err
		}
		if _, err := zw.Write(msg[kept:]); err != nil {
			return err
		}
		_, err = zw.Write(tail)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pprofenc: rewrite: %w", err)
	}
	return dst.Bytes(), nil
}

// labelPlan is how the labels of a Changes go into one profile: the
// encoded labels every sample gets, the string indices of the keys they
// replace, and the strings the table lacks.
type labelPlan struct {
	encoded  []byte          // the Label fields, in order
	replaced map[uint64]bool // string indices equal to a label's key
	added    []string        // appended to the string table
}

// planLabels reads msg's string table and prepares labels for it.
// Strings the table has are used where they are; the others are
// appended after it.
func (r *Rewriter) planLabels(msg []byte, labels []StringLabel) (*labelPlan, error) {
	r.strings = r.strings[:0]
	err := Walk(msg, func(f Field) error {
		if f.Num == ProfileStringTable {
			r.strings = append(r.strings, f.Bytes)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	l := &labelPlan{replaced: make(map[uint64]bool, len(labels))}
	index := make(map[string]uint64, 2*len(labels))
	for _, lb := range labels {
		index[lb.Key], index[lb.Value] = 0, 0
	}
	found := make(map[string]bool, len(index))
	for i, s := range r.strings {
		if _, ok := index[string(s)]; !ok {
			continue
		}
		if !found[string(s)] {
			index[string(s)], found[string(s)] = uint64(i), true
		}
	}
	next := uint64(len(r.strings))
	if next == 0 {
		// A table must start with "": give it one.
		l.added, next = append(l.added, ""), 1
		index[""], found[""] = 0, true
	}
	intern := func(s string) uint64 {
		if !found[s] {
			index[s], found[s] = next, true
			l.added = append(l.added, s)
			next++
		}
		return index[s]
	}
	var m []byte
	for _, lb := range labels {
		m = appendUint64(m[:0], LabelKey, intern(lb.Key))
		m = appendUint64(m, LabelStr, intern(lb.Value))
		l.encoded = appendBytes(l.encoded, SampleLabel, m)
	}
	for i, s := range r.strings {
		if slices.ContainsFunc(labels, func(lb StringLabel) bool { return lb.Key == string(s) }) {
			l.replaced[uint64(i)] = true
		}
	}
	return l, nil
}

// rewriteSample appends to b the Sample field whose content is sample,
// without the labels the plan replaces and with its labels added. sample
// was read by Walk, so it is well formed.
func (l *labelPlan) rewriteSample(b []byte, sample []byte) []byte {
	var m []byte
	kept := 0
	_ = Walk(sample, func(f Field) error {
		if f.Num != SampleLabel {
			return nil
		}
		key, _, _ := ReadLabel(f.Bytes) // a malformed label is kept
		if l.replaced[key] {
			m = append(m, sample[kept:f.Start]...)
			kept = f.End
		}
		return nil
	})
	if kept == 0 {
		m = sample // nothing replaced: no copy
	} else {
		m = append(m, sample[kept:]...)
	}
	b = appendKey(b, ProfileSample, wireBytes)
	b = appendVarint(b, uint64(len(m)+len(l.encoded)))
	b = append(b, m...)
	return append(b, l.encoded...)
}

// IsGzip reports whether data starts as a gzip stream does.
func IsGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

// A Gunzipper decompresses gzipped profiles into a buffer it keeps and
// reuses, so reading many profiles one after another allocates once. Its
// zero value is ready to use; it is not safe for concurrent use.
type Gunzipper struct {
	raw bytes.Buffer
	zr  *gzip.Reader
}

// Gunzip returns gz decompressed. The result is valid until the next call.
// A profile that is not gzipped (pprof is read either way) is returned as
// it is.
func (g *Gunzipper) Gunzip(gz []byte) ([]byte, error) {
	if !IsGzip(gz) {
		return gz, nil
	}
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
