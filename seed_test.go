package ember

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSeedProgramBuildsWithOneImportChanged builds the program our users
// already have (testdata/seed, written for pyroscope-go) against this
// module, with nothing changed but its import line.
func TestSeedProgramBuildsWithOneImportChanged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/seed/main.go")
	if err != nil {
		t.Fatal(err)
	}
	ours := bytes.Replace(src, []byte(`"github.com/grafana/pyroscope-go"`), []byte(`pyroscope "github.com/emberprof/ember"`), 1)
	if bytes.Equal(ours, src) {
		t.Fatal("the seed's pyroscope-go import line was not found")
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mod := "module seed\n\ngo 1.26\n\nrequire github.com/emberprof/ember v0.0.0\n\nreplace github.com/emberprof/ember => " + root + "\n"
	for name, data := range map[string][]byte{"main.go": ours, "go.mod": []byte(mod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command(goBin, "build", "-o", filepath.Join(dir, "seed"), ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the seed program does not build against ember:\n%s", out)
	}
}
