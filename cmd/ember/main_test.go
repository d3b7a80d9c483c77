package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emberprof/ember"
)

var sink uint64

// pgoHotSpot is the known workload's hot function: nearly all of its CPU
// time is spent here, called from pgoWorkload.
//
//go:noinline
func pgoHotSpot(n int) uint64 {
	x := uint64(n)
	for i := range 20000 {
		x ^= x<<13 + uint64(i)
		x ^= x >> 7
	}
	return x
}

// pgoWorkload burns about a second of CPU (more on a slow machine): a
// fixed amount of work, so a busy machine gives as many samples, later.
func pgoWorkload() {
	for range 30000 {
		sink += pgoHotSpot(int(sink))
	}
}

// TestPGOFromEmberFiles profiles a known workload with Ember into files,
// runs `ember pgo` on them, and checks that `go build -pgo` accepts the
// result and that the compiler's own reading of it (go tool preprofile)
// puts the workload's call of its hot function among the top edges.
func TestPGOFromEmberFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with -pgo (15-60 s)")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	dir := t.TempDir()
	p, err := ember.Start(ember.Config{
		ApplicationName: "pgo-test", OutputDir: dir, UploadRate: 250 * time.Millisecond,
		ProfileTypes: []ember.ProfileType{ember.ProfileCPU},
	})
	if err != nil {
		t.Fatal(err)
	}
	pgoWorkload()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "default.pgo")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"pgo", "-dir", dir, "-service", "pgo-test", "-from", "1h", "-o", out},
		func(string) (string, bool) { return "", false }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("ember pgo: %v\n%s", err, stderr.String())
	}
	t.Log(strings.TrimSpace(stdout.String()))
	if !strings.Contains(stdout.String(), "wrote "+out) {
		t.Errorf("no size report in %q", stdout.String())
	}

	// The compiler's reading: GO PREPROFILE V1, then per edge, heaviest
	// first, caller, callee and "offset weight" lines.
	pre := filepath.Join(t.TempDir(), "pre")
	if b, err := exec.Command(goCmd, "tool", "preprofile", "-i", out, "-o", pre).CombinedOutput(); err != nil {
		t.Fatalf("go tool preprofile: %v\n%s", err, b)
	}
	edges := readPreprofile(t, pre)
	const caller, callee = "github.com/emberprof/ember/cmd/ember.pgoWorkload", "github.com/emberprof/ember/cmd/ember.pgoHotSpot"
	found := -1
	for i, e := range edges[:min(3, len(edges))] {
		if e[0] == caller && e[1] == callee {
			found = i
		}
	}
	if found < 0 {
		t.Fatalf("%s -> %s is not among the top 3 edges: %q", caller, callee, edges[:min(10, len(edges))])
	}

	// One build of a small program with it.
	mod := t.TempDir()
	writeText(t, filepath.Join(mod, "go.mod"), "module pgoprog\n\ngo 1.26\n")
	writeText(t, filepath.Join(mod, "main.go"), "package main\n\nfunc main() { println(\"hello\") }\n")
	build := exec.Command(goCmd, "build", "-pgo="+out, "-o", filepath.Join(mod, "prog"), ".")
	build.Dir = mod
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -pgo: %v\n%s", err, b)
	}
}

func readPreprofile(t *testing.T, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() || sc.Text() != "GO PREPROFILE V1" {
		t.Fatalf("%s is not a preprofile: %q", path, sc.Text())
	}
	var edges [][2]string
	for sc.Scan() {
		caller := sc.Text()
		if !sc.Scan() {
			break
		}
		callee := sc.Text()
		sc.Scan() // offset and weight
		edges = append(edges, [2]string{caller, callee})
	}
	if len(edges) == 0 {
		t.Fatal("preprofile has no edges")
	}
	return edges
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPGOErrorsNameTheirCause: each mistake is refused with a message
// naming the flag or variable at fault, before anything is read.
func TestPGOErrorsNameTheirCause(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, "no command"},
		{[]string{"pgx"}, nil, `unknown command "pgx"`},
		{[]string{"pgo"}, nil, "set -service, $PYROSCOPE_APPLICATION_NAME or $OTEL_SERVICE_NAME"},
		{[]string{"pgo", "-service", "a b"}, nil, "-service"},
		{[]string{"pgo", "-service", "svc", "-selector", "{a=b}"}, nil, "-selector"},
		{[]string{"pgo", "-service", "svc", "-from", "yesterday"}, nil, `-from "yesterday"`},
		{[]string{"pgo", "-service", "svc", "-until", "2026-11-24T00:00:00Z", "-from", "2026-11-25T00:00:00Z"}, nil, "is not before -until"},
		{[]string{"pgo", "-service", "svc", "-dir", dir}, nil, "no CPU profile files of svc"},
		{[]string{"pgo", "-dir", dir}, map[string]string{"OTEL_SERVICE_NAME": "otel-svc"}, "no CPU profile files of otel-svc"},
		{[]string{"pgo", "-service", "svc"}, map[string]string{"PYROSCOPE_SERVER_ADDRESS": "ftp://x"}, `PYROSCOPE_SERVER_ADDRESS="ftp://x": want a URL starting with http`},
		{[]string{"pgo", "-service", "svc"}, map[string]string{"PYROSCOPE_HTTP_HEADERS": "{"}, "PYROSCOPE_HTTP_HEADERS"},
		{[]string{"pgo", "-service", "svc", "extra"}, nil, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		env = c.env
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), c.args, lookup, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ember %q: err = %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// TestPGORefusesWhatStartRefuses: the server settings ember.Start refuses
// are refused by the pgo command too, with the same messages, naming the
// flag or variable and hiding secrets, and before any request is sent.
func TestPGORefusesWhatStartRefuses(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "not expected", http.StatusTeapot)
	}))
	defer srv.Close()
	for _, c := range []struct {
		args   []string
		env    map[string]string
		want   string
		secret string // must not appear in the error
	}{
		{nil, map[string]string{"PYROSCOPE_SERVER_ADDRESS": srv.URL, "PYROSCOPE_AUTH_TOKEN": "s3cret\r\nX-Evil: 1"},
			"pgo: PYROSCOPE_AUTH_TOKEN (value not shown, 17 bytes): control character CR (\\r) at byte 6", "s3cret"},
		{nil, map[string]string{"PYROSCOPE_SERVER_ADDRESS": "http://127.0.0.1:99999"},
			`pgo: PYROSCOPE_SERVER_ADDRESS="http://127.0.0.1:99999": port 99999 is out of range (1 to 65535)`, ""},
		{[]string{"-server", "https://user:pa55w0rd@127.0.0.1:70000"}, nil,
			`pgo: -server="https://user:xxxxx@127.0.0.1:70000": port 70000 is out of range`, "pa55w0rd"},
		{[]string{"-server", srv.URL}, map[string]string{"PYROSCOPE_ADHOC_SERVER_ADDRESS": "http://h:4040/?x=1"},
			`pgo: PYROSCOPE_ADHOC_SERVER_ADDRESS="http://h:4040/?x=1": want no query`, ""},
		{[]string{"-server", srv.URL}, map[string]string{"PYROSCOPE_BASIC_AUTH_USER": "u", "PYROSCOPE_BASIC_AUTH_PASSWORD": "pa55\nw0rd"},
			"pgo: PYROSCOPE_BASIC_AUTH_PASSWORD (value not shown, 9 bytes): control character LF", "pa55"},
		{[]string{"-server", srv.URL}, map[string]string{"PYROSCOPE_BASIC_AUTH_USER": "a:b"},
			`pgo: PYROSCOPE_BASIC_AUTH_USER="a:b": a basic auth user cannot hold ':'`, ""},
		{[]string{"-server", srv.URL, "-tenant", "t\n1"}, nil, `pgo: -tenant="t\n1": control character LF`, ""},
		{[]string{"-server", srv.URL}, map[string]string{"PYROSCOPE_HTTP_HEADERS": `{"X-Key":"k3y-s3cret\r"}`},
			`pgo: PYROSCOPE_HTTP_HEADERS["X-Key"] (value not shown, 11 bytes): control character CR`, "k3y-s3cret"},
		{[]string{"-server", srv.URL}, map[string]string{"PYROSCOPE_HTTP_HEADERS": `{"Bad Name":"v"}`},
			`pgo: PYROSCOPE_HTTP_HEADERS: header name "Bad Name": ' ' at byte 3`, ""},
	} {
		args := append([]string{"pgo", "-service", "svc"}, c.args...)
		lookup := func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, lookup, &stdout, &stderr)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ember %q with %q: err = %v, want one starting %q", args, c.env, err, c.want)
			continue
		}
		if c.secret != "" && strings.Contains(err.Error(), c.secret) {
			t.Errorf("error %q shows the secret %q", err, c.secret)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the server got %d requests; want every mistake refused before any", n)
	}
}
