package ember

import (
	"testing"

	"github.com/emberprof/ember/godeltaprof"
	"github.com/emberprof/ember/internal/recorder"
)

// TestStatsNameTheDeltaPath: with a heap type on, Stats says which path
// the delta profilers run, as godeltaprof decided it; on a Go release
// this build knows, that is the fast one.
func TestStatsNameTheDeltaPath(t *testing.T) {
	p, err := Start(Config{ApplicationName: "a", Upstream: &recorder.Recorder{}, ProfileTypes: []ProfileType{ProfileAllocSpace}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	path, why := godeltaprof.ReadPath()
	if got := p.Stats().DeltaPath; got != string(path) || got == "" {
		t.Errorf("Stats().DeltaPath = %q; godeltaprof runs %q (%s)", got, path, why)
	}
}
