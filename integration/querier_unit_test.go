package integration_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestQuerierRetriesServerErrors: a query answered 500 is asked again,
// one answered 4xx is not, and four 500s in a row are the error.
func TestQuerierRetriesServerErrors(t *testing.T) {
	for _, tc := range []struct {
		answers []int // status of each call; 200 after them
		calls   int32
		status  int // of the error, 0 for none
	}{
		{[]int{500, 503}, 3, 0},
		{[]int{401}, 1, 401},
		{[]int{500, 500, 500, 500, 500}, 4, 500},
	} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n := int(calls.Add(1)); n <= len(tc.answers) {
				http.Error(w, `{"message":"canceled: stream error"}`, tc.answers[n-1])
				return
			}
			w.Write([]byte(`{}`))
		}))
		var resp struct{}
		err := newQuerier(srv.URL, "").call(context.Background(), "LabelNames", struct{}{}, &resp)
		srv.Close()
		var qe *queryError
		switch {
		case calls.Load() != tc.calls:
			t.Errorf("answers %v: %d calls, want %d", tc.answers, calls.Load(), tc.calls)
		case tc.status == 0 && err != nil:
			t.Errorf("answers %v: %v, want the retry's answer", tc.answers, err)
		case tc.status != 0 && (!errors.As(err, &qe) || qe.Status != tc.status):
			t.Errorf("answers %v: %v, want HTTP %d", tc.answers, err, tc.status)
		}
	}
}
