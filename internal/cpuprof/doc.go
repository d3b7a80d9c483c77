// Package cpuprof shares the process's one runtime CPU profile between
// several consumers whose windows of CPU time may overlap: Ember's
// continuous intervals and on-demand requests such as the
// /debug/pprof/profile handler.
//
// Go allows one CPU profile per process (runtime/pprof.StartCPUProfile), so
// the state here is process-wide. The runtime profile is cut, that is
// stopped and at once restarted into a fresh buffer, at every window
// boundary of any consumer. Each cut yields a segment; every window that is
// open when a segment ends collects it. Closing a window returns its single
// segment unchanged when it has one, or else all its segments merged into
// one profile whose TimeNanos and DurationNanos are the window's.
//
// Sampling is off for a short gap at each cut: runtime/pprof.StopCPUProfile
// waits until the runtime has built and compressed the finished segment
// before a new profile can start. ReadStats reports the measured gaps, and
// BenchmarkCut measures one cut.
//
// If the application holds the runtime CPU profile itself, Start fails with
// an error wrapping ErrInUse, and the application's own StartCPUProfile fails
// while a window is open. Should the application take the profile in the
// instant between a cut's stop and restart, or stop the profile under an open
// window, the windows open at that moment end early and report an error
// wrapping ErrInUse; neither profile is corrupted.
package cpuprof
