package pprof_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	netpprof "net/http/pprof"

	emberpprof "github.com/emberprof/ember/http/pprof"
)

// Serve the pprof endpoints from a mux of your own, with Ember's Profile at
// the path go tool pprof asks for. (Serving http.DefaultServeMux instead
// would reach net/http/pprof's own CPU handler, which fails while Ember runs.)
func ExampleProfile() {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", netpprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", netpprof.Cmdline)
	mux.HandleFunc("/debug/pprof/symbol", netpprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", netpprof.Trace)
	mux.HandleFunc("/debug/pprof/profile", emberpprof.Profile)

	srv := httptest.NewServer(mux) // in a program: http.ListenAndServe("localhost:6060", mux)
	defer srv.Close()

	fetchProfile(srv.URL + "/debug/pprof/profile?seconds=1")
	// Output: 200 OK application/octet-stream
}

// Keep net/http/pprof on http.DefaultServeMux (for instance through
// import _ "net/http/pprof") and put Ember's Profile in front of it, at the
// usual path; registering it on http.DefaultServeMux at the same path would
// panic, since that pattern is taken.
func ExampleProfile_inFrontOfDefaultServeMux() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/debug/pprof/profile" {
			emberpprof.Profile(w, r)
			return
		}
		http.DefaultServeMux.ServeHTTP(w, r)
	})

	srv := httptest.NewServer(handler) // in a program: http.ListenAndServe("localhost:6060", handler)
	defer srv.Close()

	fetchProfile(srv.URL + "/debug/pprof/profile?seconds=1")
	// Output: 200 OK application/octet-stream
}

// fetchProfile asks url for a profile, as go tool pprof would, and prints
// the response's status and type.
func fetchProfile(url string) {
	resp, err := http.Get(url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
}
