package collect

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// BenchmarkMutexContention measures what the mutex fraction costs a
// contended sync.Mutex: compare fraction=0 with Ember's default.
func BenchmarkMutexContention(b *testing.B) {
	for _, fraction := range []int{0, DefaultMutexFraction, 1} {
		b.Run(fmt.Sprintf("fraction=%d", fraction), func(b *testing.B) {
			prev := runtime.SetMutexProfileFraction(fraction)
			defer runtime.SetMutexProfileFraction(prev)
			var mu sync.Mutex
			shared := 0
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					shared++
					mu.Unlock()
				}
			})
		})
	}
}

// BenchmarkChannelPingPong measures what the block rate costs a goroutine
// that blocks on every channel operation: compare rate=0 with Ember's
// default.
func BenchmarkChannelPingPong(b *testing.B) {
	for _, rate := range []int{0, DefaultBlockRate, 1_000_000, 1} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			runtime.SetBlockProfileRate(rate)
			defer runtime.SetBlockProfileRate(0)
			ping, pong := make(chan int), make(chan int)
			go func() {
				for v := range ping {
					pong <- v
				}
				close(pong)
			}()
			for i := 0; i < b.N; i++ {
				ping <- i
				<-pong
			}
			close(ping)
			<-pong
		})
	}
}
