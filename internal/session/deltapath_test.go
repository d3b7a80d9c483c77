package session

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember/godeltaprof"
	"github.com/emberprof/ember/internal/recorder"
)

// linesLogger sends every info and error line to its channel.
type linesLogger chan string

func (l linesLogger) Infof(f string, a ...any)  { l <- fmt.Sprintf(f, a...) }
func (l linesLogger) Debugf(f string, a ...any) {}
func (l linesLogger) Errorf(f string, a ...any) { l <- fmt.Sprintf(f, a...) }

// matching returns the lines sent so far that contain s.
func (l linesLogger) matching(s string) []string {
	var out []string
	for len(l) > 0 {
		if line := <-l; strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// TestDeltaPathIsLoggedAndReported: Start says once which path the delta
// profilers run, with the reason, and Stats reports it; without delta
// profiles there is nothing to say.
func TestDeltaPathIsLoggedAndReported(t *testing.T) {
	defer func(orig func() (godeltaprof.Path, string)) { readPath = orig }(readPath)
	for _, tc := range []struct {
		name  string
		types []string
		path  godeltaprof.Path
		want  string
	}{
		{"fast", []string{"alloc_space", "mutex_count", "block_count"}, godeltaprof.PathFast, "fast"},
		{"portable", []string{"inuse_space"}, godeltaprof.PathPortable, "portable"},
		{"no delta profiles", []string{"cpu", "goroutines"}, godeltaprof.PathFast, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			readPath = func() (godeltaprof.Path, string) { return tc.path, "the reason given" }
			log := make(linesLogger, 100)
			s, err := Start(Options{Rate: time.Hour, ProfileTypes: tc.types, Upstream: &recorder.Recorder{}, Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			s.Flush(context.Background(), false)
			s.Stop(context.Background())
			if got := s.Stats().DeltaPath; got != tc.want {
				t.Errorf("Stats().DeltaPath = %q, want %q", got, tc.want)
			}
			lines := log.matching("the reason given")
			switch {
			case tc.want == "" && len(lines) != 0:
				t.Errorf("logged %q without delta profiles", lines)
			case tc.want != "" && (len(lines) != 1 || !strings.Contains(lines[0], tc.want+" path")):
				t.Errorf("want one line naming the %s path and its reason; got %q", tc.want, lines)
			}
		})
	}
}
