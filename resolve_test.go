package ember

import (
	"fmt"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/internal/version"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestEnvironmentFillsUnsetFields(t *testing.T) {
	s, err := resolve(Config{}, env(map[string]string{
		"PYROSCOPE_APPLICATION_NAME":    "from-env",
		"PYROSCOPE_SERVER_ADDRESS":      "http://127.0.0.1:4040",
		"PYROSCOPE_AUTH_TOKEN":          "tok",
		"PYROSCOPE_BASIC_AUTH_USER":     "user",
		"PYROSCOPE_BASIC_AUTH_PASSWORD": "pass",
		"PYROSCOPE_TENANT_ID":           "tenant",
		"PYROSCOPE_LABELS":              "env=prod,region=eu",
		"PYROSCOPE_HTTP_HEADERS":        `{"X-A":"1"}`,
		"PYROSCOPE_UPLOAD_INTERVAL":     "10s",
		"PYROSCOPE_PROFILE_TYPES":       "cpu,goroutines",
		"EMBER_OUTPUT_DIR":              "/tmp/out",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.app != "from-env" || s.ServerAddress != "http://127.0.0.1:4040" || s.AuthToken != "tok" ||
		s.BasicAuthUser != "user" || s.BasicAuthPassword != "pass" || s.TenantID != "tenant" || s.OutputDir != "/tmp/out" {
		t.Errorf("strings: %+v", s)
	}
	if s.tags["env"] != "prod" || s.tags["region"] != "eu" || s.HTTPHeaders["X-A"] != "1" {
		t.Errorf("tags %v headers %v", s.tags, s.HTTPHeaders)
	}
	if s.UploadRate != 10*time.Second || strings.Join(s.profileTypes, ",") != "cpu,goroutines" {
		t.Errorf("rate %v types %v", s.UploadRate, s.profileTypes)
	}
}

func TestExplicitConfigWins(t *testing.T) {
	s, err := resolve(Config{
		ApplicationName: "explicit{team=a}",
		ServerAddress:   "http://127.0.0.1:9999",
		Tags:            map[string]string{"env": "staging"},
		HTTPHeaders:     map[string]string{"X-A": "2"},
		UploadRate:      20 * time.Second,
		ProfileTypes:    []ProfileType{ProfileAllocSpace},
	}, env(map[string]string{
		"PYROSCOPE_APPLICATION_NAME": "from-env",
		"PYROSCOPE_SERVER_ADDRESS":   "http://127.0.0.1:4040",
		"PYROSCOPE_LABELS":           "env=prod,region=eu",
		"PYROSCOPE_HTTP_HEADERS":     `{"X-A":"1","X-B":"1"}`,
		"PYROSCOPE_UPLOAD_INTERVAL":  "10s",
		"PYROSCOPE_PROFILE_TYPES":    "cpu",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.app != "explicit" || s.ServerAddress != "http://127.0.0.1:9999" || s.UploadRate != 20*time.Second {
		t.Errorf("app %q server %q rate %v", s.app, s.ServerAddress, s.UploadRate)
	}
	if s.tags["env"] != "staging" || s.tags["region"] != "eu" || s.tags["team"] != "a" {
		t.Errorf("tags %v: want Config's env, the name's team, the environment's region", s.tags)
	}
	if s.HTTPHeaders["X-A"] != "2" || s.HTTPHeaders["X-B"] != "1" {
		t.Errorf("headers %v", s.HTTPHeaders)
	}
	if len(s.profileTypes) != 1 || s.profileTypes[0] != "alloc_space" {
		t.Errorf("profile types %v", s.profileTypes)
	}
}

func TestAdhocServerAddressOverridesEvenConfig(t *testing.T) {
	s, err := resolve(Config{ApplicationName: "a", ServerAddress: "http://127.0.0.1:9999"},
		env(map[string]string{"PYROSCOPE_ADHOC_SERVER_ADDRESS": "http://127.0.0.1:4041"}))
	if err != nil || s.ServerAddress != "http://127.0.0.1:4041" {
		t.Fatalf("got %q, %v", s.ServerAddress, err)
	}
}

func TestDefaults(t *testing.T) {
	s, err := resolve(Config{ApplicationName: "app"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.UploadRate != DefaultUploadRate || s.OutputDir != DefaultOutputDir || s.StopTimeout != DefaultStopTimeout || len(s.profileTypes) != len(DefaultProfileTypes) {
		t.Errorf("defaults: %+v", s)
	}
	s, err = resolve(Config{}, env(map[string]string{"OTEL_SERVICE_NAME": "otel-svc"}))
	if err != nil || s.app != "otel-svc" {
		t.Errorf("OTEL_SERVICE_NAME fallback: %q %v", s.app, err)
	}
	s, err = resolve(Config{}, env(nil))
	if err != nil || s.app == "" {
		t.Errorf("no name anywhere: %q %v", s.app, err)
	}
}

func TestEmptyTagValuesAreLeftOutAndLogged(t *testing.T) {
	var log recordingLogger
	s, err := resolve(Config{ApplicationName: "app", Tags: map[string]string{"host": "", "env": "x"}, Logger: &log}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.tags["host"]; ok || s.tags["env"] != "x" {
		t.Errorf("tags %v", s.tags)
	}
	if !strings.Contains(log.String(), `"host"`) {
		t.Errorf("dropping an empty tag was not logged: %q", log.String())
	}
}

func TestConfigErrorsNameTheCulprit(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		env  map[string]string
		want string
	}{
		{Config{ApplicationName: "my app"}, nil, "ApplicationName"},
		{Config{}, map[string]string{"PYROSCOPE_APPLICATION_NAME": "bad name"}, "PYROSCOPE_APPLICATION_NAME"},
		{Config{}, map[string]string{"OTEL_SERVICE_NAME": "bad/name"}, "OTEL_SERVICE_NAME"},
		{Config{ApplicationName: "a", Tags: map[string]string{"": "1"}}, nil, `Tags: a tag has an empty key`},
		{Config{ApplicationName: "a", Tags: map[string]string{"user-id": "1", "user_id": "2"}}, nil, `Tags: tag keys "user-id" and "user_id" both become "user_id"`},
		{Config{ApplicationName: "a", Tags: map[string]string{"k": "a\nb"}}, nil, "control character"},
		{Config{ApplicationName: "a", ProfileTypes: []ProfileType{"heap"}}, nil, `ProfileTypes: unknown profile type "heap"`},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_PROFILE_TYPES": "cpu,bogus"}, `PYROSCOPE_PROFILE_TYPES="cpu,bogus": unknown profile type "bogus"`},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_UPLOAD_INTERVAL": "often"}, `PYROSCOPE_UPLOAD_INTERVAL="often"`},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_UPLOAD_INTERVAL": "10ms"}, `PYROSCOPE_UPLOAD_INTERVAL="10ms": 10ms is shorter than the minimum of 100ms`},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_SERVER_ADDRESS": "pyroscope:4040"}, `PYROSCOPE_SERVER_ADDRESS="pyroscope:4040": want a URL starting with http://`},
		{Config{ApplicationName: "a", ServerAddress: "pyroscope:4040"}, nil, `ServerAddress="pyroscope:4040": want a URL starting with http://`},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_ADHOC_SERVER_ADDRESS": "http://"}, `PYROSCOPE_ADHOC_SERVER_ADDRESS="http://": the URL has no host`},
		{Config{}, map[string]string{"PYROSCOPE_APPLICATION_NAME": "café"}, `PYROSCOPE_APPLICATION_NAME="café": application name "café": 'é' (not ASCII) at byte 3`},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_PROFILE_TYPES": "cpu,heap"}, `PYROSCOPE_PROFILE_TYPES="cpu,heap": unknown profile type "heap"`},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_LABELS": "novalue"}, "PYROSCOPE_LABELS"},
		{Config{ApplicationName: "a"}, map[string]string{"PYROSCOPE_HTTP_HEADERS": "[1]"}, "PYROSCOPE_HTTP_HEADERS"},
		{Config{ApplicationName: "a", UploadRate: time.Millisecond}, nil, "UploadRate"},
	} {
		_, err := resolve(c.cfg, env(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %v: got %v, want an error mentioning %s", c.cfg, c.env, err, c.want)
		}
	}
}

type recordingLogger struct{ strings.Builder }

func (l *recordingLogger) Infof(f string, a ...any)  { l.line("INFO", f, a) }
func (l *recordingLogger) Debugf(f string, a ...any) { l.line("DEBUG", f, a) }
func (l *recordingLogger) Errorf(f string, a ...any) { l.line("ERROR", f, a) }
func (l *recordingLogger) line(level, f string, a []any) {
	l.WriteString(level + " " + fmt.Sprintf(f, a...) + "\n")
}

// TestTagKeysAreRewrittenLikePprofLabels checks the README's promise: a
// tag key the server refuses is rewritten, not refused, whether it comes
// from Config.Tags, PYROSCOPE_LABELS or the application name, exactly as
// a pprof label key is (see TestRefusedLabelKeysArriveRewritten).
func TestTagKeysAreRewrittenLikePprofLabels(t *testing.T) {
	var log recordingLogger
	s, err := resolve(Config{
		ApplicationName: "app{service_name=x,a.b=c}",
		Tags:            map[string]string{"user-id": "42"},
		Logger:          &log,
	}, env(map[string]string{"PYROSCOPE_LABELS": "9lives=cat,team-name=core"}))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"user_id": "42", "_9lives": "cat", "team_name": "core", "_service_name": "x", "a.b": "c"} {
		if s.tags[k] != v {
			t.Errorf("tag %s = %q, want %q (tags %v)", k, s.tags[k], v, s.tags)
		}
	}
	for _, k := range []string{"user-id", "9lives", "team-name", "service_name"} {
		if _, ok := s.tags[k]; ok {
			t.Errorf("tag key %q kept as is", k)
		}
	}
	for _, want := range []string{`"user-id" (from Tags) is sent as "user_id"`, `"9lives" (from PYROSCOPE_LABELS) is sent as "_9lives"`,
		`"service_name" (from ApplicationName "app{service_name=x,a.b=c}") is sent as "_service_name"`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, log.String())
		}
	}
}

func TestSeriesLabelsLikePyroscopeGo(t *testing.T) {
	s, err := resolve(Config{ApplicationName: "app"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"otel.scope.name":         "github.com/emberprof/ember",
		"otel.scope.version":      version.Version,
		"process.runtime.name":    "go",
		"process.runtime.version": runtime.Version(),
	}
	for k, v := range want {
		if s.tags[k] != v {
			t.Errorf("tag %s = %q, want %q", k, s.tags[k], v)
		}
	}
	s, err = resolve(Config{ApplicationName: "app", Tags: map[string]string{"process.runtime.name": "tinygo"}}, env(nil))
	if err != nil || s.tags["process.runtime.name"] != "tinygo" {
		t.Errorf("the user's value should win, as in pyroscope-go: %v, %v", s.tags, err)
	}
}

func TestGoroutineLeakWhereGoLacksIt(t *testing.T) {
	if pprof.Lookup("goroutineleak") != nil {
		s, err := resolve(Config{ApplicationName: "a", ProfileTypes: []ProfileType{ProfileGoroutineLeak}}, env(nil))
		if err != nil || !slices.Equal(s.profileTypes, []string{"goroutine_leak"}) {
			t.Fatalf("this Go has the leak profile: got %v, %v", s.profileTypes, err)
		}
		return
	}
	_, err := resolve(Config{ApplicationName: "a", ProfileTypes: []ProfileType{ProfileGoroutineLeak}}, env(nil))
	if err == nil || !strings.Contains(err.Error(), "ProfileTypes: goroutine_leak is the only profile type asked for") {
		t.Errorf("only goroutine_leak: got %v", err)
	}
	_, err = resolve(Config{ApplicationName: "a"}, env(map[string]string{"PYROSCOPE_PROFILE_TYPES": "goroutine_leak"}))
	if err == nil || !strings.Contains(err.Error(), `PYROSCOPE_PROFILE_TYPES="goroutine_leak"`) {
		t.Errorf("only goroutine_leak from the environment: got %v", err)
	}
	var log recordingLogger
	p, err := Start(Config{ApplicationName: "a", Upstream: &recorder.Recorder{}, Logger: &log,
		ProfileTypes: []ProfileType{ProfileGoroutines, ProfileGoroutineLeak}})
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	if n := strings.Count(log.String(), "goroutine_leak"); n != 1 {
		t.Errorf("goroutine_leak is in %d log lines, want one:\n%s", n, log.String())
	}
}
