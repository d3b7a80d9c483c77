package ember

import (
	"runtime/pprof"
	"testing"

	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/upstream"
)

func TestGoroutineLimitSkipsAndCounts(t *testing.T) {
	rec := &recorder.Recorder{}
	p, err := Start(Config{ApplicationName: "a", Upstream: rec, ProfileTypes: []ProfileType{ProfileGoroutines}, MaxGoroutinesForProfile: 1})
	if err != nil {
		t.Fatal(err)
	}
	p.Flush(false)
	p.Stop()
	if st := p.Stats().Profiles["goroutines"]; st.Skipped != 2 || st.Collected != 0 || len(rec.Profiles()) != 0 {
		t.Fatalf("stats %+v, %d profiles: want two intervals skipped", st, len(rec.Profiles()))
	}
}

func TestGoroutineLeakWhereGoHasIt(t *testing.T) {
	if pprof.Lookup("goroutineleak") == nil {
		t.Skip("this Go has no goroutine leak profile; see TestGoroutineLeakWhereGoLacksIt")
	}
	rec := &recorder.Recorder{}
	p, err := Start(Config{ApplicationName: "a", Upstream: rec, ProfileTypes: []ProfileType{ProfileGoroutineLeak}})
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	if n := len(rec.Profiles(upstream.TypeGoroutineLeak)); n != 1 {
		t.Errorf("with the leak profile: %d profiles, want 1", n)
	}
}
