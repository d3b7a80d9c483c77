package pgo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/emberprof/ember/internal/labels"

	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/upstream/remote"
)

// CPUType is the Pyroscope profile type ID of Go's CPU time, as the server
// files Ember's (and pyroscope-go's) CPU profiles.
const CPUType = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"

// selectMergeProfile is the server's connect endpoint that returns the
// merge of a selection as one pprof profile, never truncated.
const selectMergeProfile = "/querier.v1.QuerierService/SelectMergeProfile"

// FromServer merges the CPU profiles of service that the server q calls
// holds for [from, until). service is an application name as in
// ember.Config.ApplicationName; tags in it, as in "shop{env=prod}", select
// series, as do sel's matchers (series labels, pprof labels among them).
// The server merges, so only its one profile is read and trimmed.
func FromServer(ctx context.Context, q *remote.Querier, service string, sel Selector, from, until time.Time) (*Merger, error) {
	for _, m := range sel {
		if m.Name == "service_name" {
			return nil, fmt.Errorf("label selector %s: give the service apart, not as service_name", sel)
		}
	}
	app, sel, err := serviceSelector(service, sel)
	if err != nil {
		return nil, err
	}
	// querier.v1.SelectMergeProfileRequest: profile_typeID, label_selector,
	// start and end in Unix milliseconds. Asked in protobuf (connect's
	// application/proto), the answer is the pprof profile itself.
	req := pprofenc.AppendString(nil, 1, CPUType)
	req = pprofenc.AppendString(req, 2, append(Selector{{Name: "service_name", Op: "=", Value: app}}, sel...).String())
	req = pprofenc.AppendInt64(req, 3, from.UnixMilli())
	req = pprofenc.AppendInt64(req, 4, until.UnixMilli())
	prof, err := q.Call(ctx, selectMergeProfile, "application/proto", req)
	if err != nil {
		return nil, err
	}
	// The server has applied the selector; its merge carries no sample
	// labels to apply it to again.
	m := NewMerger(nil)
	if err := m.Add(prof); err != nil {
		return nil, fmt.Errorf("the server's profile: %w", err)
	}
	return m, nil
}

// serviceSelector splits service, an application name that may carry
// tags, as in "shop{env=prod}", into the name and sel with a matcher for
// each tag added in front.
func serviceSelector(service string, sel Selector) (string, Selector, error) {
	app, tags, err := labels.ParseAppName(service)
	if err != nil {
		return "", nil, fmt.Errorf("service: %w", err)
	}
	var all Selector
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		all = append(all, Matcher{Name: k, Op: "=", Value: tags[k]})
	}
	return app, append(all, sel...), nil
}
