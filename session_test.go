package ember

import (
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/interval"
)

// TestSessionAsPyroscopeGoUsesIt follows pyroscope-go's lower-level API:
// NewSession with an upstream, Start, Stop. The environment is not read.
func TestSessionAsPyroscopeGoUsesIt(t *testing.T) {
	t.Setenv("PYROSCOPE_APPLICATION_NAME", "from-env")
	t.Setenv("PYROSCOPE_LABELS", "env=prod")
	rec := &recorder.Recorder{}
	s, err := NewSession(SessionConfig{
		Upstream:       rec,
		AppName:        "checkout{team=a}",
		Tags:           map[string]string{"user-id": "7"},
		ProfilingTypes: []ProfileType{ProfileGoroutines},
		UploadRate:     time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Profiles()) != 0 {
		t.Fatal("NewSession started profiling; pyroscope-go's waits for Start")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Error("a second Start was accepted")
	}
	s.Stop()
	s.Stop() // a second Stop does nothing
	ps := rec.Profiles(interval.TypeGoroutines)
	if len(ps) != 1 {
		t.Fatalf("%d goroutine profiles, want 1", len(ps))
	}
	p := ps[0]
	if p.Application != "checkout" || p.Tags["team"] != "a" || p.Tags["user_id"] != "7" || p.Tags["otel.scope.name"] == "" {
		t.Errorf("application %q tags %v", p.Application, p.Tags)
	}
	if _, ok := p.Tags["env"]; ok {
		t.Errorf("tags %v: NewSession read PYROSCOPE_LABELS", p.Tags)
	}
}

func TestNewSessionErrorsNameSessionConfigFields(t *testing.T) {
	for _, c := range []struct {
		cfg  SessionConfig
		want string
	}{
		{SessionConfig{AppName: "a"}, "SessionConfig.Upstream is nil"},
		{SessionConfig{Upstream: &recorder.Recorder{}, AppName: "my app"}, "ember: AppName: "},
		{SessionConfig{Upstream: &recorder.Recorder{}, AppName: "a", ProfilingTypes: []ProfileType{"heap"}}, `ember: ProfilingTypes: unknown profile type "heap"`},
	} {
		_, err := NewSession(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error with %s", c.cfg, err, c.want)
		}
	}
}
