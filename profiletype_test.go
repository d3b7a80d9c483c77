package ember

import (
	"runtime/pprof"
	"testing"

	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/interval"
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
	if n := len(rec.Profiles(interval.TypeGoroutineLeak)); n != 1 {
		t.Errorf("with the leak profile: %d profiles, want 1", n)
	}
}

// TestGoroutineTypeHasBothSpellings: pyroscope-go v1.5.0 calls the type
// "goroutine", v1.4 called it "goroutines"; both collect the goroutine
// profile, from Config and from PYROSCOPE_PROFILE_TYPES.
func TestGoroutineTypeHasBothSpellings(t *testing.T) {
	if ProfileGoroutines != "goroutine" {
		t.Errorf("ProfileGoroutines = %q, want pyroscope-go v1.5.0's \"goroutine\"", ProfileGoroutines)
	}
	for _, tc := range []struct {
		name  string
		types []ProfileType
		env   string
	}{
		{"Config goroutine", []ProfileType{"goroutine"}, ""},
		{"Config goroutines", []ProfileType{"goroutines"}, ""},
		{"env goroutine", nil, "cpu,goroutine"},
		{"env goroutines", nil, "goroutines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("PYROSCOPE_PROFILE_TYPES", tc.env)
			}
			rec := &recorder.Recorder{}
			p, err := Start(Config{ApplicationName: "a", Upstream: rec, ProfileTypes: tc.types})
			if err != nil {
				t.Fatal(err)
			}
			p.Stop()
			if n := len(rec.Profiles(interval.TypeGoroutines)); n != 1 {
				t.Errorf("%d goroutine profiles, want 1", n)
			}
		})
	}
}
