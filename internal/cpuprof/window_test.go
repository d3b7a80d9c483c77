package cpuprof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
)

// An on-demand window that spans two continuous windows holds exactly the
// CPU burned inside it, and each continuous window holds what burned in it.
func TestWindowSpanningARotation(t *testing.T) {
	checkIdle(t)
	c0 := mustStart(t)
	before := burn("before", burnCPU)
	d := mustStart(t)
	first := burn("first", burnCPU)
	data0, c1, err := c0.Rotate()
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	second := burn("second", burnCPU)
	dData, err := d.Stop()
	if err != nil {
		t.Fatalf("Stop on-demand: %v", err)
	}
	after := burn("after", burnCPU)
	data1, err := c1.Stop()
	if err != nil {
		t.Fatalf("Stop continuous: %v", err)
	}

	p0, pd, p1 := parse(t, data0), parse(t, dData), parse(t, data1)
	near(t, "continuous 0, before", labelled(t, p0, "before"), before)
	near(t, "continuous 0, first", labelled(t, p0, "first"), first)
	none(t, "continuous 0", p0, "second")
	none(t, "continuous 0", p0, "after")
	near(t, "on-demand, first", labelled(t, pd, "first"), first)
	near(t, "on-demand, second", labelled(t, pd, "second"), second)
	none(t, "on-demand", pd, "before")
	none(t, "on-demand", pd, "after")
	near(t, "continuous 1, second", labelled(t, p1, "second"), second)
	near(t, "continuous 1, after", labelled(t, p1, "after"), after)
	none(t, "continuous 1", p1, "before")
	none(t, "continuous 1", p1, "first")

	// Each window here has two segments, so each was merged and stamped
	// with its own start and length, and the continuous ones adjoin.
	if p0.TimeNanos != c0.From().UnixNano() || pd.TimeNanos != d.From().UnixNano() || p1.TimeNanos != c1.From().UnixNano() {
		t.Errorf("merged TimeNanos %d, %d, %d; want the windows' starts %d, %d, %d",
			p0.TimeNanos, pd.TimeNanos, p1.TimeNanos, c0.From().UnixNano(), d.From().UnixNano(), c1.From().UnixNano())
	}
	if end := p0.TimeNanos + p0.DurationNanos; end != p1.TimeNanos {
		t.Errorf("continuous windows do not adjoin: first ends at %d, second starts at %d", end, p1.TimeNanos)
	}
	// Merged profiles are left uncompressed for their reader to compress
	// once, with whatever else it changes.
	for _, data := range [][]byte{data0, dData, data1} {
		if pprofenc.IsGzip(data) {
			t.Error("a merged window's profile was compressed")
		}
	}
}

// Three overlapping on-demand windows run while a continuous rotation goes
// on; each holds its own burn, and the continuous windows together hold
// every burn once, without a hole. The windows open at staggered times, burn
// at the same time, and close as their burns end.
func TestConcurrentWindowsDuringRotation(t *testing.T) {
	checkIdle(t)
	type window struct {
		from time.Time
		data []byte
	}
	var continuous []window
	stop := make(chan struct{})
	rotated := make(chan error, 1)
	w := mustStart(t)
	go func() {
		ticker := time.NewTicker(250 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				data, err := w.Stop()
				continuous = append(continuous, window{w.From(), data})
				rotated <- err
				return
			case <-ticker.C:
				data, next, err := w.Rotate()
				continuous = append(continuous, window{w.From(), data})
				if err != nil {
					rotated <- err
					return
				}
				w = next
			}
		}
	}()

	const n = 3
	var (
		started, wg sync.WaitGroup
		used, gaps  [n]time.Duration
		datas       [n][]byte
		errs        [n]error
	)
	started.Add(n)
	for i := range n {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 50 * time.Millisecond)
			d, err := Start()
			started.Done()
			if err != nil {
				errs[i] = err
				return
			}
			started.Wait()
			used[i], gaps[i] = burnDuringCuts(fmt.Sprint("demand", i), burnCPU)
			datas[i], errs[i] = d.Stop()
		})
	}
	wg.Wait()
	close(stop)
	if err := <-rotated; err != nil {
		t.Fatalf("continuous rotation: %v", err)
	}

	for i := range n {
		if errs[i] != nil {
			t.Fatalf("on-demand window %d: %v", i, errs[i])
		}
		name := fmt.Sprint("demand", i)
		nearLessGaps(t, "on-demand "+name, labelled(t, parse(t, datas[i]), name), used[i], gaps[i])
	}
	var total [n]time.Duration
	merged := 0
	for k, c := range continuous {
		p := parse(t, c.data)
		for i := range n {
			total[i] += labelled(t, p, fmt.Sprint("demand", i))
		}
		if k+1 < len(continuous) && p.TimeNanos == c.from.UnixNano() {
			// Merged (several segments): stamped with the window, which
			// ends where the next one begins.
			merged++
			if end, next := p.TimeNanos+p.DurationNanos, continuous[k+1].from.UnixNano(); end != next {
				t.Errorf("continuous window %d ends at %d, next starts at %d", k, end, next)
			}
		}
	}
	for i := range n {
		nearLessGaps(t, fmt.Sprint("all continuous windows, demand", i), total[i], used[i], gaps[i])
	}
	if merged == 0 {
		t.Error("no continuous window was merged from several segments; the on-demand windows meant to cut them")
	}
	if len(continuous) < 3 {
		t.Errorf("only %d continuous windows; the test meant to rotate during the burns", len(continuous))
	}
}

// A window with one segment returns the bytes the runtime wrote, not a
// re-encoding of them.
func TestSingleSegmentUntouched(t *testing.T) {
	checkIdle(t)
	var written *lockedBuffer
	startCPUProfile = func(w io.Writer) error {
		written = w.(*lockedBuffer)
		return pprofStart(w)
	}
	t.Cleanup(func() { startCPUProfile = pprofStart })

	w := mustStart(t)
	used := burn("alone", burnCPU)
	data, err := w.Stop()
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	raw := written.Bytes()
	if !bytes.Equal(data, raw) || &data[0] != &raw[0] {
		t.Errorf("single-segment window returned %d bytes that are not the runtime's %d", len(data), len(raw))
	}
	near(t, "single segment", labelled(t, parse(t, data), "alone"), used)
}

// A window is closed once.
func TestClosedTwice(t *testing.T) {
	checkIdle(t)
	w := mustStart(t)
	if _, err := w.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := w.Stop(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Stop: err = %v, want ErrClosed", err)
	}
	if data, next, err := w.Rotate(); !errors.Is(err, ErrClosed) || data != nil || next != nil {
		t.Errorf("Rotate after Stop = %d bytes, %v, %v; want nil, nil, ErrClosed", len(data), next, err)
	}
}
