//go:build go1.26 && !go1.28

package godeltaprof

import "math"

// heapScaler computes runtime/pprof's estimate of the unsampled count and
// bytes of heap records: each sampled object of average size s was taken
// with probability 1-exp(-s/rate), so values are scaled by
// 1/(1-exp(-s/rate)). Buckets of a process share few object sizes, so the
// factor is remembered per size (a small direct-mapped cache) instead of
// computing two exponentials per record per profile. It gives exactly
// runtime/pprof's numbers: the same float operations on the same inputs.
type heapScaler struct {
	rate   int64
	sizes  [256]float64 // average sizes whose factor is cached; 0 for none
	factor [256]float64
}

// setRate sets the sampling rate of the records to come, forgetting cached
// factors if it changed.
func (s *heapScaler) setRate(rate int64) {
	if rate != s.rate {
		*s = heapScaler{rate: rate}
	}
}

// scale returns count and bytes unsampled, for a record of average object
// size avg (bytes/count, greater than zero).
func (s *heapScaler) scale(count int64, bytes, avg float64) (int64, int64) {
	i := mix(math.Float64bits(avg)) % uint64(len(s.sizes))
	if s.sizes[i] != avg {
		s.sizes[i], s.factor[i] = avg, 1/(1-math.Exp(-avg/float64(s.rate)))
	}
	f := s.factor[i]
	return int64(float64(count) * f), int64(bytes * f)
}

// mix spreads the bits of x (the splitmix64 finaliser).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
