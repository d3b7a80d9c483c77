package labels

import (
	"runtime"

	"github.com/emberprof/ember/internal/version"
)

// ScopeName is the instrumentation scope Ember's profiles carry in
// otel.scope.name.
const ScopeName = "github.com/emberprof/ember"

// Series returns the labels every profile's series carries, as
// pyroscope-go (v1.4 and later) sends them, so that dashboards filtering
// on them find Ember's profiles: the OpenTelemetry instrumentation scope
// (Ember and its version) and the runtime (process.runtime.name "go" for
// the gc toolchain, else the compiler's name; the version is
// runtime.Version()).
func Series() map[string]string {
	name := runtime.Compiler
	if name == "gc" {
		name = "go"
	}
	return map[string]string{
		"otel.scope.name":         ScopeName,
		"otel.scope.version":      version.Version,
		"process.runtime.name":    name,
		"process.runtime.version": runtime.Version(),
	}
}
