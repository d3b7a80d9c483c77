package remote

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestQuerierSendsWhatTheUploaderSends: the address's path prefix and user
// info, the tenant, the user's headers and the body reach the server.
func TestQuerierSendsWhatTheUploaderSends(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.Write([]byte("answer"))
	}))
	defer srv.Close()
	q, err := NewQuerier(Config{
		ServerAddress: strings.Replace(srv.URL, "://", "://alice:s3cret@", 1) + "/prefix/",
		TenantID:      "t1",
		HTTPHeaders:   map[string]string{"X-Extra": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := q.Call(context.Background(), "/svc/Method", "application/proto", []byte("req"))
	if err != nil || string(answer) != "answer" {
		t.Fatalf("Call = %q, %v", answer, err)
	}
	user, pass, _ := got.BasicAuth()
	if got.URL.Path != "/prefix/svc/Method" || user != "alice" || pass != "s3cret" ||
		got.Header.Get("X-Scope-OrgID") != "t1" || got.Header.Get("X-Extra") != "x" ||
		got.Header.Get("Content-Type") != "application/proto" || string(body) != "req" {
		t.Errorf("server got %s %v with body %q", got.URL.Path, got.Header, body)
	}
}

// TestQuerierRedirectAndErrorsKeepSecrets: a redirect to another host is
// refused, so nothing reaches that host, and an error answer that echoes
// the credentials is reported with the server's message, without them.
func TestQuerierRedirectAndErrorsKeepSecrets(t *testing.T) {
	reached := false
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, otherURL+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"code":"permission_denied","message":"go away, %s with %s"}`, r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	}))
	defer srv.Close()
	q, err := NewQuerier(Config{
		ServerAddress: strings.Replace(srv.URL, "://", "://alice:s3cret@", 1),
		HTTPHeaders:   map[string]string{"X-Api-Key": "k3y"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = q.Call(context.Background(), "/away", "application/proto", nil)
	if reached || err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("redirect to another host: reached %v, err = %v", reached, err)
	}
	_, err = q.Call(context.Background(), "/denied", "application/proto", nil)
	basic := base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "go away") {
		t.Fatalf("error = %v, want the 403 and its message", err)
	}
	for _, secret := range []string{"s3cret", basic, "k3y"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows %q: %v", secret, err)
		}
	}
}

// TestQuerierGivesUpWithItsContext: a server that never answers holds a
// call only as long as its context.
func TestQuerierGivesUpWithItsContext(t *testing.T) {
	srv := hangingServer(t)
	q, err := NewQuerier(Config{ServerAddress: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := q.Call(ctx, "/svc/Method", "application/proto", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Call to a stalled server = %v, want the context's deadline", err)
	}
}

// TestQuerierTakesPyroscopeGoAddress: Address, pyroscope-go's name for
// ServerAddress, reaches the server as it does for New, and two different
// addresses are refused.
func TestQuerierTakesPyroscopeGoAddress(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer srv.Close()
	q, err := NewQuerier(Config{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Call(context.Background(), "/svc/Method", "application/proto", nil); err != nil || calls.Load() != 1 {
		t.Errorf("Call through Address: %v, %d requests; want the server to answer", err, calls.Load())
	}
	if _, err := NewQuerier(Config{Address: srv.URL, ServerAddress: "http://other:4040"}); err == nil {
		t.Error("Address and a different ServerAddress both accepted")
	}
}
