package ember

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// captureLogger keeps every line, of every level.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) add(level, format string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+" "+fmt.Sprintf(format, args...))
}

func (l *captureLogger) Infof(format string, args ...any)  { l.add("INFO", format, args) }
func (l *captureLogger) Debugf(format string, args ...any) { l.add("DEBUG", format, args) }
func (l *captureLogger) Errorf(format string, args ...any) { l.add("ERROR", format, args) }

func (l *captureLogger) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// TestSecretsStayOutOfLogsStatsAndStop starts Ember against servers that
// echo the request (its URL and every header) in their error bodies and in
// redirect targets, and reads everything Ember says: each log line, the
// upload's LastError and Stop's error.
func TestSecretsStayOutOfLogsStatsAndStop(t *testing.T) {
	echo := func(r *http.Request) string {
		dump, _ := httputil.DumpRequest(r, false)
		return r.URL.String() + "\n" + string(dump)
	}
	servers := map[string]http.HandlerFunc{}
	for _, code := range []int{400, 401, 403, 413, 422, 429, 500, 503} {
		servers[fmt.Sprint(code)] = func(w http.ResponseWriter, r *http.Request) { http.Error(w, echo(r), code) }
	}
	servers["redirect"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/echo" {
			http.Error(w, echo(r), http.StatusForbidden)
			return
		}
		http.Redirect(w, r, "/echo?h="+url.QueryEscape(echo(r)), http.StatusTemporaryRedirect)
	}
	auths := map[string]func(*Config) []string{
		"bearer": func(c *Config) []string {
			c.AuthToken = "t0k3n-Secret"
			c.HTTPHeaders = map[string]string{"X-Api-Key": "k3y-Secret"}
			return []string{"t0k3n-Secret", "k3y-Secret"}
		},
		"basic": func(c *Config) []string {
			c.BasicAuthUser, c.BasicAuthPassword = "alice", "p4ss-Secret"
			return []string{"p4ss-Secret", "YWxpY2U6cDRzcy1TZWNyZXQ"} // base64 of alice:p4ss-Secret, unpadded
		},
	}
	outputs, leaked := map[string]int{}, map[string]int{} // by "log line", "LastError", "Stop error"
	for name, handler := range servers {
		requests := make(chan struct{}, 100)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handler(w, r)
			requests <- struct{}{}
		}))
		for auth, set := range auths {
			log := &captureLogger{}
			cfg := Config{
				ApplicationName: "secrets",
				ServerAddress:   srv.URL,
				TenantID:        "tenant-1",
				UploadRate:      MinUploadRate,
				ProfileTypes:    []ProfileType{ProfileGoroutines},
				Logger:          log,
				StopTimeout:     300 * time.Millisecond,
			}
			secrets := set(&cfg)
			p, err := Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-requests:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s, %s: no upload reached the server", name, auth)
			}
			stopErr := p.Stop()
			last := p.Stats().Upload.LastError
			if last == "" {
				t.Errorf("%s, %s: no LastError", name, auth)
			}
			texts := map[string][]string{"log line": log.all(), "LastError": {last}, "Stop error": {fmt.Sprint(stopErr)}}
			for where, list := range texts {
				for _, text := range list {
					outputs[where]++
					for _, s := range secrets {
						if strings.Contains(text, s) {
							leaked[where]++
							t.Errorf("%s, %s: %q appears in the %s %.200q", name, auth, s, where, text)
							break
						}
					}
				}
			}
		}
		srv.Close()
	}
	for _, where := range []string{"log line", "LastError", "Stop error"} {
		t.Logf("%ss with a secret: %d of %d", where, leaked[where], outputs[where])
	}
}
