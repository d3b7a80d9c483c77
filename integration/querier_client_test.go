package integration_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

const cpuTypeID = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"

// handMadeCPUProfile is a CPU profile with known stacks and values:
// root->left->leaf 300 ms (labelled part=a), root->right 100 ms and
// root->right->leaf 50 ms (labelled part=b).
func handMadeCPUProfile(at time.Time) *profile.Profile {
	fn := func(id uint64, name string) *profile.Function {
		return &profile.Function{ID: id, Name: name, SystemName: name, Filename: "hand.go"}
	}
	root, left, right, leaf := fn(1, "hand.root"), fn(2, "hand.left"), fn(3, "hand.right"), fn(4, "hand.leaf")
	loc := func(id uint64, f *profile.Function) *profile.Location {
		return &profile.Location{ID: id, Address: 0x1000 + id, Line: []profile.Line{{Function: f, Line: int64(id)}}}
	}
	lRoot, lLeft, lRight, lLeaf := loc(1, root), loc(2, left), loc(3, right), loc(4, leaf)
	ms := int64(time.Millisecond)
	return &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        10 * ms,
		TimeNanos:     at.UnixNano(),
		DurationNanos: int64(time.Second),
		Sample: []*profile.Sample{
			{Location: []*profile.Location{lLeaf, lLeft, lRoot}, Value: []int64{30, 300 * ms}, Label: map[string][]string{"part": {"a"}}},
			{Location: []*profile.Location{lRight, lRoot}, Value: []int64{10, 100 * ms}, Label: map[string][]string{"part": {"b"}}},
			{Location: []*profile.Location{lLeaf, lRight, lRoot}, Value: []int64{5, 50 * ms}, Label: map[string][]string{"part": {"b"}}},
		},
		Location: []*profile.Location{lRoot, lLeft, lRight, lLeaf},
		Function: []*profile.Function{root, left, right, leaf},
	}
}

// pushRaw sends p to the server's /ingest as a raw gzipped pprof body.
func pushRaw(t *testing.T, base, name string, from, until time.Time, p *profile.Profile) {
	t.Helper()
	var body bytes.Buffer
	if err := p.Write(&body); err != nil {
		t.Fatal(err)
	}
	q := url.Values{
		"name": {name}, "from": {fmt.Sprint(from.UnixNano())}, "until": {fmt.Sprint(until.UnixNano())},
		"spyName": {"gospy"}, "sampleRate": {"100"}, "format": {"pprof"},
	}
	res, err := http.Post(base+"/ingest?"+q.Encode(), "application/octet-stream", &body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		t.Fatalf("ingest: HTTP %d", res.StatusCode)
	}
}

// TestQuerierReadsHandMadePush checks the query client itself: a profile
// pushed by hand, without Ember, reads back with the stacks, labels and
// values it was made with.
func TestQuerierReadsHandMadePush(t *testing.T) {
	t.Parallel()
	base := serverURL(t)
	svc := serviceName(t)
	ctx := context.Background()
	now := time.Now()
	pushRaw(t, base, svc+"{env=hand}", now.Add(-time.Second), now, handMadeCPUProfile(now.Add(-time.Second)))

	q := newQuerier(base, "")
	start, end := now.Add(-time.Minute), now.Add(time.Minute)
	sel := fmt.Sprintf(`{service_name=%q}`, svc)
	ms := int64(time.Millisecond)

	fg := merged(t, q, cpuTypeID, sel, start, end)
	if got, want := int64(fg.Total), 450*ms; got != want {
		t.Errorf("flame graph total = %d, want %d", got, want)
	}
	for name, want := range map[string]int64{"hand.root": 450 * ms, "hand.left": 300 * ms, "hand.right": 150 * ms, "hand.leaf": 350 * ms} {
		if got := fg.FunctionTotal(name); got != want {
			t.Errorf("FunctionTotal(%q) = %d, want %d", name, got, want)
		}
	}

	fgB, err := q.SelectMergeStacktraces(ctx, cpuTypeID, fmt.Sprintf(`{service_name=%q,part="b"}`, svc), start, end)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := int64(fgB.Total), 150*ms; got != want {
		t.Errorf(`part="b" total = %d, want %d`, got, want)
	}

	types, err := q.ProfileTypes(ctx, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(types, func(p profileType) bool { return p.ID == cpuTypeID }) {
		t.Errorf("ProfileTypes = %+v, want one with ID %s", types, cpuTypeID)
	}

	names, err := q.LabelNames(ctx, []string{sel}, start, end)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"service_name", "env", "part"} {
		if !slices.Contains(names, want) {
			t.Errorf("LabelNames = %v, want %q among them", names, want)
		}
	}
	values, err := q.LabelValues(ctx, "part", []string{sel}, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Sort(values); !slices.Equal(values, []string{"a", "b"}) {
		t.Errorf("LabelValues(part) = %v, want [a b]", values)
	}

	sets, err := q.Series(ctx, []string{sel}, start, end)
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]bool{}
	for _, s := range sets {
		if s["service_name"] != svc || s["env"] != "hand" {
			t.Errorf("series %v: want service_name=%s env=hand", s, svc)
		}
		parts[s["part"]] = true
	}
	if !parts["a"] || !parts["b"] {
		t.Errorf("Series = %v, want series with part=a and part=b", sets)
	}

	ss, err := q.SelectSeries(ctx, cpuTypeID, sel, start, end, 10*time.Second, "part")
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]float64{}
	for _, s := range ss {
		for _, p := range s.Points {
			sums[s.Labels["part"]] += p.Value
		}
	}
	if sums["a"] != float64(300*ms) || sums["b"] != float64(150*ms) {
		t.Errorf("SelectSeries by part = %v, want a=%d b=%d", sums, 300*ms, 150*ms)
	}
}

// TestProfilesOfSeparatesPushes checks profilesOf: two pushes of one
// series a second apart read back as two profiles, in order, each with
// its own values.
func TestProfilesOfSeparatesPushes(t *testing.T) {
	t.Parallel()
	base := serverURL(t)
	svc := serviceName(t)
	first := time.Now().Add(-3 * time.Second).Truncate(time.Second)
	second := first.Add(time.Second)
	one, two := handMadeCPUProfile(first), handMadeCPUProfile(second)
	two.Sample = two.Sample[:1] // only root->left->leaf, 300 ms
	pushRaw(t, base, svc, first, second, one)
	pushRaw(t, base, svc, second, second.Add(time.Second), two)

	q := newQuerier(base, "")
	sel := fmt.Sprintf(`{service_name=%q}`, svc)
	got := eventually(t, func() ([]stored, error) {
		ps, err := q.profilesOf(context.Background(), cpuTypeID, sel, first.Add(-time.Minute), first.Add(time.Minute))
		if err == nil && len(ps) < 2 {
			err = fmt.Errorf("%d profiles stored, want 2: %w", len(ps), errNoData)
		}
		return ps, err
	})
	if len(got) != 2 {
		t.Fatalf("%d profiles, want 2", len(got))
	}
	ms := int64(time.Millisecond)
	for i, want := range []struct {
		at          time.Time
		total, left int64
	}{{first, 450 * ms, 300 * ms}, {second, 300 * ms, 300 * ms}} {
		if !got[i].At.Equal(want.at) {
			t.Errorf("profile %d at %v, want %v", i, got[i].At, want.at)
		}
		if int64(got[i].FG.Total) != want.total || got[i].FG.FunctionTotal("hand.left") != want.left {
			t.Errorf("profile %d: total %d, hand.left %d; want %d, %d", i, got[i].FG.Total, got[i].FG.FunctionTotal("hand.left"), want.total, want.left)
		}
	}
}
