package pprof

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/emberprof/ember/internal/cpuprof"
	"github.com/emberprof/ember/internal/pprofenc"
)

// defaultSeconds is the profile length when the request names none, as in
// net/http/pprof.
const defaultSeconds = 30

// Profile responds with a gzipped pprof CPU profile of the next
// ?seconds=N seconds (30 if absent), like net/http/pprof's Profile, but
// sharing the runtime CPU profile with Ember and any other request in
// progress. A seconds value that is not a positive whole number gets 400 Bad
// Request. If the server has a WriteTimeout, the write deadline is moved to
// WriteTimeout plus the profile's length. If the client goes away first, the
// profile is dropped and nothing is written.
func Profile(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	sec, err := seconds(r)
	if err != nil {
		serveError(w, http.StatusBadRequest, err.Error())
		return
	}
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.WriteTimeout > 0 {
		// An error means the ResponseWriter has no deadline to move.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(srv.WriteTimeout + sec))
	}

	win, err := cpuprof.Start()
	if err != nil {
		serveError(w, http.StatusInternalServerError, fmt.Sprintf("Could not enable CPU profiling: %s", err))
		return
	}
	timer := time.NewTimer(sec)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-r.Context().Done():
		// Nobody is left to read the profile; close the window, drop it.
		_, _ = win.Stop()
		return
	}
	data, err := win.Stop()
	if err == nil && !pprofenc.IsGzip(data) {
		// Segments merged: compressed here, once, as a pprof file is.
		var gz bytes.Buffer
		err = pprofenc.Compress(&gz, func(zw io.Writer) error {
			_, err := zw.Write(data)
			return err
		})
		data = gz.Bytes()
	}
	if err != nil {
		serveError(w, http.StatusInternalServerError, fmt.Sprintf("CPU profile interrupted: %s", err))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="profile"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	// A write error means the client is gone; there is no one to tell.
	_, _ = w.Write(data)
}

// seconds returns the profile length the request asks for.
func seconds(r *http.Request) (time.Duration, error) {
	s := r.FormValue("seconds")
	if s == "" {
		return defaultSeconds * time.Second, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/int64(time.Second) {
		return 0, fmt.Errorf("invalid seconds %q: want a positive whole number of seconds", s)
	}
	return time.Duration(n) * time.Second, nil
}

// serveError answers with a plain-text error that go tool pprof shows to its
// user (it prints the body of responses marked X-Go-Pprof).
func serveError(w http.ResponseWriter, status int, txt string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Go-Pprof", "1")
	w.Header().Del("Content-Disposition")
	w.WriteHeader(status)
	fmt.Fprintln(w, txt)
}
