package ember

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzResolveKeepsSecrets resolves configurations with arbitrary server
// addresses, tokens, passwords and header values, from Config and from
// the environment: resolve must not panic, and whatever it refuses, the
// error must not show a secret.
func FuzzResolveKeepsSecrets(f *testing.F) {
	f.Add("http://127.0.0.1:4040", "tok3n-s3cret", "passw0rd", "h3ader-val", false)
	f.Add("http://u:passw0rd@127.0.0.1:99999", "tok3n\r\ns3cret", "pass\nw0rd", "h3ader\x00val", true)
	f.Add("pyroscope:4040", "x", "y", "z", false)
	f.Add("https://host:4040/?q", "\x7fsecret", "", "", true)
	f.Fuzz(func(t *testing.T, address, token, password, header string, fromEnv bool) {
		cfg := Config{ApplicationName: "app"}
		vars := map[string]string{}
		if fromEnv {
			vars["PYROSCOPE_SERVER_ADDRESS"] = address
			vars["PYROSCOPE_AUTH_TOKEN"] = token
			vars["PYROSCOPE_BASIC_AUTH_PASSWORD"] = password
		} else {
			cfg.ServerAddress, cfg.AuthToken, cfg.BasicAuthPassword = address, token, password
			cfg.HTTPHeaders = map[string]string{"X-Key": header}
		}
		_, err := resolve(cfg, env(vars))
		if err == nil {
			return
		}
		if u, perr := url.Parse(address); perr == nil && u.User != nil {
			// The password of the address: hidden unless the address
			// holds it somewhere else too.
			if pw, ok := u.User.Password(); ok && len(pw) >= 6 && strings.Count(address, pw) == 1 && strings.Contains(err.Error(), pw) {
				t.Fatalf("error %q shows the address's password %q", err, pw)
			}
		}
		for _, secret := range []string{token, password, header} {
			s := strings.TrimSpace(secret)
			// The address is shown quoted: a secret that is part of that
			// text (such as `00000"` of the address "00000") is not shown.
			if len(s) >= 6 && !strings.Contains(strconv.Quote(address), s) && strings.Contains(err.Error(), s) {
				t.Fatalf("error %q shows the secret %q", err, s)
			}
		}
	})
}
