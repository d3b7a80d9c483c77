package integration_test

import (
	"errors"
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
