//go:build !go1.26 || go1.28

package godeltaprof

// newFastSource returns nil: this Go release's runtime records are not
// known to this package, so every profile goes through runtime/pprof.
func newFastSource(*kind, ProfileOptions) source { return nil }
