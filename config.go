package ember

import (
	"time"

	"github.com/emberprof/ember/internal/collect"
	"github.com/emberprof/ember/upstream"
	"github.com/emberprof/ember/upstream/remote"
)

// Defaults for zero Config fields (after the environment is read).
const (
	DefaultUploadRate = 15 * time.Second
	// MinUploadRate is the shortest UploadRate accepted: each interval
	// costs a round of profiles, and shorter ones only make sense in tests.
	MinUploadRate = 100 * time.Millisecond
	// DefaultStopTimeout bounds Stop and a waiting Flush.
	DefaultStopTimeout = 5 * time.Second
	// DefaultOutputDir is where profiles go when no server address is set.
	DefaultOutputDir = "ember-profiles"
	// DefaultMaxGoroutinesForProfile is the goroutine count above which an
	// interval's goroutine profile is skipped, because its cost grows with
	// every goroutine (about 50 ms at 10,000 on a small machine).
	DefaultMaxGoroutinesForProfile = collect.DefaultMaxGoroutines
	// DefaultSampleRate is the CPU profile's sampling rate in Hz, the one
	// runtime/pprof uses; as in pyroscope-go, it is the only one.
	DefaultSampleRate = 100
)

// Config configures [Start]. Only ApplicationName matters for a start;
// every field left at its zero value is read from the environment (see
// the README's table), and failing that takes its default.
//
// The fields up to Logger are pyroscope-go's and mean the same.
type Config struct {
	// ApplicationName is the service name profiles are stored under
	// (service_name on the server). It may carry tags, as in
	// "app{region=eu,env=prod}". If no name is set anywhere, the
	// executable's name is used and logged.
	ApplicationName string
	// Tags are static labels added to every profile. Values may hold any
	// printable text, including ',', '=', '{' and '}'. Keys the server
	// refuses are rewritten as pprof label keys are ("user-id" is sent as
	// "user_id"; see the README), and the rewrite is logged.
	Tags map[string]string

	// ServerAddress is the Pyroscope server's URL, such as
	// http://pyroscope:4040 (a path prefix is kept). With none set here or
	// in the environment, profiles go to files under OutputDir.
	ServerAddress string
	// AuthToken is sent as "Authorization: Bearer AuthToken".
	AuthToken string
	// BasicAuthUser and BasicAuthPassword are sent as HTTP basic auth
	// (Grafana Cloud's user is the numeric instance ID).
	BasicAuthUser     string
	BasicAuthPassword string
	// TenantID is sent as X-Scope-OrgID to a multi-tenant server.
	TenantID string
	// HTTPHeaders are added to every upload; treated as secrets.
	HTTPHeaders map[string]string
	// HTTPClient, if set, sends the uploads (an *http.Client or anything
	// with its Do method). An *http.Client follows only the redirects the
	// README allows, through a copy; any other Do that follows redirects
	// itself decides where the request and its headers go.
	HTTPClient HTTPClient

	// UploadRate is the interval length (default 15 s, at least
	// MinUploadRate). Intervals end on multiples of it in wall-clock time.
	// Each process delays its uploads by a random offset of up to a third
	// of it (at most 5 s), so a fleet does not send on the same second.
	UploadRate time.Duration
	// ProfileTypes lists what to collect; empty means DefaultProfileTypes.
	ProfileTypes []ProfileType
	// DisableGCRuns stops Ember from ever running a garbage collection.
	// The heap profile reflects the last completed collection, so
	// allocations made after it show up in the interval of the next one.
	// By default Ember runs one at a boundary when none has completed for
	// a minute, and at Stop; with GC runs disabled it relies on the
	// runtime's own collections (at least every two minutes).
	DisableGCRuns bool
	// Logger receives Ember's log lines; nil means none. See
	// StandardLogger and SlogLogger.
	Logger Logger

	// Upstream, if set, receives the profiles instead of a server or
	// files; the server and file fields above are then ignored.
	Upstream upstream.Upstream
	// OutputDir is the directory for profile files when no server address
	// is set (default DefaultOutputDir, relative to the working directory).
	OutputDir string
	// MaxGoroutinesForProfile skips the goroutine profile of intervals
	// ending with more goroutines than this (0: the default; negative: no
	// limit). Skips are counted in Stats.
	MaxGoroutinesForProfile int
	// MaxQueueProfiles and MaxQueueBytes bound the profiles waiting for
	// delivery to the server; when full, the oldest is dropped and counted.
	// Zero means upstream/remote's defaults.
	MaxQueueProfiles int
	MaxQueueBytes    int
	// Transport is the server API profiles go through: empty for
	// remote.TransportPush (an interval's profiles in one request, with
	// a fall back to /ingest on servers without it), or
	// remote.TransportIngest (one /ingest request per profile).
	Transport remote.Transport
	// StopTimeout bounds Stop and a waiting Flush (default
	// DefaultStopTimeout). Shutdown takes its deadline from its context.
	StopTimeout time.Duration

	// Deprecated: pyroscope-go's; ignored, as there: the CPU profile
	// samples at DefaultSampleRate. Another rate is logged at Start.
	SampleRate uint32
	// Deprecated: pyroscope-go's, with its meaning: intervals end only
	// when the program calls Flush (and at Stop), never every UploadRate.
	DisableAutomaticResets bool
	// Deprecated: pyroscope-go's; ignored.
	DisableCumulativeMerge bool
}
