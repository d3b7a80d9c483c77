package remote

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/emberprof/ember/interval"
)

// sighting is what a server saw of one request.
type sighting struct {
	method string
	header http.Header
	body   int
}

// witness is a server that answers 200 to everything and remembers it.
type witness struct {
	*httptest.Server
	mu   sync.Mutex
	seen []sighting
}

func newWitness(t *testing.T) *witness {
	w := &witness{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.seen = append(w.seen, sighting{r.Method, r.Header.Clone(), int(n)})
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *witness) take() []sighting {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.seen
	w.seen = nil
	return s
}

// redirectClients are the clients an Uploader may send through: its own,
// and a user's *http.Client with Go's redirect policy or one that follows
// every redirect.
var redirectClients = map[string]func() *http.Client{
	"default client": func() *http.Client { return nil },
	"user client":    func() *http.Client { return &http.Client{} },
	"user client, follows all": func() *http.Client {
		return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	},
}

// TestRedirectsNeverReachAnotherHost redirects uploads with every redirect
// status to a second server, under six configurations (three clients, two
// kinds of credentials, all with a tenant and a user header): no request
// may reach it, so no credential or tenant header can, and none of these
// uploads counts as delivered.
func TestRedirectsNeverReachAnotherHost(t *testing.T) {
	other := newWitness(t)
	var code int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, other.URL+"/ingest?"+r.URL.RawQuery, code)
	}))
	defer srv.Close()

	configs, tenantLeaks, credentialLeaks, requests, wronglyDelivered := 0, 0, 0, 0, 0
	for client, newClient := range redirectClients {
		for _, auth := range []string{"bearer", "basic in URL"} {
			configs++
			tenantLeaked, credentialLeaked := false, false
			for _, c := range []int{301, 302, 303, 307, 308} {
				code = c
				cfg := fastConfig(srv.URL)
				if auth == "bearer" {
					cfg.AuthToken = "t0k3n"
				} else {
					cfg.ServerAddress = strings.Replace(srv.URL, "://", "://alice:s3cret@", 1)
				}
				cfg.TenantID = "tenant-1"
				cfg.HTTPHeaders = map[string]string{"X-Api-Key": "k3y"}
				cfg.HTTPClient = newClient()
				u := mustNew(t, cfg)
				u.Upload(newProfile(t, interval.TypeCPU, 0))
				flush(t, u)
				if s := u.Stats(); s.Delivered != 0 || s.Failed != 1 || !strings.Contains(s.LastError, "redirect") {
					wronglyDelivered++
					t.Errorf("%s, %s, %d: stats %+v; want a failure that names the redirect", client, auth, c, s)
				}
				for _, r := range other.take() {
					requests++
					t.Errorf("%s, %s, %d: %s with %d body bytes reached the other host", client, auth, c, r.method, r.body)
					if r.header.Get("X-Scope-OrgID") != "" {
						tenantLeaked = true
					}
					if r.header.Get("Authorization") != "" || r.header.Get("X-Api-Key") != "" {
						credentialLeaked = true
					}
				}
			}
			if tenantLeaked {
				tenantLeaks++
			}
			if credentialLeaked {
				credentialLeaks++
			}
		}
	}
	t.Logf("configs where X-Scope-OrgID reached the other host: %d/%d; a credential: %d/%d; requests there: %d; redirected uploads counted delivered: %d",
		tenantLeaks, configs, credentialLeaks, configs, requests, wronglyDelivered)
}

// TestRedirectsWithinTheServer: 307 and 308 to the same scheme, host and
// port are followed with the body and credentials; 301, 302 and 303 would
// turn the POST into a GET without the profile, so they are not followed
// and the profile is not counted as delivered.
func TestRedirectsWithinTheServer(t *testing.T) {
	here := &recorder{}
	gets := 0
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/ingest", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		code := map[string]int{"a": 301, "b": 302, "c": 303, "d": 307, "e": 308}[r.URL.Query().Get("name")[len("app{code="):][:1]]
		http.Redirect(w, r, "/here?"+r.URL.RawQuery, code)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			mu.Lock()
			gets++
			mu.Unlock()
			return // 200 to a GET without the profile
		}
		here.add(parseIngest(t, r))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	clients := maps.Clone(redirectClients)
	// As Ember wraps a user's HTTPClient that is not an *http.Client: its
	// Do follows redirects on its own, with Go's policy.
	clients["user Do follows redirects itself"] = func() *http.Client {
		return &http.Client{
			Transport:     roundTripper(http.DefaultClient.Do),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	for client, newClient := range clients {
		here.reset()
		cfg := fastConfig(srv.URL)
		cfg.AuthToken = "t0k3n"
		cfg.TenantID = "tenant-1"
		cfg.HTTPHeaders = map[string]string{"X-Api-Key": "k3y"}
		cfg.HTTPClient = newClient()
		u := mustNew(t, cfg)
		for _, code := range []string{"a", "b", "c", "d", "e"} {
			p := newProfile(t, interval.TypeCPU, 0)
			p.Tags = map[string]string{"code": code}
			u.Upload(p)
		}
		flush(t, u)
		if s := u.Stats(); s.Delivered != 2 || s.Failed != 3 {
			t.Errorf("%s: stats %+v; want 307 and 308 delivered, 301, 302 and 303 failed", client, s)
		}
		reqs := here.all()
		if len(reqs) != 2 {
			t.Errorf("%s: %d uploads reached /here, want 2", client, len(reqs))
		}
		for _, r := range reqs {
			if r.Header.Get("Authorization") != "Bearer t0k3n" || r.Header.Get("X-Scope-OrgID") != "tenant-1" || r.Header.Get("X-Api-Key") != "k3y" {
				t.Errorf("%s: a redirect within the server lost headers: %v", client, r.Header)
			}
			if marker(t, r.Profile) != "cpu-000" {
				t.Errorf("%s: the redirected upload lost its profile", client)
			}
		}
	}
	t.Logf("GETs without the profile answered 200: %d", gets)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestUserClientIsLeftAsGiven: New applies the redirect policy to a copy.
func TestUserClientIsLeftAsGiven(t *testing.T) {
	c := &http.Client{}
	cfg := fastConfig("http://127.0.0.1:1")
	cfg.HTTPClient = c
	mustNew(t, cfg)
	if c.CheckRedirect != nil {
		t.Error("New changed the user's client")
	}
}
