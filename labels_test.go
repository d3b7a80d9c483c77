package ember

import (
	"context"
	"regexp"
	"testing"

	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/interval"
	"github.com/google/pprof/profile"
)

func TestRefusedLabelKeysArriveRewritten(t *testing.T) {
	rec := &recorder.Recorder{}
	p, err := Start(Config{ApplicationName: "a", Upstream: rec, ProfileTypes: []ProfileType{ProfileCPU, ProfileGoroutines}})
	if err != nil {
		t.Fatal(err)
	}
	TagWrapper(context.Background(), Labels("user-id", "42", "route", "/a,b{c}", "9lives", "cat", "service_name", "other", "a.b", "c"), func(context.Context) {
		work(300_000_000)
		p.Flush(false) // the goroutine profile is taken while this goroutine is labelled
	})
	p.Stop()
	for _, typ := range []interval.Type{interval.TypeCPU, interval.TypeGoroutines} {
		found := false
		for _, up := range rec.Profiles(typ) {
			prof, err := profile.ParseData(up.Data)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range prof.Sample {
				if _, bad := s.Label["user-id"]; bad {
					t.Fatalf("%s: label key user-id sent as is", typ)
				}
				if v := s.Label["user_id"]; len(v) == 1 && v[0] == "42" {
					found = true
					if r := s.Label["route"]; len(r) != 1 || r[0] != "/a,b{c}" {
						t.Errorf("%s: route label %q, want /a,b{c} intact", typ, r)
					}
					// The same rule as for tags (TestTagKeysAreRewrittenLikePprofLabels).
					for k, v := range map[string]string{"_9lives": "cat", "_service_name": "other", "a.b": "c"} {
						if got := s.Label[k]; len(got) != 1 || got[0] != v {
							t.Errorf("%s: label %s = %q, want %q (labels %v)", typ, k, got, v, s.Label)
						}
					}
					for _, k := range []string{"9lives", "service_name"} {
						if _, ok := s.Label[k]; ok {
							t.Errorf("%s: label key %q sent as is", typ, k)
						}
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: no sample carries user_id=42", typ)
		}
	}
}

func TestSessionIDTag(t *testing.T) {
	rec := &recorder.Recorder{}
	p, err := Start(Config{ApplicationName: "a", Upstream: rec, ProfileTypes: []ProfileType{ProfileGoroutines}})
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	ps := rec.Profiles()
	if len(ps) != 1 || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(ps[0].Tags["__session_id__"]) {
		t.Fatalf("session ID tag: %v", ps)
	}
}
