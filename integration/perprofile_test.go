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
//
// The server's step bucketing does not always put a profile's point at its
// profile's step: given values out of time order (RangeSeries, pkg/model)
// it puts one at the step it has reached, and after a server restart it
// has answered with points off the query's grid
// (TestIntervalsFromAnOutageArriveAfterIt saw points 55 ms apart, for one
// profile, with 100 ms steps). So profilesOf checks what the points found
// against the whole window read at once: when a point's range holds no
// profile, or the profiles found do not add up to the window's total, it
// reads every step of the window instead. No two ranges read overlap, so
// a profile is never counted twice.
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
	// The window's steps, and all of them read at once.
	var every []time.Time
	for at := start.Truncate(time.Millisecond); !at.After(end.Add(seriesStep)); at = at.Add(seriesStep) {
		every = append(every, at)
	}
	whole, err := q.SelectMergeStacktraces(ctx, profileTypeID, selector, every[0].Add(-seriesStep+time.Millisecond), every[len(every)-1].Add(time.Millisecond))
	if err != nil {
		return nil, err
	}
	out, misplaced, err := q.readSteps(ctx, profileTypeID, selector, times)
	if err != nil {
		return nil, err
	}
	var sum int64
	for _, p := range out {
		sum += int64(p.FG.Total)
	}
	if !misplaced && sum == int64(whole.Total) {
		return out, nil
	}
	out, _, err = q.readSteps(ctx, profileTypeID, selector, every)
	return out, err
}

// readSteps reads, for each of times (in order), the profiles stored
// after the previous time (or a step before it, if that is later) and up
// to it, and returns those ranges that hold a profile, and whether any did
// not. Times are in milliseconds, as the query API takes them: a range
// holds the profiles whose time, truncated to the millisecond, is after
// its start and at most its end. The API ends a range at the first
// nanosecond of its last millisecond, so each range read ends a
// millisecond later.
func (q *querier) readSteps(ctx context.Context, profileTypeID, selector string, times []time.Time) (out []stored, empty bool, err error) {
	for i, at := range times {
		after := at.Add(-seriesStep)
		if i > 0 && times[i-1].After(after) {
			after = times[i-1]
		}
		fg, err := q.SelectMergeStacktraces(ctx, profileTypeID, selector, after.Add(time.Millisecond), at.Add(time.Millisecond))
		if err != nil {
			return nil, false, err
		}
		if fg.Total == 0 {
			empty = true
			continue
		}
		out = append(out, stored{At: at, FG: fg})
	}
	return out, empty, nil
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
