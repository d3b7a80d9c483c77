package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
)

// maxResponseBytes caps how much of a response body is read.
const maxResponseBytes = 64 << 10

// maxMessageBytes caps the server message kept in an error.
const maxMessageBytes = 512

// ingester sends one profile to Pyroscope's /ingest endpoint.
type ingester struct {
	endpoint string      // scheme://host/prefix/ingest, no user info
	header   http.Header // credentials, tenant, User-Agent, the user's headers
	client   *http.Client
	timeout  time.Duration
	now      func() time.Time
	redact   *redactor // applied to every error Export returns
}

// Export sends p once. Errors worth retrying are marked with
// retry.Retryable; every error has the secrets removed and names its kind
// (see [failure]).
func (in *ingester) Export(ctx context.Context, p *interval.Profile) (int, error) {
	sent, err := in.post(ctx, p)
	if err != nil {
		return 0, in.redact.error(err)
	}
	return sent, nil
}

// post sends p once. It counts p as delivered only on a 2xx answer to the
// POST that carried it (see [redirectPolicy]).
func (in *ingester) post(ctx context.Context, p *interval.Profile) (int, error) {
	body, contentType, query, err := encode(p)
	if err != nil {
		return 0, &failure{msg: fmt.Sprintf("%s %s profile: %v", p.Application, p.Type, err), kind: "encode", err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.endpoint+"?"+query, bytes.NewReader(body))
	if err != nil {
		return 0, &failure{msg: fmt.Sprintf("POST %s: %v", in.endpoint, err), kind: "request", err: err}
	}
	for k, v := range in.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)

	resp, err := in.client.Do(req)
	if err != nil {
		return 0, in.transportError(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode/100 != 2 {
		return 0, in.statusError(resp, msg)
	}
	if r := resp.Request; r != nil && r.Method != http.MethodPost {
		// A transport that follows redirects itself turned the upload
		// into a request without the profile. (Its host is not compared:
		// some transports rewrite URLs to route requests.)
		return 0, &failure{msg: fmt.Sprintf("POST %s: the answer came from %s %s, not from the upload: %s",
			in.endpoint, r.Method, origin(r.URL), redirectRule), kind: "redirect"}
	}
	return len(body), nil
}

// failure is an upload error with its kind: "HTTP 503", "connection
// reset", "timeout", "redirect" and so on. The queue logs the first
// failure of each kind at error level and repeats at debug level until a
// delivery succeeds, so messages that differ in every attempt (a local
// port, a server's request ID) do not flood the log.
type failure struct {
	msg  string
	kind string
	err  error // the cause, if any; dropped by [redactor.error]
}

func (f *failure) Error() string { return f.msg }

func (f *failure) Unwrap() error { return f.err }

// Kind names the kind of failure.
func (f *failure) Kind() string { return f.kind }

// encode builds the multipart body and query string for p.
func encode(p *interval.Profile) (body []byte, contentType, query string, err error) {
	// The tags the name cannot hold are on every sample of p.Data, put
	// there as p was built or queued (Uploader.prepare).
	name, _, err := seriesName(p.Application, p.Tags)
	if err != nil {
		return nil, "", "", err
	}
	info := profileTypes[p.Type]
	data := p.Data

	var buf bytes.Buffer
	buf.Grow(len(data) + 1024)
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("profile", "profile.pb.gz")
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil && info.config != "" {
		if part, err = w.CreateFormFile("sample_type_config", "sample_type_config.json"); err == nil {
			_, err = io.WriteString(part, info.config)
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, "", "", err
	}

	q := url.Values{}
	q.Set("name", name)
	q.Set("from", strconv.FormatInt(p.From.UnixNano(), 10))
	q.Set("until", strconv.FormatInt(p.Until.UnixNano(), 10))
	q.Set("spyName", "gospy")
	if info.sampleRate > 0 {
		q.Set("sampleRate", strconv.Itoa(info.sampleRate))
	}
	return buf.Bytes(), w.FormDataContentType(), q.Encode(), nil
}

// transportError explains a failed round trip without the request URL's
// query, and marks it retryable unless retrying cannot help: a refused
// redirect or a certificate that does not verify.
func (in *ingester) transportError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	f := &failure{msg: fmt.Sprintf("POST %s: %v", in.endpoint, err), kind: transportKind(err), err: err}
	if f.kind == "redirect" || f.kind == "TLS certificate" {
		return f
	}
	return retry.Retryable(f, 0)
}

// transportKind classifies a failed round trip.
func transportKind(err error) string {
	var redirect *redirectError
	var dns *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.As(err, &redirect):
		return "redirect"
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &verify):
		return "TLS certificate"
	case errors.As(err, &record):
		return "TLS"
	case errors.As(err, &dns):
		return "DNS"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection reset"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	}
	return "network"
}

// statusError describes a non-2xx answer with the server's message, and
// marks it retryable for 408, 429, 5xx and transient 422s.
func (in *ingester) statusError(resp *http.Response, body []byte) error {
	msg := serverMessage(body, in.redact.text)
	code := resp.StatusCode
	if code == http.StatusUnauthorized && strings.Contains(msg, "no org id") {
		msg += " (the server is multi-tenant: set TenantID)"
	}
	err := &failure{msg: fmt.Sprintf("POST %s: server answered %s: %s", in.endpoint, resp.Status, msg), kind: fmt.Sprintf("HTTP %d", code)}
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		after, _ := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), in.now())
		return retry.Retryable(err, after)
	case code == http.StatusUnprocessableEntity && transient(msg):
		return retry.Retryable(err, 0)
	}
	return err
}

// transientMarkers are phrases of Pyroscope's 422 answers that mean "not
// now" rather than "never": its /ingest handler answers 422 for every
// failure inside the server, including its per-tenant rate limit and
// ingesters that are not ready yet (pkg/ingester/pyroscope/ingest_handler.go).
var transientMarkers = []string{
	"rate limit", "too many unhealthy instances", "empty ring", "live replicas required",
	"unavailable", "deadline exceeded", "connection refused",
}

func transient(msg string) bool {
	msg = strings.ToLower(msg)
	for _, m := range transientMarkers {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// serverMessage extracts the message from Pyroscope's JSON error body
// ({"code":...,"message":...}), or else the body's text, printable, passed
// through redact and then capped at maxMessageBytes (after redact, so that
// no secret is cut in two and half kept).
func serverMessage(body []byte, redact func(string) string) string {
	var answer struct {
		Message string `json:"message"`
	}
	text := string(body)
	if json.Unmarshal(body, &answer) == nil && answer.Message != "" {
		text = answer.Message
	}
	text = redact(printable(strings.TrimSpace(text)))
	if len(text) > maxMessageBytes {
		cut := maxMessageBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	if text == "" {
		text = "(no message)"
	}
	return text
}
