package remote

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// newClient returns the HTTP client used when Config.HTTPClient is nil:
// proxies from HTTP_PROXY, HTTPS_PROXY and NO_PROXY, bounded connect and
// TLS handshake times, as many kept-alive connections as workers, and
// [redirectPolicy].
func newClient(workers int) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          workers,
			MaxIdleConnsPerHost:   workers,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: redirectPolicy(nil),
	}
}

// withRedirectPolicy returns a copy of the user's client that applies
// [redirectPolicy] before the client's own CheckRedirect. The user's
// client itself is not changed.
func withRedirectPolicy(c *http.Client) *http.Client {
	own := *c
	own.CheckRedirect = redirectPolicy(c.CheckRedirect)
	return &own
}

// maxRedirects is how many redirects one upload follows.
const maxRedirects = 5

// redirectRule is the redirect policy, as errors state it.
const redirectRule = "uploads follow only 307 and 308 redirects within the same scheme, host and port; set ServerAddress to the URL that accepts them"

// redirectPolicy is the CheckRedirect of every client an Uploader sends
// through. Pyroscope never redirects an ingest, so a redirect is followed
// only when it keeps the upload whole and on the same server: a 307 or 308
// (which resend the POST with its body) to the same scheme, host and port,
// at most maxRedirects times; then next, the user's policy, if any, has
// its say. Anything else ends the attempt with a final error: 301, 302 and
// 303 would turn the upload into a GET without the profile, and another
// host must never receive the credentials, the tenant or the user's
// headers (Go's client keeps the last two on every host).
func redirectPolicy(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		status := "a redirect"
		code := 0
		if req.Response != nil {
			status, code = req.Response.Status, req.Response.StatusCode
		}
		if code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect || !sameOrigin(req.URL, via[0].URL) {
			return &redirectError{fmt.Sprintf("server answered %s to %s: %s", status, origin(req.URL), redirectRule)}
		}
		if len(via) >= maxRedirects {
			return &redirectError{fmt.Sprintf("stopped after %d redirects", maxRedirects)}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// redirectError is a redirect the upload did not follow.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// port returns u's port, or its scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// origin returns u's scheme and host, all a message needs of a redirect
// target the server chose.
func origin(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}
