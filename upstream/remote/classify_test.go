package remote

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/retry"
)

func TestStatusClassification(t *testing.T) {
	now := time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC)
	in := &ingester{endpoint: "http://h/ingest", now: func() time.Time { return now }}
	cases := []struct {
		code       int
		retryAfter string
		body       string
		retry      bool
		after      time.Duration
	}{
		{408, "", "", true, 0},
		{429, "3", "", true, 3 * time.Second},
		{429, now.Add(time.Minute).Format(http.TimeFormat), "", true, time.Minute},
		{500, "", "", true, 0},
		{503, "garbage", "", true, 0},
		{422, "", `{"code":"unknown","message":"pushing IngestInput-pprof failed unknown: empty ring"}`, true, 0},
		{422, "", `{"message":"push rate limit (4.0 MiB) exceeded"}`, true, 0},
		{422, "", `{"message":"invalid labels: service name is not provided"}`, false, 0},
		{400, "", `{"message":"name: tag key is reserved"}`, false, 0},
		{401, "", `{"code":"unauthenticated","message":"no org id"}`, false, 0},
		{404, "", "404 page not found", false, 0},
	}
	for _, c := range cases {
		resp := &http.Response{StatusCode: c.code, Status: fmt.Sprintf("%d %s", c.code, http.StatusText(c.code)), Header: http.Header{}}
		if c.retryAfter != "" {
			resp.Header.Set("Retry-After", c.retryAfter)
		}
		err := in.statusError(resp, []byte(c.body))
		after, retryable := retry.IsRetryable(err)
		if retryable != c.retry || after != c.after {
			t.Errorf("%d %q: retryable %v after %v, want %v after %v (%v)", c.code, c.body, retryable, after, c.retry, c.after, err)
		}
		if c.code == 401 && !strings.Contains(err.Error(), "set TenantID") {
			t.Errorf("401 no org id: %v does not say what to do", err)
		}
		if !strings.Contains(err.Error(), fmt.Sprint(c.code)) {
			t.Errorf("%d: error %q does not name the status", c.code, err)
		}
	}
}

func TestTransportErrorClassification(t *testing.T) {
	in := &ingester{endpoint: "http://h/ingest"}
	wrap := func(err error) error {
		return &url.Error{Op: "Post", URL: "http://h/ingest?name=app%7Bsecret%3Dx%7D", Err: err}
	}
	refused := in.transportError(wrap(syscall.ECONNREFUSED))
	if _, ok := retry.IsRetryable(refused); !ok {
		t.Errorf("connection refused is final: %v", refused)
	}
	if strings.Contains(refused.Error(), "name=") {
		t.Errorf("the error repeats the query: %v", refused)
	}
	badCert := in.transportError(wrap(fmt.Errorf("tls: %w", x509.UnknownAuthorityError{})))
	if _, ok := retry.IsRetryable(badCert); ok {
		t.Errorf("an untrusted certificate is retried: %v", badCert)
	}
	if !errors.As(badCert, new(x509.UnknownAuthorityError)) {
		t.Error("the certificate error is lost")
	}
}

func TestServerMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"code":"invalid_argument","message":"bad name"}`: "bad name",
		"  plain text\n":         "plain text",
		"":                       "(no message)",
		"a\x00b\x1bc":            "a b c",
		strings.Repeat("é", 400): strings.Repeat("é", 256) + "…",
	} {
		if got := serverMessage([]byte(body), strings.Clone); got != want {
			t.Errorf("serverMessage(%.40q) = %.40q, want %.40q", body, got, want)
		}
	}
}
