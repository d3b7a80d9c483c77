package otlp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"go.opentelemetry.io/collector/pdata/pprofile/pprofileotlp"

	"github.com/emberprof/ember/internal/queue"
	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
	"github.com/emberprof/ember/upstream/remote"
)

// Path is the OTLP/HTTP path of the profiles signal, appended to
// Config.Endpoint.
const Path = "/v1development/profiles"

// DefaultMaxQueueProfiles bounds the profiles waiting for delivery when
// Config.MaxQueueProfiles is zero, as for the Pyroscope uploader: 128
// intervals (32 minutes at 15 s) of the default profile types.
const DefaultMaxQueueProfiles = remote.DefaultMaxQueueProfiles

// The backoff between attempts, as upstream/remote's: full jitter under a
// ceiling that starts at one second and doubles up to 30 s; a receiver's
// Retry-After is honoured up to two minutes.
var defaultBackoff = retry.Backoff{Base: time.Second, Max: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}

// Config says where and how to deliver. Only Endpoint is required; the
// delivery fields mean what upstream/remote's do and default to its values.
type Config struct {
	// Endpoint is the receiver's base URL, such as http://collector:4318
	// (the OTLP/HTTP port); Path is appended to its path.
	Endpoint string
	// Headers are set on every request after all others, so they can
	// replace them (for an API key, say). They are treated as secrets:
	// never logged, never sent to another host on a redirect.
	Headers map[string]string
	// HTTPClient is used as given when set.
	HTTPClient *http.Client
	// Logger receives errors (rate-limited) and debug lines; nil discards.
	Logger interval.Logger

	// MaxQueueProfiles bounds the profiles waiting for delivery; when
	// full, the oldest interval is dropped and its profiles counted.
	MaxQueueProfiles int
	// MaxQueueBytes bounds the profile bytes waiting or in flight.
	MaxQueueBytes int
	// Timeout bounds each attempt.
	Timeout time.Duration
	// UploadJitter delays every request by a random offset below it,
	// picked once, so that a fleet does not send on the same second.
	// Negative means no delay.
	UploadJitter time.Duration

	backoff *retry.Backoff // tests: shorter waits
}

// Exporter sends each interval's profiles to an OTLP receiver as one
// ExportProfilesServiceRequest. It implements [upstream.BatchUploader];
// its methods are safe for concurrent use.
type Exporter struct {
	queue *queue.Queue
	send  *sender
}

var _ upstream.BatchUploader = (*Exporter)(nil)

// New checks cfg and starts an Exporter. Shutdown releases it.
func New(cfg Config) (*Exporter, error) {
	endpoint, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if err := fillDefaults(&cfg); err != nil {
		return nil, err
	}
	s := &sender{
		endpoint: endpoint,
		header:   headers(cfg.Headers),
		client:   cfg.HTTPClient,
		timeout:  cfg.Timeout,
		log:      cfg.Logger,
	}
	if s.client == nil {
		s.client = newClient()
		s.own = true
	}
	var delay time.Duration
	if cfg.UploadJitter > 0 {
		delay = time.Duration(rand.Int64N(int64(cfg.UploadJitter)))
	}
	e := &Exporter{send: s}
	e.queue = queue.New(queue.Config{
		MaxProfiles: cfg.MaxQueueProfiles,
		MaxBytes:    cfg.MaxQueueBytes,
		Workers:     1, // intervals go out one at a time, in order
		Backoff:     *cfg.backoff,
		Delay:       delay,
		Name:        "upstream/otlp",
		Logger:      cfg.Logger,
		Encode:      encodeRequest, // once per interval, as it is queued
	}, queueExporter{s})
	return e, nil
}

func fillDefaults(cfg *Config) error {
	err := errors.Join(
		orDefault("MaxQueueProfiles", &cfg.MaxQueueProfiles, DefaultMaxQueueProfiles),
		orDefault("MaxQueueBytes", &cfg.MaxQueueBytes, remote.DefaultMaxQueueBytes),
	)
	if cfg.Timeout < 0 {
		err = errors.Join(err, fmt.Errorf("otlp: Timeout is %v; want a positive duration, or 0 for %v", cfg.Timeout, remote.DefaultTimeout))
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = remote.DefaultTimeout
	}
	if cfg.UploadJitter == 0 {
		cfg.UploadJitter = remote.DefaultUploadJitter
	}
	if cfg.backoff == nil {
		cfg.backoff = &defaultBackoff
	}
	return err
}

// orDefault sets *v to def if it is zero, and refuses a negative *v.
func orDefault(name string, v *int, def int) error {
	switch {
	case *v < 0:
		return fmt.Errorf("otlp: %s is %d; want a positive number, or 0 for %d", name, *v, def)
	case *v == 0:
		*v = def
	}
	return nil
}

// parseEndpoint turns Endpoint into the profiles URL. It refuses user info,
// which would be sent in the clear of every log line.
func parseEndpoint(addr string) (string, error) {
	if addr == "" {
		return "", errors.New("otlp: Endpoint is empty; want a URL such as http://127.0.0.1:4318")
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return "", errors.New("otlp: Endpoint must start with http:// or https://")
	}
	u, err := url.Parse(addr)
	switch {
	case err != nil:
		return "", errors.New("otlp: Endpoint is not a valid URL")
	case u.User != nil:
		return "", errors.New("otlp: Endpoint must not carry user info; put credentials in Headers")
	case u.Host == "":
		return "", fmt.Errorf("otlp: Endpoint %s has no host", addr)
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("otlp: Endpoint %s: want no query or fragment", addr)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + Path
	u.RawPath = ""
	return u.String(), nil
}

// Upload queues p alone as an interval's request.
func (e *Exporter) Upload(p *interval.Profile) { e.queue.Upload(p) }

// UploadBatch queues one interval's profiles, sent as one request, and
// returns at once. The request is encoded here, once; every attempt sends
// those bytes, and the profiles' pprof data is released.
func (e *Exporter) UploadBatch(profiles []*interval.Profile) { e.queue.UploadBatch(profiles) }

// encodeRequest returns the gzipped protobuf request for profiles, leaving
// out those that cannot be read (the error names them), or nil if none is
// left.
func encodeRequest(profiles []*interval.Profile) ([]byte, error) {
	pd, err := convert(profiles)
	if pd.ResourceProfiles().Len() == 0 {
		return nil, err
	}
	raw, merr := pprofileotlp.NewExportRequestFromProfiles(pd).MarshalProto()
	if merr != nil {
		return nil, errors.Join(err, fmt.Errorf("encoding the request: %w", merr))
	}
	var buf bytes.Buffer
	buf.Grow(len(raw) / 4)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes(), err
}

// gzipWriters keeps compressors between intervals: a new one allocates
// more than the request it writes.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// Flush waits until every interval handed over before the call has been
// delivered or given up on, or until ctx is done.
func (e *Exporter) Flush(ctx context.Context) error { return e.queue.Flush(ctx) }

// Shutdown stops taking profiles, delivers the queued intervals until ctx
// is done, then cancels what is in flight. It returns when no goroutine of
// the Exporter is left. Later calls return nil at once.
func (e *Exporter) Shutdown(ctx context.Context) error {
	err := e.queue.Shutdown(ctx)
	if e.send.own {
		e.send.client.CloseIdleConnections()
	}
	return err
}

// Stats returns a snapshot of the Exporter's counters.
func (e *Exporter) Stats() upstream.Stats { return e.queue.Stats() }

// queueExporter is what the queue calls: it sends one interval's request,
// encoded as the interval was queued (encodeRequest, through the queue's
// Encode; a profile that could not be read was left out and logged then).
type queueExporter struct {
	s *sender
}

func (q queueExporter) Export(ctx context.Context, job queue.Job) (int, error) {
	return q.s.send(ctx, job.Body)
}
