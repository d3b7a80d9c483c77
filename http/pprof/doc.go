// Package pprof serves on-demand CPU profiles that share the process's one
// runtime CPU profile with Ember, so that
//
//	go tool pprof http://host/debug/pprof/profile?seconds=30
//
// works while Ember profiles continuously, and Ember's own data keeps no
// hole. Without Ember running it behaves like net/http/pprof's Profile,
// except that a malformed seconds value is refused (400) instead of read as
// the default 30.
//
// # Mounting
//
// Importing this package registers nothing. net/http/pprof registers its own
// handler for /debug/pprof/profile on http.DefaultServeMux when it is
// imported (even as import _ "net/http/pprof"), and that handler fails with
// "cpu profiling already in use" while Ember runs. A ServeMux panics when a
// pattern is registered twice, so do one of these:
//
//   - Serve the pprof endpoints from a mux of your own: register
//     net/http/pprof's Index, Cmdline, Symbol and Trace, and this package's
//     Profile at /debug/pprof/profile (see the example). Nothing registered on
//     http.DefaultServeMux is then reachable through that mux.
//   - Keep net/http/pprof on http.DefaultServeMux and register Profile at
//     another path, such as /debug/pprof/ember/profile.
//   - Keep http.DefaultServeMux but put a handler in front of it that sends
//     /debug/pprof/profile to Profile and everything else to the mux.
package pprof
