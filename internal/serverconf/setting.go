// Package serverconf decides the settings of a connection to a Pyroscope
// server (address, credentials, tenant, headers) from explicit values and
// the environment, and refuses what no request could carry. It is the one
// place that knows which source wins and what is checked, for ember.Start,
// the ember command and upstream/remote alike.
//
// Errors name the setting at fault (a Config field, a flag or an
// environment variable) and show its value, unless it is a secret.
package serverconf

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// setting is one configured value with where it came from, so that an
// error about it names the Config field, flag or environment variable the
// user has to change, and shows the value unless it is a secret.
type setting struct {
	from   string // "AuthToken", `HTTPHeaders["X-Key"]`, "PYROSCOPE_AUTH_TOKEN", ...
	value  string
	secret bool
}

// String names the setting and shows its value, or only its length if
// it is a secret.
func (s setting) String() string {
	if s.secret {
		return fmt.Sprintf("%s (value not shown, %d bytes)", s.from, len(s.value))
	}
	return fmt.Sprintf("%s=%q", s.from, s.value)
}

// errorf returns an error that starts with the setting.
func (s setting) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", s, fmt.Sprintf(format, args...))
}

// pick returns the explicit value if set, else the environment's, and
// the name of the one it took.
func pick(name, explicit, variable, envValue string) (value, from string) {
	if explicit != "" || envValue == "" {
		return explicit, name
	}
	return envValue, variable
}

// checkHeaderValue refuses what cannot travel in an HTTP header value:
// control characters, CR and LF above all (Go would refuse every request,
// and each upload would fail and be retried in vain).
func (s setting) checkHeaderValue() error {
	for i := 0; i < len(s.value); i++ {
		if c := s.value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return s.errorf("control character %s at byte %d; an HTTP header cannot carry it", controlName(c), i)
		}
	}
	return nil
}

func controlName(c byte) string {
	switch c {
	case '\r':
		return "CR (\\r)"
	case '\n':
		return "LF (\\n)"
	}
	return fmt.Sprintf("%#02x", c)
}

// checkHeaderName refuses a header name that is not an HTTP token.
func checkHeaderName(from, name string) error {
	if name == "" {
		return fmt.Errorf("%s: a header name is empty", from)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return fmt.Errorf("%s: header name %q: %q at byte %d is not allowed in an HTTP header name", from, name, c, i)
		}
	}
	return nil
}

// checkAddress refuses a server address Ember could never send to: not
// an http or https URL, no host, a port out of range, a query or a
// fragment. The error names the setting and shows the address without its
// password. An empty address is refused too.
func (s setting) checkAddress() error {
	shown := setting{from: s.from, value: redactAddress(s.value)}
	if s.value == "" {
		return fmt.Errorf("%s is empty; want a URL such as http://pyroscope:4040", s.from)
	}
	if !strings.HasPrefix(s.value, "http://") && !strings.HasPrefix(s.value, "https://") {
		return shown.errorf("want a URL starting with http:// or https://, such as http://pyroscope:4040")
	}
	u, err := url.Parse(s.value)
	if err != nil {
		if ue, ok := err.(*url.Error); ok && !strings.Contains(s.value, "@") {
			return shown.errorf("not a valid URL: %v", ue.Err)
		}
		return shown.errorf("not a valid URL")
	}
	if u.Hostname() == "" {
		return shown.errorf("the URL has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return shown.errorf("port %s is out of range (1 to 65535)", p)
		}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return shown.errorf("want no query or fragment: the uploader adds its own")
	}
	return nil
}

// redactAddress hides the password of a user:password@ part, whether or
// not the address parses. Passwords may hold '@' and '/' unescaped, so
// everything from the first ':' to the last '@' goes: an '@' in a path
// hides more than it needs to, never less.
func redactAddress(addr string) string {
	rest := addr
	scheme := ""
	if i := strings.Index(addr, "://"); i >= 0 {
		scheme, rest = addr[:i+3], addr[i+3:]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return addr
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return addr
	}
	return scheme + user + ":xxxxx" + rest[at:]
}
