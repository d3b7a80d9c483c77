package pgo

import (
	"context"
	"fmt"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/upstream/remote"
)

// CPUType is the Pyroscope profile type ID of Go's CPU time, as the server
// files Ember's (and pyroscope-go's) CPU profiles.
const CPUType = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"

// selectMergeProfile is the server's connect endpoint that returns the
// merge of a selection as one pprof profile, never truncated.
const selectMergeProfile = "/querier.v1.QuerierService/SelectMergeProfile"

// Query asks the server q calls for the merged CPU profile of service's
// series that sel matches, over [from, until), and returns it as an
// uncompressed pprof profile for [Merger.Add]. The request and answer are
// protobuf (connect's application/proto), so the profile is never turned
// into JSON and back.
func Query(ctx context.Context, q *remote.Querier, service string, sel Selector, from, until time.Time) ([]byte, error) {
	for _, m := range sel {
		if m.Name == "service_name" {
			return nil, fmt.Errorf("label selector %s: give the service apart, not as service_name", sel)
		}
	}
	all := append(Selector{{Name: "service_name", Op: "=", Value: service}}, sel...)
	// querier.v1.SelectMergeProfileRequest: profile_typeID, label_selector,
	// start and end in Unix milliseconds.
	req := pprofenc.AppendString(nil, 1, CPUType)
	req = pprofenc.AppendString(req, 2, all.String())
	req = pprofenc.AppendInt64(req, 3, from.UnixMilli())
	req = pprofenc.AppendInt64(req, 4, until.UnixMilli())
	return q.Call(ctx, selectMergeProfile, "application/proto", req)
}
