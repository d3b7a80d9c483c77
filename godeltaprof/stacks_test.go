package godeltaprof

import (
	"sync"
	"time"
)

// Test workloads run at the end of deep, distinct stacks: a path of digits
// picks, level by level, one of four non-inlined step functions; descend,
// which picks, is small enough to be inlined into each step, so every stack
// also holds inlined frames.

type leafFunc func(arg int)

//go:noinline
func step0(path []byte, d int, leaf leafFunc, arg int) { descend(path, d, leaf, arg) }

//go:noinline
func step1(path []byte, d int, leaf leafFunc, arg int) { descend(path, d, leaf, arg) }

//go:noinline
func step2(path []byte, d int, leaf leafFunc, arg int) { descend(path, d, leaf, arg) }

//go:noinline
func step3(path []byte, d int, leaf leafFunc, arg int) { descend(path, d, leaf, arg) }

func descend(path []byte, d int, leaf leafFunc, arg int) {
	if d == len(path) {
		leaf(arg)
		return
	}
	switch path[d] % 4 {
	case 0:
		step0(path, d+1, leaf, arg)
	case 1:
		step1(path, d+1, leaf, arg)
	case 2:
		step2(path, d+1, leaf, arg)
	default:
		step3(path, d+1, leaf, arg)
	}
}

// atStack calls leaf(arg) below the stack that path names.
func atStack(path []byte, leaf leafFunc, arg int) { descend(path, 0, leaf, arg) }

// pathFor returns the base-4 digits of i, padded to depth.
func pathFor(i, depth int) []byte {
	p := make([]byte, depth)
	for d := range p {
		p[d] = byte(i % 4)
		i /= 4
	}
	return p
}

var (
	retainMu sync.Mutex
	retained [][]byte
	sink     any
)

//go:noinline
func allocBytes(n int) {
	b := make([]byte, n)
	retainMu.Lock()
	retained = append(retained, b)
	retainMu.Unlock()
}

// allocInlined is inlined into its callers, so the allocation site is an
// inlined frame.
func allocInlined(n int) { sink = make([]byte, n) }

//go:noinline
func allocInlinedCaller(n int) { allocInlined(n) }

//go:noinline
func allocGeneric[T any](n int) { sink = make([]T, n) }

func allocGenericInt(n int)    { allocGeneric[int](n) }
func allocGenericString(n int) { allocGeneric[string](n) }

var allocLeaves = []leafFunc{allocBytes, allocInlinedCaller, allocGenericInt, allocGenericString}

// contend makes both a mutex event (an Unlock with a waiter, at this stack)
// and a block event (a channel receive that waits, at this stack).
//
//go:noinline
func contend(wait int) {
	var mu sync.Mutex
	mu.Lock()
	done := make(chan struct{})
	go func() {
		mu.Lock()
		mu.Unlock()
		close(done)
	}()
	time.Sleep(time.Duration(wait) * time.Microsecond)
	mu.Unlock()
	<-done

	ch := make(chan struct{})
	go func() {
		time.Sleep(time.Duration(wait) * time.Microsecond)
		close(ch)
	}()
	<-ch
}
