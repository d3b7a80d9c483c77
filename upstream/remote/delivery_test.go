package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/leaktest"
	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
)

func TestServerErrorsThenSuccessDeliverEachOnceInOrder(t *testing.T) {
	var mu sync.Mutex
	tries := map[string]int{}
	var accepted []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := marker(t, parseIngest(t, r).Profile)
		mu.Lock()
		defer mu.Unlock()
		tries[m]++
		if tries[m] <= 2 {
			http.Error(w, `{"code":"internal","message":"ingester busy"}`, http.StatusInternalServerError+tries[m]) // 501, 502
			return
		}
		accepted = append(accepted, m)
	}))
	defer srv.Close()
	cfg := fastConfig(srv.URL)
	cfg.Workers = 4
	u := mustNew(t, cfg)
	types := []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeBlock}
	for i := range 8 {
		for _, typ := range types {
			u.Upload(newProfile(t, typ, i))
		}
	}
	flush(t, u)

	mu.Lock()
	defer mu.Unlock()
	if len(accepted) != 24 {
		t.Fatalf("accepted %d, want 24: %v", len(accepted), accepted)
	}
	for _, typ := range types {
		var got []string
		for _, m := range accepted {
			if strings.HasPrefix(m, string(typ)+"-") {
				got = append(got, m)
			}
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != 8 {
			t.Errorf("%s delivered as %v, want 8 in order, once each", typ, got)
		}
	}
	s := u.Stats()
	if s.Delivered != 24 || s.Retried != 48 || s.Failed != 0 || !strings.Contains(s.LastError, "ingester busy") {
		t.Errorf("stats %+v", s)
	}
	balanced(t, s)
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Now())
		if len(times) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	cfg := fastConfig(srv.URL)
	// Without Retry-After the wait would be up to an hour: only honouring
	// the server's one second lets the flush below finish.
	cfg.backoff = &retry.Backoff{Base: time.Hour, Max: time.Hour, MaxRetryAfter: time.Minute}
	u := mustNew(t, cfg)
	u.Upload(newProfile(t, interval.TypeCPU, 0))
	flush(t, u)
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 2 {
		t.Fatalf("%d requests, want 2", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("retried after %v, before the server's Retry-After of 1s", gap)
	}
	if s := u.Stats(); s.Retried != 1 || s.Delivered != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestRateLimitedUnprocessableIsRetried(t *testing.T) {
	n := 0
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n == 1 {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"code":"unknown","message":"pushing IngestInput-pprof failed resource_exhausted: push rate limit (4.0 MiB) exceeded while adding 5 MiB"}`)
		}
	}))
	defer srv.Close()
	u := mustNew(t, fastConfig(srv.URL))
	u.Upload(newProfile(t, interval.TypeCPU, 0))
	flush(t, u)
	if s := u.Stats(); s.Delivered != 1 || s.Retried != 1 {
		t.Errorf("stats %+v, want one retry then delivery", s)
	}
}

func TestClientErrorsAreFinalAndLoggedOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":"invalid_argument","message":"name: tag key is reserved `+strings.Repeat("x", 5000)+`"}`)
	}))
	defer srv.Close()
	log := &logRecorder{}
	cfg := fastConfig(srv.URL)
	cfg.Logger = log
	u := mustNew(t, cfg)
	for i := range 3 {
		u.Upload(newProfile(t, interval.TypeCPU, i))
	}
	flush(t, u)
	s := u.Stats()
	if s.Failed != 3 || s.Retried != 0 {
		t.Errorf("stats %+v, want 3 failed, no retries", s)
	}
	if !strings.Contains(s.LastError, "400 Bad Request: name: tag key is reserved") || len(s.LastError) > 1000 {
		t.Errorf("last error (%d bytes) %.200q", len(s.LastError), s.LastError)
	}
	if n := strings.Count(log.text(), "error: "); n != 1 {
		t.Errorf("%d error lines, want 1:\n%s", n, log.text())
	}
}

func TestHangingServer(t *testing.T) {
	srv := hangingServer(t)

	// Each attempt times out, and is retried until Shutdown's deadline.
	cfg := fastConfig(srv.URL)
	cfg.Timeout = 50 * time.Millisecond
	u := mustNew(t, cfg)
	u.Upload(newProfile(t, interval.TypeCPU, 0))
	waitFor(t, func() bool { return u.Stats().Retried >= 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := u.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline", err)
	}
	if s := u.Stats(); s.Failed != 0 || s.Dropped != 1 || !strings.Contains(s.LastError, "deadline exceeded") {
		t.Errorf("stats %+v, want timeouts retried, then dropped at Shutdown", s)
	}

	// With a long timeout, Upload still returns at once and Shutdown
	// returns by its deadline, cancelling the requests in flight.
	cfg.Timeout = time.Hour
	cfg.MaxQueueProfiles = 10
	u2 := mustNew(t, cfg)
	for i := range 50 {
		u2.Upload(newProfile(t, threeTypes[i%3], i))
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := u2.Shutdown(ctx)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Shutdown took %v with a 100ms deadline", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not delivered") {
		t.Errorf("Shutdown = %v", err)
	}
	s := u2.Stats()
	if s.Delivered != 0 || s.Enqueued != 50 {
		t.Errorf("stats %+v", s)
	}
	balanced(t, s)
}

func TestConnectionRefusedThenServerBack(t *testing.T) {
	// A port with nothing listening: connections are refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	cfg := fastConfig("http://" + addr)
	cfg.Workers = 1
	cfg.MaxQueueProfiles = 5
	// A refused profile waits an hour in the queue, where newer ones can
	// push it out.
	cfg.backoff = &retry.Backoff{Base: time.Hour, Max: time.Hour, Rand: func(n int64) int64 { return n - 1 }}
	u := mustNew(t, cfg)
	u.Upload(newProfile(t, interval.TypeCPU, 0))
	waitFor(t, func() bool { return u.Stats().Retried == 1 })
	for i := 1; i < 12; i++ {
		// The oldest profile left is tried once more (from i = 5 on, i-5
		// is pushed out first), refused, and waits again.
		u.Upload(newProfile(t, interval.TypeCPU, i))
		waitFor(t, func() bool { return u.Stats().Retried == uint64(i+1) })
	}
	if s := u.Stats(); !strings.Contains(s.LastError, "refused") || s.Dropped != 7 {
		t.Errorf("stats %+v, want connection refused and 7 dropped", s)
	}

	rec := &recorder{}
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(parseIngest(t, r))
	})}
	go srv.Serve(l)
	defer srv.Close()
	// Shutdown tries the waiting profile at once.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := u.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, r := range rec.all() {
		got = append(got, marker(t, r.Profile))
	}
	want := []string{"cpu-007", "cpu-008", "cpu-009", "cpu-010", "cpu-011"}
	if !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	s := u.Stats()
	if s.Enqueued != 12 || s.Delivered != 5 || s.Dropped != 7 || s.Failed != 0 {
		t.Errorf("stats %+v", s)
	}
	balanced(t, s)
}

func TestSlowServerOverflowDropsOldest(t *testing.T) {
	gate := make(chan struct{})
	started := make(chan struct{}, 100)
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := parseIngest(t, r)
		started <- struct{}{}
		<-gate
		rec.add(req)
	}))
	defer srv.Close()
	log := &logRecorder{}
	cfg := fastConfig(srv.URL)
	cfg.Workers = 1
	cfg.Logger = log
	first := newProfile(t, interval.TypeCPU, 0)
	// Room for the one in flight and two more.
	cfg.MaxQueueBytes = 3*len(first.Data) + len(first.Data)/2
	u := mustNew(t, cfg)
	u.Upload(first)
	<-started // the first upload is in flight
	for i := 1; i < 20; i++ {
		u.Upload(newProfile(t, interval.TypeCPU, i))
	}
	close(gate)
	flush(t, u)

	var got []string
	for _, r := range rec.all() {
		got = append(got, marker(t, r.Profile))
	}
	if want := []string{"cpu-000", "cpu-018", "cpu-019"}; !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	s := u.Stats()
	if s.Dropped != 17 || s.Delivered != 3 {
		t.Errorf("stats %+v", s)
	}
	balanced(t, s)
	if n := strings.Count(log.text(), "dropped"); n != 1 {
		t.Errorf("%d drop log lines, want 1 (rate-limited):\n%s", n, log.text())
	}
}

func TestHugeResponseBodyIsNotReadWhole(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusBadRequest} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			chunk := []byte(strings.Repeat("z", 32<<10))
			for { // endless: only a capped read lets the upload finish
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}))
		cfg := fastConfig(srv.URL)
		u := mustNew(t, cfg)
		u.Upload(newProfile(t, interval.TypeCPU, 0))
		flush(t, u)
		s := u.Stats()
		switch status {
		case http.StatusOK:
			if s.Delivered != 1 {
				t.Errorf("200 with an endless body: stats %+v", s)
			}
		default:
			if s.Failed != 1 || len(s.LastError) > 1000 || !strings.Contains(s.LastError, "zzz…") {
				t.Errorf("400 with an endless body: stats %+v", s)
			}
		}
		if err := u.Shutdown(context.Background()); err != nil && status == http.StatusOK {
			t.Error(err)
		}
		srv.Close()
	}
}

func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n%2 == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	log := &logRecorder{}
	secrets := []string{"p4ssw0rd", "t0ken", "k3y", base64Of("alice:p4ssw0rd")}
	for _, addr := range []string{strings.Replace(srv.URL, "://", "://alice:p4ssw0rd@", 1), srv.URL} {
		cfg := fastConfig(addr)
		cfg.Logger = log
		cfg.HTTPHeaders = map[string]string{"X-Api-Key": "k3y"}
		if !strings.Contains(addr, "@") {
			cfg.AuthToken = "t0ken"
		}
		u := mustNew(t, cfg)
		u.Upload(newProfile(t, interval.TypeCPU, 0))
		flush(t, u)
		err := u.Shutdown(context.Background())
		text := log.text() + "\n" + u.Stats().LastError + "\n" + fmt.Sprint(err)
		if !strings.Contains(text, "401") {
			t.Errorf("the failure is not reported:\n%s", text)
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("secret %q appears in:\n%s", s, text)
			}
		}
	}
	for _, addr := range []string{"http://alice:p4ss w0rd@host:4040", "ftp://alice:p4ssw0rd@host", "http://alice:p4ssw0rd@/x",
		"http://alice:p4ssw0rd@host?q=1", "http://alice:p4ssw0rd@host:port"} {
		_, err := New(Config{ServerAddress: addr})
		if err == nil {
			t.Errorf("New(%q) accepted", addr)
			continue
		}
		if strings.Contains(err.Error(), "p4ss") {
			t.Errorf("New error shows the password: %v", err)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "ServerAddress is empty"},
		{Config{ServerAddress: "127.0.0.1:4040"}, "http"},
		{Config{ServerAddress: "http://"}, "no host"},
		{Config{ServerAddress: "http://h", Workers: -1}, "Workers"},
		{Config{ServerAddress: "http://h", MaxQueueBytes: -1}, "MaxQueueBytes"},
		{Config{ServerAddress: "http://h", Timeout: -time.Second}, "Timeout"},
		{Config{Address: "http://127.0.0.1:0"}, `remote: ServerAddress="http://127.0.0.1:0": port 0 is out of range`},
	} {
		_, err := New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want an error about %q", c.cfg, err, c.want)
		}
	}
}

// TestNewRefusesWhatStartRefuses: New and NewQuerier refuse the server
// settings ember.Start refuses, with the same words, naming the field and
// never showing a secret.
func TestNewRefusesWhatStartRefuses(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{ServerAddress: "http://127.0.0.1:99999"}, `remote: ServerAddress="http://127.0.0.1:99999": port 99999 is out of range (1 to 65535)`},
		{Config{ServerAddress: "http://u:s3cret@h:65536/p"}, `remote: ServerAddress="http://u:xxxxx@h:65536/p": port 65536 is out of range`},
		{Config{ServerAddress: "http://:4040"}, `remote: ServerAddress="http://:4040": the URL has no host`},
		{Config{ServerAddress: "http://h", AuthToken: "t0k3n-s3cret\r\n"}, "remote: AuthToken (value not shown, 14 bytes): control character CR"},
		{Config{ServerAddress: "http://h", BasicAuthUser: "a:b"}, `remote: BasicAuthUser="a:b": a basic auth user cannot hold ':'`},
		{Config{ServerAddress: "http://h", TenantID: "t\n"}, `remote: TenantID="t\n": control character LF`},
		{Config{ServerAddress: "http://h", HTTPHeaders: map[string]string{"X-Key": "k3y-s3cret\n"}}, `remote: HTTPHeaders["X-Key"] (value not shown, 11 bytes)`},
		{Config{ServerAddress: "http://h", HTTPHeaders: map[string]string{"X Key": "v"}}, `remote: HTTPHeaders: header name "X Key"`},
	} {
		_, err := New(c.cfg)
		_, qerr := NewQuerier(c.cfg)
		for _, err := range []error{err, qerr} {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%+v: got %v, want an error with %q", c.cfg, err, c.want)
			} else if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows a secret: %v", err)
			}
		}
	}
}

func TestNoGoroutineSurvivesShutdown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	before := leaktest.Take()
	cfg := fastConfig(srv.URL)
	cfg.Workers = 3
	cfg.UploadJitter = time.Hour // Shutdown skips it
	u, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 9 {
		u.Upload(newProfile(t, threeTypes[i%3], i))
	}
	if err := u.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := u.Stats(); s.Delivered != 9 {
		t.Errorf("stats %+v", s)
	}
	before.Check(t, "emberprof/ember", "net/http.(*persistConn)", "net/http.(*Transport)")
}

var threeTypes = []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeGoroutines}

func base64Of(s string) string {
	r := &http.Request{Header: http.Header{}}
	r.SetBasicAuth(strings.Split(s, ":")[0], strings.Split(s, ":")[1])
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// slowAnswer is how late a healthy but loaded server was seen to answer an
// upload it had already stored.
const slowAnswer = 11 * time.Second

// TestSlowServerStoresEachProfileOnce: a server that stores each profile
// and answers slowAnswer later must get it once, with the default attempt
// timeout. Time runs 100 times faster here: the default timeout and the
// server's delay are both divided by 100.
func TestSlowServerStoresEachProfileOnce(t *testing.T) {
	const scale = 100
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(parseIngest(t, r))
		time.Sleep(slowAnswer / scale)
	}))
	defer srv.Close()
	cfg := fastConfig(srv.URL)
	cfg.scale = scale
	cfg.Workers = 3
	u := mustNew(t, cfg)
	for i := range 6 {
		u.Upload(newProfile(t, threeTypes[i%3], i))
	}
	flush(t, u)
	stored := map[string]int{}
	for _, r := range rec.all() {
		stored[marker(t, r.Profile)]++
	}
	dups := 0
	for m, n := range stored {
		if n != 1 {
			dups += n - 1
			t.Errorf("%s stored %d times", m, n)
		}
	}
	if s := u.Stats(); s.Delivered != 6 || s.Retried != 0 || len(stored) != 6 {
		t.Errorf("stats %+v, %d distinct profiles stored; want 6 delivered once each", s, len(stored))
	}
	t.Logf("profiles stored: %d distinct, %d duplicates", len(stored), dups)
}

// resetListener hands connections to an HTTP server, or, while reset is
// set, reads a little of the request and resets the connection.
type resetListener struct {
	net.Listener
	reset atomic.Bool
}

func (l *resetListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || !l.reset.Load() {
			return c, err
		}
		go func() {
			c.Read(make([]byte, 512))
			c.(*net.TCPConn).SetLinger(0) // close with RST
			c.Close()
		}()
	}
}

// TestConnectionResetsLogOncePerKind: every reset carries another local
// port in its message, yet a run of them is one kind of failure and logs
// one error line; a different kind logs again, and so does the first kind
// after a success.
func TestConnectionResetsLogOncePerKind(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &resetListener{Listener: l}
	rl.reset.Store(true)
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(int(status.Load()))
	})}
	srv.SetKeepAlivesEnabled(false)
	go srv.Serve(rl)
	defer srv.Close()

	log := &logRecorder{}
	cfg := fastConfig("http://" + l.Addr().String())
	cfg.Logger = log
	cfg.Workers = 1
	u := mustNew(t, cfg)
	errorLines := func() int { return strings.Count(log.text(), "error: ") }

	u.Upload(newProfile(t, interval.TypeCPU, 0))
	waitFor(t, func() bool { return u.Stats().Retried >= 10 })
	resets := errorLines()
	t.Logf("error lines after %d resets: %d", u.Stats().Retried, resets)
	if resets != 1 {
		t.Errorf("%d error lines for one run of resets, want 1:\n%s", resets, log.text())
	}

	rl.reset.Store(false) // now 503s: another kind
	retried := u.Stats().Retried
	waitFor(t, func() bool { return u.Stats().Retried >= retried+5 })
	if n := errorLines(); n != 2 {
		t.Errorf("%d error lines after resets then 503s, want 2:\n%s", n, log.text())
	}

	status.Store(http.StatusOK)
	flush(t, u)
	rl.reset.Store(true) // resets again, after a success
	u.Upload(newProfile(t, interval.TypeCPU, 1))
	retried = u.Stats().Retried
	waitFor(t, func() bool { return u.Stats().Retried >= retried+5 })
	if n := errorLines(); n != 3 {
		t.Errorf("%d error lines after a success and new resets, want 3:\n%s", n, log.text())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	u.Shutdown(ctx)
}
