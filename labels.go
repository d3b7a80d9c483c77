package ember

import (
	"context"
	"runtime/pprof"
)

// LabelSet is a set of pprof labels; build one with [Labels].
type LabelSet = pprof.LabelSet

// Labels takes an even number of strings, key-value pairs, and makes a
// LabelSet. It is pprof.Labels.
func Labels(args ...string) LabelSet { return pprof.Labels(args...) }

// TagWrapper calls fn with a context carrying labels on top of those of
// ctx, and labels the goroutine for the duration of the call, so that CPU
// and goroutine samples taken meanwhile carry them. It is pprof.Do:
// labels set either way arrive the same. Label keys the server would
// refuse (such as ones with '-') are rewritten with '_' before upload.
func TagWrapper(ctx context.Context, labels LabelSet, fn func(context.Context)) {
	pprof.Do(ctx, labels, fn)
}
