// Package remote delivers profiles to a Grafana Pyroscope server.
//
// Each profile is one POST to {ServerAddress}/ingest, a multipart body whose
// "profile" part is the gzipped pprof as Ember encoded it, with the query
// parameters name=APP{tags}, from and until (Unix nanoseconds), spyName=gospy
// and, for CPU, sampleRate=100. The server derives each series' profile type
// ID from the pprof itself (__name__:sample type:unit:period type:period
// unit), one series per sample type; checked against Pyroscope v1.9.0:
//
//	cpu             process_cpu:cpu:nanoseconds:cpu:nanoseconds, process_cpu:samples:count:cpu:nanoseconds
//	heap            memory:{alloc,inuse}_{space:bytes,objects:count}:space:bytes
//	goroutines      goroutines:goroutine:count:goroutine:count
//	mutex           mutex:contentions:count:contentions:count, mutex:delay:nanoseconds:contentions:count
//	block           block:contentions:count:contentions:count, block:delay:nanoseconds:contentions:count
//	goroutine_leak  goroutineleak:goroutineleak:count:goroutineleak:count
//
// Mutex and block profiles have the same sample types; only the
// "sample_type_config" part, sent with both, tells the server which is
// which. That part cannot remove sample types, so when Profile.SampleTypes
// asks for fewer than a profile holds, the others are cut from the pprof.
// The units and aggregationType parameters are ignored for pprof by the
// server and not sent.
//
// The server's name parser has no escapes. Tag values it cannot read back
// (with ',' or '}' or surrounding spaces) are sent as pprof labels on every
// sample instead, which the server stores as series labels all the same.
//
// Profile.Data is sent as it comes, not compressed again. The server reads
// only gzip or raw pprof in the profile part and decodes no request
// Content-Encoding, so zstd is not an option. Measured on runtime/pprof
// output (gzip BestSpeed): re-compressing with klauspost gzip level 6 saves
// 17–21 % of the bytes (heap, 931 kB raw: 54.9 kB to 45.3 kB; CPU: 3.3 kB to
// 2.6 kB) but costs a gunzip and a gzip, 0.7 + 2.1 ms for that heap
// profile, per upload; the encoder, which compresses anyway, is the place to
// pick the level. Profiles rewritten here (for labels or sample types) use
// level 6.
//
// Uploads never block the caller. They go through a bounded queue (in
// profiles and in bytes; when full the oldest queued profile is dropped and
// counted) to a few workers that retry network errors, 408, 429 and 5xx
// answers, and the server's 422s that mean "not now" (its rate limit, a
// ring not ready), with exponential backoff and full jitter, honouring
// Retry-After, for as long as the profile stays queued; the first upload
// that succeeds ends the others' wait. Other answers are final and logged once per distinct
// message. Credentials never appear in logs or errors.
package remote

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emberprof/ember/internal/queue"
	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/internal/version"
	"github.com/emberprof/ember/upstream"
)

// Defaults for the zero values of Config's delivery fields.
const (
	DefaultMaxQueueProfiles = 256              // ten minutes of six types at 15 s intervals
	DefaultMaxQueueBytes    = 16 << 20         // bytes of profile data queued or in flight
	DefaultWorkers          = 2                // concurrent uploads
	DefaultTimeout          = 10 * time.Second // per attempt, connect to last byte
	DefaultUploadJitter     = 5 * time.Second  // see Config.UploadJitter
)

// The backoff between attempts: full jitter under a ceiling that starts at
// one second and doubles up to 30 s; a server's Retry-After is honoured up
// to two minutes.
var defaultBackoff = retry.Backoff{Base: time.Second, Max: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}

// Config says where and how to deliver.
type Config struct {
	// ServerAddress is the server's base URL, such as http://127.0.0.1:4040
	// or https://host/prefix; /ingest is appended to its path. User info in
	// it is used as basic auth if BasicAuthUser is empty.
	ServerAddress string
	// AuthToken, if set, is sent as "Authorization: Bearer AuthToken" and
	// takes precedence over basic auth.
	AuthToken string
	// BasicAuthUser and BasicAuthPassword, if either is set, are sent as
	// HTTP basic auth.
	BasicAuthUser, BasicAuthPassword string
	// TenantID, if set, is sent as X-Scope-OrgID.
	TenantID string
	// HTTPHeaders are set on every request after all other headers, so
	// they can replace them. They are treated as secrets: never logged and
	// never sent to another host on a redirect.
	HTTPHeaders map[string]string
	// HTTPClient is used as given when set. The default client honours
	// HTTP_PROXY, HTTPS_PROXY and NO_PROXY and keeps connections alive.
	HTTPClient *http.Client
	// Logger receives errors (rate-limited) and debug lines; nil discards.
	Logger upstream.Logger

	// MaxQueueProfiles bounds the profiles waiting for delivery.
	MaxQueueProfiles int
	// MaxQueueBytes bounds the profile bytes waiting or in flight.
	MaxQueueBytes int
	// Workers is how many uploads run at once. Profiles of one application
	// and type are still delivered one at a time, in order.
	Workers int
	// Timeout bounds each attempt.
	Timeout time.Duration
	// MaxAttempts is ignored.
	//
	// Deprecated: a retryable failure is retried until the profile is
	// delivered, pushed out of the full queue, or dropped by Shutdown's
	// deadline; no count of attempts gives a profile up.
	MaxAttempts int
	// UploadJitter spreads a fleet: each process picks a random offset
	// below it once and delays every upload by that much, so processes
	// whose intervals end on the same second do not all send at once.
	// Flush and Shutdown skip the delay. Negative means no delay.
	UploadJitter time.Duration

	backoff *retry.Backoff   // tests: shorter waits
	now     func() time.Time // tests: the clock for Retry-After dates
}

// Uploader delivers profiles to a Pyroscope server. It implements
// [upstream.Upstream]; its methods are safe for concurrent use.
type Uploader struct {
	queue *queue.Queue
	own   *http.Client // the default client, closed at Shutdown; nil if the user's
}

var _ upstream.Upstream = (*Uploader)(nil)

// New checks cfg and starts an Uploader. Shutdown releases it.
func New(cfg Config) (*Uploader, error) {
	if err := fillDefaults(&cfg); err != nil {
		return nil, err
	}
	endpoint, user, password, err := parseAddress(cfg.ServerAddress)
	if err != nil {
		return nil, err
	}
	if cfg.BasicAuthUser == "" && cfg.BasicAuthPassword == "" {
		cfg.BasicAuthUser, cfg.BasicAuthPassword = user, password
	}
	in := &ingester{
		endpoint: endpoint.String(),
		header:   headers(cfg),
		client:   cfg.HTTPClient,
		timeout:  cfg.Timeout,
		now:      cfg.now,
	}
	u := &Uploader{}
	if in.client == nil {
		secret := make([]string, 0, len(cfg.HTTPHeaders))
		for k := range cfg.HTTPHeaders {
			secret = append(secret, k)
		}
		u.own = newClient(cfg.Workers, secret)
		in.client = u.own
	}
	var delay time.Duration
	if cfg.UploadJitter > 0 {
		delay = time.Duration(rand.Int64N(int64(cfg.UploadJitter)))
	}
	u.queue = queue.New(queue.Config{
		MaxJobs:  cfg.MaxQueueProfiles,
		MaxBytes: cfg.MaxQueueBytes,
		Workers:  cfg.Workers,
		Backoff:  *cfg.backoff,
		Delay:    delay,
		Name:     "ember upstream/remote",
		Logger:   cfg.Logger,
		Now:      cfg.now,
	}, queue.Single(in.Export))
	return u, nil
}

func fillDefaults(cfg *Config) error {
	for _, f := range []struct {
		name  string
		value *int
		def   int
	}{
		{"MaxQueueProfiles", &cfg.MaxQueueProfiles, DefaultMaxQueueProfiles},
		{"MaxQueueBytes", &cfg.MaxQueueBytes, DefaultMaxQueueBytes},
		{"Workers", &cfg.Workers, DefaultWorkers},
	} {
		if *f.value < 0 {
			return fmt.Errorf("remote: %s is %d; want a positive number, or 0 for %d", f.name, *f.value, f.def)
		}
		if *f.value == 0 {
			*f.value = f.def
		}
	}
	if cfg.Timeout < 0 {
		return fmt.Errorf("remote: Timeout is %v; want a positive duration, or 0 for %v", cfg.Timeout, DefaultTimeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.UploadJitter == 0 {
		cfg.UploadJitter = DefaultUploadJitter
	}
	if cfg.backoff == nil {
		cfg.backoff = &defaultBackoff
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return nil
}

// parseAddress turns ServerAddress into the ingest URL, without its user
// info, which it returns apart. Errors never repeat a password.
func parseAddress(addr string) (endpoint *url.URL, user, password string, err error) {
	if addr == "" {
		return nil, "", "", errors.New("remote: ServerAddress is empty; want a URL such as http://127.0.0.1:4040")
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return nil, "", "", errors.New("remote: ServerAddress must start with http:// or https://")
	}
	u, err := url.Parse(addr)
	if err != nil {
		if strings.Contains(addr, "@") {
			return nil, "", "", errors.New("remote: ServerAddress is not a valid URL")
		}
		return nil, "", "", fmt.Errorf("remote: ServerAddress is not a valid URL: %w", err)
	}
	if u.Host == "" {
		return nil, "", "", fmt.Errorf("remote: ServerAddress %s has no host", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, "", "", fmt.Errorf("remote: ServerAddress %s: want no query or fragment", u.Redacted())
	}
	if u.User != nil {
		user = u.User.Username()
		password, _ = u.User.Password()
		u.User = nil
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/ingest"
	u.RawPath = ""
	return u, user, password, nil
}

// headers returns the headers every upload carries.
func headers(cfg Config) http.Header {
	h := http.Header{}
	h.Set("User-Agent", "ember-go/"+version.Version)
	switch {
	case cfg.AuthToken != "":
		h.Set("Authorization", "Bearer "+cfg.AuthToken)
	case cfg.BasicAuthUser != "" || cfg.BasicAuthPassword != "":
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(cfg.BasicAuthUser, cfg.BasicAuthPassword)
		h.Set("Authorization", r.Header.Get("Authorization"))
	}
	if cfg.TenantID != "" {
		h.Set("X-Scope-OrgID", cfg.TenantID)
	}
	for k, v := range cfg.HTTPHeaders {
		h.Set(k, v)
	}
	return h
}

// Upload queues p for delivery and returns at once.
func (u *Uploader) Upload(p *upstream.Profile) { u.queue.Upload(p) }

// Flush waits until every profile uploaded before the call has been
// delivered or given up on, or until ctx is done.
func (u *Uploader) Flush(ctx context.Context) error { return u.queue.Flush(ctx) }

// Shutdown stops taking profiles, delivers the queued ones until ctx is
// done, then cancels what is in flight. It returns when no goroutine of the
// Uploader is left, with an error counting the profiles it could not
// deliver meanwhile. Later calls return nil at once.
func (u *Uploader) Shutdown(ctx context.Context) error {
	err := u.queue.Shutdown(ctx)
	if u.own != nil {
		u.own.CloseIdleConnections()
	}
	return err
}

// Stats returns a snapshot of the Uploader's counters.
func (u *Uploader) Stats() upstream.Stats { return u.queue.Stats() }
