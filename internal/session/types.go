package session

import (
	"fmt"
	"maps"
	"slices"

	"github.com/emberprof/ember/interval"
)

// kind maps a profile type name, as users write it (pyroscope-go's names),
// to the runtime profile that carries it and its pprof sample type.
type kind struct {
	typ        interval.Type
	sampleType string // "" when the runtime profile has one series
}

var kinds = map[string]kind{
	"cpu":            {interval.TypeCPU, ""},
	"inuse_objects":  {interval.TypeHeap, "inuse_objects"},
	"alloc_objects":  {interval.TypeHeap, "alloc_objects"},
	"inuse_space":    {interval.TypeHeap, "inuse_space"},
	"alloc_space":    {interval.TypeHeap, "alloc_space"},
	"goroutine":      {interval.TypeGoroutines, ""},
	"goroutines":     {interval.TypeGoroutines, ""}, // pyroscope-go before v1.5.0
	"mutex_count":    {interval.TypeMutex, "contentions"},
	"mutex_duration": {interval.TypeMutex, "delay"},
	"block_count":    {interval.TypeBlock, "contentions"},
	"block_duration": {interval.TypeBlock, "delay"},
	"goroutine_leak": {interval.TypeGoroutineLeak, ""},
}

// sampleTypesOf counts the sample types each runtime profile carries.
var sampleTypesOf = map[interval.Type]int{
	interval.TypeHeap:  4,
	interval.TypeMutex: 2,
	interval.TypeBlock: 2,
}

// Names returns the profile type names Ember knows, sorted.
func Names() []string { return slices.Sorted(maps.Keys(kinds)) }

// plan turns profile type names into the runtime profiles to collect,
// each with the sample types asked for (nil meaning all of them).
func plan(names []string) (map[interval.Type][]string, error) {
	p := make(map[interval.Type][]string)
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
