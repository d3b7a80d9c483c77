// Package leaktest finds goroutines a test left behind, by comparing the
// runtime's goroutine list before and after.
package leaktest

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Snapshot records the goroutines running now.
type Snapshot map[string]bool

// Take returns the goroutines running now.
func Take() Snapshot {
	s := Snapshot{}
	for _, g := range goroutines() {
		s[id(g)] = true
	}
	return s
}

// Check fails t if goroutines that were not in s and whose stacks contain
// any of the given substrings are still running after a grace period in
// which exiting goroutines may finish. With no substrings, every new
// goroutine counts.
func (s Snapshot) Check(t testing.TB, substrings ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := s.extra(substrings)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines outlived the test:\n\n%s", len(left), strings.Join(left, "\n\n"))
			return
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}

func (s Snapshot) extra(substrings []string) []string {
	var left []string
	for _, g := range goroutines() {
		if s[id(g)] || strings.Contains(g, "leaktest.goroutines") {
			continue
		}
		if len(substrings) == 0 {
			left = append(left, g)
			continue
		}
		for _, sub := range substrings {
			if strings.Contains(g, sub) {
				left = append(left, g)
				break
			}
		}
	}
	return left
}

func goroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Split(string(bytes.TrimSpace(buf)), "\n\n")
}

// id returns the "goroutine N" prefix of a stack.
func id(g string) string {
	if i := strings.Index(g, " ["); i > 0 {
		return g[:i]
	}
	return g
}
