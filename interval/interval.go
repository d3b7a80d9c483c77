// Package interval is the vocabulary every stage of Ember's pipeline shares:
// the profile [Type]s, the [Profile] one interval yields, and the [Logger]
// the stages log through.
//
// Profiles flow one way: the clock closes an interval, the collectors take
// each runtime profile over it, the encoder stamps and compresses it into a
// [Profile], and the session hands that to a sink (package upstream: a queue
// in front of a transport such as upstream/remote or upstream/file). The
// early stages import only this package, never the sink's, so the flow reads
// in one direction. The package has no dependencies beyond the standard
// library's time.
package interval

import "time"

// Type names the profile a [Profile] carries. One Profile of a Type holds
// every sample type of that runtime profile (a heap profile carries
// alloc_objects, alloc_space, inuse_objects and inuse_space).
type Type string

// The profile types Ember collects.
const (
	TypeCPU           Type = "cpu"            // CPU time, sampled at 100 Hz.
	TypeHeap          Type = "heap"           // Allocations (per-interval deltas) and in-use memory.
	TypeGoroutines    Type = "goroutines"     // Stacks of all goroutines at the end of the interval.
	TypeMutex         Type = "mutex"          // Mutex contention, per-interval deltas.
	TypeBlock         Type = "block"          // Blocking on synchronisation, per-interval deltas.
	TypeGoroutineLeak Type = "goroutine_leak" // Goroutines the runtime proved leaked.
)

// Profile is one finished profile of one type over one interval.
type Profile struct {
	// Application is the service name the profile belongs to, without tags.
	Application string
	// Tags are the labels of the series: the user's static tags plus those
	// Ember adds (such as the session ID). Keys and values are already
	// validated; a sink encodes them as its protocol needs.
	Tags map[string]string
	// Type says which runtime profile Data holds.
	Type Type
	// SampleTypes, if not nil, lists the sample types (pprof's sample_type
	// names, such as "alloc_space") the user asked for, and a sink removes
	// the others from Data before delivering it. Nil means Data holds
	// exactly what is wanted: Ember's session writes only the sample types
	// asked for, and leaves SampleTypes nil.
	SampleTypes []string
	// SampleLabels are string labels every sample of Data already carries,
	// put there by the producer: Ember's session writes the tags a sink
	// asks for (upstream.SampleLabeler) into every profile as it builds
	// it. A sink that needs a tag on the samples and finds it here does
	// not rewrite Data.
	SampleLabels map[string]string
	// From and Until bound the interval the profile covers: From is
	// inclusive, Until exclusive, and consecutive profiles of one session
	// adjoin (one's Until is the next one's From).
	From, Until time.Time
	// Data is the profile as gzip-compressed pprof protobuf.
	Data []byte
}

// Logger is what every stage logs through, from the session to the
// transport. Ember's root Logger satisfies it.
type Logger interface {
	Infof(format string, args ...any)
	Debugf(format string, args ...any)
	Errorf(format string, args ...any)
}

// MissingLabels returns those of labels that the samples of p's Data do
// not carry yet with the same value, as p.SampleLabels says: what a sink
// that needs them on every sample must still add. It returns nil if none
// is missing, as for every profile from Ember's session that asked for
// them.
func (p *Profile) MissingLabels(labels map[string]string) map[string]string {
	var missing map[string]string
	for k, v := range labels {
		if have, ok := p.SampleLabels[k]; !ok || have != v {
			if missing == nil {
				missing = make(map[string]string)
			}
			missing[k] = v
		}
	}
	return missing
}
