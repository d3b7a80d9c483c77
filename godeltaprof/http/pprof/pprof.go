// Package pprof serves delta heap, mutex and block profiles over HTTP, at
// the paths Grafana Alloy and pyroscope-go users scrape:
//
//	/debug/pprof/delta_heap
//	/debug/pprof/delta_mutex
//	/debug/pprof/delta_block
//
// Importing the package for its side effect registers the handlers on
// http.DefaultServeMux for GET requests, like net/http/pprof, so the two
// packages can be imported together:
//
//	import _ "github.com/emberprof/ember/godeltaprof/http/pprof"
//
// For another mux, register Heap, Mutex and Block yourself. Each response
// holds what changed since the previous request to the same handler, so
// one scraper per process is expected. A query parameter gc=1 runs a
// garbage collection first, so the heap profile is up to date.
package pprof

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"sync"

	"github.com/emberprof/ember/godeltaprof"
)

func init() { register(http.DefaultServeMux) }

// register adds the handlers to mux for GET (and so HEAD) requests, as
// net/http/pprof registers its own: a pattern without a method would
// conflict with its "GET /debug/pprof/" and panic. Under
// GODEBUG=httpmuxgo121=1 the mux takes no methods, so none is given.
func register(mux *http.ServeMux) {
	prefix := "GET "
	if !muxTakesMethods() {
		prefix = ""
	}
	mux.HandleFunc(prefix+"/debug/pprof/delta_heap", Heap)
	mux.HandleFunc(prefix+"/debug/pprof/delta_mutex", Mutex)
	mux.HandleFunc(prefix+"/debug/pprof/delta_block", Block)
}

// muxTakesMethods reports whether http.ServeMux understands method
// patterns, which GODEBUG=httpmuxgo121=1 turns off (then "GET /p" is a
// path that no request matches).
func muxTakesMethods() bool {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /p", func(http.ResponseWriter, *http.Request) {})
	_, pattern := mux.Handler(&http.Request{Method: "GET", URL: &url.URL{Path: "/p"}})
	return pattern != ""
}

// The profilers are made on first use, so importing this package costs
// nothing until a scrape arrives.
var (
	heap  = sync.OnceValue(godeltaprof.NewHeapProfiler)
	mutex = sync.OnceValue(godeltaprof.NewMutexProfiler)
	block = sync.OnceValue(godeltaprof.NewBlockProfiler)
)

// Heap serves the delta heap profile. The first request's profile covers
// everything since the program started.
func Heap(w http.ResponseWriter, r *http.Request) { serve(w, r, "delta_heap", heap().Profile) }

// Mutex serves the delta mutex profile. It is empty unless the program
// called runtime.SetMutexProfileFraction.
func Mutex(w http.ResponseWriter, r *http.Request) { serve(w, r, "delta_mutex", mutex().Profile) }

// Block serves the delta block profile. It is empty unless the program
// called runtime.SetBlockProfileRate.
func Block(w http.ResponseWriter, r *http.Request) { serve(w, r, "delta_block", block().Profile) }

func serve(w http.ResponseWriter, r *http.Request, name string, profile func(io.Writer) error) {
	if gc := r.FormValue("gc"); gc != "" {
		n, err := strconv.Atoi(gc)
		if err != nil {
			serveError(w, http.StatusBadRequest, "invalid gc parameter: "+gc)
			return
		}
		if n > 0 {
			runtime.GC()
		}
	}
	// Write to memory first, so an error can still become a status code.
	var buf bytes.Buffer
	if err := profile(&buf); err != nil {
		serveError(w, http.StatusInternalServerError, "could not write profile: "+err.Error())
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Write(buf.Bytes())
}

func serveError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Del("Content-Disposition")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Go-Pprof", "1")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}
