package serverconf

import (
	"strings"
	"testing"

	"github.com/emberprof/ember/internal/envconfig"
)

func read(t *testing.T, env map[string]string) envconfig.Values {
	t.Helper()
	v, err := envconfig.Read(func(k string) (string, bool) { s, ok := env[k]; return s, ok })
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestResolve: the environment fills what is empty, the ad hoc address
// replaces any, and explicit headers win over the environment's.
func TestResolve(t *testing.T) {
	env := map[string]string{
		envconfig.ServerAddress: "http://env:4040", envconfig.AuthToken: "env-token", envconfig.BasicAuthUser: "env-user",
		envconfig.TenantID: "env-tenant", envconfig.HTTPHeaders: `{"X-A":"env","X-B":"env"}`,
	}
	explicit := Server{Address: "http://flag:4040", TenantID: "flag-tenant", HTTPHeaders: map[string]string{"X-B": "set"}}
	s := Resolve(explicit, ConfigNames, read(t, env))
	if s.Address != "http://flag:4040" || s.AuthToken != "env-token" || s.BasicAuthUser != "env-user" ||
		s.BasicAuthPassword != "" || s.TenantID != "flag-tenant" || len(s.HTTPHeaders) != 2 ||
		s.HTTPHeaders["X-A"] != "env" || s.HTTPHeaders["X-B"] != "set" {
		t.Errorf("Resolve gave %+v", s)
	}
	if explicit.HTTPHeaders["X-A"] != "" {
		t.Error("Resolve changed the caller's headers")
	}
	env[envconfig.AdhocServerAddress] = "http://adhoc:4040"
	if s := Resolve(explicit, ConfigNames, read(t, env)); s.Address != "http://adhoc:4040" {
		t.Errorf("with %s set, Address = %s", envconfig.AdhocServerAddress, s.Address)
	}
	if s := Resolve(Server{}, ConfigNames, envconfig.Values{}); s.HTTPHeaders != nil || s.Address != "" {
		t.Errorf("nothing set gave %+v", s)
	}
}

// TestCheckNamesTheSource: each refusal names the setting the value came
// from (explicit name or variable) and hides secrets.
func TestCheckNamesTheSource(t *testing.T) {
	names := Names{Address: "-server", TenantID: "-tenant"}
	const ok = "http://127.0.0.1:4040"
	for _, c := range []struct {
		explicit Server
		env      map[string]string
		want     string
		secret   string
	}{
		{Server{Address: ok}, map[string]string{envconfig.AuthToken: "s3cret\rx"},
			"PYROSCOPE_AUTH_TOKEN (value not shown, 8 bytes): control character CR (\\r) at byte 6", "s3cret"},
		{Server{Address: ok}, map[string]string{envconfig.BasicAuthPassword: "pa55w\x01rd"},
			"PYROSCOPE_BASIC_AUTH_PASSWORD (value not shown, 8 bytes): control character 0x01 at byte 5", "pa55w"},
		{Server{Address: ok}, map[string]string{envconfig.BasicAuthUser: "a:b"}, `PYROSCOPE_BASIC_AUTH_USER="a:b": a basic auth user cannot hold ':'`, ""},
		{Server{Address: ok, TenantID: "t\n"}, map[string]string{envconfig.TenantID: "fine"}, `-tenant="t\n": control character LF`, ""},
		{Server{Address: ok}, map[string]string{envconfig.HTTPHeaders: `{"Bad Name":"v"}`}, `PYROSCOPE_HTTP_HEADERS: header name "Bad Name"`, ""},
		{Server{}, map[string]string{envconfig.ServerAddress: "http://h:99999"}, `PYROSCOPE_SERVER_ADDRESS="http://h:99999": port 99999 is out of range (1 to 65535)`, ""},
		{Server{Address: "http://h:65536"}, nil, `-server="http://h:65536": port 65536 is out of range`, ""},
		{Server{Address: ok}, map[string]string{envconfig.AdhocServerAddress: "http://u:pa55w0rd@h/?q=1"},
			`PYROSCOPE_ADHOC_SERVER_ADDRESS="http://u:xxxxx@h/?q=1": want no query`, "pa55w0rd"},
		{Server{}, nil, "-server is empty", ""},
	} {
		err := Resolve(c.explicit, names, read(t, c.env)).Check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %q: got %v, want an error with %s", c.explicit, c.env, err, c.want)
			continue
		}
		if c.secret != "" && strings.Contains(err.Error(), c.secret) {
			t.Errorf("error %q shows the secret %q", err, c.secret)
		}
	}
	env := map[string]string{envconfig.AuthToken: "t", envconfig.BasicAuthUser: "u", envconfig.BasicAuthPassword: "p",
		envconfig.TenantID: "t", envconfig.HTTPHeaders: `{"X-Key":"v\tw"}`}
	if err := Resolve(Server{Address: "https://u:p@h:65535/prefix"}, names, read(t, env)).Check(); err != nil {
		t.Errorf("a sendable server was refused: %v", err)
	}
}
