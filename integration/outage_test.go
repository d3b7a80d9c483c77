package integration_test

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/upstream/remote"
)

// TestIntervalsFromAnOutageArriveAfterIt: the server goes away for a few
// intervals and comes back; Ember keeps the profiles it could not deliver
// (well within its queue bound) and delivers them once the server is
// back, so every interval of the run is stored; on both transports.
func TestIntervalsFromAnOutageArriveAfterIt(t *testing.T) {
	t.Parallel()
	for _, tr := range []remote.Transport{remote.TransportPush, remote.TransportIngest} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			outage(t, tr)
		})
	}
}

// outage runs TestIntervalsFromAnOutageArriveAfterIt over transport tr.
//
// Ember reaches the server through a gate, which the test closes before
// it stops the server and opens once the server is back: Ember sees its
// connections refused, then the restarted server's first answers ("empty
// ring" while its ring fills). The gate keeps the server's own shutdown
// out of the test: the server takes one to two seconds to stop, longer
// than an interval, and a profile it acknowledges while stopping may be
// lost, which is not Ember's doing.
func outage(t *testing.T, tr remote.Transport) {
	srv := newOwnServer(t)
	g := newGate(t, srv.URL)
	r := startEmber(t, ember.Config{ServerAddress: g.URL, Transport: tr, ProfileTypes: []ember.ProfileType{ember.ProfileGoroutines}})
	time.Sleep(2 * rate)
	// Close the gate between two uploads, so that no request is cut
	// half-way: after the interval that just ended is delivered.
	sleepUntilPhase(rate / 5)
	for st := r.p.Stats().Upload; st.Delivered < st.Enqueued; st = r.p.Stats().Upload {
		time.Sleep(10 * time.Millisecond)
	}
	g.close()
	down := time.Now()
	srv.Stop()
	time.Sleep(3 * rate)
	srv.Start()
	g.open()
	up := time.Now()

	// Give the retries time to find the server back: wait until what was
	// queued when it came back is accounted for, then stop.
	backlog := r.p.Stats().Upload.Enqueued
	deadline := time.Now().Add(time.Minute)
	for {
		st := r.p.Stats().Upload
		if st.Delivered+st.Failed+st.Dropped >= backlog || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.StopOK()
	st := r.p.Stats().Upload
	t.Logf("outage %v..%v; Stats().Upload = %+v", down.Format("15:04:05.000"), up.Format("15:04:05.000"), st)
	if st.Failed != 0 || st.Dropped != 0 || st.Delivered != st.Enqueued {
		t.Errorf("Stats().Upload = %+v, want every profile delivered", st)
	}
	ps := profilesWith(t, newQuerier(srv.URL, ""), goroutinesID, r, int(st.Enqueued))
	if uint64(len(ps)) != st.Enqueued {
		t.Errorf("%d profiles stored, %d sent; stored at %v", len(ps), st.Enqueued, times(ps))
	}
	during := 0
	for _, p := range ps {
		if p.At.After(down.Add(rate)) && p.At.Before(up.Add(-rate)) {
			during++
		}
	}
	if during == 0 {
		t.Errorf("no stored profile from the outage %v..%v; stored at: %v", down, up, times(ps))
	}
}

// gate forwards HTTP requests to a server while open and, closed, refuses
// connections on its address as a stopped server does.
type gate struct {
	t      *testing.T
	URL    string
	addr   string
	target *url.URL
	srv    *http.Server
}

// newGate opens a gate to base on a free loopback port; it is closed when
// t ends.
func newGate(t *testing.T, base string) *gate {
	t.Helper()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{t: t, addr: ln.Addr().String(), target: target}
	g.URL = "http://" + g.addr
	g.serve(ln)
	t.Cleanup(g.close)
	return g
}

// open listens again on the gate's address.
func (g *gate) open() {
	g.t.Helper()
	ln, err := net.Listen("tcp", g.addr)
	if err != nil {
		g.t.Fatalf("reopening the gate: %v", err)
	}
	g.serve(ln)
}

func (g *gate) serve(ln net.Listener) {
	g.srv = &http.Server{Handler: httputil.NewSingleHostReverseProxy(g.target)}
	go g.srv.Serve(ln)
}

// close stops listening and closes every connection the gate holds.
func (g *gate) close() { g.srv.Close() }

// times lists when the profiles were stored, for failure messages.
func times(ps []stored) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.At.Format("15:04:05.000")
	}
	return out
}
