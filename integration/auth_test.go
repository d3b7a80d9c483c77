package integration_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emberprof/ember"
)

// authProxy is a reverse proxy in front of the server that lets through
// only requests for which allow returns true, and counts requests.
type authProxy struct {
	*httptest.Server
	requests, refused atomic.Int64
}

func newAuthProxy(t *testing.T, backend string, allow func(*http.Request) bool) *authProxy {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	p := &authProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		if !allow(r) {
			p.refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Bearer realm="ember-test"`)
			http.Error(w, "proxy: bad credentials", http.StatusUnauthorized)
			return
		}
		r.Header.Del("Authorization")
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// TestAuthThroughProxy: behind a proxy demanding a bearer token or basic
// auth, the right credentials deliver and wrong ones fail clearly, each
// profile tried once (a 401 is not retried).
func TestAuthThroughProxy(t *testing.T) {
	base := serverURL(t)
	bearer := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer s3cret-token" }
	basic := func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		return ok && u == "ember" && p == "s3cret-pass"
	}
	for _, c := range []struct {
		name    string
		allow   func(*http.Request) bool
		cfg     ember.Config
		deliver bool
	}{
		{"bearer/right", bearer, ember.Config{AuthToken: "s3cret-token"}, true},
		{"bearer/wrong", bearer, ember.Config{AuthToken: "wrong-token"}, false},
		{"bearer/none", bearer, ember.Config{}, false},
		{"basic/right", basic, ember.Config{BasicAuthUser: "ember", BasicAuthPassword: "s3cret-pass"}, true},
		{"basic/wrong", basic, ember.Config{BasicAuthUser: "ember", BasicAuthPassword: "wrong-pass"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			proxy := newAuthProxy(t, base, c.allow)
			c.cfg.ServerAddress = proxy.URL
			r, err := runGoroutines(t, c.cfg, 2)
			up := r.p.Stats().Upload
			if c.deliver != (err == nil) {
				t.Errorf("Shutdown: %v", err)
			}
			if c.deliver {
				if up.Delivered == 0 || up.Failed != 0 || up.Delivered != up.Enqueued {
					t.Errorf("Stats().Upload = %+v, want every profile delivered", up)
				}
				start, end := r.window()
				merged(t, newQuerier(base, ""), goroutinesID, r.selector(), start, end)
				return
			}
			if up.Delivered != 0 || up.Failed == 0 {
				t.Errorf("Stats().Upload = %+v, want nothing delivered, profiles failed", up)
			}
			if !strings.Contains(up.LastError, "401") {
				t.Errorf("Stats().Upload.LastError = %q, want the 401", up.LastError)
			}
			for _, secret := range []string{"s3cret", "wrong-token", "wrong-pass"} {
				if strings.Contains(r.log.String(), secret) || strings.Contains(up.LastError, secret) {
					t.Errorf("a credential (%q) appears in the log or LastError", secret)
				}
			}
			if n := proxy.requests.Load(); n > int64(up.Enqueued) || up.Retried != 0 {
				t.Errorf("proxy saw %d requests for %d profiles, %d retries: want at most one try each", n, up.Enqueued, up.Retried)
			}
		})
	}
}
