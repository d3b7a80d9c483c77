package integration_test

import "strings"

// flamegraph is the server's merged flame graph. Each level lists its nodes
// as groups of four numbers: the gap between the node's left edge and the
// previous node's right edge on that level (or the level's start), the
// node's total, its self value, and its index into Names.
type flamegraph struct {
	Names  []string `json:"names"`
	Levels []struct {
		Values []jsonInt `json:"values"`
	} `json:"levels"`
	Total   jsonInt `json:"total"`
	MaxSelf jsonInt `json:"maxSelf"`
}

// span is one node's extent along the flame graph's x axis.
type span struct{ from, to int64 }

// FunctionTotal returns the value of every stack that passes through a
// function whose name ends in suffix (such as ".spin" or
// "integration_test.spin"). A stack that passes through it twice, or
// through two matching functions, counts once: the result is the union of
// the matching nodes' extents, never more than Total.
func (f *flamegraph) FunctionTotal(suffix string) int64 {
	var spans []span
	for _, lvl := range f.Levels {
		var x int64
		for i := 0; i+3 < len(lvl.Values); i += 4 {
			x += int64(lvl.Values[i])
			total, name := int64(lvl.Values[i+1]), int(lvl.Values[i+3])
			if name >= 0 && name < len(f.Names) && strings.HasSuffix(f.Names[name], suffix) {
				spans = append(spans, span{x, x + total})
			}
			x += total
		}
	}
	return unionLength(spans)
}

// unionLength is the length of the union of spans.
func unionLength(spans []span) int64 {
	// Few spans: a quadratic merge keeps this obvious.
	var merged []span
	for _, s := range spans {
		for i := 0; i < len(merged); {
			m := merged[i]
			if m.from <= s.to && s.from <= m.to {
				s = span{min(s.from, m.from), max(s.to, m.to)}
				merged = append(merged[:i], merged[i+1:]...)
				continue
			}
			i++
		}
		merged = append(merged, s)
	}
	var n int64
	for _, m := range merged {
		n += m.to - m.from
	}
	return n
}
