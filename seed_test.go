package ember

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/progtest"
	"github.com/google/pprof/profile"
)

// TestSeedProgramRunsWithOneImportChanged builds the program our users
// already have (testdata/seed, written for pyroscope-go) against this
// module, with nothing changed but its import line, runs it with no
// server configured, and reads its first CPU profile file.
func TestSeedProgramRunsWithOneImportChanged(t *testing.T) {
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
	bin := progtest.Build(t, root, "seed", map[string]string{"main.go": string(ours)})
	dir := filepath.Dir(bin)

	out := filepath.Join(dir, "profiles")
	run := exec.Command(bin)
	run.Dir = dir
	run.Env = append(os.Environ(), "EMBER_OUTPUT_DIR="+out, "PYROSCOPE_UPLOAD_INTERVAL=1s")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { run.Process.Kill(); run.Wait() }()
	var files []string
	for deadline := time.Now().Add(30 * time.Second); len(files) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the seed program wrote no CPU profile in 30s")
		}
		files, _ = filepath.Glob(filepath.Join(out, "seed.cpu.*.pb.gz"))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.ParseData(data)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range p.Sample {
		for _, v := range s.Label["function"] {
			seen[v] = true
		}
	}
	if !seen["slow"] && !seen["fast"] {
		t.Errorf("the seed's CPU profile has no function=fast|slow samples: %v", seen)
	}
}
