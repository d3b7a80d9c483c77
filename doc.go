// Package ember profiles a Go program continuously and sends the profiles
// to a Grafana Pyroscope server, or to local files that `go tool pprof`
// opens.
//
// Call [Start] once, early in main, and [Profiler.Stop] (or
// [Profiler.Shutdown]) before the program exits:
//
//	p, err := ember.Start(ember.Config{
//		ApplicationName: "checkout",
//		ServerAddress:   "http://pyroscope:4040",
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer p.Stop()
//
// Every UploadRate (15 s by default), on boundaries aligned to multiples of
// UploadRate in wall-clock time, Ember ends the current interval and takes
// every profile type asked for over exactly that interval: the CPU profile
// restarted at the boundary, heap allocations, mutex and block contention
// as per-interval deltas, memory in use and goroutines as of the boundary.
// Consecutive intervals adjoin, and all types share each interval's from
// and until.
//
// The API mirrors github.com/grafana/pyroscope-go: a program that uses it
// moves over by changing its import line to
//
//	pyroscope "github.com/emberprof/ember"
//
// Unset Config fields are read from the environment variables the
// Pyroscope agents document (PYROSCOPE_SERVER_ADDRESS and friends; see the
// README); an explicit Config value always wins.
package ember
