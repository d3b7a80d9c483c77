package remote

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emberprof/ember/interval"
)

// TestNewRemoteTakesPyroscopeGoNames follows pyroscope-go's use of its
// remote package: NewRemote with Address and Threads, Start, Upload, Stop.
func TestNewRemoteTakesPyroscopeGoNames(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/prefix/") {
			got.Add(1)
		}
	}))
	defer srv.Close()
	r, err := NewRemote(Config{Address: srv.URL + "/prefix", Threads: 3, UploadJitter: -1})
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	for i := range 3 {
		r.Upload(newProfile(t, interval.TypeGoroutines, i))
	}
	r.Stop()
	if n := got.Load(); n != 3 {
		t.Errorf("the server got %d requests under Address's path /prefix/, want 3", n)
	}
	if st := r.Stats(); st.Delivered != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestThreadsSetsWorkers(t *testing.T) {
	cfg := Config{Address: "http://127.0.0.1:1", Threads: 7}
	if err := applyAliases(&cfg); err != nil || cfg.Workers != 7 || cfg.ServerAddress != "http://127.0.0.1:1" {
		t.Fatalf("got %+v, %v", cfg, err)
	}
}

func TestAliasesThatDisagreeAreRefused(t *testing.T) {
	for _, cfg := range []Config{
		{ServerAddress: "http://a:1", Address: "http://b:1"},
		{ServerAddress: "http://a:1", Workers: 2, Threads: 3},
	} {
		if _, err := NewRemote(cfg); err == nil || !strings.Contains(err.Error(), "set one") {
			t.Errorf("%+v: got %v", cfg, err)
		}
	}
}
