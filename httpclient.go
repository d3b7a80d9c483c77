package ember

import "net/http"

// HTTPClient sends the upload requests; *http.Client is one. It is the
// interface pyroscope-go's Config.HTTPClient takes, so a custom client
// written for it works here too.
type HTTPClient interface {
	Do(req *http.Request) (*http.Response, error)
}

// asHTTPClient returns c as the *http.Client the uploader takes: c itself
// if it is one, else a client whose every request goes through c.Do, which
// then also decides about redirects.
func asHTTPClient(c HTTPClient) *http.Client {
	switch c := c.(type) {
	case nil:
		return nil
	case *http.Client:
		return c
	}
	return &http.Client{
		Transport: doer{c},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

type doer struct{ c HTTPClient }

func (d doer) RoundTrip(req *http.Request) (*http.Response, error) { return d.c.Do(req) }
