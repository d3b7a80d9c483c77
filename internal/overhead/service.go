package overhead

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// service is a small HTTP service on 127.0.0.1: each request hashes 2 KiB
// eight times and answers with the hex digest.
type service struct {
	srv *http.Server
	url string
}

func startService() (*service, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &service{
		srv: &http.Server{Handler: http.HandlerFunc(handle), ReadHeaderTimeout: 5 * time.Second},
		url: "http://" + ln.Addr().String() + "/",
	}
	go s.srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed at close.
	return s, nil
}

func (s *service) close() { s.srv.Close() }

func handle(w http.ResponseWriter, _ *http.Request) {
	var buf [2048]byte
	var sum [32]byte
	for range 8 {
		sum = sha256.Sum256(buf[:])
		copy(buf[:], sum[:])
	}
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, hex.EncodeToString(sum[:]))
}

// load sends requests to a service at a fixed rate with at most maxInFlight
// outstanding, and records each one's latency from the instant it was due,
// so a stalled service shows up as latency rather than as fewer requests.
type load struct {
	url         string
	rate        float64
	maxInFlight int64
	client      *http.Client

	recording atomic.Bool
	inFlight  atomic.Int64
	missed    atomic.Uint64 // ticks skipped because maxInFlight were outstanding
	failed    atomic.Uint64

	mu        sync.Mutex
	latencies []time.Duration
}

func newLoad(url string, rate float64) *load {
	const maxInFlight = 32
	return &load{
		url:         url,
		rate:        rate,
		maxInFlight: maxInFlight,
		client: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: maxInFlight, DisableCompression: true},
		},
	}
}

// run sends requests until stop is closed, then waits for those in flight.
func (l *load) run(stop <-chan struct{}) {
	var wg sync.WaitGroup
	period := time.Duration(float64(time.Second) / l.rate)
	next := time.Now()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			wg.Wait()
			l.client.CloseIdleConnections()
			return
		case <-t.C:
		}
		// Send every request that is due, so a late tick does not lower the rate.
		for now := time.Now(); !next.After(now); next = next.Add(period) {
			if l.inFlight.Load() >= l.maxInFlight {
				l.missed.Add(1)
				continue
			}
			l.inFlight.Add(1)
			wg.Add(1)
			go func(due time.Time, record bool) {
				defer wg.Done()
				defer l.inFlight.Add(-1)
				l.request(due, record)
			}(next, l.recording.Load())
		}
	}
}

func (l *load) request(due time.Time, record bool) {
	resp, err := l.client.Get(l.url)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		l.failed.Add(1)
		return
	}
	if record {
		d := time.Since(due)
		l.mu.Lock()
		l.latencies = append(l.latencies, d)
		l.mu.Unlock()
	}
}

// percentiles returns the p50 and p99 of the recorded latencies.
func (l *load) percentiles() (p50, p99 time.Duration, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.latencies) == 0 {
		return 0, 0, 0
	}
	sort.Slice(l.latencies, func(i, j int) bool { return l.latencies[i] < l.latencies[j] })
	at := func(q float64) time.Duration { return l.latencies[int(q*float64(len(l.latencies)-1))] }
	return at(0.50), at(0.99), len(l.latencies)
}
