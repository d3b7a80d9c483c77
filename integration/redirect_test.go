package integration_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emberprof/ember"
)

// TestRedirectsInFrontOfTheServer: Pyroscope never redirects an ingest,
// but a proxy in front of it may. A 308 within the proxy's scheme, host and
// port is followed with the whole profile, which the server stores; a 302
// (which would lose the body) or a 307 to another host is not followed:
// nothing is delivered, nothing reaches the other host, and Stop says why.
func TestRedirectsInFrontOfTheServer(t *testing.T) {
	base := serverURL(t)
	for _, c := range []struct {
		name              string
		code              int
		sameHost, deliver bool
	}{
		{"308 same host", http.StatusPermanentRedirect, true, true},
		{"302 same host", http.StatusFound, true, false},
		{"307 other host", http.StatusTemporaryRedirect, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			backend := newAuthProxy(t, base, func(*http.Request) bool { return true })
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				to, moved := strings.CutPrefix(r.URL.Path, "/old/")
				if !moved {
					backend.Config.Handler.ServeHTTP(w, r)
					return
				}
				to = "/" + to + "?" + r.URL.RawQuery
				if !c.sameHost {
					to = backend.URL + to
				}
				http.Redirect(w, r, to, c.code)
			}))
			t.Cleanup(front.Close)
			r, err := runGoroutines(t, ember.Config{ServerAddress: front.URL + "/old", AuthToken: "t0ken"}, 2)
			up := r.p.Stats().Upload
			if c.deliver {
				if err != nil || up.Delivered == 0 || up.Delivered != up.Enqueued {
					t.Fatalf("Shutdown: %v; Stats().Upload = %+v, want every profile delivered", err, up)
				}
				start, end := r.window()
				merged(t, newQuerier(base, ""), goroutinesID, r.selector(), start, end)
				return
			}
			if err == nil || !strings.Contains(err.Error(), "redirect") || up.Delivered != 0 {
				t.Errorf("Shutdown: %v; Stats().Upload = %+v, want nothing delivered and the redirect named", err, up)
			}
			if !c.sameHost && backend.requests.Load() != 0 {
				t.Errorf("%d requests reached the other host", backend.requests.Load())
			}
		})
	}
}
