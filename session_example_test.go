package ember_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/upstream/remote"
)

// Code written against pyroscope-go's lower-level API (a Remote and a
// Session) runs with the import lines changed.
func ExampleNewSession() {
	var uploads atomic.Int64 // a stand-in for a Pyroscope server
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { uploads.Add(1) }))
	defer srv.Close()

	r, err := remote.NewRemote(remote.Config{Address: srv.URL, Threads: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := ember.NewSession(ember.SessionConfig{
		Upstream:       r,
		AppName:        "checkout{region=eu}",
		ProfilingTypes: []ember.ProfileType{ember.ProfileGoroutines},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r.Start()
	if err := s.Start(); err != nil {
		fmt.Println(err)
		return
	}
	s.Stop() // delivers the last interval
	r.Stop()
	fmt.Println("uploads:", uploads.Load())
	// Output: uploads: 1
}
