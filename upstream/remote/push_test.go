package remote

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/queue"
	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
)

// TestPushSendsAnIntervalInOneRequest: every type of an interval goes in
// one push request, each as its own series with the labels /ingest gives
// the same profile (the server's name for the type, __delta__="false",
// service_name, pyroscope_spy and the tags, values with ',' and '}' as
// they are), its bytes unchanged, and an ID of its own.
func TestPushSendsAnIntervalInOneRequest(t *testing.T) {
	srv := newPushServer(t, func(int) int { return 0 })
	ps := testPusher(srv.Server, nil)
	batch := allTypes(t, 1)
	for _, p := range batch {
		p.Tags = map[string]string{"env": "a,b}c", "__session_id__": "0123456789abcdef", "region": " eu "}
	}
	sent, err := ps.Export(context.Background(), queue.Job{Profiles: batch})
	if err != nil {
		t.Fatal(err)
	}
	pushes, ingests := srv.seen()
	if len(pushes) != 1 || len(ingests) != 0 {
		t.Fatalf("%d push and %d ingest requests, want 1 push", len(pushes), len(ingests))
	}
	req := pushes[0]
	if sent != len(req.Body) {
		t.Errorf("Export reported %d bytes sent, the body had %d", sent, len(req.Body))
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/proto" {
		t.Errorf("Content-Type %q, want application/proto", ct)
	}
	if v := req.Header.Get("Connect-Protocol-Version"); v != "1" {
		t.Errorf("Connect-Protocol-Version %q, want 1", v)
	}
	if v := req.Header.Get("X-Scope-OrgID"); v != "tenant-1" {
		t.Errorf("X-Scope-OrgID %q, want the configured tenant", v)
	}
	if len(req.Series) != len(batch) {
		t.Fatalf("%d series, want %d", len(req.Series), len(batch))
	}
	wantName := map[interval.Type]string{
		interval.TypeCPU: "process_cpu", interval.TypeHeap: "memory", interval.TypeGoroutines: "goroutine",
		interval.TypeMutex: "mutex", interval.TypeBlock: "block", interval.TypeGoroutineLeak: "goroutineleak",
	}
	ids := map[string]bool{}
	for i, s := range req.Series {
		p := batch[i]
		want := map[string]string{
			"__name__": wantName[p.Type], "__delta__": "false", "service_name": "app", "pyroscope_spy": "gospy",
			"env": "a,b}c", "__session_id__": "0123456789abcdef", "region": " eu ",
		}
		if len(s.Labels) != len(want) {
			t.Errorf("%s: labels %v, want %v", p.Type, s.Labels, want)
		}
		for k, v := range want {
			if s.Labels[k] != v {
				t.Errorf("%s: label %s = %q, want %q", p.Type, k, s.Labels[k], v)
			}
		}
		if !bytes.Equal(s.Profile, p.Data) {
			t.Errorf("%s: profile bytes changed on the way", p.Type)
		}
		if !uuidPattern.MatchString(s.ID) || ids[s.ID] {
			t.Errorf("%s: ID %q is not a UUID of its own", p.Type, s.ID)
		}
		ids[s.ID] = true
	}
}

// TestPushRetrySendsTheSameIDs: a retry after a failure sends the same
// request, IDs included, so a server that deduplicates by ID counts the
// profiles once; the next interval gets new IDs, and another pusher (a
// restarted process) other IDs for the same interval.
func TestPushRetrySendsTheSameIDs(t *testing.T) {
	srv := newPushServer(t, func(n int) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return 0
	})
	ps := testPusher(srv.Server, nil)
	ctx := context.Background()
	one := allTypes(t, 1)
	_, err := ps.Export(ctx, queue.Job{Profiles: one})
	if _, ok := retry.IsRetryable(err); !ok {
		t.Fatalf("Export after a 503: %v, want a retryable error", err)
	}
	if _, err := ps.Export(ctx, queue.Job{Profiles: one}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Export(ctx, queue.Job{Profiles: allTypes(t, 2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := testPusher(srv.Server, nil).Export(ctx, queue.Job{Profiles: one}); err != nil {
		t.Fatal(err)
	}
	pushes, _ := srv.seen()
	if len(pushes) != 4 {
		t.Fatalf("%d pushes, want 4", len(pushes))
	}
	if !bytes.Equal(pushes[0].Body, pushes[1].Body) {
		t.Errorf("the retry's body differs from the first attempt's")
	}
	for i, s := range pushes[0].Series {
		if next := pushes[2].Series[i].ID; next == s.ID {
			t.Errorf("%s: interval 2 reuses interval 1's ID %s", s.Labels["__name__"], s.ID)
		}
		if other := pushes[3].Series[i].ID; other == s.ID {
			t.Errorf("%s: another pusher gave the same profile the same ID %s", s.Labels["__name__"], s.ID)
		}
	}
}

// TestPushErrorsAreClassified: the server's connect errors are retried or
// final as /ingest's answers are, with its message in the error.
func TestPushErrorsAreClassified(t *testing.T) {
	for _, tc := range []struct {
		code      int
		retryable bool
	}{
		{http.StatusTooManyRequests, true}, // connect resource_exhausted: the rate limit
		{http.StatusServiceUnavailable, true},
		{http.StatusInternalServerError, true},
		{http.StatusBadRequest, false}, // invalid_argument: a profile the server refuses
		{http.StatusUnauthorized, false},
	} {
		srv := newPushServer(t, func(int) int { return tc.code })
		_, err := testPusher(srv.Server, nil).Export(context.Background(), queue.Job{Profiles: allTypes(t, 1)})
		if _, retryable := retry.IsRetryable(err); err == nil || retryable != tc.retryable {
			t.Errorf("HTTP %d: err %v, retryable %v; want retryable %v", tc.code, err, retryable, tc.retryable)
		}
		if err != nil && !strings.Contains(err.Error(), "push answer") {
			t.Errorf("HTTP %d: error %q lacks the server's message", tc.code, err)
		}
		if _, ingests := srv.seen(); len(ingests) != 0 {
			t.Errorf("HTTP %d: fell back to /ingest", tc.code)
		}
	}
}

// TestPushFallsBackToIngest: a server that answers the push route with
// 404, 415 or 501 gets the batch, and everything after it, through
// /ingest, one request per profile, and the log says so once.
func TestPushFallsBackToIngest(t *testing.T) {
	for _, code := range []int{http.StatusNotFound, http.StatusUnsupportedMediaType, http.StatusNotImplemented} {
		srv := newPushServer(t, func(int) int { return code })
		log := &logRecorder{}
		ps := testPusher(srv.Server, log)
		for i := range 3 {
			if _, err := ps.Export(context.Background(), queue.Job{Profiles: allTypes(t, i)}); err != nil {
				t.Fatalf("HTTP %d: interval %d: %v", code, i, err)
			}
		}
		pushes, ingests := srv.seen()
		if len(pushes) != 1 || len(ingests) != 3*6 {
			t.Errorf("HTTP %d: %d pushes and %d ingests, want 1 push then 18 ingests", code, len(pushes), len(ingests))
		}
		for i, req := range ingests {
			if want := allTypes(t, i/6)[i%6]; marker(t, req.Profile) != marker(t, want.Data) {
				t.Errorf("HTTP %d: ingest %d carries %s, want %s", code, i, marker(t, req.Profile), marker(t, want.Data))
			}
		}
		if lines := strings.Count(log.text(), "/ingest instead"); lines != 1 {
			t.Errorf("HTTP %d: fallback logged %d times, want once:\n%s", code, lines, log.text())
		}
	}
}

// TestUploaderPushesEachBatchInOneRequest: through the Uploader, each
// UploadBatch is one push request, and Stats count its profiles and bytes.
func TestUploaderPushesEachBatchInOneRequest(t *testing.T) {
	srv := newPushServer(t, func(int) int { return 0 })
	u := mustNew(t, pushConfig(srv.URL))
	u.UploadBatch(allTypes(t, 1))
	u.UploadBatch(allTypes(t, 2))
	flush(t, u)
	pushes, ingests := srv.seen()
	if len(pushes) != 2 || len(ingests) != 0 {
		t.Fatalf("%d pushes and %d ingests, want 2 pushes", len(pushes), len(ingests))
	}
	st := u.Stats()
	if st.Enqueued != 12 || st.Delivered != 12 || st.BytesSent != uint64(len(pushes[0].Body)+len(pushes[1].Body)) {
		t.Errorf("Stats %+v, want 12 profiles delivered in %d bytes", st, len(pushes[0].Body)+len(pushes[1].Body))
	}
	for i, req := range pushes {
		for j, s := range req.Series {
			if want := allTypes(t, i+1)[j]; marker(t, s.Profile) != marker(t, want.Data) {
				t.Errorf("push %d series %d carries %s, want %s", i, j, marker(t, s.Profile), marker(t, want.Data))
			}
		}
	}
}

// TestUploaderRetryAfterALateAnswerRepeatsTheIDs: a server that takes the
// push but answers after the attempt timeout gets it again, with the same
// IDs, so a server that deduplicates by ID stores the interval once.
func TestUploaderRetryAfterALateAnswerRepeatsTheIDs(t *testing.T) {
	const timeout = 200 * time.Millisecond
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := newPushServer(t, func(n int) int {
		if n == 1 {
			select { // answer after the client gave up
			case <-time.After(3 * timeout):
			case <-release:
			}
		}
		return 0
	})
	cfg := pushConfig(srv.URL)
	cfg.Timeout = timeout
	u := mustNew(t, cfg)
	u.UploadBatch(allTypes(t, 1))
	flush(t, u)
	pushes, _ := srv.seen()
	if len(pushes) != 2 {
		t.Fatalf("%d pushes, want the late one and its retry", len(pushes))
	}
	for i, s := range pushes[0].Series {
		if pushes[1].Series[i].ID != s.ID {
			t.Errorf("%s: the retry carries ID %s, the first attempt %s", s.Labels["__name__"], pushes[1].Series[i].ID, s.ID)
		}
	}
	if st := u.Stats(); st.Delivered != 6 || st.Retried != 1 {
		t.Errorf("Stats %+v, want 6 delivered after 1 retry", st)
	}
}

// TestUploaderFallsBackToIngest: through the Uploader, a push route that
// answers 404 sends the batch and all later profiles to /ingest.
func TestUploaderFallsBackToIngest(t *testing.T) {
	srv := newPushServer(t, func(int) int { return http.StatusNotFound })
	log := &logRecorder{}
	cfg := pushConfig(srv.URL)
	cfg.Logger = log
	u := mustNew(t, cfg)
	u.UploadBatch(allTypes(t, 1))
	flush(t, u)
	u.UploadBatch(allTypes(t, 2))
	u.Upload(newProfile(t, interval.TypeCPU, 3))
	flush(t, u)
	pushes, ingests := srv.seen()
	if len(pushes) != 1 || len(ingests) != 13 {
		t.Errorf("%d pushes and %d ingests, want 1 push then 13 ingests", len(pushes), len(ingests))
	}
	if st := u.Stats(); st.Delivered != 13 || st.Failed != 0 {
		t.Errorf("Stats %+v, want 13 delivered", st)
	}
	if n := strings.Count(log.text(), "/ingest instead"); n != 1 {
		t.Errorf("fallback logged %d times, want once:\n%s", n, log.text())
	}
}

// TestIngestTransportSendsEachProfileAlone: with TransportIngest, a batch
// is one /ingest request per profile and the push route is never tried.
func TestIngestTransportSendsEachProfileAlone(t *testing.T) {
	srv := newPushServer(t, func(int) int { return 0 })
	cfg := pushConfig(srv.URL)
	cfg.Transport = TransportIngest
	u := mustNew(t, cfg)
	u.UploadBatch(allTypes(t, 1))
	flush(t, u)
	if pushes, ingests := srv.seen(); len(pushes) != 0 || len(ingests) != 6 {
		t.Errorf("%d pushes and %d ingests, want 6 ingests", len(pushes), len(ingests))
	}
}

// gzipOf returns n zero bytes, gzip-compressed: a stand-in profile whose
// trailer says it is n bytes uncompressed.
func gzipOf(t *testing.T, n int) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPushSplitsBatchesTheRateLimitCouldNeverTake: the server weighs a
// request by its uncompressed bytes against a per-tenant burst (2 MiB by
// default) and refuses a bigger one for good, so a batch is cut, in
// order, into requests of at most 1 MiB uncompressed; a bigger profile
// goes alone.
func TestPushSplitsBatchesTheRateLimitCouldNeverTake(t *testing.T) {
	const kib = 1 << 10
	srv := newPushServer(t, func(int) int { return 0 })
	var batch []*interval.Profile
	for i, size := range []int{400 * kib, 400 * kib, 400 * kib, 3 << 20, 100 * kib, 100 * kib} {
		p := newProfile(t, interval.TypeCPU, i)
		p.Data = gzipOf(t, size)
		batch = append(batch, p)
	}
	sent, err := testPusher(srv.Server, nil).Export(context.Background(), queue.Job{Profiles: batch})
	if err != nil {
		t.Fatal(err)
	}
	pushes, _ := srv.seen()
	var sizes []int
	total, next := 0, 0
	for _, req := range pushes {
		sizes = append(sizes, len(req.Series))
		total += len(req.Body)
		for _, s := range req.Series {
			if !bytes.Equal(s.Profile, batch[next].Data) {
				t.Errorf("profile %d out of order", next)
			}
			next++
		}
	}
	if !slices.Equal(sizes, []int{2, 1, 1, 2}) {
		t.Errorf("profiles per request %v, want [2 1 1 2]", sizes)
	}
	if sent != total {
		t.Errorf("Export reported %d bytes, the requests had %d", sent, total)
	}
}

// TestPushRetryResumesWhereTheServerStopped: when the rate limit refuses
// the second request of a split batch, the retry sends only that request
// and what follows, not again the part the server already took.
func TestPushRetryResumesWhereTheServerStopped(t *testing.T) {
	const kib = 1 << 10
	srv := newPushServer(t, func(n int) int {
		if n == 2 {
			return http.StatusTooManyRequests
		}
		return 0
	})
	var batch []*interval.Profile
	for i := range 3 {
		p := newProfile(t, interval.TypeCPU, i)
		p.Data = gzipOf(t, 700*kib+i) // sizes tell them apart
		batch = append(batch, p)
	}
	ps := testPusher(srv.Server, nil)
	if _, err := ps.Export(context.Background(), queue.Job{Profiles: batch}); err == nil {
		t.Fatal("the first attempt met a 429 but succeeded")
	}
	sent, err := ps.Export(context.Background(), queue.Job{Profiles: batch})
	if err != nil {
		t.Fatal(err)
	}
	pushes, _ := srv.seen()
	var got []int // the index in batch of each profile, per request
	total := 0
	for _, req := range pushes {
		for _, s := range req.Series {
			got = append(got, slices.IndexFunc(batch, func(p *interval.Profile) bool { return bytes.Equal(p.Data, s.Profile) }))
		}
	}
	if !slices.Equal(got, []int{0, 1, 1, 2}) {
		t.Errorf("profiles sent, in order: %v; want [0 1 1 2] (the refused one again, the accepted one not)", got)
	}
	for _, req := range pushes[0:1] {
		total += len(req.Body)
	}
	for _, req := range pushes[2:] {
		total += len(req.Body)
	}
	if sent != total {
		t.Errorf("Export reported %d bytes, the accepted requests had %d", sent, total)
	}
	if _, err := ps.Export(context.Background(), queue.Job{Profiles: batch}); err != nil {
		t.Fatal(err)
	}
	if pushes, _ := srv.seen(); len(pushes) != 7 {
		t.Errorf("%d requests after a delivered batch was exported again; want 7, all three sent anew: the memory of its progress is gone", len(pushes))
	}
}
