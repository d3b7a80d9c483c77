package cpuprof

import (
	"bytes"
	"fmt"
	"time"

	"github.com/google/pprof/profile"
)

// build turns a window's segments into one pprof. A single segment is
// returned as the runtime wrote it, gzipped (its TimeNanos and
// DurationNanos are the runtime's, within a cut's gap of the window's).
// Several are merged, labels included, stamped with the window's start and
// length, and left uncompressed: whoever reads the window writes the
// profile on (the session's one rewrite pass, the HTTP handler), and
// compresses it once there.
func build(segs [][]byte, from, until time.Time) ([]byte, error) {
	switch len(segs) {
	case 0:
		return nil, nil
	case 1:
		return segs[0], nil
	}
	profs := make([]*profile.Profile, len(segs))
	for i, seg := range segs {
		p, err := profile.ParseData(seg)
		if err != nil {
			return nil, fmt.Errorf("cpuprof: parsing segment %d of %d: %w", i+1, len(segs), err)
		}
		profs[i] = p
	}
	merged, err := profile.Merge(profs)
	if err != nil {
		return nil, fmt.Errorf("cpuprof: merging %d segments: %w", len(segs), err)
	}
	merged.TimeNanos = from.UnixNano()
	// Wall-clock nanoseconds on both ends, so that adjoining windows'
	// TimeNanos+DurationNanos equals the next TimeNanos exactly.
	merged.DurationNanos = until.UnixNano() - from.UnixNano()
	var out bytes.Buffer
	if err := merged.WriteUncompressed(&out); err != nil {
		return nil, fmt.Errorf("cpuprof: writing merged profile: %w", err)
	}
	return out.Bytes(), nil
}
