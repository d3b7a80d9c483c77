package integration_test

import (
	"context"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"github.com/emberprof/ember"
)

// TestTagsAndLabelsCanBeSelected: static Tags, TagWrapper labels and
// pprof.Do labels all become series labels the server selects on, among
// them a tag value holding ',' and a label key holding '-' (which the
// server refuses as is; Ember sends it as '_').
func TestTagsAndLabelsCanBeSelected(t *testing.T) {
	base := serverURL(t)
	r := startEmber(t, ember.Config{
		ServerAddress: base,
		ProfileTypes:  []ember.ProfileType{ember.ProfileCPU},
		Tags:          map[string]string{"env": "it", "regions": "eu,us"},
	})
	ctx := context.Background()
	deadline := time.Now().Add(2 * rate)
	for time.Now().Before(deadline) {
		ember.TagWrapper(ctx, ember.Labels("handler", "tagged"), func(ctx context.Context) {
			pprof.Do(ctx, pprof.Labels("request-kind", "dashed"), func(context.Context) {
				spinFor(50 * time.Millisecond)
			})
		})
	}
	r.StopOK()

	q := newQuerier(base, "")
	start, end := r.window()
	for _, m := range []string{
		`env="it"`,
		`regions="eu,us"`,
		`handler="tagged"`,
		`request_kind="dashed"`,
		`env="it",regions="eu,us",handler="tagged",request_kind="dashed"`,
	} {
		sel := r.selector(m)
		fg := merged(t, q, cpuTypeID, sel, start, end)
		if fg.FunctionTotal("integration_test.spinFor") == 0 {
			t.Errorf("%s: no CPU under spinFor; functions: %v", sel, fg.Names)
		}
	}

	values, err := q.LabelValues(ctx, "regions", []string{r.selector()}, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(values, []string{"eu,us"}) {
		t.Errorf("values of tag regions = %q, want [\"eu,us\"]", values)
	}
	names, err := q.LabelNames(ctx, []string{r.selector()}, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, "request-kind") || !slices.Contains(names, "request_kind") {
		t.Errorf("label names = %v, want request_kind (from request-kind) and no request-kind", names)
	}
}
