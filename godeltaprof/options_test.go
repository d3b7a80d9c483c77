package godeltaprof

import (
	"runtime"
	"strings"
	"testing"
)

func TestGenericsFramesOff(t *testing.T) {
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			freezeHeap(t)
			opts := ProfileOptions{GenericsFrames: false}
			p := &HeapProfiler{src: newSource(heapKind, opts, path.fallback)}
			sampleAll(func() {
				allocGenericInt(64)
				allocGenericString(64)
			})
			runtime.GC()
			got := profileOf(t, p.Profile)
			elided := 0
			for _, fn := range got.Function {
				if strings.Contains(fn.Name, "go.shape") {
					t.Errorf("function %q keeps its type shape", fn.Name)
				}
				if strings.HasSuffix(fn.Name, ".allocGeneric[...]") {
					elided++
				}
			}
			if elided != 1 {
				t.Errorf("%d functions named allocGeneric[...], want both instantiations as one", elided)
			}
		})
	}
}

func TestPrintedName(t *testing.T) {
	for name, want := range map[string]string{
		"main.f":                               "main.f",
		"main.g[go.shape.int]":                 "main.g[...]",
		"main.(*T[go.shape.[]int]).m":          "main.(*T[...]).m",
		"main.h[go.shape.int].func1":           "main.h[...].func1",
		"weird]name[":                          "weird]name[",
		"pkg.F[go.shape.map[string]int,go.i8]": "pkg.F[...]",
	} {
		if got := printedName(name); got != want {
			t.Errorf("printedName(%q) = %q, want %q", name, got, want)
		}
	}
}
