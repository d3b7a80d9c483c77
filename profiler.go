package ember

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/emberprof/ember/internal/cpuprof"
	"github.com/emberprof/ember/internal/session"
	"github.com/emberprof/ember/upstream"
	"github.com/emberprof/ember/upstream/remote"
)

// Profiler is a running profiling session, from [Start] until Stop or
// Shutdown. Its methods are safe for concurrent use, and do nothing on a
// nil Profiler (what a failed Start returns), so a program that ignores
// Start's error keeps running.
type Profiler struct {
	session     *session.Session
	up          upstream.Upstream
	stopTimeout time.Duration
	cpuAtStart  cpuprof.Stats // the process's CPU cut counters when Start ran
}

// Start begins profiling the process and returns the running Profiler.
// It reads unset Config fields from the environment, validates the
// configuration (errors name the field or variable at fault), takes the
// baselines of the delta profiles, and starts the first interval now.
// Only one CPU profile can run per process; if the application holds it,
// CPU intervals are skipped (and counted) until it is free.
func Start(cfg Config) (*Profiler, error) {
	s, err := resolve(cfg, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("ember: %w", err)
	}
	return start(s)
}

// start runs a profiling session with resolved settings.
func start(s settings) (*Profiler, error) {
	up, err := openUpstream(s)
	if err != nil {
		return nil, fmt.Errorf("ember: %w", err)
	}
	cpuAtStart := cpuprof.ReadStats()
	sess, err := session.Start(session.Options{
		Application:   s.app,
		Tags:          s.tags,
		Rate:          s.UploadRate,
		ProfileTypes:  s.profileTypes,
		Upstream:      up,
		Logger:        s.Logger,
		DisableGCRuns: s.DisableGCRuns,
		MaxGoroutines: s.MaxGoroutinesForProfile,
		FlushOnly:     s.DisableAutomaticResets,
	})
	if err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.StopTimeout)
		defer cancel()
		up.Shutdown(ctx)
		return nil, fmt.Errorf("ember: %w", err)
	}
	logDeprecated(s.Config)
	s.Logger.Infof("profiling %s every %v: %v", s.app, s.UploadRate, s.profileTypes)
	return &Profiler{session: sess, up: up, stopTimeout: s.StopTimeout, cpuAtStart: cpuAtStart}, nil
}

// openUpstream picks where profiles go: the caller's Upstream, the
// server, or files under OutputDir.
func openUpstream(s settings) (upstream.Upstream, error) {
	if s.Upstream != nil {
		return s.Upstream, nil
	}
	if s.ServerAddress != "" {
		return remote.New(remote.Config{
			ServerAddress:     s.ServerAddress,
			AuthToken:         s.AuthToken,
			BasicAuthUser:     s.BasicAuthUser,
			BasicAuthPassword: s.BasicAuthPassword,
			TenantID:          s.TenantID,
			HTTPHeaders:       s.HTTPHeaders,
			HTTPClient:        asHTTPClient(s.HTTPClient),
			Logger:            s.Logger,
			MaxQueueProfiles:  s.MaxQueueProfiles,
			MaxQueueBytes:     s.MaxQueueBytes,
			Transport:         s.Transport,
			UploadJitter:      uploadJitter(s.UploadRate),
		})
	}
	return openFiles(s)
}

// uploadJitter is how far a process spreads its uploads after each
// boundary: the uploader's default, but at most a third of the interval,
// so that short intervals are not delivered several intervals late.
func uploadJitter(rate time.Duration) time.Duration {
	return min(remote.DefaultUploadJitter, rate/3)
}

// Stop ends the current interval, hands its profiles (of every type) to
// the upstream, and waits until they are delivered or StopTimeout passes.
// It puts back the mutex and block profiling rates Ember set. No goroutine
// of Ember outlives it. Calling Stop again returns nil at once.
func (p *Profiler) Stop() error {
	if p == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.stopTimeout)
	defer cancel()
	return p.Shutdown(ctx)
}

// Shutdown is Stop with the caller's deadline: ctx bounds the delivery of
// what is still queued; profiles not delivered by then are counted as
// dropped and reported in the error.
func (p *Profiler) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if err := p.session.Stop(ctx); err != nil {
		return fmt.Errorf("ember: %w", err)
	}
	return nil
}

// Flush ends the current interval now, rather than at the next boundary,
// and hands its profiles to the upstream; the next interval runs from now
// to the next boundary. With wait, Flush returns once they are delivered
// or StopTimeout passes. After Stop, Flush returns at once.
func (p *Profiler) Flush(wait bool) {
	if p == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.stopTimeout)
	defer cancel()
	p.session.Flush(ctx, wait)
}
