package pgo_test

import (
	"bytes"
	"fmt"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/internal/pgo"
)

func ExampleMerger() {
	// A CPU profile as runtime/pprof writes one: main.handle calls
	// main.hash, 30 ms under the label handler=/api and 10 ms under /health.
	handle := &profile.Function{ID: 1, Name: "main.handle", StartLine: 10}
	hash := &profile.Function{ID: 2, Name: "main.hash", StartLine: 40}
	leaf := &profile.Location{ID: 1, Address: 0x1040, Line: []profile.Line{{Function: hash, Line: 42}}}
	call := &profile.Location{ID: 2, Address: 0x1010, Line: []profile.Line{{Function: handle, Line: 12}}}
	stack := []*profile.Location{leaf, call}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: stack, Value: []int64{3, 30e6}, Label: map[string][]string{"handler": {"/api"}}},
			{Location: stack, Value: []int64{1, 10e6}, Label: map[string][]string{"handler": {"/health"}}},
		},
		Location: stack,
		Function: []*profile.Function{handle, hash},
	}
	var data bytes.Buffer
	_ = p.Write(&data)

	sel, _ := pgo.ParseSelector(`{handler!="/health"}`)
	m := pgo.NewMerger(sel)
	for range 2 { // two intervals alike
		if err := m.Add(data.Bytes()); err != nil {
			fmt.Println(err)
			return
		}
	}
	var pgoFile bytes.Buffer
	if _, err := m.Write(&pgoFile); err != nil {
		fmt.Println(err)
		return
	}
	st := m.Stats()
	fmt.Printf("%d profiles, %d of %d samples, %d ms of CPU, %d stack\n", st.Profiles, st.Selected, st.Samples, st.CPU/1e6, st.Stacks)

	out, _ := profile.Parse(&pgoFile)
	for _, s := range out.Sample {
		fmt.Println(s.Location[1].Line[0].Function.Name, "->", s.Location[0].Line[0].Function.Name, s.Value, s.Label)
	}
	// Output:
	// 2 profiles, 2 of 4 samples, 60 ms of CPU, 1 stack
	// main.handle -> main.hash [60000000] map[]
}
