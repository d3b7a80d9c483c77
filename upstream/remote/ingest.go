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
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/upstream"
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
}

// Export sends p once. Errors worth retrying are marked with retry.Retryable.
func (in *ingester) Export(ctx context.Context, p *upstream.Profile) (int, error) {
	body, contentType, query, err := encode(p)
	if err != nil {
		return 0, fmt.Errorf("%s %s profile: %w", p.Application, p.Type, err)
	}
	ctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.endpoint+"?"+query, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("POST %s: %w", in.endpoint, err)
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
	if resp.StatusCode/100 == 2 {
		return len(body), nil
	}
	return 0, in.statusError(resp, msg)
}

// encode builds the multipart body and query string for p.
func encode(p *upstream.Profile) (body []byte, contentType, query string, err error) {
	name, labels, err := seriesName(p.Application, p.Tags)
	if err != nil {
		return nil, "", "", err
	}
	info := profileTypes[p.Type]
	data := p.Data
	if drop := dropSampleTypes(p.Type, p.SampleTypes); len(labels) > 0 || len(drop) > 0 {
		if data, err = rewrite(data, labels, drop); err != nil {
			return nil, "", "", err
		}
	}

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
// query, and marks it retryable unless retrying cannot help.
func (in *ingester) transportError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	err = fmt.Errorf("POST %s: %w", in.endpoint, err)
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &verify) {
		return err
	}
	return retry.Retryable(err, 0)
}

// statusError describes a non-2xx answer with the server's message, and
// marks it retryable for 408, 429, 5xx and transient 422s.
func (in *ingester) statusError(resp *http.Response, body []byte) error {
	msg := serverMessage(body)
	code := resp.StatusCode
	if code == http.StatusUnauthorized && strings.Contains(msg, "no org id") {
		msg += " (the server is multi-tenant: set TenantID)"
	}
	err := fmt.Errorf("POST %s: server answered %s: %s", in.endpoint, resp.Status, msg)
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
// ({"code":...,"message":...}), or else the body's text, printable and
// capped at maxMessageBytes.
func serverMessage(body []byte) string {
	var answer struct {
		Message string `json:"message"`
	}
	text := string(body)
	if json.Unmarshal(body, &answer) == nil && answer.Message != "" {
		text = answer.Message
	}
	text = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, strings.TrimSpace(text))
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
