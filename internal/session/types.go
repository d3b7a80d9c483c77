package session

import (
	"fmt"
	"maps"
	"slices"

	"github.com/emberprof/ember/upstream"
)

// kind maps a profile type name, as users write it (pyroscope-go's names),
// to the runtime profile that carries it and its pprof sample type.
type kind struct {
	typ        upstream.Type
	sampleType string // "" when the runtime profile has one series
}

var kinds = map[string]kind{
	"cpu":            {upstream.TypeCPU, ""},
	"inuse_objects":  {upstream.TypeHeap, "inuse_objects"},
	"alloc_objects":  {upstream.TypeHeap, "alloc_objects"},
	"inuse_space":    {upstream.TypeHeap, "inuse_space"},
	"alloc_space":    {upstream.TypeHeap, "alloc_space"},
	"goroutine":      {upstream.TypeGoroutines, ""},
	"goroutines":     {upstream.TypeGoroutines, ""}, // pyroscope-go before v1.5.0
	"mutex_count":    {upstream.TypeMutex, "contentions"},
	"mutex_duration": {upstream.TypeMutex, "delay"},
	"block_count":    {upstream.TypeBlock, "contentions"},
	"block_duration": {upstream.TypeBlock, "delay"},
	"goroutine_leak": {upstream.TypeGoroutineLeak, ""},
}

// sampleTypesOf counts the sample types each runtime profile carries.
var sampleTypesOf = map[upstream.Type]int{
	upstream.TypeHeap:  4,
	upstream.TypeMutex: 2,
	upstream.TypeBlock: 2,
}

// Names returns the profile type names Ember knows, sorted.
func Names() []string { return slices.Sorted(maps.Keys(kinds)) }

// plan turns profile type names into the runtime profiles to collect,
// each with the sample types asked for (nil meaning all of them).
func plan(names []string) (map[upstream.Type][]string, error) {
	p := make(map[upstream.Type][]string)
	for _, n := range names {
		k, ok := kinds[n]
		if !ok {
			return nil, fmt.Errorf("unknown profile type %q (known: %v)", n, Names())
		}
		if k.sampleType == "" {
			p[k.typ] = nil
			continue
		}
		if !slices.Contains(p[k.typ], k.sampleType) {
			p[k.typ] = append(p[k.typ], k.sampleType)
		}
	}
	for t, st := range p {
		if len(st) == sampleTypesOf[t] {
			p[t] = nil
		} else {
			slices.Sort(st)
		}
	}
	return p, nil
}
