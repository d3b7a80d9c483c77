package remote_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"time"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream/remote"
)

// pyroscope-go's names: NewRemote, Address, Threads, Start and Stop.
func ExampleNewRemote() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
	}))
	defer srv.Close()

	r, err := remote.NewRemote(remote.Config{Address: srv.URL + "/pyroscope", Threads: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	r.Start()
	var goroutines bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&goroutines, 0)
	r.Upload(&interval.Profile{Application: "checkout", Type: interval.TypeGoroutines,
		From: time.Now().Add(-15 * time.Second), Until: time.Now(), Data: goroutines.Bytes()})
	r.Stop() // delivers what is queued, for at most remote.StopTimeout
	// Output: POST /pyroscope/push.v1.PusherService/Push
}
