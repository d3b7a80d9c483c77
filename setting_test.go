package ember

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestUnsendableSettingsFailStart checks that what no request could carry
// is a Start error naming the field or variable, never a retry loop, and
// that secrets stay out of the message.
func TestUnsendableSettingsFailStart(t *testing.T) {
	const server = "http://127.0.0.1:4040"
	for _, c := range []struct {
		cfg    Config
		env    map[string]string
		want   string
		secret string // must not appear in the error
	}{
		{Config{ServerAddress: server, AuthToken: "s3cret\r\nX-Evil: 1"}, nil,
			"AuthToken (value not shown, 17 bytes): control character CR (\\r) at byte 6", "s3cret"},
		{Config{}, map[string]string{"PYROSCOPE_SERVER_ADDRESS": server, "PYROSCOPE_AUTH_TOKEN": "s3cret\nx"},
			"PYROSCOPE_AUTH_TOKEN (value not shown, 8 bytes): control character LF (\\n) at byte 6", "s3cret"},
		{Config{ServerAddress: server, BasicAuthUser: "u", BasicAuthPassword: "pa\x00ss"}, nil, "BasicAuthPassword (value not shown, 5 bytes)", "pa"},
		{Config{ServerAddress: server, BasicAuthUser: "a:b", BasicAuthPassword: "pw"}, nil, `BasicAuthUser="a:b": a basic auth user cannot hold ':'`, ""},
		{Config{ServerAddress: server, TenantID: "t\n1"}, nil, `TenantID="t\n1": control character LF`, ""},
		{Config{ServerAddress: server, HTTPHeaders: map[string]string{"X-Key": "k3y\r\n"}}, nil,
			`HTTPHeaders["X-Key"] (value not shown, 5 bytes): control character CR`, "k3y"},
		{Config{}, map[string]string{"PYROSCOPE_SERVER_ADDRESS": server, "PYROSCOPE_HTTP_HEADERS": `{"X-Key":"k3y\n"}`},
			`PYROSCOPE_HTTP_HEADERS["X-Key"] (value not shown, 4 bytes): control character LF`, "k3y"},
		{Config{ServerAddress: server, HTTPHeaders: map[string]string{"Bad Name": "v"}}, nil, `HTTPHeaders: header name "Bad Name": ' ' at byte 3`, ""},
		{Config{ServerAddress: "http://127.0.0.1:99999"}, nil, `ServerAddress="http://127.0.0.1:99999": port 99999 is out of range`, ""},
		{Config{ServerAddress: "http://127.0.0.1:0"}, nil, `port 0 is out of range`, ""},
		{Config{}, map[string]string{"PYROSCOPE_SERVER_ADDRESS": "https://user:pa55@host:70000/p"},
			`PYROSCOPE_SERVER_ADDRESS="https://user:xxxxx@host:70000/p": port 70000 is out of range`, "pa55"},
		{Config{ServerAddress: "user:pa55@host:4040"}, nil, `ServerAddress="user:xxxxx@host:4040": want a URL starting with http://`, "pa55"},
		{Config{ServerAddress: "http://host:4040/?x=1"}, nil, `ServerAddress="http://host:4040/?x=1": want no query`, ""},
		{Config{ServerAddress: "http://ho st:4040"}, nil, `ServerAddress="http://ho st:4040": not a valid URL`, ""},
	} {
		c.cfg.ApplicationName = "a"
		_, err := resolve(c.cfg, env(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %q: got %v, want an error with %s", c.cfg, c.env, err, c.want)
			continue
		}
		if c.secret != "" && strings.Contains(err.Error(), c.secret) {
			t.Errorf("error %q shows the secret %q", err, c.secret)
		}
	}
}

func TestCredentialsAreNotCheckedWithoutAServer(t *testing.T) {
	// With files as the destination, nothing is sent: no reason to fail.
	if _, err := resolve(Config{ApplicationName: "a", AuthToken: "x\ny"}, env(nil)); err != nil {
		t.Fatal(err)
	}
}

func TestStartErrorHasOnePrefix(t *testing.T) {
	_, err := Start(Config{ApplicationName: "a", ServerAddress: "http://127.0.0.1:99999"})
	if err == nil || !strings.HasPrefix(err.Error(), "ember: ServerAddress=") || strings.Count(err.Error(), "ember") != 1 {
		t.Fatalf("got %v, want one ember: prefix then the field", err)
	}
}

// TestStopErrorHasOnePrefix checks, against a server that never answers,
// that the error of an undelivered profile reads "ember: upstream/remote:
// ...", not "ember: ember upstream/remote: ...".
func TestStopErrorHasOnePrefix(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	p, err := Start(Config{ApplicationName: "a", ServerAddress: srv.URL, ProfileTypes: []ProfileType{ProfileGoroutines},
		StopTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = p.Stop()
	if err == nil || !strings.HasPrefix(err.Error(), "ember: upstream/remote: ") || strings.Count(err.Error(), "ember") != 1 {
		t.Fatalf("got %v, want one ember: prefix", err)
	}
}
