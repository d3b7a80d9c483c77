package otlp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pprofile/pprofileotlp"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/internal/version"
	"github.com/emberprof/ember/interval"
)

// ErrVersionRefused is wrapped by the error of a request the receiver
// refused for its OTLP-Profiles-Development-Version header: it speaks
// another development version of the profiles signal. Such a request is
// not retried; an Ember release built on that version is needed.
var ErrVersionRefused = errors.New("the receiver refused " + versionHeader + " " +
	pprofileotlp.DevelopmentVersion + " (it speaks another development version of OTLP profiles)")

// versionHeader is pprofileotlp.DevelopmentVersionHeader as the OTLP
// specification spells it (pdata spells it as gRPC metadata, in lower case).
const versionHeader = "OTLP-Profiles-Development-Version"

// maxResponseBytes caps how much of a response body is read.
const maxResponseBytes = 64 << 10

// sender posts encoded requests to the receiver.
type sender struct {
	endpoint string
	header   http.Header
	client   *http.Client
	own      bool // client is ours, closed at Shutdown
	timeout  time.Duration
	log      interval.Logger // told of partial successes; may be nil
}

// headers returns the headers every request carries, the user's last.
func headers(user map[string]string) http.Header {
	h := http.Header{}
	h.Set("User-Agent", "ember-go/"+version.Version)
	h.Set("Content-Type", "application/x-protobuf")
	h.Set("Content-Encoding", "gzip")
	h.Set(versionHeader, pprofileotlp.DevelopmentVersion)
	for k, v := range user {
		h.Set(k, v)
	}
	return h
}

// newClient returns the client used when Config.HTTPClient is nil: proxies
// from the environment, and redirects followed only within the endpoint's
// scheme and host, so that Headers never reach another host.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 1
	return &http.Client{
		Transport: t,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// send posts body once. Errors worth retrying are marked with
// retry.Retryable: network failures and the answers OTLP/HTTP names
// retryable (429, 502, 503, 504).
func (s *sender) send(ctx context.Context, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("POST %s: %w", s.endpoint, err)
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, transportError(s.endpoint, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode/100 == 2 {
		s.partial(resp.Header.Get("Content-Type"), answer)
		return len(body), nil
	}
	return 0, s.statusError(resp, answer)
}

// partial logs the profiles an accepting receiver says it rejected. OTLP
// says such a request must not be sent again, so it counts as delivered.
func (s *sender) partial(contentType string, answer []byte) {
	r := pprofileotlp.NewExportResponse()
	if s.log == nil || !strings.HasPrefix(contentType, "application/x-protobuf") || r.UnmarshalProto(answer) != nil {
		return
	}
	if n := r.PartialSuccess().RejectedProfiles(); n > 0 {
		s.log.Errorf("ember upstream/otlp: the receiver rejected %d profiles of an interval: %.200q", n, r.PartialSuccess().ErrorMessage())
	}
}

// transportError explains a failed round trip and marks it retryable
// unless retrying cannot help (a certificate the client does not trust).
func transportError(endpoint string, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	err = fmt.Errorf("POST %s: %w", endpoint, err)
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var dns *net.DNSError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &verify) ||
		(errors.As(err, &dns) && dns.IsNotFound) {
		return err
	}
	return retry.Retryable(err, 0)
}

// statusError describes a non-2xx answer with the receiver's message.
func (s *sender) statusError(resp *http.Response, body []byte) error {
	msg := message(resp.Header.Get("Content-Type"), body)
	err := fmt.Errorf("POST %s: receiver answered %s: %.200q", s.endpoint, resp.Status, msg)
	switch code := resp.StatusCode; {
	case code == http.StatusBadRequest && strings.Contains(strings.ToLower(msg), strings.ToLower(versionHeader)):
		return fmt.Errorf("POST %s: %w: %.200q", s.endpoint, ErrVersionRefused, msg)
	case code/100 == 3:
		return fmt.Errorf("POST %s: receiver answered %s to %s; a redirect to another host is not followed",
			s.endpoint, resp.Status, resp.Header.Get("Location"))
	case code == http.StatusTooManyRequests, code == http.StatusBadGateway,
		code == http.StatusServiceUnavailable, code == http.StatusGatewayTimeout:
		after, _ := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return retry.Retryable(err, after)
	}
	return err
}

// message returns the message of the google.rpc.Status an OTLP receiver
// answers with, or else the body; the error quotes and caps it.
func message(contentType string, body []byte) string {
	var st status.Status
	if strings.HasPrefix(contentType, "application/x-protobuf") && proto.Unmarshal(body, &st) == nil && st.Message != "" {
		return st.Message
	}
	return strings.TrimSpace(string(body))
}
