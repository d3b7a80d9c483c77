package remote

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/internal/version"
	"github.com/emberprof/ember/interval"
)

func TestRequestCarriesProtocolAndHeaders(t *testing.T) {
	srv, rec := recordingServer(t)

	cfg := fastConfig(srv.URL + "/prefix/")
	cfg.AuthToken = "tok3n"
	cfg.BasicAuthUser, cfg.BasicAuthPassword = "ignored", "ignored" // the token wins
	cfg.TenantID = "tenant-a"
	cfg.HTTPHeaders = map[string]string{"X-Extra": "1", "User-Agent": "custom/2"}
	u := mustNew(t, cfg)
	var sent []*interval.Profile
	for _, typ := range []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeGoroutines,
		interval.TypeMutex, interval.TypeBlock, interval.TypeGoroutineLeak} {
		p := newProfile(t, typ, 0)
		sent = append(sent, p)
		u.Upload(p)
	}
	flush(t, u)

	reqs := rec.all()
	if len(reqs) != len(sent) {
		t.Fatalf("%d requests, want %d", len(reqs), len(sent))
	}
	for _, p := range sent {
		i := slices.IndexFunc(reqs, func(r ingestRequest) bool { return bytes.Equal(r.Profile, p.Data) })
		if i < 0 {
			t.Errorf("%s: profile part is not the profile's data", p.Type)
			continue
		}
		r := reqs[i]
		if r.Path != "/prefix/ingest" {
			t.Errorf("%s: path %q, want /prefix/ingest", p.Type, r.Path)
		}
		q := r.Query
		if q.Get("name") != "app{env=test}" || q.Get("spyName") != "gospy" ||
			q.Get("from") != strconv.FormatInt(p.From.UnixNano(), 10) ||
			q.Get("until") != strconv.FormatInt(p.Until.UnixNano(), 10) || q.Has("format") {
			t.Errorf("%s: query %v", p.Type, q)
		}
		if wantRate := p.Type == interval.TypeCPU; q.Has("sampleRate") != wantRate || wantRate && q.Get("sampleRate") != "100" {
			t.Errorf("%s: sampleRate %q", p.Type, q.Get("sampleRate"))
		}
		h := r.Header
		if h.Get("Authorization") != "Bearer tok3n" || h.Get("X-Scope-OrgID") != "tenant-a" ||
			h.Get("X-Extra") != "1" || h.Get("User-Agent") != "custom/2" {
			t.Errorf("%s: headers %v", p.Type, h)
		}
		switch p.Type {
		case interval.TypeBlock:
			if !strings.Contains(r.Config, `"display-name":"block_count"`) || !strings.Contains(r.Config, `"display-name":"block_duration"`) {
				t.Errorf("block sample_type_config %q", r.Config)
			}
		case interval.TypeMutex:
			if !strings.Contains(r.Config, `"display-name":"mutex_count"`) || !strings.Contains(r.Config, `"display-name":"mutex_duration"`) {
				t.Errorf("mutex sample_type_config %q", r.Config)
			}
		case interval.TypeGoroutines: // pyroscope-go v1.5.0's series name
			if !strings.Contains(r.Config, `"goroutine":{`) || !strings.Contains(r.Config, `"display-name":"goroutine"`) {
				t.Errorf("goroutines sample_type_config %q", r.Config)
			}
		default:
			if r.Config != "" {
				t.Errorf("%s: unexpected sample_type_config %q", p.Type, r.Config)
			}
		}
	}
	if s := u.Stats(); s.Delivered != uint64(len(sent)) || s.BytesSent == 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestDefaultUserAgentAndBasicAuth(t *testing.T) {
	srv, rec := recordingServer(t)
	for _, c := range []struct{ name, addr, user, password string }{
		{"config", srv.URL, "alice", "s3cret"},
		{"URL user info", strings.Replace(srv.URL, "://", "://alice:s3cret@", 1), "", ""},
	} {
		rec.reset()
		cfg := fastConfig(c.addr)
		cfg.BasicAuthUser, cfg.BasicAuthPassword = c.user, c.password
		u := mustNew(t, cfg)
		u.Upload(newProfile(t, interval.TypeCPU, 0))
		flush(t, u)
		reqs := rec.all()
		if len(reqs) != 1 {
			t.Fatalf("%s: %d requests", c.name, len(reqs))
		}
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
		if got := reqs[0].Header.Get("Authorization"); got != want {
			t.Errorf("%s: Authorization %q, want %q", c.name, got, want)
		}
		if got := reqs[0].Header.Get("User-Agent"); got != "ember-go/"+version.Version {
			t.Errorf("%s: User-Agent %q", c.name, got)
		}
		if reqs[0].Header.Get("X-Scope-OrgID") != "" {
			t.Errorf("%s: X-Scope-OrgID sent without a TenantID", c.name)
		}
	}
}

func TestTagsThatCannotBeInTheNameBecomeLabels(t *testing.T) {
	srv, rec := recordingServer(t)
	u := mustNew(t, fastConfig(srv.URL))
	p := newProfile(t, interval.TypeCPU, 0)
	p.Data = pprofData(t, interval.TypeCPU, "m", map[string][]string{"function": {"slow"}, "region": {"overridden"}})
	p.Tags = map[string]string{"env": "prod", "region": "eu,west", "team": " ops", "q": "a=b{c"}
	u.Upload(p)
	flush(t, u)

	reqs := rec.all()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if got := reqs[0].Query.Get("name"); got != "app{env=prod,q=a=b{c}" {
		t.Errorf("name %q", got)
	}
	prof, err := profile.ParseData(reqs[0].Profile)
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.Sample) != 3 {
		t.Errorf("%d samples, want 3", len(prof.Sample))
	}
	for _, s := range prof.Sample {
		want := map[string][]string{"function": {"slow"}, "region": {"eu,west"}, "team": {" ops"}}
		if len(s.Label) != len(want) {
			t.Errorf("sample labels %v, want %v", s.Label, want)
		}
		for k, v := range want {
			if !slices.Equal(s.Label[k], v) {
				t.Errorf("sample label %s = %q, want %q", k, s.Label[k], v)
			}
		}
	}
}

func TestOnlyRequestedSampleTypesAreSent(t *testing.T) {
	srv, rec := recordingServer(t)
	u := mustNew(t, fastConfig(srv.URL))
	p := newProfile(t, interval.TypeHeap, 0)
	p.SampleTypes = []string{"inuse_space", "alloc_space"}
	u.Upload(p)
	whole := newProfile(t, interval.TypeCPU, 0)
	whole.SampleTypes = []string{"samples", "cpu"}
	u.Upload(whole)
	flush(t, u)

	for _, r := range rec.all() {
		prof, err := profile.ParseData(r.Profile)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, st := range prof.SampleType {
			types = append(types, st.Type)
		}
		if bytes.Equal(r.Profile, whole.Data) {
			continue // asked for everything: sent untouched
		}
		if !slices.Equal(types, []string{"alloc_space", "inuse_space"}) {
			t.Errorf("sample types %v, want alloc_space and inuse_space", types)
		}
		// Values follow their types: alloc_space was column 2, inuse_space 4.
		if v := prof.Sample[0].Value; v[0] != 2 || v[1] != 4 {
			t.Errorf("first sample values %v, want [2 4]", v)
		}
	}
	if n := len(rec.all()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestBadTagKeyFailsWithoutSending(t *testing.T) {
	srv, rec := recordingServer(t)
	u := mustNew(t, fastConfig(srv.URL))
	p := newProfile(t, interval.TypeCPU, 0)
	p.Tags = map[string]string{"bad-key": "v"}
	u.Upload(p)
	flush(t, u)
	if s := u.Stats(); s.Failed != 1 || s.Retried != 0 || !strings.Contains(s.LastError, `"bad-key"`) {
		t.Errorf("stats %+v, want one failure naming the key", s)
	}
	if len(rec.all()) != 0 {
		t.Error("a profile with a bad tag key was sent")
	}
}
