package pprof_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	deltapprof "github.com/emberprof/ember/godeltaprof/http/pprof"
)

// Mount the handlers on a mux of your own. GET patterns, as net/http/pprof
// uses, let its handlers share the mux.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/delta_heap", deltapprof.Heap)
	mux.HandleFunc("GET /debug/pprof/delta_mutex", deltapprof.Mutex)
	mux.HandleFunc("GET /debug/pprof/delta_block", deltapprof.Block)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/delta_heap?gc=1", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output: 200 application/octet-stream
}
