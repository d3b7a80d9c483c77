package ember

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
)

// Logger receives Ember's log lines. Its method set is pyroscope-go's.
type Logger interface {
	Infof(format string, args ...any)
	Debugf(format string, args ...any)
	Errorf(format string, args ...any)
}

// StandardLogger writes info and error lines to standard error through
// the log package, and drops debug lines.
var StandardLogger Logger = stdLogger{log.New(os.Stderr, "ember: ", log.LstdFlags)}

type stdLogger struct{ l *log.Logger }

func (s stdLogger) Infof(format string, args ...any)  { s.l.Printf("[INFO] "+format, args...) }
func (s stdLogger) Debugf(string, ...any)             {}
func (s stdLogger) Errorf(format string, args ...any) { s.l.Printf("[ERROR] "+format, args...) }

// SlogLogger adapts l to Logger: Infof, Debugf and Errorf log at
// slog.LevelInfo, LevelDebug and LevelError, with the attribute
// component=ember.
func SlogLogger(l *slog.Logger) Logger {
	return slogLogger{l.With("component", "ember")}
}

type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Infof(format string, args ...any)  { s.log(slog.LevelInfo, format, args) }
func (s slogLogger) Debugf(format string, args ...any) { s.log(slog.LevelDebug, format, args) }
func (s slogLogger) Errorf(format string, args ...any) { s.log(slog.LevelError, format, args) }

func (s slogLogger) log(level slog.Level, format string, args []any) {
	ctx := context.Background()
	if s.l.Enabled(ctx, level) {
		s.l.Log(ctx, level, fmt.Sprintf(format, args...))
	}
}

type noopLogger struct{}

func (noopLogger) Infof(string, ...any)  {}
func (noopLogger) Debugf(string, ...any) {}
func (noopLogger) Errorf(string, ...any) {}
