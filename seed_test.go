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
// server configured, and reads its CPU profile files until one shows the
// labelled work.
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
	// The first interval ends at the next whole second, so it may be too
	// short for a sample: read the files as they come until one has the
	// labelled work.
	seen := map[string]bool{}
	read := map[string]bool{}
	for deadline := time.Now().Add(30 * time.Second); !seen["slow"] && !seen["fast"]; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no CPU profile with function=fast|slow samples in 30s; read %d files", len(read))
		}
		files, _ := filepath.Glob(filepath.Join(out, "seed.cpu.*.pb.gz"))
		for _, f := range files {
			if read[f] {
				continue
			}
			read[f] = true
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := profile.ParseData(data)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, s := range p.Sample {
				for _, v := range s.Label["function"] {
					seen[v] = true
				}
			}
		}
	}
}
