package interval_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// collectingSide are the packages before the sink in the flow clock →
// collectors → encoder → session; none of them may depend on the sink's
// packages, directly or through another package.
var collectingSide = []string{
	"github.com/emberprof/ember/interval",
	"github.com/emberprof/ember/godeltaprof",
	"github.com/emberprof/ember/internal/collect",
	"github.com/emberprof/ember/internal/cpuprof",
	"github.com/emberprof/ember/internal/labels",
	"github.com/emberprof/ember/internal/pprofenc",
	"github.com/emberprof/ember/internal/session",
}

const sinkSide = "github.com/emberprof/ember/upstream"

// sinkDeps returns the packages under upstream that pkg depends on
// (not counting its tests), as `go list -deps` reports them.
func sinkDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var deps []string
	for p := range strings.FieldsSeq(string(out)) {
		if p == sinkSide || strings.HasPrefix(p, sinkSide+"/") {
			deps = append(deps, p)
		}
	}
	return deps
}

func TestCollectingSideDoesNotImportTheSink(t *testing.T) {
	// The check must see an import where there is one: the file sink
	// implements upstream.Upstream.
	if deps := sinkDeps(t, sinkSide+"/file"); !slices.Contains(deps, sinkSide) {
		t.Fatalf("go list -deps of upstream/file misses %s: %v", sinkSide, deps)
	}
	for _, pkg := range collectingSide {
		if deps := sinkDeps(t, pkg); len(deps) > 0 {
			t.Errorf("%s depends on the sink side %v; take the vocabulary from package interval instead", pkg, deps)
		}
	}
}
