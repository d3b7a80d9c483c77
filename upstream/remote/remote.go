// Package remote delivers profiles to a Grafana Pyroscope server.
//
// By default an interval's profiles travel together, in one request to the
// server's push API (push.v1.PusherService/Push; see [TransportPush]), as
// one series each, with the labels /ingest would give them. Set
// Config.Transport to [TransportIngest] for the older API described next;
// a server that answers the push route with 404, 415 or 501 gets it too.
//
// With /ingest, each profile is one POST to {ServerAddress}/ingest, a multipart body whose
// "profile" part is the gzipped pprof as Ember encoded it, with the query
// parameters name=APP{tags}, from and until (Unix nanoseconds), spyName=gospy
// and, for CPU, sampleRate=100. The server derives each series' profile type
// ID from the pprof itself (__name__:sample type:unit:period type:period
// unit), one series per sample type; checked against Pyroscope v1.9.0:
//
//	cpu             process_cpu:cpu:nanoseconds:cpu:nanoseconds, process_cpu:samples:count:cpu:nanoseconds
//	heap            memory:{alloc,inuse}_{space:bytes,objects:count}:space:bytes
//	goroutines      goroutine:goroutine:count:goroutine:count
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
// pick the level. Profiles rewritten here (for labels or sample types) go
// through the same compressor and level as every other profile Ember
// writes (pprofenc.Compress); the sample-type cut is done once, as a
// profile is queued, so a retry sends the bytes of the first attempt.
//
// Uploads never block the caller. They go through a bounded queue (in
// profiles and in bytes; when full the oldest queued profile is dropped and
// counted) to a few workers that retry network errors, 408, 429 and 5xx
// answers, and the server's 422s that mean "not now" (its rate limit, a
// ring not ready), with exponential backoff and full jitter, honouring
// Retry-After, for as long as the profile stays queued. A newer upload ends
// a wait the server did not ask for, and the first upload that succeeds
// ends every wait. Other answers are final. The first failure of each kind
// (connection refused or reset, timeout, DNS, TLS, redirect, HTTP status
// code) is logged at error level, repeats at debug level until a delivery
// succeeds.
//
// A profile counts as delivered only when the server answered 2xx to the
// POST that carried it. Pyroscope never redirects an ingest, so a redirect
// is followed only if it keeps the upload whole and on the same server: a
// 307 or 308 to the same scheme, host and port. Any other redirect fails
// the upload for good: 301, 302 and 303 would resend it as a GET without
// the profile, and no request, so no credential, tenant or user header,
// goes to another host. This holds for a Config.HTTPClient too (New copies
// it and puts this check before its CheckRedirect); a client whose
// transport follows redirects itself cannot be stopped, but an answer to a
// request that no longer carried the profile (a GET after a 301, 302 or
// 303) is not counted as delivered.
//
// Secrets never appear in logs, Stats or errors: every error an upload
// returns has the token, the password, the basic-auth value as sent and
// every HTTPHeaders value removed, wherever the server echoed them (body,
// status line, redirect target).
//
// Each attempt may take Timeout (default one minute) before it is given up
// and retried: a loaded server that stores a profile and answers seconds
// later must not get it twice. Shutdown's deadline still cancels it.
// /ingest has no idempotency key, so a profile can still be stored twice
// when the server stored it but its answer never arrived: the attempt
// timed out, the connection broke after the server read the body, or a
// proxy in front answered 5xx (such as a 504) for a request the server
// completed.
package remote

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emberprof/ember/internal/envconfig"
	"github.com/emberprof/ember/internal/queue"
	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/internal/serverconf"
	"github.com/emberprof/ember/internal/version"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// Defaults for the zero values of Config's delivery fields.
const (
	DefaultMaxQueueProfiles = 256              // 128 intervals (32 minutes at 15 s) of the default types
	DefaultMaxQueueBytes    = 16 << 20         // bytes of profile data queued or in flight
	DefaultWorkers          = 2                // concurrent uploads
	DefaultTimeout          = 60 * time.Second // per attempt, connect to last byte
	DefaultUploadJitter     = 5 * time.Second  // see Config.UploadJitter
)

// The backoff between attempts: full jitter under a ceiling that starts at
// one second and doubles up to 30 s; a server's Retry-After is honoured up
// to two minutes.
var defaultBackoff = retry.Backoff{Base: time.Second, Max: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}

// Transport names the server API profiles are delivered through.
type Transport string

const (
	// TransportPush, the default, sends each interval's profiles in one
	// request to push.v1.PusherService/Push (the connect protocol over
	// HTTP, the API Grafana Alloy uses), one series per profile with its
	// labels as key/value pairs and an ID that every retry repeats. A
	// server whose push route answers 404, 415 or 501 is sent to with
	// TransportIngest from then on, and the log says so once.
	TransportPush Transport = "push"
	// TransportIngest sends each profile in a request of its own to
	// /ingest, the API of pyroscope-go and the older agents.
	TransportIngest Transport = "ingest"
)

// Config says where and how to deliver.
type Config struct {
	// ServerAddress is the server's base URL, such as http://127.0.0.1:4040
	// or https://host/prefix; the API's path (/push.v1.PusherService/Push
	// or /ingest) is appended to its path. User info in
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
	// they can replace them. Their values are treated as secrets: never
	// logged, and no request goes to another host.
	HTTPHeaders map[string]string
	// HTTPClient is used when set, through a copy that checks redirects
	// (see the package doc) before its own CheckRedirect. The default
	// client honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY and keeps
	// connections alive.
	HTTPClient *http.Client
	// Logger receives errors (rate-limited) and debug lines; nil discards.
	Logger interval.Logger

	// MaxQueueProfiles bounds the profiles waiting for delivery.
	MaxQueueProfiles int
	// MaxQueueBytes bounds the profile bytes waiting or in flight.
	MaxQueueBytes int
	// Workers is how many uploads run at once. Profiles of one application
	// and type are still delivered one at a time, in order.
	Workers int
	// Timeout bounds each attempt (default DefaultTimeout). A server that
	// answers later gets the profile again at the retry, so keep it above
	// the slowest answer of a healthy server; Shutdown's deadline cancels
	// an attempt sooner.
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
	// Transport is the server API to deliver through: TransportPush
	// (the default when empty) or TransportIngest.
	Transport Transport

	// Address is pyroscope-go's name for ServerAddress.
	Address string
	// Threads is pyroscope-go's name for Workers.
	Threads int

	backoff *retry.Backoff   // tests: shorter waits
	now     func() time.Time // tests: the clock for Retry-After dates
	scale   time.Duration    // tests: DefaultTimeout is divided by it
}

// Uploader delivers profiles to a Pyroscope server. It implements
// [upstream.BatchUploader]; its methods are safe for concurrent use.
type Uploader struct {
	queue   *queue.Queue
	own     *http.Client // the default client, closed at Shutdown; nil if the user's
	batches bool         // UploadBatch queues one job: the push transport
}

var (
	_ upstream.BatchUploader = (*Uploader)(nil)
	_ upstream.SampleLabeler = (*Uploader)(nil)
)

// New checks cfg and starts an Uploader. It refuses the server settings
// ember.Start refuses (an address that is not an http or https URL with a
// host, a port out of range, a query; a control character in a credential,
// the tenant or a header; a bad header name; ':' in BasicAuthUser), naming
// the field and never showing a secret. Shutdown releases it.
func New(cfg Config) (*Uploader, error) {
	if err := applyAliases(&cfg); err != nil {
		return nil, err
	}
	if err := fillDefaults(&cfg); err != nil {
		return nil, err
	}
	endpoint, header, redact, err := server(cfg)
	if err != nil {
		return nil, err
	}
	in := &ingester{
		endpoint: endpoint.String(),
		header:   header,
		client:   cfg.HTTPClient,
		timeout:  cfg.Timeout,
		now:      cfg.now,
		redact:   redact,
	}
	u := &Uploader{}
	if in.client == nil {
		u.own = newClient(cfg.Workers)
		in.client = u.own
	} else {
		in.client = withRedirectPolicy(in.client)
	}
	var exp queue.Exporter = queue.Single(in.Export)
	if cfg.Transport == TransportPush {
		exp, u.batches = newPusher(in, cfg.Logger), true
	}
	var delay time.Duration
	if cfg.UploadJitter > 0 {
		delay = time.Duration(rand.Int64N(int64(cfg.UploadJitter)))
	}
	u.queue = queue.New(queue.Config{
		MaxProfiles: cfg.MaxQueueProfiles,
		MaxBytes:    cfg.MaxQueueBytes,
		Workers:     cfg.Workers,
		Backoff:     *cfg.backoff,
		Delay:       delay,
		Name:        "upstream/remote",
		Logger:      cfg.Logger,
		Now:         cfg.now,
	}, exp)
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
	switch cfg.Transport {
	case "":
		cfg.Transport = TransportPush
	case TransportPush, TransportIngest:
	default:
		return fmt.Errorf("remote: Transport is %q; want %q, %q, or empty for %q",
			cfg.Transport, TransportPush, TransportIngest, TransportPush)
	}
	if cfg.Timeout < 0 {
		return fmt.Errorf("remote: Timeout is %v; want a positive duration, or 0 for %v", cfg.Timeout, DefaultTimeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout / max(cfg.scale, 1)
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

// server checks cfg's address, credentials, tenant and headers as
// ember.Start does, then returns its ingest URL, the headers every request
// carries (with basic auth from the address's user info when cfg sets
// none), and the redactor of cfg's secrets. Errors never show a secret.
func server(cfg Config) (*url.URL, http.Header, *redactor, error) {
	explicit := serverconf.Server{
		Address: cfg.ServerAddress, AuthToken: cfg.AuthToken, BasicAuthUser: cfg.BasicAuthUser,
		BasicAuthPassword: cfg.BasicAuthPassword, TenantID: cfg.TenantID, HTTPHeaders: cfg.HTTPHeaders,
	}
	// No environment: the checks see cfg's values, named as its fields.
	if err := serverconf.Resolve(explicit, serverconf.ConfigNames, envconfig.Values{}).Check(); err != nil {
		return nil, nil, nil, fmt.Errorf("remote: %w", err)
	}
	endpoint, user, password := ingestURL(cfg.ServerAddress)
	if cfg.BasicAuthUser == "" && cfg.BasicAuthPassword == "" {
		cfg.BasicAuthUser, cfg.BasicAuthPassword = user, password
	}
	header := headers(cfg)
	return endpoint, header, newRedactor(secrets(cfg, header)...), nil
}

// ingestURL turns an address that serverconf accepted into the ingest
// URL, without its user info, which it returns apart.
func ingestURL(addr string) (endpoint *url.URL, user, password string) {
	u, _ := url.Parse(addr) // cannot fail: the address was checked
	if u.User != nil {
		user = u.User.Username()
		password, _ = u.User.Password()
		u.User = nil
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/ingest"
	u.RawPath = ""
	return u, user, password
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

// secrets lists what must never be shown: the token, the password, the
// user and password together (as in the URL), the Authorization value as
// sent (the base64 of basic auth), and every user header's value. The
// tenant ID is not a secret.
func secrets(cfg Config, header http.Header) []string {
	s := []string{cfg.AuthToken, cfg.BasicAuthPassword}
	if cfg.BasicAuthPassword != "" {
		s = append(s, cfg.BasicAuthUser+":"+cfg.BasicAuthPassword)
	}
	if _, value, ok := strings.Cut(header.Get("Authorization"), " "); ok {
		s = append(s, value)
	}
	for _, v := range cfg.HTTPHeaders {
		s = append(s, v)
	}
	return s
}

// Upload queues p for delivery and returns at once.
func (u *Uploader) Upload(p *interval.Profile) {
	u.prepare(p)
	u.queue.Upload(p)
}

// UploadBatch queues one interval's profiles and returns at once. With
// TransportPush they are delivered together, in one request; with
// TransportIngest each goes on its own, as with Upload.
func (u *Uploader) UploadBatch(profiles []*interval.Profile) {
	for _, p := range profiles {
		u.prepare(p)
	}
	if u.batches {
		u.queue.UploadBatch(profiles)
		return
	}
	for _, p := range profiles {
		u.queue.Upload(p)
	}
}

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
