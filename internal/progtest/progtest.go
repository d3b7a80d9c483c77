// Package progtest builds small programs that import this module, so
// tests can run them as users would: in their own process.
package progtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Build writes files (name to content, with main.go among them) into a new
// module that requires this one from the source tree at root, builds it
// offline as a binary called name and returns the binary's path. It skips t under -short or
// without a go command.
func Build(t testing.TB, root, name string, files map[string]string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a program")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	all := map[string]string{
		"go.mod": "module prog\n\ngo 1.26\n\nrequire github.com/emberprof/ember v0.0.0\n\nreplace github.com/emberprof/ember => " + root + "\n",
		"go.sum": string(sum),
	}
	for name, data := range files {
		all[name] = data
	}
	for name, data := range all {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, name)
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", dir, err, out)
	}
	return bin
}
