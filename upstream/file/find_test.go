package file

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/emberprof/ember/interval"
)

// TestFindListsWhatTheSinkWrote: Find returns the files the Sink wrote for
// one app and type whose interval overlaps the range, oldest first, and
// not those of an app whose name extends it.
func TestFindListsWhatTheSinkWrote(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir})
	for _, i := range []int{3, 0, 1, 2} {
		s.Upload(profileAt(t, "shop", interval.TypeCPU, i, 1))
		s.Upload(profileAt(t, "shop.eu", interval.TypeCPU, i, 1))
		s.Upload(profileAt(t, "shop", interval.TypeHeap, i, 1))
	}
	flush(t, s)
	// Intervals 1 and 2 overlap [t0+20s, t0+31s); 0 ends before, 3 starts after.
	got, err := Find(dir, "shop", interval.TypeCPU, t0.Add(20*time.Second), t0.Add(31*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, i := range []int{1, 2} {
		want = append(want, filepath.Join(dir, fileBase(profileAt(t, "shop", interval.TypeCPU, i, 1))+".pb.gz"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("Find = %q, want %q", got, want)
	}
	if _, err := Find(filepath.Join(dir, "missing"), "shop", interval.TypeCPU, t0, t0.Add(time.Hour)); err == nil {
		t.Error("Find in a missing directory: no error")
	}
}
