package remote

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// newClient returns the HTTP client used when Config.HTTPClient is nil:
// proxies from HTTP_PROXY, HTTPS_PROXY and NO_PROXY, bounded connect and
// TLS handshake times, and as many kept-alive connections as workers.
// Redirects to another host or to plain HTTP lose every credential.
func newClient(workers int, secretHeaders []string) *http.Client {
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
		CheckRedirect: redirectPolicy(secretHeaders),
	}
}

// maxRedirects is how many redirects one upload follows.
const maxRedirects = 5

// redirectPolicy follows up to maxRedirects redirects. When one leaves the
// original scheme and host (port included), it removes Authorization,
// Cookie and the user's own headers, which may carry API keys: Go's client
// keeps those for subdomains and keeps custom headers everywhere.
func redirectPolicy(secretHeaders []string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("stopped after 5 redirects")
		}
		first := via[0].URL
		if req.URL.Host == first.Host && req.URL.Scheme == first.Scheme {
			return nil
		}
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
		for _, h := range secretHeaders {
			req.Header.Del(h)
		}
		return nil
	}
}
