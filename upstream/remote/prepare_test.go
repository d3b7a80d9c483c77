package remote

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/interval"
)

// cutPlan is a typical choice of sample types: CPU time, memory in use,
// and lock delays.
var cutPlan = map[interval.Type][]string{
	interval.TypeCPU:   {"cpu"},
	interval.TypeHeap:  {"inuse_objects", "inuse_space"},
	interval.TypeMutex: {"delay"},
	interval.TypeBlock: {"delay"},
}

// refusingFirstAttempts returns an Uploader through tr to a server that
// answers every other request, the first of each pair, with 503; bodies
// returns what the server was sent.
func refusingFirstAttempts(t *testing.T, tr Transport) (u *Uploader, bodies func() [][]byte) {
	var mu sync.Mutex
	var seen [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, b)
		first := len(seen)%2 == 1
		mu.Unlock()
		if first {
			http.Error(w, "try again", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close) // after the Uploader's Shutdown
	cfg := fastConfig(srv.URL)
	cfg.Transport = tr
	return mustNew(t, cfg), func() [][]byte {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// TestUploadCutsOnce checks that the sample-type cut happens as a profile
// is queued, so that every attempt sends the bytes cut then: against a
// server that refuses each first attempt, both attempts carry the same,
// already cut profile, on both transports.
func TestUploadCutsOnce(t *testing.T) {
	for _, tr := range []Transport{TransportIngest, TransportPush} {
		t.Run(string(tr), func(t *testing.T) {
			u, sent := refusingFirstAttempts(t, tr)
			p := newProfile(t, interval.TypeHeap, 0)
			p.SampleTypes = cutPlan[interval.TypeHeap]
			u.UploadBatch([]*interval.Profile{p})
			// The Uploader cut p before queuing it; its workers only read it.
			if p.SampleTypes != nil {
				t.Fatalf("SampleTypes %v after UploadBatch, want the cut done", p.SampleTypes)
			}
			got, err := profile.ParseData(p.Data)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, st := range got.SampleType {
				names = append(names, st.Type)
			}
			if !slices.Equal(names, cutPlan[interval.TypeHeap]) {
				t.Fatalf("queued profile has sample types %v, want %v", names, cutPlan[interval.TypeHeap])
			}
			flush(t, u)
			bodies := sent()
			if len(bodies) != 2 {
				t.Fatalf("%d requests, want a refused one and its retry", len(bodies))
			}
			if !bytes.Contains(bodies[0], p.Data) || !bytes.Contains(bodies[1], p.Data) {
				t.Fatal("an attempt did not carry the profile cut at queuing")
			}
		})
	}
}

// TestOddTagsGoOnSamplesOnce: a tag whose value a series name cannot hold
// travels on every sample. A profile from another producer is labelled
// once, as it is queued, so every attempt sends the same bytes; one whose
// producer already wrote the label (Ember's session, which asked
// SampleLabels) is sent as it came.
func TestOddTagsGoOnSamplesOnce(t *testing.T) {
	tags := map[string]string{"team": "a, b", "region": "eu"}
	for _, tr := range []Transport{TransportIngest, TransportPush} {
		t.Run(string(tr), func(t *testing.T) {
			u, sent := refusingFirstAttempts(t, tr)
			if got := u.SampleLabels(tags); !maps.Equal(got, map[string]string{"team": "a, b"}) {
				t.Fatalf("SampleLabels(%v) = %v, want only the tag a name cannot hold", tags, got)
			}

			bare := newProfile(t, interval.TypeCPU, 0)
			bare.Tags = tags
			finished := newProfile(t, interval.TypeCPU, 1)
			finished.Tags = tags
			finished.SampleLabels = map[string]string{"team": "a, b"}
			finishedData := finished.Data
			u.Upload(bare)
			u.Upload(finished)
			if &finished.Data[0] != &finishedData[0] {
				t.Error("a profile that carries its labels was rewritten")
			}
			got, err := profile.ParseData(bare.Data)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range got.Sample {
				if v := s.Label["team"]; len(v) != 1 || v[0] != "a, b" {
					t.Fatalf("queued sample labels %v, want team=\"a, b\"", s.Label)
				}
			}
			flush(t, u)
			bodies := sent()
			if len(bodies) != 4 {
				t.Fatalf("%d requests, want each profile refused once and retried", len(bodies))
			}
			for _, p := range []*interval.Profile{bare, finished} {
				n := 0
				for _, b := range bodies {
					if bytes.Contains(b, p.Data) {
						n++
					}
				}
				if n != 2 {
					t.Errorf("%d of the requests carry the profile as queued, want 2 (the attempt and its retry)", n)
				}
			}
		})
	}
}

// BenchmarkRetriedInterval is BenchmarkUploadInterval with the sample
// types of cutPlan asked for and a server that refuses every first
// attempt with 503: the cost of an interval that needs a cut and a retry.
//
//	go test -run '^$' -bench RetriedInterval -benchmem -count 6 ./upstream/remote
func BenchmarkRetriedInterval(b *testing.B) {
	benchmarkIntervals(b, cutPlan, true)
}
