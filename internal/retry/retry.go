// Package retry decides when a failed delivery is tried again: exponential
// backoff with full jitter, and the server's Retry-After when it sends one.
//
// Full jitter (a uniformly random wait between zero and the exponential
// ceiling) keeps a fleet of clients that failed together from retrying
// together, which plain exponential backoff does not.
package retry

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff computes the wait before a retry.
type Backoff struct {
	// Base is the ceiling of the first wait; each retry doubles it.
	Base time.Duration
	// Max caps the ceiling.
	Max time.Duration
	// MaxRetryAfter caps a server's Retry-After, so a misconfigured proxy
	// cannot park a delivery for a day.
	MaxRetryAfter time.Duration
	// Rand returns a uniform value in [0, n); nil means math/rand/v2.
	Rand func(n int64) int64
}

// Delay returns how long to wait before retry number retry (1 for the first
// retry). A positive after is the server's Retry-After and wins, capped by
// MaxRetryAfter; otherwise the wait is uniform in [0, min(Max, Base·2^(retry-1))].
func (b Backoff) Delay(retry int, after time.Duration) time.Duration {
	if after > 0 {
		return min(after, b.MaxRetryAfter)
	}
	ceiling := b.Base
	for i := 1; i < retry && ceiling < b.Max; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, b.Max)
	if ceiling <= 0 {
		return 0
	}
	random := b.Rand
	if random == nil {
		random = rand.Int64N
	}
	return time.Duration(random(int64(ceiling) + 1))
}

// ParseRetryAfter reads an HTTP Retry-After value, either delay-seconds or an
// HTTP date, relative to now. It reports false for an absent or malformed
// value; a date in the past gives zero.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(value, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}

// Error marks a failure as worth another attempt.
type Error struct {
	Err error
	// After is the wait the server asked for (Retry-After); zero if none.
	After time.Duration
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Retryable wraps err so that [IsRetryable] reports it, with the wait the
// server asked for (zero for none).
func Retryable(err error, after time.Duration) error {
	return &Error{Err: err, After: after}
}

// IsRetryable reports whether err (or an error it wraps) was marked by
// [Retryable], and the wait the server asked for.
func IsRetryable(err error) (after time.Duration, ok bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.After, true
	}
	return 0, false
}
