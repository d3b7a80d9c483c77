package integration_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// ownServer is a Pyroscope server a test starts and stops itself, through
// .ci/pyroscope-server.sh, on a port and data directory of its own.
type ownServer struct {
	t      *testing.T
	script string
	dir    string
	port   int
	flags  []string // the server's own flags, after the script's
	URL    string
}

// newOwnServer starts a server for t on a free port, with flags added to
// the script's, or skips when EMBER_PYROSCOPE_SCRIPT is unset. It is
// stopped when t ends.
func newOwnServer(t *testing.T, flags ...string) *ownServer {
	t.Helper()
	s := &ownServer{t: t, script: envOrSkip(t, "EMBER_PYROSCOPE_SCRIPT"), dir: t.TempDir(), port: freePort(t), flags: flags}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start starts (or restarts) the server on its port and waits until ready.
func (s *ownServer) Start() {
	s.t.Helper()
	out := s.run(append([]string{"start", s.dir, strconv.Itoa(s.port)}, s.flags...)...)
	s.URL = strings.TrimSpace(out)
}

// Stop stops the server; its data stays for the next Start.
func (s *ownServer) Stop() {
	s.t.Helper()
	s.run("stop", s.dir)
}

func (s *ownServer) run(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("bash", append([]string{s.script}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(s.dir + "/server.log")
		s.t.Fatalf("%s %v: %v\n%s\nserver log tail:\n%s", s.script, args, err, stderr.String(), tail(string(log), 2000))
	}
	return stdout.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
