package remote

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember/interval"
)

// secretCase is a configuration and the secrets it holds.
type secretCase struct {
	name    string
	cfg     func(addr string) Config
	secrets []string
}

// secretCases covers every kind of configured secret: bearer token, basic
// auth (fields and URL user info) and user headers, some with characters
// that URLs and JSON escape.
func secretCases() []secretCase {
	return []secretCase{
		{"bearer+headers", func(addr string) Config {
			cfg := fastConfig(addr)
			cfg.AuthToken = "t0k3n-Secret"
			cfg.TenantID = "tenant-1"
			cfg.HTTPHeaders = map[string]string{"X-Api-Key": "k3y-Secret", "X-Sig": "s1g+/=\"Secret"}
			return cfg
		}, []string{"t0k3n-Secret", "k3y-Secret", `s1g+/="Secret`}},
		{"basic", func(addr string) Config {
			cfg := fastConfig(addr)
			cfg.BasicAuthUser, cfg.BasicAuthPassword = "alice", "p4ss-Secret"
			return cfg
		}, []string{"p4ss-Secret", base64Of("alice:p4ss-Secret")}},
		{"url userinfo", func(addr string) Config {
			return fastConfig(strings.Replace(addr, "://", "://bob:urlP4ss-Secret@", 1))
		}, []string{"urlP4ss-Secret", base64Of("bob:urlP4ss-Secret")}},
	}
}

// leaks returns the forms of the secrets found in text: as sent, and as a
// URL query or JSON would escape them, and any start of them of six bytes
// or more, which a message cut in the middle of a secret leaves behind
// (for base64 values that includes the value without its padding).
func leaks(text string, secrets []string) []string {
	var found []string
	for _, s := range secrets {
		forms := []string{url.QueryEscape(s), url.PathEscape(s), strings.Trim(strconv.Quote(s), `"`)}
		for n := len(s); n >= 6; n-- {
			forms = append(forms, s[:n])
		}
		for _, f := range forms {
			if strings.Contains(text, f) {
				found = append(found, f)
				break
			}
		}
	}
	return found
}

// echo is what a hostile server answers: the request line, its URL and
// every header it got.
func echo(r *http.Request) string {
	dump, _ := httputil.DumpRequest(r, false)
	return r.URL.String() + "\n" + string(dump)
}

// hostileModes are servers that put the request's credentials into what
// they answer: error bodies (plain, JSON, padded so that a secret straddles
// the cut of long messages), the status line, and redirect targets.
var hostileModes = map[string]http.HandlerFunc{}

func init() {
	for _, code := range []int{400, 401, 403, 413, 422, 429, 500, 503} {
		hostileModes[fmt.Sprintf("%d plain", code)] = func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, echo(r), code)
		}
		hostileModes[fmt.Sprintf("%d json", code)] = func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"code":"x","message":%s}`, strconv.Quote(echo(r)))
		}
		hostileModes[fmt.Sprintf("%d straddle", code)] = func(w http.ResponseWriter, r *http.Request) {
			// The credential (after "Authorization: Bearer " or
			// "Basic ") starts 8 bytes before the message is cut.
			text := echo(r)
			_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			at := strings.Index(text, cred)
			http.Error(w, strings.Repeat("-", max(0, maxMessageBytes-8-at))+text, code)
		}
	}
	hostileModes["status line"] = func(w http.ResponseWriter, r *http.Request) {
		reason := strings.Join([]string{r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"), r.Header.Get("X-Sig")}, " ")
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 401 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", reason)
		buf.Flush()
	}
	hostileModes["redirect same host"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/echo" {
			http.Error(w, echo(r), http.StatusBadRequest)
			return
		}
		w.Header().Set("Location", "/echo?h="+url.QueryEscape(echo(r)))
		w.WriteHeader(http.StatusTemporaryRedirect)
	}
	hostileModes["redirect other host"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://ember.invalid/?h="+url.QueryEscape(echo(r)))
		w.WriteHeader(http.StatusTemporaryRedirect)
	}
	hostileModes["redirect unparsable"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://%zz/"+strings.ReplaceAll(echo(r), "\n", " "))
		w.WriteHeader(http.StatusFound)
	}
}

// TestSecretsStayOutOfEverythingAHostileServerSays runs every hostile
// server against every kind of secret and reads every output: each log
// line (debug included), Stats().LastError and Shutdown's error.
func TestSecretsStayOutOfEverythingAHostileServerSays(t *testing.T) {
	outputs, leaked := map[string]int{}, map[string]int{} // by "log line", "LastError", "Shutdown error"
	for mode, handler := range hostileModes {
		srv := httptest.NewServer(handler)
		for _, c := range secretCases() {
			log := &logRecorder{}
			cfg := c.cfg(srv.URL)
			cfg.Logger = log
			u := mustNew(t, cfg)
			u.Upload(newProfile(t, interval.TypeCPU, 0))
			// A retryable failure is retried until Shutdown's deadline.
			waitFor(t, func() bool { return u.Stats().LastError != "" })
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			err := u.Shutdown(ctx)
			cancel()
			s := u.Stats()
			if s.Delivered != 0 || s.LastError == "" {
				t.Errorf("%s, %s: stats %+v; want a reported failure", mode, c.name, s)
			}
			log.mu.Lock()
			texts := map[string][]string{"log line": log.lines, "LastError": {s.LastError}, "Shutdown error": {fmt.Sprint(err)}}
			for where, list := range texts {
				for _, text := range list {
					outputs[where]++
					if found := leaks(text, c.secrets); len(found) > 0 {
						leaked[where]++
						t.Errorf("%s, %s: %q appear in the %s %.300q", mode, c.name, found, where, text)
					}
				}
			}
			log.mu.Unlock()
		}
		srv.Close()
	}
	for _, where := range []string{"log line", "LastError", "Shutdown error"} {
		t.Logf("%ss with a secret: %d of %d", where, leaked[where], outputs[where])
	}
}

// TestHostileStatusLineIsReadable checks the test's own status-line server:
// Go's client keeps the reason phrase it sends.
func TestHostileStatusLineIsReadable(t *testing.T) {
	srv := httptest.NewServer(hostileModes["status line"])
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	req.Header.Set("Authorization", "Bearer xyz")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(resp.Status, "Bearer xyz") {
		t.Fatalf("status %q does not echo the header", resp.Status)
	}
}
