package ember

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emberprof/ember/upstream"
)

// SessionConfig configures a [Session], with pyroscope-go's field names
// and meaning. Unlike [Config], it reads nothing from the environment.
type SessionConfig struct {
	// Upstream receives the profiles; it is required. An
	// upstream/remote.Remote (see remote.NewRemote) or an upstream/file
	// Sink fits.
	Upstream upstream.Upstream
	// Logger receives log lines; nil means none.
	Logger Logger
	// AppName is the application name, which may carry tags, as in
	// "app{region=eu}".
	AppName string
	// Tags are static labels added to every profile.
	Tags map[string]string
	// ProfilingTypes lists what to collect; empty means
	// DefaultProfileTypes.
	ProfilingTypes []ProfileType
	// DisableGCRuns is Config.DisableGCRuns.
	DisableGCRuns bool
	// UploadRate is the interval length (default 15 s).
	UploadRate time.Duration

	// Deprecated: as Config.DisableAutomaticResets.
	DisableAutomaticResets bool
	// Deprecated: as Config.DisableCumulativeMerge.
	DisableCumulativeMerge bool
	// Deprecated: as Config.SampleRate.
	SampleRate uint32
}

// Session is pyroscope-go's lower-level handle on profiling: [NewSession]
// checks a SessionConfig, Start begins profiling into its Upstream, and
// Stop ends it. [Start] and [Profiler] do the same with the environment
// read and the upstream chosen for you; use them in new code.
type Session struct {
	cfg Config

	mu       sync.Mutex
	profiler *Profiler
	started  bool
}

// NewSession checks c and returns a Session that has not started.
func NewSession(c SessionConfig) (*Session, error) {
	if c.Upstream == nil {
		return nil, errors.New("ember: SessionConfig.Upstream is nil; want where profiles go, such as an upstream/remote.Remote")
	}
	if c.Logger == nil {
		c.Logger = noopLogger{}
	}
	cfg := Config{
		ApplicationName:        c.AppName,
		Tags:                   c.Tags,
		Upstream:               c.Upstream,
		Logger:                 c.Logger,
		ProfileTypes:           c.ProfilingTypes,
		DisableGCRuns:          c.DisableGCRuns,
		UploadRate:             c.UploadRate,
		DisableAutomaticResets: c.DisableAutomaticResets,
		DisableCumulativeMerge: c.DisableCumulativeMerge,
		SampleRate:             c.SampleRate,
	}
	if _, err := resolve(cfg, noEnvironment); err != nil {
		return nil, fmt.Errorf("ember: %s", sessionFieldNames.Replace(err.Error()))
	}
	return &Session{cfg: cfg}, nil
}

// sessionFieldNames renames, in errors, Config's fields that SessionConfig
// names otherwise.
var sessionFieldNames = strings.NewReplacer("ApplicationName", "AppName", "ProfileTypes", "ProfilingTypes")

func noEnvironment(string) (string, bool) { return "", false }

// Start begins profiling. A Session starts once; a second call is an
// error.
func (s *Session) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("ember: the session has already started")
	}
	set, err := resolve(s.cfg, noEnvironment)
	if err != nil {
		return fmt.Errorf("ember: %w", err)
	}
	p, err := start(set)
	if err != nil {
		return err
	}
	s.profiler, s.started = p, true
	return nil
}

// Stop ends the current interval, hands its profiles to the Upstream and
// shuts the Upstream down, waiting at most DefaultStopTimeout (a later
// Stop or Shutdown of the Upstream returns at once). Failures are logged.
// It does nothing on a Session that has not started or has stopped.
func (s *Session) Stop() {
	s.mu.Lock()
	p := s.profiler
	s.profiler = nil
	s.mu.Unlock()
	if err := p.Stop(); err != nil {
		s.cfg.Logger.Errorf("%v", err)
	}
}
