package integration_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestOwnServerKeepsDataAcrossRestart checks the harness the outage test
// relies on: a server of the test's own, stopped and started again on the
// same port and data directory, still answers for data pushed before.
func TestOwnServerKeepsDataAcrossRestart(t *testing.T) {
	t.Parallel()
	srv := newOwnServer(t)
	svc := serviceName(t)
	now := time.Now()
	pushRaw(t, srv.URL, svc, now.Add(-time.Second), now, handMadeCPUProfile(now.Add(-time.Second)))
	q := newQuerier(srv.URL, "")
	sel := fmt.Sprintf(`{service_name=%q}`, svc)
	total := func() (int64, error) {
		fg, err := q.SelectMergeStacktraces(context.Background(), cpuTypeID, sel, now.Add(-time.Minute), now.Add(time.Minute))
		if err == nil && fg.Total == 0 {
			err = errNoData
		}
		return int64(fg.Total), err
	}
	before := eventually(t, total)
	srv.Stop()
	srv.Start()
	if after := eventually(t, total); after != before {
		t.Errorf("after restart total = %d, before = %d", after, before)
	}
}
