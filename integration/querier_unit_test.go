package integration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

// fakeStore answers SelectSeries with the points it is given and
// SelectMergeStacktraces with the number of its profiles in the range
// asked, as the server does: a profile is in [start, end] when its
// nanosecond time is, the range's ends being the first nanoseconds of
// their milliseconds.
func fakeStore(t *testing.T, points []time.Time, profiles []time.Time) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Start, End int64 }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("%s: %v", r.URL.Path, err)
		}
		switch path.Base(r.URL.Path) {
		case "SelectSeries":
			var ps []string
			for _, p := range points {
				ps = append(ps, fmt.Sprintf(`{"value":1,"timestamp":"%d"}`, p.UnixMilli()))
			}
			fmt.Fprintf(w, `{"series":[{"points":[%s]}]}`, strings.Join(ps, ","))
		case "SelectMergeStacktraces":
			n := 0
			for _, p := range profiles {
				if ns := p.UnixNano(); ns >= req.Start*1e6 && ns <= req.End*1e6 {
					n++
				}
			}
			fmt.Fprintf(w, `{"flamegraph":{"total":"%d"}}`, n)
		default:
			t.Errorf("unexpected call %s", r.URL.Path)
		}
	}))
}

// TestProfilesOfCountsEachProfileOnce: whatever points the server's
// series give (on the query's grid, off it, at a later step than their
// profile's, or too few), profilesOf finds each stored profile exactly
// once.
func TestProfilesOfCountsEachProfileOnce(t *testing.T) {
	start := time.UnixMilli(1_700_000_044_468)
	ms := func(d int64) time.Time { return start.Add(time.Duration(d) * time.Millisecond) }
	// Ember stamps each interval microseconds into its millisecond.
	profiles := []time.Time{ms(20).Add(500 * time.Microsecond), ms(600).Add(7 * time.Microsecond), ms(1600).Add(7 * time.Microsecond)}
	for _, tc := range []struct {
		name   string
		points []time.Time
	}{
		{"on the grid", []time.Time{ms(100), ms(600), ms(1600)}},
		{"two points for the first profile, off the grid", []time.Time{ms(45), ms(100), ms(600), ms(1600)}},
		{"a point a step late", []time.Time{ms(100), ms(700), ms(1600)}},
		{"a point missing", []time.Time{ms(100), ms(1600)}},
		{"two profiles at one point", []time.Time{ms(600), ms(1600)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeStore(t, tc.points, profiles)
			defer srv.Close()
			got, err := newQuerier(srv.URL, "").profilesOf(context.Background(), "type", "{}", start, ms(2000))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(profiles) {
				t.Fatalf("%d profiles found, want %d: at %v", len(got), len(profiles), times(got))
			}
			for i, p := range got {
				if p.FG.Total != 1 || p.At.Before(profiles[i].Truncate(time.Millisecond)) || p.At.Sub(profiles[i]) >= seriesStep {
					t.Errorf("profile %d: at %v holding %d, want the one at %v", i, p.At, p.FG.Total, profiles[i])
				}
			}
		})
	}
}
