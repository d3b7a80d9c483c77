package remote

import "github.com/emberprof/ember/interval"

// profileType is what the ingest protocol needs to know about one of
// Ember's profile types. Adding a type is adding a row to [profileTypes].
type profileType struct {
	// sampleTypes are the pprof sample types the runtime writes for it,
	// in order. Profile.SampleTypes selects among them.
	sampleTypes []string
	// config is the sample_type_config part, or "". Pyroscope names a
	// profile's series (__name__) from its first sample type, with
	// "contentions" and "delay" mapped to "mutex" by default; block
	// profiles have the same sample types, so they must say "block_*".
	config string
	// sampleRate is the sampling frequency in Hz, or 0 for none.
	sampleRate int
	// name is the series' __name__, which /ingest derives from the
	// sample types and config above (RawProfile.metricName in the
	// server) and the push transport sends as a label.
	name string
}

var profileTypes = map[interval.Type]profileType{
	interval.TypeCPU:        {sampleTypes: []string{"samples", "cpu"}, sampleRate: 100, name: "process_cpu"},
	interval.TypeHeap:       {sampleTypes: []string{"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"}, name: "memory"},
	interval.TypeGoroutines: {sampleTypes: []string{"goroutine"}, config: goroutineConfig, name: "goroutine"},
	interval.TypeMutex: {sampleTypes: []string{"contentions", "delay"},
		config: `{"contentions":{"units":"lock_samples","display-name":"mutex_count"},` +
			`"delay":{"units":"lock_nanoseconds","display-name":"mutex_duration"}}`, name: "mutex"},
	interval.TypeBlock: {sampleTypes: []string{"contentions", "delay"},
		config: `{"contentions":{"units":"lock_samples","display-name":"block_count"},` +
			`"delay":{"units":"lock_nanoseconds","display-name":"block_duration"}}`, name: "block"},
	interval.TypeGoroutineLeak: {sampleTypes: []string{"goroutineleak"}, name: "goroutineleak"},
}

// goroutineConfig names the goroutine series "goroutine", as pyroscope-go
// v1.5.0 does (the server's default name is "goroutines").
const goroutineConfig = `{"goroutine":{"units":"goroutines","aggregation":"average","display-name":"goroutine"}}`

// dropSampleTypes returns the sample types of a profile of type t that
// were not asked for, or nil if all of them were (or t is unknown, or
// none of the asked-for ones exists, which sends the profile whole).
func dropSampleTypes(t interval.Type, wanted []string) map[string]bool {
	info, ok := profileTypes[t]
	if !ok || wanted == nil {
		return nil
	}
	drop := map[string]bool{}
	for _, st := range info.sampleTypes {
		drop[st] = true
	}
	kept := 0
	for _, st := range wanted {
		if drop[st] {
			delete(drop, st)
			kept++
		}
	}
	if kept == 0 || len(drop) == 0 {
		return nil
	}
	return drop
}
