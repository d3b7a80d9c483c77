package integration_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"
)

// seriesStep is the step used to find when profiles were stored: small
// enough that two intervals of a test never share a step.
const seriesStep = 100 * time.Millisecond

// stored is one profile as the server keeps it: its time (rounded up to
// a multiple of seriesStep) and its flame graph.
type stored struct {
	At time.Time
	FG *flamegraph
}

// profilesOf returns every profile of profileTypeID that selector picks
// between start and end, one by one in time order. The server keeps a
// pushed profile at its own timestamp, so each one is found with
// SelectSeries and then read alone.
func (q *querier) profilesOf(ctx context.Context, profileTypeID, selector string, start, end time.Time) ([]stored, error) {
	ss, err := q.SelectSeries(ctx, profileTypeID, selector, start, end, seriesStep)
	if err != nil {
		return nil, err
	}
	seen := map[time.Time]bool{}
	var times []time.Time
	for _, s := range ss {
		for _, p := range s.Points {
			if !seen[p.Timestamp] {
				seen[p.Timestamp] = true
				times = append(times, p.Timestamp)
			}
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	out := make([]stored, 0, len(times))
	for _, at := range times {
		// A point stands for the step that ends at its timestamp.
		fg, err := q.SelectMergeStacktraces(ctx, profileTypeID, selector, at.Add(-seriesStep+time.Millisecond), at)
		if err != nil {
			return nil, err
		}
		out = append(out, stored{At: at, FG: fg})
	}
	return out, nil
}

// profilesWith waits until at least n profiles of typeID from r are
// stored, and returns all of them.
func profilesWith(t *testing.T, q *querier, typeID string, r *run, n int) []stored {
	t.Helper()
	start, end := r.window()
	return eventually(t, func() ([]stored, error) {
		ps, err := q.profilesOf(context.Background(), typeID, r.selector(), start, end)
		if err == nil && len(ps) < n {
			err = fmt.Errorf("%s: %d of %d profiles stored: %w", typeID, len(ps), n, errNoData)
		}
		return ps, err
	})
}
