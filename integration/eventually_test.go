package integration_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// errNoData tells eventually that the server has not got the data yet.
var errNoData = errors.New("no data yet")

// queryWait bounds how long a test waits for pushed data to become
// queryable (about a second on an idle server).
const queryWait = 30 * time.Second

// eventually calls f until it returns no error, failing the test with f's
// last error after queryWait.
func eventually[T any](t *testing.T, f func() (T, error)) T {
	t.Helper()
	deadline := time.Now().Add(queryWait)
	for {
		v, err := f()
		if err == nil {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", queryWait, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// settleGap is how long a query's answer must stay the same before a test
// takes it as final: pushes become queryable about a second after the
// server accepted them, one by one.
const settleGap = time.Second

// merged waits until the server holds data of profileTypeID for selector
// between start and end, and the merged total has stopped changing, then
// returns the merged flame graph.
func merged(t *testing.T, q *querier, profileTypeID, selector string, start, end time.Time) *flamegraph {
	t.Helper()
	var last *flamegraph
	var lastAt time.Time
	return eventually(t, func() (*flamegraph, error) {
		fg, err := q.SelectMergeStacktraces(context.Background(), profileTypeID, selector, start, end)
		switch {
		case err != nil:
			return nil, err
		case fg.Total == 0:
			return nil, fmt.Errorf("%s %s: %w", profileTypeID, selector, errNoData)
		case last == nil || last.Total != fg.Total:
			last, lastAt = fg, time.Now()
			return nil, fmt.Errorf("%s %s: total %d still changing: %w", profileTypeID, selector, fg.Total, errNoData)
		case time.Since(lastAt) < settleGap:
			return nil, fmt.Errorf("%s %s: total %d not settled yet: %w", profileTypeID, selector, fg.Total, errNoData)
		}
		return fg, nil
	})
}
