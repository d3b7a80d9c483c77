package upstream_test

import (
	"context"
	"testing"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// oldStyle is a custom upstream written against the names upstream had
// before the vocabulary moved to package interval.
type oldStyle struct {
	got []upstream.Type
}

func (o *oldStyle) Upload(p *upstream.Profile)     { o.got = append(o.got, p.Type) }
func (o *oldStyle) Flush(context.Context) error    { return nil }
func (o *oldStyle) Shutdown(context.Context) error { return nil }
func (o *oldStyle) Stats() upstream.Stats          { return upstream.Stats{} }

var _ upstream.Upstream = (*oldStyle)(nil)

func TestDeprecatedNamesAreTheVocabulary(t *testing.T) {
	var up upstream.Upstream = &oldStyle{}
	up.Upload(&interval.Profile{Type: interval.TypeMutex})
	up.Upload(&upstream.Profile{Type: upstream.TypeGoroutineLeak})
	got := up.(*oldStyle).got
	if len(got) != 2 || got[0] != upstream.TypeMutex || got[1] != interval.TypeGoroutineLeak {
		t.Fatalf("types handed over: %v", got)
	}
	pairs := map[upstream.Type]interval.Type{
		upstream.TypeCPU:           "cpu",
		upstream.TypeHeap:          "heap",
		upstream.TypeGoroutines:    "goroutines",
		upstream.TypeMutex:         "mutex",
		upstream.TypeBlock:         "block",
		upstream.TypeGoroutineLeak: "goroutine_leak",
	}
	for old, name := range pairs {
		if old != name {
			t.Errorf("upstream constant %q, want %q (the value servers and files see)", old, name)
		}
	}
}
