package pgo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/google/pprof/profile"
)

// world is a made-up service whose CPU profiles look like runtime/pprof's:
// one mapping, functions with start lines, locations with addresses and
// inlined lines, deep stacks, and pprof labels on most samples.
type world struct {
	mapping *profile.Mapping
	funcs   []*profile.Function
	locs    []*profile.Location
	stacks  [][]*profile.Location // the stacks the service runs, leaf first
	weights []float64             // cumulative probability of each stack
}

// newWorld makes a service of nfuncs functions, at 1.5 locations (call
// sites) each, running nstacks distinct stacks, the first few much hotter
// than the rest (a Zipf-like spread).
func newWorld(seed uint64, nfuncs, nstacks int) *world {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &world{mapping: &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x1400000, File: "/app/svc", HasFunctions: true}}
	for i := range nfuncs {
		name := fmt.Sprintf("github.com/acme/svc/pkg%d.(*T%d).Method%d", i%40, i%7, i)
		w.funcs = append(w.funcs, &profile.Function{
			ID: uint64(i + 1), Name: name, SystemName: name,
			Filename: fmt.Sprintf("/src/svc/pkg%d/file%d.go", i%40, i%5), StartLine: int64(10 + rng.IntN(900)),
		})
	}
	newLoc := func() *profile.Location {
		l := &profile.Location{ID: uint64(len(w.locs) + 1), Mapping: w.mapping, Address: 0x401000 + uint64(len(w.locs))*0x40}
		for range 1 + rng.IntN(3)/2 { // a third are inlined pairs
			f := w.funcs[rng.IntN(len(w.funcs))]
			l.Line = append(l.Line, profile.Line{Function: f, Line: f.StartLine + int64(rng.IntN(60))})
		}
		w.locs = append(w.locs, l)
		return l
	}
	// Stacks share their outer frames (main, server loop, handlers), as
	// real ones do: each extends a prefix of an earlier one.
	base := []*profile.Location{newLoc(), newLoc(), newLoc()}
	for range 3 * nfuncs / 2 {
		newLoc()
	}
	total := 0.0
	for i := range nstacks {
		outer := base
		if i > 0 {
			prev := w.stacks[rng.IntN(i)]
			outer = prev[len(prev)-min(len(prev), 3+rng.IntN(8)):]
		}
		depth := 2 + rng.IntN(16)
		st := make([]*profile.Location, 0, depth+len(outer))
		for range depth {
			st = append(st, w.locs[rng.IntN(len(w.locs))])
		}
		w.stacks = append(w.stacks, append(st, outer...))
		total += 1 / float64(i+1)
		w.weights = append(w.weights, total)
	}
	for i := range w.weights {
		w.weights[i] /= total
	}
	return w
}

var handlers = []string{"/api/orders", "/api/users", "/api/search", "/healthz", "/api/cart"}

// profile makes one interval's CPU profile with about nsamples samples
// (of 10 ms each) starting at t.
func (w *world) profile(rng *rand.Rand, t time.Time, d time.Duration, nsamples int) *profile.Profile {
	const period = int64(10 * time.Millisecond)
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        period,
		TimeNanos:     t.UnixNano(),
		DurationNanos: int64(d),
		Mapping:       []*profile.Mapping{w.mapping},
	}
	type key struct {
		stack   int
		handler int
	}
	counts := map[key]int64{}
	for range nsamples {
		i := min(sort.SearchFloat64s(w.weights, rng.Float64()), len(w.weights)-1)
		counts[key{i, rng.IntN(len(handlers) + 1)}]++
	}
	usedLoc := map[*profile.Location]bool{}
	usedFn := map[*profile.Function]bool{}
	for k, n := range counts {
		s := &profile.Sample{Location: w.stacks[k.stack], Value: []int64{n, n * period}}
		if k.handler < len(handlers) {
			s.Label = map[string][]string{"handler": {handlers[k.handler]}}
		}
		p.Sample = append(p.Sample, s)
		for _, l := range s.Location {
			if !usedLoc[l] {
				usedLoc[l] = true
				p.Location = append(p.Location, l)
				for _, ln := range l.Line {
					if !usedFn[ln.Function] {
						usedFn[ln.Function] = true
						p.Function = append(p.Function, ln.Function)
					}
				}
			}
		}
	}
	return p
}

// writeProfileFile writes p to dir under the name upstream/file gives an
// app's CPU profile of the 15 s starting at at, and returns its path.
func writeProfileFile(dir, app string, p *profile.Profile, at time.Time) (string, error) {
	const layout = "20060102T150405.000Z"
	name := fmt.Sprintf("%s.cpu.%s-%s.pb.gz", app, at.UTC().Format(layout), at.Add(15*time.Second).UTC().Format(layout))
	path := filepath.Join(dir, name)
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, b.Bytes(), 0o644)
}
