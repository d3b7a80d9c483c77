package ember

import "runtime"

// logDeprecated says at Start what pyroscope-go's deprecated fields do
// here, when they are set to anything that changes what Ember does.
func logDeprecated(c Config) {
	if c.SampleRate != 0 && c.SampleRate != DefaultSampleRate {
		// runtime/pprof.StartCPUProfile sets 100 Hz itself (Go 1.26, 1.27).
		// Setting another rate first with runtime.SetCPUProfileRate works
		// only by making the runtime print "cannot set cpu profile rate"
		// to stderr at every start, and Ember restarts the profile at
		// every interval boundary and for on-demand profiles, whose rate
		// would change too.
		c.Logger.Infof("SampleRate %d is ignored: the CPU profile samples at %d Hz, the only rate runtime/pprof offers in %s "+
			"(another one would need runtime.SetCPUProfileRate before every restart of the shared CPU profile, "+
			"and the runtime prints a warning to stderr each time)", c.SampleRate, DefaultSampleRate, runtime.Version())
	}
	if c.DisableAutomaticResets {
		c.Logger.Infof("DisableAutomaticResets: intervals end only when the program calls Flush, and at Stop")
	}
}
