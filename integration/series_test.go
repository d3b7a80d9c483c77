package integration_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/emberprof/ember"
)

// TestSeriesLabelsAndRewrittenTagKeys: the server stores pyroscope-go's
// series labels with every profile, and tag keys it would refuse, from
// Config.Tags and PYROSCOPE_LABELS alike, arrive rewritten as pprof label
// keys are, instead of failing Start.
func TestSeriesLabelsAndRewrittenTagKeys(t *testing.T) {
	base := serverURL(t)
	t.Setenv("PYROSCOPE_LABELS", "team-name=core,9lives=cat")
	r := startEmber(t, ember.Config{
		ServerAddress: base,
		ProfileTypes:  []ember.ProfileType{ember.ProfileGoroutines},
		Tags:          map[string]string{"user-id": "42"},
	})
	r.StopOK()

	q := newQuerier(base, "")
	start, end := r.window()
	ctx := context.Background()
	names := eventually(t, func() ([]string, error) {
		names, err := q.LabelNames(ctx, []string{r.selector()}, start, end)
		if err == nil && !slices.Contains(names, "user_id") {
			err = fmt.Errorf("no user_id among label names %v yet", names)
		}
		return names, err
	})
	t.Logf("label names: %v", names)
	for name, want := range map[string]string{
		"user_id":                 "42",
		"team_name":               "core",
		"_9lives":                 "cat",
		"otel_scope_name":         "github.com/emberprof/ember",
		"process_runtime_name":    "go",
		"process_runtime_version": runtime.Version(),
	} {
		values, err := q.LabelValues(ctx, name, []string{r.selector()}, start, end)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(values, []string{want}) {
			t.Errorf("values of %s = %q, want [%q]", name, values, want)
		}
	}
	for _, refused := range []string{"user-id", "team-name", "9lives"} {
		if slices.Contains(names, refused) {
			t.Errorf("label names %v hold %q as is", names, refused)
		}
	}
}
