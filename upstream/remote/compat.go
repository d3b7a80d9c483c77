package remote

import (
	"context"
	"fmt"
	"time"
)

// Remote is pyroscope-go's name for the [Uploader].
type Remote = Uploader

// NewRemote is [New] under pyroscope-go's name. Config.Address and
// Config.Threads, pyroscope-go's names, are read as ServerAddress and
// Workers.
func NewRemote(cfg Config) (*Remote, error) { return New(cfg) }

// StopTimeout bounds [Uploader.Stop].
const StopTimeout = 5 * time.Second

// Start does nothing: New starts the uploads. It is here for code written
// for pyroscope-go, whose Remote uploads only after Start.
func (u *Uploader) Start() {}

// Stop is [Uploader.Shutdown] with a deadline of StopTimeout, for code
// written for pyroscope-go. Profiles not delivered by then are dropped and
// counted; use Shutdown to choose the deadline or see the error.
func (u *Uploader) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
	defer cancel()
	_ = u.Shutdown(ctx)
}

// applyAliases moves pyroscope-go's field names to Ember's.
func applyAliases(cfg *Config) error {
	switch {
	case cfg.Address == "":
	case cfg.ServerAddress == "":
		cfg.ServerAddress = cfg.Address
	case cfg.ServerAddress != cfg.Address:
		return fmt.Errorf("remote: ServerAddress and Address (its pyroscope-go name) are both set, to different URLs; set one")
	}
	switch {
	case cfg.Threads == 0:
	case cfg.Workers == 0:
		cfg.Workers = cfg.Threads
	case cfg.Workers != cfg.Threads:
		return fmt.Errorf("remote: Workers is %d and Threads (its pyroscope-go name) is %d; set one", cfg.Workers, cfg.Threads)
	}
	return nil
}
