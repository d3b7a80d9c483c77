package otlp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"go.opentelemetry.io/collector/pdata/pprofile/pprofileotlp"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/upstream/otlp"
)

// Ember sends each interval's profiles to an OpenTelemetry Collector (here
// a stand-in that decodes the request) as one OTLP profiles request.
func ExampleNew() {
	var once sync.Once
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		zr, _ := gzip.NewReader(r.Body)
		body, _ := io.ReadAll(zr)
		req := pprofileotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		once.Do(func() {
			service, _ := req.Profiles().ResourceProfiles().At(0).Resource().Attributes().Get("service.name")
			fmt.Println(r.Method, r.URL.Path, r.Header.Get("OTLP-Profiles-Development-Version"), service.Str())
		})
	}))
	defer collector.Close()

	exporter, err := otlp.New(otlp.Config{
		Endpoint:     collector.URL, // such as http://otel-collector:4318
		UploadJitter: -1,            // one process: no need to spread uploads
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := ember.Start(ember.Config{
		ApplicationName: "checkout",
		Upstream:        exporter, // Stop shuts it down
		UploadRate:      time.Hour,
		ProfileTypes:    []ember.ProfileType{ember.ProfileCPU, ember.ProfileGoroutines},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// ... the application runs ...
	if err := p.Stop(); err != nil {
		fmt.Println(err)
	}
	// Output: POST /v1development/profiles 1 checkout
}
