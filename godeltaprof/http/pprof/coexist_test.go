package pprof

import (
	"net/http"
	"net/http/httptest"
	netpprof "net/http/pprof"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emberprof/ember/internal/progtest"
)

// TestCoexistsWithNetHTTPPprofOnOneMux registers net/http/pprof's patterns
// and ours on one mux, in both orders: neither order may panic, and every
// path must reach its own handler.
func TestCoexistsWithNetHTTPPprofOnOneMux(t *testing.T) {
	registerNet := func(mux *http.ServeMux) {
		mux.HandleFunc("GET /debug/pprof/", netpprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", netpprof.Cmdline)
	}
	for _, tc := range []struct {
		name  string
		first func(*http.ServeMux)
		then  func(*http.ServeMux)
	}{
		{"net/http/pprof first", registerNet, register},
		{"ours first", register, registerNet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			tc.first(mux)
			tc.then(mux)
			for _, path := range []string{"/debug/pprof/delta_heap", "/debug/pprof/delta_mutex", "/debug/pprof/delta_block", "/debug/pprof/", "/debug/pprof/cmdline"} {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != http.StatusOK {
					t.Errorf("GET %s: status %d", path, rec.Code)
				}
				ours := strings.HasPrefix(rec.Header().Get("Content-Disposition"), `attachment; filename="delta_`)
				if want := strings.Contains(path, "delta_"); ours != want {
					t.Errorf("GET %s: served by ours = %v, want %v", path, ours, want)
				}
			}
		})
	}
}

// coexistProgram imports both packages for their side effects, in the
// order given, and fetches every path from http.DefaultServeMux.
const coexistProgram = `package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	IMPORTS
)

func main() {
	srv := httptest.NewServer(http.DefaultServeMux)
	defer srv.Close()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/delta_heap", "/debug/pprof/delta_mutex", "/debug/pprof/delta_block"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(path, resp.StatusCode, strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment; filename=\"delta_"))
	}
}
`

// TestBlankImportedWithNetHTTPPprof builds programs that blank-import
// net/http/pprof and this package, in both source orders, and runs them
// with the Go 1.22 mux and with GODEBUG=httpmuxgo121=1. Go initialises
// packages in import-path order, whatever the source order, so there ours
// registers first; in this test binary, which imports net/http/pprof from
// the package under test, net/http/pprof registers first, and
// TestHandlersOnDefaultMux serves from that DefaultServeMux.
func TestBlankImportedWithNetHTTPPprof(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	netImport, ourImport := `_ "net/http/pprof"`, `_ "github.com/emberprof/ember/godeltaprof/http/pprof"`
	want := strings.Join([]string{
		"/debug/pprof/ 200 false",
		"/debug/pprof/cmdline 200 false",
		"/debug/pprof/delta_heap 200 true",
		"/debug/pprof/delta_mutex 200 true",
		"/debug/pprof/delta_block 200 true",
	}, "\n") + "\n"
	for name, imports := range map[string]string{
		"net-first":  netImport + "\n\t" + ourImport,
		"ours-first": ourImport + "\n\t" + netImport,
	} {
		bin := progtest.Build(t, root, "coexist", map[string]string{"main.go": strings.Replace(coexistProgram, "IMPORTS", imports, 1)})
		for _, godebug := range []string{"", "httpmuxgo121=1"} {
			run := exec.Command(bin)
			run.Env = append(os.Environ(), "GODEBUG="+godebug)
			out, err := run.CombinedOutput()
			if err != nil || string(out) != want {
				t.Errorf("%s, GODEBUG=%q: %v\n got:\n%s\nwant:\n%s", name, godebug, err, out, want)
			}
		}
	}
}
