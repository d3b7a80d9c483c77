package session

import "time"

// nextBoundary returns the first multiple of rate in Unix time after from,
// skipping one that comes sooner than rate/10: an interval that short
// would cost a round of profiles for next to no data.
func nextBoundary(from time.Time, rate time.Duration) time.Time {
	r := int64(rate)
	b := (from.UnixNano()/r + 1) * r
	if b-from.UnixNano() < r/10 {
		b += r
	}
	return time.Unix(0, b)
}
