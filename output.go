package ember

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/emberprof/ember/upstream"
	"github.com/emberprof/ember/upstream/file"
)

// openFiles sends profiles to files under OutputDir, for when no server
// is configured, and says where on standard error (whatever the Logger):
// a program profiled into a directory nobody knows about helps no one.
func openFiles(s settings) (upstream.Upstream, error) {
	dir, err := filepath.Abs(s.OutputDir)
	if err != nil {
		return nil, fmt.Errorf("OutputDir: %w", err)
	}
	sink, err := file.New(file.Config{Dir: dir, Logger: s.Logger})
	if err != nil {
		return nil, fmt.Errorf("OutputDir: %w", err)
	}
	fmt.Fprintf(os.Stderr, "ember: no server address (Config.ServerAddress, PYROSCOPE_SERVER_ADDRESS): writing profiles to %s\n"+
		"ember: open them with: go tool pprof -http=: %s\n", dir, filepath.Join(dir, "*cpu*"))
	return sink, nil
}
