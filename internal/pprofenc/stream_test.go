package pprofenc

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/google/pprof/profile"
)

// bigProfile writes a profile of n samples over n locations and functions,
// several times flushAt uncompressed, through e.
func bigProfile(e *Encoder, n int) func() {
	var stacks []Stack
	for i := range n {
		id := e.AddLocation(uint64(0x1000+i), []Line{{Function: fmt.Sprintf("pkg.f%d", i), File: "f.go", Line: int64(i + 1)}}, true)
		stacks = append(stacks, stackOf([]uint64{id}))
	}
	return func() {
		for i, s := range stacks {
			e.Sample(s, []int64{int64(i), int64(2 * i)}, Label{})
		}
	}
}

// TestLargeProfileStreams checks that a profile compressed in many pieces
// reads back whole, and that the Encoder keeps only about one piece.
func TestLargeProfileStreams(t *testing.T) {
	const n = 20000
	e := New(nil)
	p := encode(t, e, header, bigProfile(e, n))
	if len(p.Sample) != n || len(p.Location) != n || len(p.Function) != n {
		t.Fatalf("%d samples, %d locations, %d functions; want %d of each", len(p.Sample), len(p.Location), len(p.Function), n)
	}
	for i, s := range p.Sample {
		if s.Value[0] != int64(i) || s.Value[1] != int64(2*i) || s.Location[0].Line[0].Function.Name != fmt.Sprintf("pkg.f%d", i) {
			t.Fatalf("sample %d: %v at %s", i, s.Value, s.Location[0].Line[0].Function.Name)
		}
	}
	if cap(e.out) > 2*flushAt {
		t.Errorf("encoder keeps a %d byte buffer after a profile; want about %d", cap(e.out), flushAt)
	}
}

type failingWriter struct{ after int }

var errWrite = errors.New("write failed")

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.after < len(b) {
		return 0, errWrite
	}
	w.after -= len(b)
	return len(b), nil
}

// TestWriteError checks that a writer failing part way is reported, and
// that the next profile is written whole.
func TestWriteError(t *testing.T) {
	e := New(nil)
	samples := bigProfile(e, 20000)
	if err := e.Write(&failingWriter{after: 1000}, header, samples); !errors.Is(err, errWrite) {
		t.Fatalf("Write to a failing writer returned %v, want %v", err, errWrite)
	}
	if p := encode(t, e, header, samples); len(p.Sample) != 20000 {
		t.Fatalf("profile after a failed one has %d samples, want 20000", len(p.Sample))
	}
}

// TestConcurrentEncoders checks that Encoders used from several goroutines
// at once, sharing the gzip writer, each write whole profiles.
func TestConcurrentEncoders(t *testing.T) {
	const encoders, samples = 4, 3000
	errs := make(chan error, encoders)
	for range encoders {
		go func() {
			e := New(nil)
			add := bigProfile(e, samples)
			for range 3 {
				var buf bytes.Buffer
				if err := e.Write(&buf, header, add); err != nil {
					errs <- err
					return
				}
				p, err := profile.Parse(&buf)
				if err == nil && len(p.Sample) != samples {
					err = fmt.Errorf("%d samples, want %d", len(p.Sample), samples)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range encoders {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
