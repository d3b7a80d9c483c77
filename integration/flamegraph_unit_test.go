package integration_test

import "testing"

// TestFunctionTotalCountsRecursionOnce needs no server: a function that
// appears twice on one stack counts that stack once.
func TestFunctionTotalCountsRecursionOnce(t *testing.T) {
	// root(10) -> f(8) -> f(5) -> g(5); root -> h(2), h starting at x=8.
	fg := &flamegraph{Names: []string{"root", "pkg.f", "pkg.h", "pkg.g"}}
	for _, lvl := range [][]jsonInt{
		{0, 10, 0, 0},
		{0, 8, 3, 1, 0, 2, 2, 2},
		{0, 5, 0, 1},
		{0, 5, 5, 3},
	} {
		fg.Levels = append(fg.Levels, struct {
			Values []jsonInt `json:"values"`
		}{lvl})
	}
	for name, want := range map[string]int64{".f": 8, ".g": 5, ".h": 2, "root": 10, "nothing": 0} {
		if got := fg.FunctionTotal(name); got != want {
			t.Errorf("FunctionTotal(%q) = %d, want %d", name, got, want)
		}
	}
}
