package retry

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestDelayCeilingDoublesUpToMax(t *testing.T) {
	var asked []int64
	b := Backoff{Base: time.Second, Max: 10 * time.Second, MaxRetryAfter: time.Minute,
		Rand: func(n int64) int64 { asked = append(asked, n); return n - 1 }}
	want := []time.Duration{1, 2, 4, 8, 10, 10}
	for i, w := range want {
		got := b.Delay(i+1, 0)
		if got != w*time.Second {
			t.Errorf("retry %d: delay %v, want %v", i+1, got, w*time.Second)
		}
		if asked[i] != int64(w*time.Second)+1 {
			t.Errorf("retry %d: drew from [0,%d), want [0,%d]", i+1, asked[i], int64(w*time.Second))
		}
	}
}

func TestDelayIsFullJitter(t *testing.T) {
	b := Backoff{Base: time.Second, Max: time.Minute, Rand: func(int64) int64 { return 0 }}
	if got := b.Delay(5, 0); got != 0 {
		t.Errorf("lowest draw gave %v, want 0 (full jitter starts at zero)", got)
	}
	// With the real source, draws spread over the whole window.
	b.Rand = nil
	seen := map[bool]int{}
	for range 200 {
		d := b.Delay(3, 0)
		if d < 0 || d > 4*time.Second {
			t.Fatalf("delay %v outside [0, 4s]", d)
		}
		seen[d < 2*time.Second]++
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Errorf("200 draws never landed in both halves of the window: %v", seen)
	}
}

func TestDelayHugeRetryCountDoesNotOverflow(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 30 * time.Second, Rand: func(n int64) int64 { return n - 1 }}
	if got := b.Delay(1000, 0); got != 30*time.Second {
		t.Errorf("delay %v, want the 30s cap", got)
	}
}

func TestDelayHonoursRetryAfterWithCap(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 2 * time.Second, MaxRetryAfter: time.Minute,
		Rand: func(int64) int64 { t.Fatal("no random draw expected"); return 0 }}
	if got := b.Delay(1, 7*time.Second); got != 7*time.Second {
		t.Errorf("Retry-After 7s gave %v", got)
	}
	if got := b.Delay(1, time.Hour); got != time.Minute {
		t.Errorf("Retry-After 1h gave %v, want the 1m cap", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(time.Minute).Format(time.RFC850), time.Minute, true},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestRetryableSurvivesWrapping(t *testing.T) {
	base := errors.New("503 Service Unavailable")
	err := fmt.Errorf("upload: %w", Retryable(base, 5*time.Second))
	after, ok := IsRetryable(err)
	if !ok || after != 5*time.Second {
		t.Errorf("IsRetryable = %v, %v; want 5s, true", after, ok)
	}
	if !errors.Is(err, base) {
		t.Error("the wrapped cause is lost")
	}
	if _, ok := IsRetryable(base); ok {
		t.Error("a plain error is reported retryable")
	}
}
