package remote

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/emberprof/ember/interval"
)

// proxy records the requests sent through it; TestMain points HTTP_PROXY
// at it before anything reads the environment (Go reads it once).
var proxy struct {
	srv *httptest.Server
	rec recorder
}

func TestMain(m *testing.M) {
	proxy.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxy.rec.add(ingestRequest{Path: r.URL.String(), Header: r.Header.Clone()})
	}))
	// Loopback addresses never go through a proxy, so the other tests
	// are unaffected.
	os.Setenv("HTTP_PROXY", proxy.srv.URL)
	code := m.Run()
	proxy.srv.Close()
	os.Exit(code)
}

func TestDefaultClientUsesProxyFromEnvironment(t *testing.T) {
	proxy.rec.reset()
	// The host need not exist: the request goes to the proxy.
	u := mustNew(t, fastConfig("http://pyroscope.ember.invalid:4040/base"))
	u.Upload(newProfile(t, interval.TypeCPU, 0))
	flush(t, u)
	reqs := proxy.rec.all()
	if len(reqs) != 1 {
		t.Fatalf("the proxy saw %d requests, want 1; stats %+v", len(reqs), u.Stats())
	}
	if !strings.HasPrefix(reqs[0].Path, "http://pyroscope.ember.invalid:4040/base/ingest?") {
		t.Errorf("the proxy was asked for %q", reqs[0].Path)
	}
	if s := u.Stats(); s.Delivered != 1 {
		t.Errorf("stats %+v", s)
	}
}
