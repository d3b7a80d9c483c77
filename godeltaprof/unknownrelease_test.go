package godeltaprof

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildsForUnknownRelease builds this package as a Go release without
// a fast path sees it: the files for known releases left out, the fallback
// file in. (Release tags cannot be faked, so the files are copied.)
func TestBuildsForUnknownRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyFiles(t, root, dir, "go.mod", "go.sum")
	for _, pkg := range []string{"pprofenc", "pprofedit"} {
		copyGoFiles(t, filepath.Join(root, "internal", pkg), filepath.Join(dir, "internal", pkg))
	}
	copyGoFiles(t, filepath.Join(root, "godeltaprof"), filepath.Join(dir, "godeltaprof"))

	cmd := exec.Command(gobin, "build", "./godeltaprof/")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fallback-only build failed: %v\n%s", err, out)
	}
}

func copyFiles(t *testing.T, from, to string, names ...string) {
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyGoFiles copies a package's non-test Go files, skipping those built
// only for known releases and dropping the constraint of the others.
func copyGoFiles(t *testing.T, from, to string) {
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(from, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("//go:build go1.26 && ")) || bytes.Contains(data, []byte("//go:build go1.27 && ")) {
			continue
		}
		data = bytes.Replace(data, []byte("//go:build !go1.26 || go1.28\n"), nil, 1)
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
