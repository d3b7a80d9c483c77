package file

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/internal/leaktest"
	"github.com/emberprof/ember/interval"
)

var t0 = time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC)

// cpuProfile returns a gzipped CPU profile whose one sample has value v.
func cpuProfile(t testing.TB, v int64) []byte {
	t.Helper()
	fn := &profile.Function{ID: 1, Name: "main.work"}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 10_000_000,
		Function: []*profile.Function{fn}, Location: []*profile.Location{loc},
		Sample: []*profile.Sample{{Location: []*profile.Location{loc}, Value: []int64{v, v * 10_000_000},
			Label: map[string][]string{"function": {"slow"}}}},
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func profileAt(t testing.TB, app string, typ interval.Type, i int, v int64) *interval.Profile {
	from := t0.Add(time.Duration(i) * 15 * time.Second)
	return &interval.Profile{Application: app, Type: typ, From: from, Until: from.Add(15 * time.Second), Data: cpuProfile(t, v)}
}

func newSink(t *testing.T, cfg Config) *Sink {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func flush(t *testing.T, s *Sink) {
	t.Helper()
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range list {
		out = append(out, de.Name())
	}
	return out
}

func TestWritesOneReadableFilePerProfile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profiles") // created by New
	s := newSink(t, Config{Dir: dir})
	var sent []*interval.Profile
	for i := range 3 {
		p := profileAt(t, "checkout", interval.TypeCPU, i, int64(i+1))
		sent = append(sent, p)
		s.Upload(p)
	}
	s.Upload(profileAt(t, "checkout", interval.TypeHeap, 0, 1))
	flush(t, s)

	want := []string{
		"checkout.cpu.20261124T223000.000Z-20261124T223015.000Z.pb.gz",
		"checkout.cpu.20261124T223015.000Z-20261124T223030.000Z.pb.gz",
		"checkout.cpu.20261124T223030.000Z-20261124T223045.000Z.pb.gz",
		"checkout.heap.20261124T223000.000Z-20261124T223015.000Z.pb.gz",
	}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	var parsed []*profile.Profile
	for i, p := range sent {
		data, err := os.ReadFile(filepath.Join(dir, want[i]))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, p.Data) {
			t.Errorf("%s does not hold the profile as uploaded", want[i])
		}
		prof, err := profile.ParseData(data)
		if err != nil {
			t.Fatalf("%s: %v", want[i], err)
		}
		parsed = append(parsed, prof)
	}
	// What `go tool pprof DIR/*cpu*` does: merge them.
	merged, err := profile.Merge(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Sample) != 1 || merged.Sample[0].Value[0] != 1+2+3 {
		t.Errorf("merged samples %v, want one with 6 samples", merged.Sample)
	}
	if st := s.Stats(); st.Delivered != 4 || st.BytesSent == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestNeverReplacesAFile(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir})
	a := profileAt(t, "app", interval.TypeCPU, 0, 1)
	b := profileAt(t, "app", interval.TypeCPU, 0, 2) // same name
	s.Upload(a)
	s.Upload(b)
	flush(t, s)
	got := names(t, dir)
	want := []string{"app.cpu.20261124T223000.000Z-20261124T223015.000Z.2.pb.gz", "app.cpu.20261124T223000.000Z-20261124T223015.000Z.pb.gz"}
	if !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	second, _ := os.ReadFile(filepath.Join(dir, want[0]))
	if !bytes.Equal(second, b.Data) {
		t.Error("the second profile is not in the .2 file")
	}
}

func TestCapsRemoveOldestEmberFilesOnly(t *testing.T) {
	dir := t.TempDir()
	// Files already there: an older Ember file, a stale temporary file, a
	// fresh one (maybe being written by another process), and a user's file.
	old := "app.cpu.20261124T220000Z-20261124T220015Z.pb.gz" // named before milliseconds
	for name, age := range map[string]time.Duration{old: 0, ".ember-1.tmp": 2 * time.Hour, ".ember-2.tmp": 0, "notes.txt": 0} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		mtime := time.Now().Add(-age)
		os.Chtimes(path, mtime, mtime)
	}
	s := newSink(t, Config{Dir: dir, MaxFiles: 3})
	for i := range 4 {
		s.Upload(profileAt(t, "app", interval.TypeCPU, i, 1))
	}
	flush(t, s)
	want := []string{".ember-2.tmp",
		"app.cpu.20261124T223015.000Z-20261124T223030.000Z.pb.gz",
		"app.cpu.20261124T223030.000Z-20261124T223045.000Z.pb.gz",
		"app.cpu.20261124T223045.000Z-20261124T223100.000Z.pb.gz",
		"notes.txt"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
}

func TestByteCapKeepsNewest(t *testing.T) {
	dir := t.TempDir()
	size := int64(len(cpuProfile(t, 1)))
	s := newSink(t, Config{Dir: dir, MaxBytes: 2*size + size/2})
	for i := range 5 {
		s.Upload(profileAt(t, "app", interval.TypeCPU, i, 1))
	}
	flush(t, s)
	got := names(t, dir)
	if len(got) != 2 || !strings.Contains(got[1], "T223100.000Z-") {
		t.Errorf("files %q, want the two newest", got)
	}
	// A profile bigger than the cap is still kept: it is the newest.
	s2 := newSink(t, Config{Dir: t.TempDir(), MaxBytes: 1})
	s2.Upload(profileAt(t, "app", interval.TypeCPU, 0, 1))
	s2.Upload(profileAt(t, "app", interval.TypeCPU, 1, 1))
	flush(t, s2)
	if st := s2.Stats(); st.Delivered != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestUnsafeApplicationNamesStayInDir(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir})
	s.Upload(profileAt(t, "../up/and away", interval.TypeCPU, 0, 1))
	flush(t, s)
	got := names(t, dir)
	if len(got) != 1 || got[0] != "_._up_and_away.cpu.20261124T223000.000Z-20261124T223015.000Z.pb.gz" {
		t.Errorf("files %q", got)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "Dir") {
		t.Errorf("New without Dir = %v", err)
	}
	if _, err := New(Config{Dir: t.TempDir(), MaxFiles: -1}); err == nil {
		t.Error("negative MaxFiles accepted")
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := New(Config{Dir: filepath.Join(file, "sub")}); err == nil {
		t.Error("a Dir under a file accepted")
	}
}

func TestWriteErrorsAreCountedAndShutdownLeavesNoGoroutine(t *testing.T) {
	before := leaktest.Take()
	dir := t.TempDir()
	s, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir) // writes now fail
	s.Upload(profileAt(t, "app", interval.TypeCPU, 0, 1))
	flush(t, s)
	if st := s.Stats(); st.Failed != 1 || st.LastError == "" {
		t.Errorf("stats %+v, want one failure", st)
	}
	_ = s.Shutdown(context.Background())
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}
	s.Upload(profileAt(t, "app", interval.TypeCPU, 1, 1))
	if st := s.Stats(); st.Dropped != 1 {
		t.Errorf("upload after Shutdown: stats %+v", st)
	}
	before.Check(t, "emberprof/ember")
}

// TestFilesCarryTheTags checks that a local file holds the static tags the
// server gets, as labels on every sample, so that
// `go tool pprof -tagfocus region=eu` selects them.
func TestFilesCarryTheTags(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir})
	p := profileAt(t, "app", interval.TypeCPU, 0, 3)
	p.Tags = map[string]string{"region": "eu", "otel.scope.name": "github.com/emberprof/ember", "v": "a,b}"}
	s.Upload(p)
	flush(t, s)
	data, err := os.ReadFile(filepath.Join(dir, "app.cpu.20261124T223000.000Z-20261124T223015.000Z.pb.gz"))
	if err != nil {
		t.Fatal(err)
	}
	prof, err := profile.ParseData(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.Sample) != 1 {
		t.Fatalf("%d samples, want 1", len(prof.Sample))
	}
	got := prof.Sample[0].Label
	want := map[string][]string{"function": {"slow"}, "region": {"eu"}, "otel.scope.name": {"github.com/emberprof/ember"}, "v": {"a,b}"}}
	if len(got) != len(want) {
		t.Fatalf("labels %v, want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("label %s = %q, want %q", k, got[k], v)
		}
	}
	// What -tagfocus region=eu keeps: the sample, with its value.
	if prof.Sample[0].Value[0] != 3 {
		t.Errorf("sample value %d, want 3", prof.Sample[0].Value[0])
	}
}

// TestFinishedProfilesAreWrittenAsTheyCome: the Sink asks for every tag
// on the samples (SampleLabels), and a profile whose producer wrote them
// there (Profile.SampleLabels) goes to its file byte for byte, not
// decoded and encoded again.
func TestFinishedProfilesAreWrittenAsTheyCome(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir})
	tags := map[string]string{"region": "eu", "v": "a,b}"}
	if got := s.SampleLabels(tags); !maps.Equal(got, tags) {
		t.Fatalf("SampleLabels(%v) = %v, want every tag", tags, got)
	}
	p := profileAt(t, "app", interval.TypeCPU, 0, 3)
	p.Tags, p.SampleLabels = tags, maps.Clone(tags)
	want := bytes.Clone(p.Data)
	s.Upload(p)
	flush(t, s)
	data, err := os.ReadFile(filepath.Join(dir, "app.cpu.20261124T223000.000Z-20261124T223015.000Z.pb.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Error("the file is not the profile as it came")
	}
}

// TestPartialIntervalNameShowsItsLength checks that a file of an interval
// shorter than a second (the last one, cut at Stop) names a from and an
// until that differ.
func TestPartialIntervalNameShowsItsLength(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir})
	from := t0.Add(45*time.Second + 120*time.Millisecond)
	s.Upload(&interval.Profile{Application: "app", Type: interval.TypeCPU, From: from, Until: from.Add(250 * time.Millisecond), Data: cpuProfile(t, 1)})
	flush(t, s)
	want := []string{"app.cpu.20261124T223045.120Z-20261124T223045.370Z.pb.gz"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	// The sink started after it counts it under its caps.
	s2 := newSink(t, Config{Dir: dir, MaxFiles: 1})
	s2.Upload(profileAt(t, "app", interval.TypeCPU, 4, 1))
	flush(t, s2)
	if got := names(t, dir); len(got) != 1 || !strings.Contains(got[0], "T223100.000Z-") {
		t.Errorf("files %q, want only the newest", got)
	}
}
