package remote_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"time"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream/remote"
)

func ExampleNew() {
	// A stand-in for a Pyroscope server.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("X-Scope-OrgID"))
	}))
	defer srv.Close()

	u, err := remote.New(remote.Config{
		ServerAddress: srv.URL,
		TenantID:      "team-a",
		UploadJitter:  -1, // one process: no need to spread uploads
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var goroutines bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&goroutines, 0)
	u.Upload(&interval.Profile{
		Application: "checkout",
		Tags:        map[string]string{"region": "eu-west", "pods": "a,b"}, // series labels, as they are
		Type:        interval.TypeGoroutines,
		From:        time.Now().Add(-15 * time.Second),
		Until:       time.Now(),
		Data:        goroutines.Bytes(),
	})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := u.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	s := u.Stats()
	fmt.Println("delivered", s.Delivered, "dropped", s.Dropped)
	// Output:
	// POST /push.v1.PusherService/Push application/proto team-a
	// delivered 1 dropped 0
}

// With TransportIngest, every profile is a request of its own to /ingest,
// as pyroscope-go sends it, even when an interval's profiles are handed
// over together.
func ExampleTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.URL.Query().Get("name"))
	}))
	defer srv.Close()
	cfg := remote.Config{ServerAddress: srv.URL, Transport: remote.TransportIngest, Workers: 1, UploadJitter: -1}
	u, err := remote.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	end := time.Now()
	batch := make([]*interval.Profile, 0, 2)
	for _, t := range []interval.Type{interval.TypeCPU, interval.TypeGoroutines} {
		batch = append(batch, &interval.Profile{Application: "checkout", Type: t,
			From: end.Add(-15 * time.Second), Until: end, Data: []byte("a gzipped pprof profile")})
	}
	u.UploadBatch(batch)
	_ = u.Shutdown(context.Background())
	// Output:
	// POST /ingest checkout{}
	// POST /ingest checkout{}
}

func ExampleQuerier() {
	// A stand-in for a Pyroscope server's query API.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("X-Scope-OrgID"))
		fmt.Fprint(w, `{"names":["cpu"]}`)
	}))
	defer srv.Close()

	q, err := remote.NewQuerier(remote.Config{ServerAddress: srv.URL, TenantID: "team-a"})
	if err != nil {
		fmt.Println(err)
		return
	}
	answer, err := q.Call(context.Background(), "/querier.v1.QuerierService/LabelNames", "application/json", []byte(`{}`))
	fmt.Println(string(answer), err)
	// Output:
	// POST /querier.v1.QuerierService/LabelNames team-a
	// {"names":["cpu"]} <nil>
}
